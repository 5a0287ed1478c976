#include "bot/cli_engine.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <iostream>
#include <vector>

#include "bot/cli_util.h"

namespace sandbot {

using nlohmann::json;

namespace {

std::string State(const json& e) {
  return std::string(e.value("up", false) ? "up" : "down") +
         (e.value("drained", false) ? ", drained" : "");
}

std::string Tls(const json& e) {
  if (e.value("tls", false)) return "mutual";
  if (e.value("insecure", false)) return "NONE (insecure)";
  return "-";  // a unix socket: the file's permissions guard it
}

std::string Containers(const json& e) {
  const int n = e.value("containers", -1);
  return n < 0 ? "?" : std::to_string(n);
}

}  // namespace

std::string FormatEngineList(const json& engines) {
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "URL", "TLS", "STATE", "VERSION", "CONTAINERS", "SANDBOXES"}};
  for (const json& e : engines) {
    rows.push_back({e.value("name", ""), e.value("url", ""), Tls(e), State(e),
                    e.value("version", "").empty() ? "-" : e.value("version", ""), Containers(e),
                    std::to_string(e.value("sandboxes", 0))});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string FormatEngineStatus(const json& engines, const std::string& name) {
  for (const json& e : engines) {
    if (e.value("name", "") != name) continue;
    std::string out = "engine      " + name + "\n";
    out += "url         " + e.value("url", "") + "\n";
    out += "tls         " + Tls(e);
    if (!e.value("tls_dir", "").empty()) out += " (" + e.value("tls_dir", "") + ")";
    out += "\nstate       " + State(e) + "\n";
    if (!e.value("error", "").empty()) out += "error       " + e.value("error", "") + "\n";
    if (e.value("breaker_open", false)) out += "breaker     open: jobs wait for the engine\n";
    if (!e.value("version", "").empty()) out += "version     " + e.value("version", "") + "\n";
    out += "containers  " + Containers(e) + " running\n";
    out += "sandboxes   " + std::to_string(e.value("sandboxes", 0)) +
           (e.value("drained", false) ? " (drained: no new sandboxes)" : "") + "\n";
    if (!e.value("public_host", "").empty()) {
      out += "public host " + e.value("public_host", "") + "\n";
    }
    if (!e.value("ports", "").empty()) out += "ports       " + e.value("ports", "") + "\n";
    if (!e.value("gateway_ports", "").empty()) {
      out += "gateway     " + e.value("gateway_ports", "") + "\n";
    }
    return out;
  }
  return "";
}

void EngineCli::Add(CLI::App* app, CLI::App* sandbox) {
  auto* engine = app->add_subcommand("engine", "The daemon's container engines");
  engine->require_subcommand(1);
  list_ = engine->add_subcommand(
      "list", "Every engine: URL, TLS, up or down (drained), version, containers, sandboxes");
  status_ = engine->add_subcommand("status", "One engine, with why it is down");
  status_->add_option("name", name_, "Engine name")->required();
  drain_ = engine->add_subcommand(
      "drain", "No new sandboxes on this engine (those it holds stay; admin; audited)");
  drain_->add_option("name", name_, "Engine name")->required();
  undrain_ = engine->add_subcommand("undrain", "The engine takes new sandboxes again (admin)");
  undrain_->add_option("name", name_, "Engine name")->required();
  move_ = sandbox->add_subcommand(
      "move",
      "Rebuild a sandbox on another engine: same services, commits, routes and environment "
      "(admin; named volumes are copied from the engine it leaves)");
  move_->add_option("name", name_, "Sandbox name")->required();
  move_->add_option("--to", to_, "The engine to move it to (sandbot engine list)")->required();
}

int EngineCli::Post(const Config& config, const std::string& path, const json& body) const {
  httplib::Client client(SocketPath(config.data_dir));
  client.set_address_family(AF_UNIX);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(60, 0);
  auto res = client.Post(path.c_str(), body.dump(), "application/json");
  if (!res) {
    return Fail(Status::Unavailable("no daemon answers on " + SocketPath(config.data_dir) +
                                    "; engines are the running daemon's (sandbot serve)"));
  }
  json answer = json::parse(res->body, nullptr, false);
  if (!answer.is_object()) return Fail(Status::Internal("unreadable answer from the daemon"));
  if (res->status != 200) {
    const std::string why = answer.value("error", "refused");
    if (res->status == 403) return Fail(Status::Forbidden(why));
    if (res->status == 404) return Fail(Status::NotFound(why));
    if (res->status == 409) return Fail(Status::Conflict(why));
    if (res->status == 503) return Fail(Status::Unavailable(why));
    return Fail(Status::InvalidArgument(why));
  }
  std::cout << answer.value("text", "") << "\n";
  return 0;
}

int EngineCli::Run(const Config& config) const {
  if (drain_->parsed() || undrain_->parsed()) {
    return Post(config, "/v1/engines/drain", {{"name", name_}, {"drained", drain_->parsed()}});
  }
  if (move_->parsed()) return Post(config, "/v1/sandboxes/move", {{"sandbox", name_}, {"to", to_}});
  if (!list_->parsed() && !status_->parsed()) return -1;
  httplib::Client client(SocketPath(config.data_dir));
  client.set_address_family(AF_UNIX);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(60, 0);  // each engine is pinged; a remote one may be slow
  auto res = client.Get("/v1/engines");
  if (!res) {
    return Fail(Status::Unavailable("no daemon answers on " + SocketPath(config.data_dir) +
                                    "; engines are the running daemon's (sandbot serve)"));
  }
  json body = json::parse(res->body, nullptr, false);
  if (res->status != 200 || !body.is_object() || !body.contains("engines")) {
    return Fail(Status::Internal("unreadable answer from the daemon"));
  }
  const json& engines = body["engines"];
  if (list_->parsed()) {
    std::cout << FormatEngineList(engines);
    return 0;
  }
  std::string text = FormatEngineStatus(engines, name_);
  if (text.empty()) return Fail(Status::NotFound("no engine named '" + name_ + "'"));
  std::cout << text;
  for (const json& e : engines) {
    // Down: the exit code of an unreachable engine, for scripts.
    if (e.value("name", "") == name_ && !e.value("up", false)) {
      return Status::Unavailable("").ExitCode();
    }
  }
  return 0;
}

}  // namespace sandbot
