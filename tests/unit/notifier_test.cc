#define BOOST_TEST_DYN_LINK
#include "bot/notifier.h"

#include <boost/test/unit_test.hpp>
#include <map>
#include <string>
#include <vector>

#include "bot/destination.h"
#include "store/chat.h"
#include "store/outbox.h"
#include "templates/render.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(notifier)

namespace {

struct Fixture {
  TestStore t;
  EventHub hub;
  Config config;
  NotifyContext ctx;
  Fixture() {
    config.chat.slack_webhook_url = "http://chat.test/slack-webhook";
    config.chat.teams_webhook_url = "http://chat.test/teams-webhook";
    ctx.db = t.db.get();
    ctx.config = &config;
    ctx.hub = &hub;
  }
  Job Queue(JobKind kind) {
    Job j = DeployJob("qa", "web", "3f2a9c1d2e4b");
    j.kind = kind;
    BOOST_REQUIRE(EnqueueJob(t.db.get(), &j).ok());
    return j;
  }
  void ReplyVia(const Job& job, const std::string& transport) {
    BOOST_REQUIRE(AddJobReply(t.db.get(), job.id, transport, "http://chat.test/" + transport).ok());
  }
  // url → bodies queued for it, in order.
  std::map<std::string, std::vector<std::string>> Sent() {
    std::vector<OutboxMessage> all;
    BOOST_REQUIRE(ListOutbox(t.db.get(), &all).ok());
    std::map<std::string, std::vector<std::string>> by_url;
    for (const OutboxMessage& m : all) by_url[m.url].push_back(m.body);
    return by_url;
  }
};

JobEvent EventOf(const Job& job, JobStage stage) {
  JobEvent e = MessageEvent(stage, "x");
  e.job_id = job.id;
  return e;
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_transport_gets_its_implementation) {
  Fixture f;
  for (Transport t : {Transport::kSlack, Transport::kMattermost, Transport::kTeams}) {
    BOOST_CHECK(MakeChatNotifier(t, f.ctx)->transport() == t);
  }
  // The CLI and the hook follow the same stream.
  BOOST_CHECK(MakeChatNotifier(Transport::kCli, f.ctx)->transport() == Transport::kGit);
  BOOST_CHECK(MakeChatNotifier(Transport::kGit, f.ctx)->transport() == Transport::kGit);
}

BOOST_AUTO_TEST_CASE(transport_names_round_trip) {
  for (Transport t : {Transport::kSlack, Transport::kMattermost, Transport::kTeams, Transport::kCli,
                      Transport::kGit}) {
    Transport back = Transport::kGit;
    BOOST_CHECK(ParseTransport(TransportName(t), &back));
    BOOST_CHECK(back == t);
  }
  Transport t = Transport::kCli;
  BOOST_CHECK(!ParseTransport("irc", &t));
  BOOST_CHECK(t == Transport::kCli);
  BOOST_CHECK_EQUAL(TransportName(Transport::kMattermost), "mattermost");
}

BOOST_AUTO_TEST_CASE(slack_edits_its_reply_in_place) {
  Fixture f;
  Job job = f.Queue(JobKind::kReroute);
  f.ReplyVia(job, "slack");
  auto slack = MakeChatNotifier(Transport::kSlack, f.ctx);
  slack->OnJobEvent(EventOf(job, JobStage::kRunning));  // not a stage chat shows
  BOOST_CHECK(f.Sent().empty());
  slack->OnJobEvent(EventOf(job, JobStage::kRerouting));
  const MessageView progress = notify::JobView(f.ctx, job, "rerouting", "");
  slack->OnJobFinished(job, true, "");
  const MessageView done = notify::JobView(f.ctx, job, "succeeded", "");
  auto sent = f.Sent();
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);  // no webhook: not a deploy
  const auto& bodies = sent["http://chat.test/slack"];
  BOOST_REQUIRE_EQUAL(bodies.size(), 2u);
  BOOST_CHECK_EQUAL(bodies[0], RenderSlack(progress, "in_channel", false));
  BOOST_CHECK_EQUAL(bodies[1], RenderSlack(done, "in_channel", true));
}

BOOST_AUTO_TEST_CASE(slack_keeps_the_last_post_for_the_outcome) {
  Fixture f;
  Job job = f.Queue(JobKind::kReroute);
  f.ReplyVia(job, "slack");
  auto slack = MakeChatNotifier(Transport::kSlack, f.ctx);
  for (int i = 0; i < 6; ++i) slack->OnJobEvent(EventOf(job, JobStage::kRerouting));
  slack->OnJobFinished(job, false, "boom");
  slack->OnJobFinished(job, false, "boom");  // past the limit
  const auto bodies = f.Sent()["http://chat.test/slack"];
  BOOST_REQUIRE_EQUAL(bodies.size(), 5u);
  BOOST_CHECK_EQUAL(bodies[4],
                    RenderSlack(notify::JobView(f.ctx, job, "failed", "boom"), "in_channel", true));
}

