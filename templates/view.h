// View models: what an answer or notification says, independent of where it
// goes. Handlers and workers fill a MessageView from store rows; renderers
// (templates/slack.h, teams.h, mattermost.h, text.h) turn it into Slack Block
// Kit, a Teams Adaptive Card, Mattermost JSON or plain text through the
// mustache templates in templates/*.mustache. Renderers never see store rows.
#ifndef SANDBOT_TEMPLATES_VIEW_H_
#define SANDBOT_TEMPLATES_VIEW_H_

#include <cstdint>
#include <string>
#include <vector>

namespace sandbot {

struct ServiceView {
  std::string name;
  std::string branch;
  std::string commit;  // full sha; renderers show 7 characters
  std::string status;  // queued building starting running failed stopped suspended
  std::string url;     // "" until deployed
  std::string route;   // sandbox, baseline, or a URL
  std::string detail;  // why it failed
  // "Unhealthy: why" / "Degraded: why" while running; "" when healthy (the
  // initializer keeps brace-initialized views without it warning-free).
  std::string health = "";
};

struct RouteView {
  std::string service;
  std::string route;   // sandbox, baseline, or URL
  std::string target;  // what {SERVICE}_URL resolves to
};

struct ButtonView {
  std::string text;       // ≤ 75 characters
  std::string action_id;  // sandbox.destroy, service.redeploy, route.baseline
  std::string value;      // e.g. "qa-login" or "qa-login/web"
  std::string style;      // "", "primary", "danger"
};

struct MessageView {
  std::string kind;     // status, list, job, notification, help, error, ack
  std::string title;    // header line: "sandbox qa-login", "Deploy failed", …
  std::string text;     // free text (help, error, ack): may hold several lines
  std::string sandbox;  // the sandbox this is about, if any
  std::string actor;    // who did it ("ana", "U123 (ana)")
  std::string outcome;  // for jobs/notifications: started, succeeded, failed
  std::vector<ServiceView> services;
  std::vector<RouteView> routes;
  std::vector<ButtonView> buttons;
  std::vector<std::string> log_lines;  // last log lines of a failure
  std::vector<MessageView> sandboxes;  // kind == "list": one entry per sandbox
};

// One audit row for the terminal (`sandbot audit`).
struct AuditView {
  int64_t time = 0;  // ms since the epoch
  std::string actor;
  std::string source;  // git, cli, chat, daemon
  std::string action;
  std::string status;
  std::string sandbox;  // "" when it is about no sandbox; likewise below
  std::string repo;
  std::string branch;
  std::string commit;  // full sha; renderers show 7 characters
  std::string detail;
};

// One watched repository for the terminal (`sandbot repo list`).
struct RepoView {
  std::string name;
  std::string path;
  int port = 0;
  std::string health;  // health check path, "" for none
  std::string default_branch;
  std::string image;  // "" unless the repo runs in a runtime image
  bool wait = false;
  std::string reload_signal;
  std::string compose_file;  // "" = the standard names
};

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_VIEW_H_
