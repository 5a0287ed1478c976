#include "bot/cli_util.h"

#include <httplib.h>
#include <sys/socket.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "bot/config.h"
#include "hooks/hook_client.h"

namespace sandbot {

namespace fs = std::filesystem;
using nlohmann::json;

int Fail(const Status& s) {
  std::cerr << "sandbot: " << s.message() << "\n";
  return s.ExitCode();
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

Status OpenStore(const std::string& data_dir, std::unique_ptr<Db>* db) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    return Status::Unavailable("cannot create the data folder " + data_dir + ": " + ec.message() +
                               " (use --data DIR or SANDBOT_DATA)");
  }
  return Db::Open(DbPath(data_dir), db);
}

bool WakeDaemon(const std::string& data_dir) {
  httplib::Client client(SocketPath(data_dir));
  client.set_address_family(AF_UNIX);
  client.set_connection_timeout(1, 0);
  auto res = client.Post("/v1/wake", "", "application/json");
  return res && res->status == 200;
}

Status AskDaemon(const std::string& data_dir, const std::string& family, const std::string& text,
                 const std::string& payload, DaemonAnswer* answer) {
  *answer = DaemonAnswer();
  httplib::Client client(SocketPath(data_dir));
  client.set_address_family(AF_UNIX);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(30, 0);
  // No user name: the daemon takes the caller from the socket's peer.
  json body = {{"family", family}, {"text", text}};
  if (!payload.empty()) body["payload"] = payload;
  auto res = client.Post("/v1/command", body.dump(), "application/json");
  if (!res) return Status::Ok();  // not reached
  answer->reached = true;
  answer->http_status = res->status;
  json parsed = json::parse(res->body, nullptr, false);
  if (!parsed.is_object()) return Status::Internal("unreadable answer from the daemon");
  answer->text = parsed.value("text", "");
  answer->ok = parsed.value("ok", false);
  for (const auto& id : parsed.value("jobs", json::array())) {
    answer->jobs.push_back(id.get<int64_t>());
  }
  return Status::Ok();
}

int PrintAnswer(const std::string& data_dir, const DaemonAnswer& answer, bool wait) {
  const std::string& out = answer.text;
  (answer.ok ? std::cout : std::cerr) << out << (out.empty() || out.back() == '\n' ? "" : "\n");
  if (!answer.ok) {
    return Status(answer.http_status == 403   ? Status::Forbidden("")
                  : answer.http_status == 404 ? Status::NotFound("")
                                              : Status::InvalidArgument(""))
        .ExitCode();
  }
  if (!wait || answer.jobs.empty()) return 0;
  return FollowJobs(data_dir, answer.jobs, 900, std::cout) ? 0 : 1;
}

}  // namespace sandbot