BOOST_AUTO_TEST_CASE(mattermost_gets_the_outcome_only) {
  Fixture f;
  Job job = f.Queue(JobKind::kDestroy);
  f.ReplyVia(job, "mattermost");
  auto mm = MakeChatNotifier(Transport::kMattermost, f.ctx);
  mm->OnJobEvent(EventOf(job, JobStage::kDestroying));
  BOOST_CHECK(f.Sent().empty());
  mm->OnJobFinished(job, true, "");
  auto sent = f.Sent();
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  BOOST_REQUIRE_EQUAL(sent["http://chat.test/mattermost"].size(), 1u);
  BOOST_CHECK_EQUAL(sent["http://chat.test/mattermost"][0],
                    RenderMattermost(notify::JobView(f.ctx, job, "succeeded", ""), "in_channel"));
}

BOOST_AUTO_TEST_CASE(teams_gets_a_card_for_the_result) {
  Fixture f;
  Job job = f.Queue(JobKind::kDestroy);
  f.ReplyVia(job, "teams");
  auto teams = MakeChatNotifier(Transport::kTeams, f.ctx);
  teams->OnJobEvent(EventOf(job, JobStage::kDestroying));
  BOOST_CHECK(f.Sent().empty());
  teams->OnJobFinished(job, false, "engine away");
  auto sent = f.Sent();
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  BOOST_REQUIRE_EQUAL(sent["http://chat.test/teams"].size(), 1u);
  BOOST_CHECK_EQUAL(sent["http://chat.test/teams"][0],
                    RenderTeamsCard(notify::JobView(f.ctx, job, "failed", "engine away")));
}

BOOST_AUTO_TEST_CASE(deploys_are_announced_on_the_webhooks) {
  Fixture f;
  Job job = f.Queue(JobKind::kDeploy);
  f.ReplyVia(job, "teams");  // a deploy's Teams reply is the announcement
  Notifier notifier(f.t.db.get(), &f.config, &f.hub);
  JobEvent building = CommitEvent(JobStage::kBuilding, "web", job.commit);
  building.job_id = job.id;
  notifier.OnJobEvent(building);
  notifier.OnJobFinished(job, true, "");
  auto sent = f.Sent();
  BOOST_CHECK_EQUAL(sent.count("http://chat.test/teams"), 0u);
  const auto& slack = sent[kSlackWebhook];
  const auto& teams = sent[kTeamsWebhook];
  BOOST_REQUIRE_EQUAL(slack.size(), 2u);
  BOOST_REQUIRE_EQUAL(teams.size(), 2u);
  BOOST_CHECK_EQUAL(slack[0],
                    RenderSlack(notify::DeployView(f.ctx, job, "started", ""), "", false));
  BOOST_CHECK_EQUAL(slack[1],
                    RenderSlack(notify::DeployView(f.ctx, job, "succeeded", ""), "", false));
  BOOST_CHECK_EQUAL(teams[1], RenderTeamsCard(notify::DeployView(f.ctx, job, "succeeded", "")));
  // The hook stream recorded the step as fields.
  std::vector<JobEvent> events;
  BOOST_REQUIRE(ListJobEvents(f.t.db.get(), {job.id}, 0, &events).ok());
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  BOOST_CHECK(events[1].stage == JobStage::kBuilding);
  BOOST_CHECK_EQUAL(events[1].service, "web");
  BOOST_CHECK_EQUAL(events[1].commit, job.commit);
}

BOOST_AUTO_TEST_CASE(owners_hear_on_both_webhooks) {
  Fixture f;
  Notifier notifier(f.t.db.get(), &f.config, &f.hub);
  notifier.NotifyOwner("qa", "ana", "Sandbox qa suspended", "idle for 2 days");
  auto sent = f.Sent();
  BOOST_REQUIRE_EQUAL(sent.size(), 2u);
  const MessageView view =
      notify::OwnerView(f.ctx, "qa", "ana", "Sandbox qa suspended", "idle for 2 days");
  BOOST_CHECK_EQUAL(sent[kSlackWebhook][0], RenderSlack(view, "", false));
  BOOST_CHECK_EQUAL(sent[kTeamsWebhook][0], RenderTeamsCard(view));
}

BOOST_AUTO_TEST_SUITE_END()
