#include "bot/forge_server.h"

#include <spdlog/spdlog.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "bot/forge_intake.h"
#include "bot/form.h"
#include "bot/signatures.h"
#include "handlers/forge_batch.h"
#include "handlers/forge_pr.h"
#include "util/identity.h"

namespace sandbot {

namespace {

// The first header of `names` the request has.
std::string FirstHeader(const std::function<std::string(const char*)>& header,
                        std::initializer_list<const char*> names) {
  for (const char* n : names) {
    std::string v = header(n);
    if (!v.empty()) return v;
  }
  return "";
}

// "/forges/github/webhook" → "github".
std::string ForgeNameOf(const std::string& path) {
  const std::string prefix = "/forges/";
  const size_t end = path.find('/', prefix.size());
  if (path.rfind(prefix, 0) != 0 || end == std::string::npos) return "";
  return path.substr(prefix.size(), end - prefix.size());
}

// The answer to a delivery, from what became of it.
void Answer(const ForgeBatchResult& r, HttpResponse* res) {
  nlohmann::json answer;
  if (!r.status.ok()) {
    res->status = 503;  // not recorded: the forge may redeliver
    answer["error"] = r.status.message();
    res->Set(answer.dump(), "application/json");
    return;
  }
  const ForgeOutcome& out = r.outcome;
  answer["outcome"] = out.outcome;
  answer["reason"] = out.reason;
  answer["jobs"] = out.job_ids;
  if (!out.sandbox.empty()) answer["sandbox"] = out.sandbox;
  res->status = out.outcome == "accepted" ? 202 : 200;
  res->Set(answer.dump(), "application/json");
}

void Webhook(const ChatContext& ctx, ForgeIntake* intake, const HttpRequest& req,
             HttpResponse* res) {
  const std::string name = ForgeNameOf(req.path);
  Forge forge;
  Status s = GetForge(ctx.db, name, &forge);
  if (s.code() == Status::Code::kNotFound)
    return Reject(ctx, req, res, 404, RejectReason::kNotFound, "unknown forge");
  if (!s.ok()) {
    res->status = 503;
    res->Set("store unavailable", "text/plain");
    spdlog::error("forge {}: {}", name, s.ToString());
    return;
  }
  std::string secret;
  if (forge.secret_ref.empty()) {
    return Reject(ctx, req, res, 401, RejectReason::kUnconfigured,
                  "forge " + name + " has no webhook secret configured");
  }
  s = ResolveForgeRef(forge.secret_ref, &secret);
  if (!s.ok()) {
    return Reject(ctx, req, res, 401, RejectReason::kUnconfigured,
                  "forge " + name + ": " + s.message());
  }
  auto header = [&req](const char* n) { return req.HeaderValue(n); };
  s = VerifyForgeDelivery(forge.kind, secret, req.body, header);
  if (!s.ok()) {
    return Reject(ctx, req, res, 401, RejectReason::kBadSignature,
                  "forge " + name + ": " + s.message());
  }

  // Verified from here on.
  // Gitea and GitHub may send the JSON form-encoded; the usual body is read in place.
  std::string form_payload;
  const std::string* body = &req.body;
  if (req.HeaderValue("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0) {
    form_payload = ParseForm(req.body)["payload"];
    body = &form_payload;
  }
  const std::string event =
      forge.kind == "gitlab"
          ? req.HeaderValue("X-Gitlab-Event")
          : FirstHeader(header, {"X-Gitea-Event", "X-Forgejo-Event", "X-GitHub-Event"});
  std::string delivery =
      forge.kind == "gitlab"
          ? FirstHeader(header, {"Idempotency-Key", "X-Gitlab-Event-UUID"})
          : FirstHeader(header, {"X-GitHub-Delivery", "X-Gitea-Delivery", "X-Forgejo-Delivery"});
  // Without an id, the body stands for it: the same body twice is one event.
  if (delivery.empty()) delivery = "sha256:" + HexEncode(HmacSha256("delivery", req.body));
  ForgeDelivery d;
  d.forge = std::move(forge);
  d.delivery = delivery.substr(0, 200);
  d.max_sandboxes = ctx.config->max_sandboxes;
  s = ParseForgeEvent(d.forge.kind, event, *body, &d.event);
  if (!s.ok()) {
    // Verified but unreadable: answered 2xx (the forge would only resend
    // it), recorded and audited as refused.
    d.event = ForgeEvent{};
    d.event.name = event;
    d.unreadable = s.message();
  }
  if (res->defer) {
    // Recorded, decided and audited with the deliveries of the other
    // loops in one transaction; answered once it is committed.
    HttpResponse::Reply reply = res->defer();
    intake->Submit(std::move(d), [reply = std::move(reply)](const ForgeBatchResult& r) {
      HttpResponse answer;
      Answer(r, &answer);
      reply(std::move(answer));
    });
    return;
  }
  // Called directly (no listener to wait on): a batch of one, here.
  std::vector<ForgeBatchResult> results;
  RecordForgeDeliveries(ctx.db, ctx.hub, {d}, &results);
  const ForgeBatchResult& r = results[0];
  Answer(r, res);
}

// A delivery over the listener's body limit is answered 413 unread: no
// signature can be checked, so nothing is recorded as a delivery, but the
// refusal is audited (sampled, bot/rejection_sampler.h) under the forge's
// name, so that `/why` and the audit show why a large event did nothing.
// An unknown name is not repeated in the reason: varied names would each
// count as a new refusal and escape the sampling.
void TooLarge(const ChatContext& ctx, const HttpRequest& req, HttpResponse* res) {
  const std::string name = ForgeNameOf(req.path);
  Forge forge;
  const std::string who = GetForge(ctx.db, name, &forge).ok() ? "forge " + name : "unknown forge";
  Reject(ctx, req, res, 413, RejectReason::kTooLarge,
         who + ": delivery over the " + std::to_string(ctx.config->chat.max_body_bytes) +
             "-byte body limit (chat.max_body_bytes), refused unread");
}

}  // namespace

Status VerifyForgeDelivery(const std::string& kind, const std::string& secret,
                           const std::string& body,
                           const std::function<std::string(const char*)>& header) {
  if (secret.empty()) return Status::Forbidden("webhook secret not configured");
  if (kind == "gitlab") {
    const std::string token = header("X-Gitlab-Token");
    if (token.empty()) return Status::Forbidden("missing X-Gitlab-Token");
    if (!ConstantTimeEquals(token, secret)) return Status::Forbidden("bad X-Gitlab-Token");
    return Status::Ok();
  }
  if (kind == "gitea") {
    // Gitea/Forgejo send the bare hex; they also send X-Hub-Signature-256.
    const std::string bare = FirstHeader(header, {"X-Gitea-Signature", "X-Forgejo-Signature"});
    if (!bare.empty()) {
      if (bare.rfind("sha256=", 0) == 0) return Status::Forbidden("malformed webhook signature");
      return VerifyGithubSignature(secret, body, bare);
    }
  }
  const std::string sig = header("X-Hub-Signature-256");
  if (sig.empty()) return Status::Forbidden("missing X-Hub-Signature-256");
  if (sig.rfind("sha256=", 0) != 0) {
    return Status::Forbidden("malformed webhook signature (want sha256=<hex>)");
  }
  return VerifyGithubSignature(secret, body, sig);
}

void RegisterForgeRoutes(HttpServer* server, ChatContext* ctx) {
  // Lives as long as the route: the listener's loops are gone before it.
  auto intake = std::make_shared<ForgeIntake>(ctx->db->path(), ctx->hub);
  server->Post("/forges/{name}/webhook", [ctx, intake](const HttpRequest& req, HttpResponse* res) {
    Webhook(OnThisLoop(*ctx), intake.get(), req, res);
  });
  server->OnTooLarge("/forges/{name}/webhook", [ctx](const HttpRequest& req, HttpResponse* res) {
    TooLarge(OnThisLoop(*ctx), req, res);
  });
}

}  // namespace sandbot
