#define BOOST_TEST_DYN_LINK
#include "bot/reconciler.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include "bot/deployer.h"
#include "bot/secret_files.h"
#include "store/audit.h"
#include "store/jobs.h"
#include "store/sandboxes.h"
#include "tests/unit/fake_runtime.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

// A sandbox whose services the store believes are running.
void AddRunning(Db* db, const std::string& sandbox, const std::vector<std::string>& services) {
  Sandbox b;
  b.name = sandbox;
  b.created_by = "ana";
  BOOST_REQUIRE(CreateSandbox(db, &b).ok());
  for (const std::string& name : services) {
    Service s;
    s.name = name;
    s.repo = name;
    s.branch = "main";
    BOOST_REQUIRE(UpsertService(db, b.id, &s).ok());
    BOOST_REQUIRE(SetServiceDeployed(db, s.id, "abc1234def", "img", "cid", "http://x").ok());
    BOOST_REQUIRE(SetServiceStatus(db, s.id, ServiceStatus::kRunning, "").ok());
  }
}

struct Fixture {
  TestStore t;
  FakeRuntime engine;
  Labels Ours(const std::string& sandbox, const std::string& service) {
    return {{"sandbot.managed", "true"},
            {"sandbot.data", DataLabel(t.dir.path())},
            {"sandbot.sandbox", sandbox},
            {"sandbot.service", service}};
  }
  ReconcileReport Run() {
    Reconciler r(t.db.get(), &engine, t.dir.path(), 0);
    ReconcileReport report;
    BOOST_REQUIRE(r.RunOnce(&report).ok());
    return report;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(reconciler)

BOOST_FIXTURE_TEST_CASE(in_step_store_and_engine_change_nothing, Fixture) {
  AddRunning(t.db.get(), "qa", {"web"});
  engine.AddContainer(ContainerName("qa", "web"), "running", Ours("qa", "web"));
  ReconcileReport r = Run();
  BOOST_CHECK_EQUAL(r.checked, 1);
  BOOST_CHECK_EQUAL(r.restarted + r.vanished + r.orphans_removed, 0);
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(t.db.get(), "", 0, &rows).ok());
  BOOST_CHECK(rows.empty());
}

BOOST_FIXTURE_TEST_CASE(restarts_stopped_and_redeploys_vanished, Fixture) {
  AddRunning(t.db.get(), "qa", {"api", "web"});
  engine.AddContainer(ContainerName("qa", "web"), "exited", Ours("qa", "web"));
  ReconcileReport r = Run();
  BOOST_CHECK_EQUAL(r.restarted, 1);
  BOOST_CHECK_EQUAL(r.vanished, 1);
  BOOST_CHECK_EQUAL(engine.containers[ContainerName("qa", "web")].state, "running");
  std::vector<Job> queued;
  BOOST_REQUIRE(ListJobs(t.db.get(), JobState::kQueued, &queued).ok());
  BOOST_REQUIRE_EQUAL(queued.size(), 1u);
  BOOST_CHECK_EQUAL(queued[0].service, "api");
  BOOST_CHECK_EQUAL(queued[0].commit, "abc1234def");
  BOOST_CHECK_EQUAL(queued[0].source, "reconciler");
  Service api;
  BOOST_REQUIRE(GetService(t.db.get(), "qa", "api", &api).ok());
  BOOST_CHECK_EQUAL(ServiceStatusName(api.status), "queued");
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(t.db.get(), "qa", 0, &rows).ok());
  BOOST_REQUIRE_EQUAL(rows.size(), 2u);
  // A second round while the redeploy is queued leaves the sandbox alone.
  r = Run();
  BOOST_CHECK_EQUAL(r.checked, 0);
  BOOST_CHECK_EQUAL(r.vanished, 0);
}

BOOST_FIXTURE_TEST_CASE(removes_orphans_of_this_data_folder_only, Fixture) {
  AddRunning(t.db.get(), "qa", {"web"});
  engine.AddContainer(ContainerName("qa", "web"), "running", Ours("qa", "web"));
  engine.AddContainer(ContainerName("gone", "web"), "running", Ours("gone", "web"));
  Labels elsewhere = Ours("other", "web");
  elsewhere["sandbot.data"] = "/srv/another-sandbot";
  engine.AddContainer(ContainerName("other", "web"), "running", elsewhere);
  engine.networks[NetworkName("qa")] = {{"sandbot.managed", "true"},
                                        {"sandbot.data", DataLabel(t.dir.path())}};
  engine.networks[NetworkName("gone")] = engine.networks[NetworkName("qa")];
  ReconcileReport r = Run();
  BOOST_CHECK_EQUAL(r.orphans_removed, 1);
  BOOST_CHECK_EQUAL(r.networks_removed, 1);
  BOOST_CHECK(engine.containers.count(ContainerName("gone", "web")) == 0);
  BOOST_CHECK(engine.containers.count(ContainerName("other", "web")) == 1);
  BOOST_CHECK(engine.networks.count(NetworkName("qa")) == 1);
  BOOST_CHECK(engine.networks.count(NetworkName("gone")) == 0);
}

