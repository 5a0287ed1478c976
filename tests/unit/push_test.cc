#define BOOST_TEST_DYN_LINK
#include "handlers/push.h"

#include <boost/test/unit_test.hpp>

#include "hooks/push_wire.h"
#include "store/audit.h"
#include "store/jobs.h"
#include "store/repos.h"
#include "store/sandboxes.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

const std::string kZero(40, '0');
const std::string kA(40, 'a');
const std::string kB(40, 'b');

struct PushFixture {
  TestStore t;
  PushFixture() {
    Repo r;
    r.name = "web";
    r.path = "/srv/git/web.git";
    r.auto_branches = "feature/*,fix/*";
    BOOST_REQUIRE(AddRepo(t.db.get(), r).ok());
  }
  PushOutcome Push(const std::string& old_sha, const std::string& new_sha,
                   const std::string& branch, std::vector<std::string> options = {}) {
    PushRequest req;
    req.repo = "web";
    req.actor = "ana";
    req.options = std::move(options);
    req.updates.push_back({old_sha, new_sha, "refs/heads/" + branch});
    PushOutcome out;
    Status s = HandlePush(t.db.get(), req, &out);
    BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
    return out;
  }
  // "sandbox:service@branch(status)" for every sandbox, for whole-state checks.
  std::string State() {
    std::vector<Sandbox> all;
    BOOST_REQUIRE(ListSandboxes(t.db.get(), &all).ok());
    std::string out;
    for (const auto& b : all) {
      for (const auto& s : b.services) {
        out += b.name + ":" + s.name + "@" + s.branch + "(" + b.state + ") ";
      }
    }
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(push)

BOOST_AUTO_TEST_CASE(new_branch_creates_a_sandbox_and_a_job) {
  PushFixture f;
  PushOutcome out = f.Push(kZero, kA, "feature/hello");
  BOOST_REQUIRE_EQUAL(out.job_ids.size(), 1u);
  BOOST_CHECK_EQUAL(f.State(), "feature-hello:web@feature/hello(active) ");
  BOOST_CHECK_EQUAL(out.lines[0], "feature/hello -> sandbox feature-hello (job " +
                                      std::to_string(out.job_ids[0]) + ")");
  Job job;
  BOOST_REQUIRE(GetJob(f.t.db.get(), out.job_ids[0], &job).ok());
  BOOST_CHECK_EQUAL(JobKindName(job.kind), "deploy");
  BOOST_CHECK_EQUAL(job.commit, kA);
  BOOST_CHECK_EQUAL(job.actor, "ana");
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(f.t.db.get(), "", 0, &rows).ok());
  BOOST_REQUIRE_EQUAL(rows.size(), 1u);
  BOOST_CHECK_EQUAL(rows[0].action, "push");
  BOOST_CHECK_EQUAL(rows[0].sandbox, "feature-hello");
  BOOST_CHECK_EQUAL(rows[0].status, "accepted");
}

BOOST_AUTO_TEST_CASE(second_push_redeploys_the_same_sandbox) {
  PushFixture f;
  f.Push(kZero, kA, "feature/hello");
  PushOutcome out = f.Push(kA, kB, "feature/hello");
  BOOST_CHECK_EQUAL(out.job_ids.size(), 1u);
  BOOST_CHECK_EQUAL(f.State(), "feature-hello:web@feature/hello(active) ");
  std::vector<Job> jobs;
  BOOST_REQUIRE(ListAllJobs(f.t.db.get(), &jobs).ok());
  BOOST_CHECK_EQUAL(JobStateName(jobs[0].state), "cancelled");  // superseded while queued
  BOOST_CHECK_EQUAL(jobs[1].commit, kB);
}

BOOST_AUTO_TEST_CASE(default_and_unmatched_branches_deploy_nothing) {
  PushFixture f;
  PushOutcome out = f.Push(kZero, kA, "main");
  BOOST_CHECK(out.job_ids.empty());
  BOOST_CHECK(out.lines[0].find("default branch") != std::string::npos);
  out = f.Push(kZero, kA, "experiment/x");
  BOOST_CHECK(out.job_ids.empty());
  BOOST_CHECK(out.lines[0].find("auto-sandbox") != std::string::npos);
  BOOST_CHECK_EQUAL(f.State(), "");
}

BOOST_AUTO_TEST_CASE(slug_collisions_get_unique_names) {
  PushFixture f;
  f.Push(kZero, kA, "feature/a-b");
  f.Push(kZero, kA, "feature/a_b");
  f.Push(kZero, kA, "feature/A.B");
  BOOST_CHECK_EQUAL(f.State(),
                    "feature-a-b:web@feature/a-b(active) feature-a-b-2:web@feature/a_b(active) "
                    "feature-a-b-3:web@feature/A.B(active) ");
}

BOOST_AUTO_TEST_CASE(deleting_the_branch_destroys_its_sandbox) {
  PushFixture f;
  f.Push(kZero, kA, "feature/hello");
  PushOutcome out = f.Push(kA, kZero, "feature/hello");
  BOOST_REQUIRE_EQUAL(out.job_ids.size(), 1u);
  Job job;
  BOOST_REQUIRE(GetJob(f.t.db.get(), out.job_ids[0], &job).ok());
  BOOST_CHECK_EQUAL(JobKindName(job.kind), "destroy");
  BOOST_CHECK_EQUAL(f.State(), "feature-hello:web@feature/hello(destroying) ");
  // Pushed again before the destroy ran: a fresh sandbox beside the dying one.
  out = f.Push(kZero, kB, "feature/hello");
  BOOST_CHECK_EQUAL(out.job_ids.size(), 1u);
  BOOST_CHECK(out.lines[0].find("feature-hello-2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(hostile_branch_names) {
  PushFixture f;
  f.Push(kZero, kA, "feature/$(reboot)");
  f.Push(kZero, kA, "feature/../../etc");
  f.Push(kZero, kA, "feature/" + std::string(242, 'z'));
  std::vector<Sandbox> all;
  BOOST_REQUIRE(ListSandboxes(f.t.db.get(), &all).ok());
  BOOST_REQUIRE_EQUAL(all.size(), 3u);
  for (const auto& b : all) {
    BOOST_CHECK_MESSAGE(
        b.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos,
        b.name);
    BOOST_CHECK_LE(b.name.size(), 40u);
  }
  BOOST_CHECK_EQUAL(all[0].name, "feature-etc");
  BOOST_CHECK_EQUAL(all[1].name, "feature-reboot");
  BOOST_CHECK_EQUAL(all[2].name, "feature-" + std::string(32, 'z'));
}

BOOST_AUTO_TEST_CASE(wait_option_and_unknown_repo) {
  PushFixture f;
  BOOST_CHECK(f.Push(kZero, kA, "feature/a", {"sandbot.wait"}).wait);
  BOOST_CHECK(!f.Push(kZero, kA, "feature/b").wait);
  PushRequest req;
  req.repo = "nope";
  req.actor = "ana";
  req.updates.push_back({kZero, kA, "refs/heads/feature/x"});
  PushOutcome out;
  BOOST_CHECK(HandlePush(f.t.db.get(), req, &out).IsNotFound());
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(f.t.db.get(), "", 0, &rows).ok());
  BOOST_CHECK_EQUAL(rows.back().status, "refused");  // recorded all the same
}

// The hook may time out after the daemon committed, then spool the same push.
BOOST_AUTO_TEST_CASE(a_push_is_applied_once_by_id) {
  PushFixture f;
  PushRequest req;
  req.repo = "web";
  req.actor = "ana";
  req.id = "1700000000000000-42-7";
  req.updates.push_back({kZero, kA, "refs/heads/feature/x"});
  PushOutcome first, second;
  BOOST_REQUIRE(HandlePush(f.t.db.get(), req, &first).ok());
  BOOST_REQUIRE(HandlePush(f.t.db.get(), req, &second).ok());
  BOOST_CHECK_EQUAL(first.job_ids.size(), 1u);
  BOOST_CHECK(second.job_ids.empty());
}

// fuzz/post_receive_fuzz.cc found it: bytes that are not UTF-8 made
// EncodePush throw, and the hook died with the whole push.
BOOST_AUTO_TEST_CASE(wire_encodes_names_that_are_not_utf8) {
  PushMessage msg;
  msg.repo = "web";
  msg.actor = "ana\xff";
  msg.options = {"sandbot.\xfe"};
  msg.updates.push_back({kZero, kA, "refs/heads/feature/x"});
  PushRequest back;
  BOOST_REQUIRE(DecodePush(EncodePush(msg), &back).ok());
  BOOST_CHECK_EQUAL(back.actor, "ana\xef\xbf\xbd");
  BOOST_CHECK_EQUAL(back.options.at(0), "sandbot.\xef\xbf\xbd");
  BOOST_CHECK_EQUAL(back.updates.at(0).ref, "refs/heads/feature/x");
}

BOOST_AUTO_TEST_CASE(wire_round_trip_and_rejects) {
  PushMessage msg;
  msg.id = "123-4-5";
  msg.repo = "web";
  msg.actor = "ana";
  msg.options = {"sandbot.wait"};
  msg.updates.push_back({kZero, kA, "refs/heads/feature/$(x)"});
  msg.updates.push_back({kA, kZero, "refs/heads/gone"});
  // The daemon decodes straight into its request: the typed updates arrive
  // as they left, with nothing re-parsed from text.
  PushRequest back;
  BOOST_REQUIRE(DecodePush(EncodePush(msg), &back).ok());
  BOOST_CHECK_EQUAL(back.id, "123-4-5");
  BOOST_CHECK_EQUAL(back.repo, "web");
  BOOST_CHECK_EQUAL(back.actor, "ana");
  BOOST_CHECK_EQUAL(back.source, "git");
  BOOST_REQUIRE_EQUAL(back.updates.size(), 2u);
  BOOST_CHECK_EQUAL(back.updates[0].ref, "refs/heads/feature/$(x)");
  BOOST_CHECK(back.updates[0].created());
  BOOST_CHECK(back.updates[1].deleted());
  BOOST_CHECK_EQUAL(back.updates[1].old_sha, kA);
  BOOST_CHECK_EQUAL(back.options[0], "sandbot.wait");
  for (const std::string& bad : std::vector<std::string>{
           "", "[]", "{\"repo\":1,\"updates\":[]}", "{\"repo\":\"w\"}",
           "{\"repo\":\"w\",\"updates\":[{\"old\":\"x\",\"new\":\"y\",\"ref\":\"z\"}]}",
           "{\"repo\":\"w\",\"updates\":[7]}",
           "{\"repo\":\"w\",\"updates\":[{\"old\":\"" + kA + "\",\"new\":\"" + kB +
               "\",\"ref\":\"refs/heads/a\\nb\"}]}"}) {
    PushRequest r;
    BOOST_CHECK_MESSAGE(!DecodePush(bad, &r).ok(), bad);
  }
}

BOOST_AUTO_TEST_SUITE_END()
