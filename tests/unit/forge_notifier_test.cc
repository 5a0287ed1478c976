// What a preview's pull request is told (bot/forge_notifier.h): the
// comment first, the job's log linked (with a public URL), and on failure
// the reason and the log's last lines.
#define BOOST_TEST_DYN_LINK
#include "bot/forge_notifier.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bot/config.h"
#include "bot/event_hub.h"
#include "store/forges.h"
#include "store/outbox.h"
#include "tests/unit/test_util.h"
#include "util/engine_names.h"

using namespace sandbot;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(forge_notifier)

BOOST_AUTO_TEST_CASE(a_failed_preview_says_why_with_the_logs_last_lines_and_links_the_log) {
  TestStore t;
  Forge f{"github", "github", "https://api.github.com", "env:GH_TOKEN", "env:GH_SECRET", "ana"};
  BOOST_REQUIRE(AddForge(t.db.get(), f).ok());
  const std::string sha(40, 'a');
  PullRequest pr;
  pr.forge = "github";
  pr.forge_repo = "acme/web";
  pr.number = 7;
  pr.repo = "web";
  pr.head_sha = sha;
  pr.sandbox = "pr-7-web";
  BOOST_REQUIRE(SavePullRequest(t.db.get(), pr).ok());
  Config config;
  config.data_dir = t.dir.path();
  config.public_url = "https://sandbot.example.com/";
  EventHub hub;
  ForgeNotifier notifier(NotifyContext{t.db.get(), &config, &hub});
  std::filesystem::create_directories(t.dir.path() + "/logs");
  {
    std::ofstream log(JobLogPath(t.dir.path(), 5));
    for (int i = 1; i <= 40; ++i) log << "build line " << i << "\n";
  }
  Job job;
  job.id = 5;
  job.kind = JobKind::kDeploy;
  job.sandbox = "pr-7-web";
  job.service = "web";
  job.commit = sha;
  notifier.OnJobFinished(job, false, "the build failed: exit code 1");

  std::vector<OutboxMessage> box;
  BOOST_REQUIRE(ListOutbox(t.db.get(), &box).ok());
  BOOST_REQUIRE_EQUAL(box.size(), 3u);
  // The comment first, then the status and the deployment.
  BOOST_CHECK_EQUAL(box[0].url, ForgeCommentKey("github", "acme/web", 7));
  BOOST_CHECK_EQUAL(box[1].url, ForgeStatusKey("github", "acme/web", sha));
  BOOST_CHECK_EQUAL(box[2].url, ForgeDeploymentKey("github", "acme/web", 7));
  const std::string& comment = box[0].body;
  BOOST_CHECK_NE(comment.find("the build failed: exit code 1"), std::string::npos);
  BOOST_CHECK_NE(comment.find("build line 40"), std::string::npos);
  BOOST_CHECK_NE(comment.find("build line 26"), std::string::npos);
  BOOST_CHECK_EQUAL(comment.find("build line 25\n"), std::string::npos);
  BOOST_CHECK_NE(comment.find("Log: [job 5](https://sandbot.example.com/ui/jobs/5)."),
                 std::string::npos);
  const std::string log_url = "https://sandbot.example.com/ui/jobs/5";
  BOOST_CHECK_EQUAL(json::parse(box[1].body).value("target_url", ""), log_url);
  BOOST_CHECK_EQUAL(json::parse(box[2].body).value("log_url", ""), log_url);

  // Without a public URL: no link anywhere, and the comment says why.
  config.public_url.clear();
  notifier.OnJobFinished(job, false, "the build failed again");
  box.clear();
  BOOST_REQUIRE(ListOutbox(t.db.get(), &box).ok());
  BOOST_REQUIRE_EQUAL(box.size(), 6u);
  BOOST_CHECK_NE(box[3].body.find("no link: sandbot was started without `--public-url`"),
                 std::string::npos);
  BOOST_CHECK(!json::parse(box[4].body).contains("target_url"));
  BOOST_CHECK(!json::parse(box[5].body).contains("log_url"));
}

BOOST_AUTO_TEST_SUITE_END()