BOOST_FIXTURE_TEST_CASE(an_orphans_secret_files_go_with_it, Fixture) {
  // qa/web is known; qa/old (a service no longer in the store) and the whole
  // sandbox "gone" are orphans: their secret folders are removed, qa/web's kept.
  AddRunning(t.db.get(), "qa", {"web"});
  engine.AddContainer(ContainerName("qa", "web"), "running", Ours("qa", "web"));
  engine.AddContainer(ContainerName("qa", "old"), "running", Ours("qa", "old"));
  engine.AddContainer(ContainerName("gone", "web"), "running", Ours("gone", "web"));
  const std::string data = t.dir.path();
  for (const auto& [sandbox, service] : std::vector<std::pair<std::string, std::string>>{
           {"qa", "web"}, {"qa", "old"}, {"gone", "web"}}) {
    std::filesystem::create_directories(SecretsDir(data, sandbox, service));
    std::ofstream(SecretsDir(data, sandbox, service) + "/TOKEN") << "x";
  }
  ReconcileReport r = Run();
  BOOST_CHECK_EQUAL(r.orphans_removed, 2);
  BOOST_CHECK(std::filesystem::exists(SecretsDir(data, "qa", "web") + "/TOKEN"));
  BOOST_CHECK(!std::filesystem::exists(SecretsDir(data, "qa", "old")));
  BOOST_CHECK(!std::filesystem::exists(
      std::filesystem::path(SecretsDir(data, "gone", "web")).parent_path()));
}

BOOST_FIXTURE_TEST_CASE(leaves_sandboxes_with_active_jobs_alone, Fixture) {
  AddRunning(t.db.get(), "qa", {"web"});  // container missing, but a job is queued
  Job j = DeployJob("qa", "web", "abc");
  BOOST_REQUIRE(EnqueueJob(t.db.get(), &j).ok());
  // A container of a sandbox a running job is creating right now.
  Job create = DeployJob("new", "web", "abc");
  BOOST_REQUIRE(EnqueueJob(t.db.get(), &create).ok());
  engine.AddContainer(ContainerName("new", "web"), "created", Ours("new", "web"));
  ReconcileReport r = Run();
  BOOST_CHECK_EQUAL(r.vanished + r.orphans_removed, 0);
  BOOST_CHECK(engine.containers.count(ContainerName("new", "web")) == 1);
}

BOOST_FIXTURE_TEST_CASE(a_networks_sandbox_comes_from_its_label, Fixture) {
  // Networks of a sandbox with a queued job are that job's to change: the
  // sandbox is read from the network's label, and from its name only when
  // it has none (a network made without the label).
  Job j = DeployJob("busy", "web", "abc");
  BOOST_REQUIRE(EnqueueJob(t.db.get(), &j).ok());
  const Labels ours = {{kLabelManaged, "true"}, {kLabelData, DataLabel(t.dir.path())}};
  Labels busy = ours;
  busy[kLabelSandbox] = "busy";
  engine.networks["renamed-by-hand"] = busy;    // the name says nothing
  engine.networks[NetworkName("busy")] = ours;  // unlabelled: its name says "busy"
  Labels idle = ours;
  idle[kLabelSandbox] = "idle";
  engine.networks[NetworkName("idle")] = idle;
  ReconcileReport r = Run();
  BOOST_CHECK_EQUAL(r.networks_removed, 1);
  BOOST_CHECK(engine.networks.count("renamed-by-hand") == 1);
  BOOST_CHECK(engine.networks.count(NetworkName("busy")) == 1);
  BOOST_CHECK(engine.networks.count(NetworkName("idle")) == 0);
}

BOOST_FIXTURE_TEST_CASE(an_unreachable_engine_is_an_error_not_a_repair, Fixture) {
  AddRunning(t.db.get(), "qa", {"web"});
  engine.down = true;
  Reconciler rec(t.db.get(), &engine, t.dir.path(), 0);
  ReconcileReport report;
  BOOST_CHECK(rec.RunOnce(&report).IsUnavailable());
  std::vector<Job> queued;
  BOOST_REQUIRE(ListJobs(t.db.get(), JobState::kQueued, &queued).ok());
  BOOST_CHECK(queued.empty());
}

