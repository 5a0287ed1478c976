// The forge door on the HTTP listener: POST /forges/{name}/webhook.
//
// Each delivery is verified before anything else with the forge's secret:
// GitHub X-Hub-Signature-256 (HMAC-SHA256 of the raw body), Gitea/Forgejo
// X-Gitea-Signature / X-Forgejo-Signature (bare hex) or X-Hub-Signature-256,
// GitLab X-Gitlab-Token (the secret itself, compared in constant time). A
// forge without a secret refuses every delivery; an unknown forge is 404;
// unsigned or badly signed deliveries are 401 through the rejection sampler.
// A verified delivery is recorded by its id (a redelivery does nothing
// twice), decided (handlers/forge_pr.h) and audited with the other
// deliveries waiting in one transaction (bot/forge_intake.h), and answered
// once that is committed; the mirror fetch and the deploy run in the workers.
#ifndef SANDBOT_BOT_FORGE_SERVER_H_
#define SANDBOT_BOT_FORGE_SERVER_H_

#include <functional>
#include <string>

#include "bot/chat_server.h"
#include "bot/forge_mirror.h"
#include "bot/http_server.h"
#include "store/forges.h"
#include "util/status.h"

namespace sandbot {

void RegisterForgeRoutes(HttpServer* server, ChatContext* context);

// Verifies one delivery of a forge of `kind` with `secret`, from the request's
// headers (`header` looks one up by name, "" when absent) and raw body.
Status VerifyForgeDelivery(const std::string& kind, const std::string& secret,
                           const std::string& body,
                           const std::function<std::string(const char*)>& header);

}  // namespace sandbot

#endif  // SANDBOT_BOT_FORGE_SERVER_H_
