#include "bot/local_api.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "bot/form.h"
#include "bot/local_caller.h"
#include "bot/operator_limits.h"
#include "bot/version.h"
#include "bot/web_session.h"
#include "handlers/dispatch.h"
#include "handlers/push.h"
#include "hooks/event_wire.h"
#include "hooks/push_wire.h"
#include "store/jobs.h"
#include "templates/render.h"
#include "util/identity.h"

namespace sandbot {

using nlohmann::json;

namespace {

void SendJson(HttpResponse* res, int code, const json& body) {
  res->status = code;
  res->Set(body.dump(), "application/json");
}

void ReplyError(HttpResponse* res, const Status& s) {
  SendJson(res, s.HttpCode(), {{"error", s.message()}});
}

std::vector<int64_t> ParseIds(const std::string& csv) {
  std::vector<int64_t> ids;
  size_t start = 0;
  while (start < csv.size() && ids.size() < 1000) {
    size_t comma = csv.find(',', start);
    if (comma == std::string::npos) comma = csv.size();
    int64_t id = std::strtoll(csv.substr(start, comma - start).c_str(), nullptr, 10);
    if (id > 0) ids.push_back(id);
    start = comma + 1;
  }
  return ids;
}

}  // namespace

void RegisterLocalApi(LocalServer* server, Db* db, EventHub* hub, ContainerRuntime* runtime,
                      const Config* config, SecretKeys* secrets) {
  const uid_t daemon_uid = geteuid();
  server->Post(
      "/v1/command", [=](const HttpRequest& req, const PeerCredentials& peer, HttpResponse* res) {
        json body = json::parse(req.body, nullptr, false);
        if (!body.is_object()) return ReplyError(res, Status::InvalidArgument("not a JSON object"));
        // Who asks is the socket's peer; a "user" in the body is not looked at.
        const LocalCaller caller = CliCaller(peer.uid);
        Request request;
        request.user_id = caller.identity;
        request.user_name = caller.name;
        request.source = "cli";
        request.role = LocalRole(*config, peer.uid, daemon_uid);
        Status s = ParseCommand(body.value("family", ""), body.value("text", ""), &request.command);
        if (s.ok() && body.contains("payload")) request.command.payload = body.value("payload", "");
        Reply reply;
        if (s.ok()) {
          HandlerContext ctx;  // not {…}: see bot/chat_notifier.cc
          ctx.db = db;
          ctx.runtime = runtime;
          ctx.secrets = secrets;
          ctx.max_sandboxes = config->max_sandboxes;
          ctx.operator_limits = OperatorLimitsOf(*config);
          ctx.engines = EngineNames(config->engines);
          ctx.web_url = DashboardUrl(*config);
          s = HandleCommand(ctx, request, &reply);
        }
        if (!s.ok()) {
          return SendJson(res, s.HttpCode(),
                          {{"ok", false}, {"text", s.message()}, {"jobs", json::array()}});
        }
        // A seed command queues no job; its copy is the seed worker's, woken here.
        if (!reply.jobs.empty() || request.command.family == "seed") hub->Notify();
        SendJson(res, 200, {{"ok", true}, {"text", RenderText(reply.view)}, {"jobs", reply.jobs}});
      });

  server->Post(
      "/v1/push", [=](const HttpRequest& req, const PeerCredentials& peer, HttpResponse* res) {
        PushRequest push;
        Status s = DecodePush(req.body, &push);
        // The pusher a git server names is believed only from its account.
        push.actor = PusherOf(*config, peer.uid, push.actor_variable, push.actor).Actor();
        push.max_sandboxes = config->max_sandboxes;
        PushOutcome out;
        if (s.ok()) s = HandlePush(db, push, &out);
        if (!s.ok()) {
          spdlog::warn("push to {} refused: {}", StripControl(push.repo, 100),
                       StripControl(s.ToString(), 300));
          return ReplyError(res, s);
        }
        spdlog::info("push to {} by {}: {} jobs", push.repo, push.actor, out.job_ids.size());
        if (!out.job_ids.empty() && !runtime->Reachable()) out.lines.push_back(kEngineDownNote);
        hub->Notify();
        SendJson(res, 200, {{"lines", out.lines}, {"jobs", out.job_ids}, {"wait", out.wait}});
      });

  server->Get("/v1/events", [db, hub, server](const HttpRequest& req, const PeerCredentials&,
                                              HttpResponse* res) {
    auto query = ParseForm(req.query);
    std::vector<int64_t> ids = ParseIds(query["jobs"]);
    int64_t after = std::strtoll(query["after"].c_str(), nullptr, 10);
    long wait_ms = std::strtol(query["wait_ms"].c_str(), nullptr, 10);
    wait_ms = std::clamp(wait_ms, 0L, 30000L);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    for (;;) {
      uint64_t seen = hub->version();
      // States first, then events: a job's events are written before it
      // ends, so "done" never comes without the job's last events.
      bool done = true;
      for (int64_t id : ids) {
        Job job;
        Status s = GetJob(db, id, &job);
        if (!s.ok()) return ReplyError(res, s);
        done = done && IsFinalJobState(job.state);
      }
      std::vector<JobEvent> events;
      Status s = ListJobEvents(db, ids, after, &events);
      if (!s.ok()) return ReplyError(res, s);
      auto now = std::chrono::steady_clock::now();
      if (!events.empty() || done || now >= deadline || server->stopping()) {
        res->status = 200;
        res->Set(EncodeEvents(events, done), "application/json");
        return;
      }
      hub->WaitChange(seen, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    }
  });

  server->Post("/v1/wake", [hub](const HttpRequest&, const PeerCredentials&, HttpResponse* res) {
    hub->Notify();
    SendJson(res, 200, {{"ok", true}});
  });

  server->Get("/v1/ping", [](const HttpRequest&, const PeerCredentials&, HttpResponse* res) {
    SendJson(res, 200, {{"version", kVersion}});
  });
}

}  // namespace sandbot