BOOST_FIXTURE_TEST_CASE(a_failed_restart_is_audited_and_retried_next_pass, Fixture) {
  AddRunning(t.db.get(), "qa", {"web"});
  const std::string name = ContainerName("qa", "web");
  engine.AddContainer(name, "exited", Ours("qa", "web"));
  engine.FailCall("StartContainer", 1, Status::Internal("cannot start: device busy"));
  ReconcileReport r = Run();
  BOOST_CHECK_EQUAL(r.checked, 1);
  BOOST_CHECK_EQUAL(r.restarted, 0);
  BOOST_CHECK_EQUAL(engine.containers[name].state, "exited");
  // The store still says running, so the next pass tries again; nothing queued.
  Service web;
  BOOST_REQUIRE(GetService(t.db.get(), "qa", "web", &web).ok());
  BOOST_CHECK_EQUAL(ServiceStatusName(web.status), "running");
  std::vector<Job> queued;
  BOOST_REQUIRE(ListJobs(t.db.get(), JobState::kQueued, &queued).ok());
  BOOST_CHECK(queued.empty());
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(t.db.get(), "qa", 0, &rows).ok());
  BOOST_REQUIRE_EQUAL(rows.size(), 1u);
  BOOST_CHECK_EQUAL(rows[0].status, "failed");
  BOOST_CHECK(rows[0].detail.find("device busy") != std::string::npos);

  r = Run();
  BOOST_CHECK_EQUAL(r.restarted, 1);
  BOOST_CHECK_EQUAL(engine.containers[name].state, "running");
  BOOST_CHECK_EQUAL(engine.CallsOf("StartContainer"), 2);
  std::vector<AuditRow> after;
  BOOST_REQUIRE(ListAudit(t.db.get(), "qa", 0, &after).ok());
  BOOST_REQUIRE_EQUAL(after.size(), 2u);
  BOOST_CHECK(after[0].status == "succeeded" || after[1].status == "succeeded");
}

BOOST_FIXTURE_TEST_CASE(an_unreachable_engine_ends_the_pass_before_any_repair, Fixture) {
  AddRunning(t.db.get(), "qa", {"api", "web"});
  engine.AddContainer(ContainerName("qa", "web"), "exited", Ours("qa", "web"));
  engine.AddContainer(ContainerName("gone", "web"), "running", Ours("gone", "web"));
  engine.FailCall("ListNetworks", 1, Status::Unavailable("the engine went away"));
  Reconciler reconciler(t.db.get(), &engine, t.dir.path(), 0);
  ReconcileReport report;
  BOOST_CHECK(reconciler.RunOnce(&report).IsUnavailable());
  // Nothing was changed on either side: no start, no removal, no job, no row.
  for (const std::string& call : engine.log) {
    BOOST_CHECK_MESSAGE(call.rfind("List", 0) == 0, call);
  }
  BOOST_CHECK_EQUAL(engine.containers.size(), 2u);
  std::vector<Job> queued;
  BOOST_REQUIRE(ListJobs(t.db.get(), JobState::kQueued, &queued).ok());
  BOOST_CHECK(queued.empty());
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(t.db.get(), "", 0, &rows).ok());
  BOOST_CHECK(rows.empty());
  // The next pass, with the engine back, repairs all of it.
  ReconcileReport r = Run();
  BOOST_CHECK_EQUAL(r.restarted, 1);
  BOOST_CHECK_EQUAL(r.vanished, 1);
  BOOST_CHECK_EQUAL(r.orphans_removed, 1);
}

BOOST_FIXTURE_TEST_CASE(an_orphan_that_cannot_be_removed_keeps_its_files_until_next_pass, Fixture) {
  const std::string data = t.dir.path();
  engine.AddContainer(ContainerName("gone", "web"), "running", Ours("gone", "web"));
  std::filesystem::create_directories(SecretsDir(data, "gone", "web"));
  std::ofstream(SecretsDir(data, "gone", "web") + "/TOKEN") << "x";
  engine.FailCall("RemoveContainer", 1, Status::Conflict("removal already in progress"));
  ReconcileReport r = Run();
  BOOST_CHECK_EQUAL(r.orphans_removed, 0);
  BOOST_CHECK(engine.containers.count(ContainerName("gone", "web")) == 1);
  BOOST_CHECK(std::filesystem::exists(SecretsDir(data, "gone", "web") + "/TOKEN"));
  r = Run();
  BOOST_CHECK_EQUAL(r.orphans_removed, 1);
  BOOST_CHECK(engine.containers.count(ContainerName("gone", "web")) == 0);
  BOOST_CHECK(!std::filesystem::exists(SecretsDir(data, "gone", "web") + "/TOKEN"));
}

BOOST_AUTO_TEST_SUITE_END()
