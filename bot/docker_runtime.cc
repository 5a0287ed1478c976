#include "bot/docker_runtime.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace sandbot {

using nlohmann::json;

namespace {

constexpr int kClientMaxMinor = 45;          // newest API this client speaks
constexpr char kFallbackVersion[] = "1.41";  // when the engine sends no Api-Version
constexpr int kConnectTimeout = 10;
constexpr int kShortTimeout = 60;    // ordinary calls (seconds)
constexpr int kLongTimeout = 3600;   // silence allowed inside build/load/import
constexpr int kUploadTimeout = 600;  // one stalled write of a large body
constexpr size_t kMaxErrorBody = 64 * 1024;

// ---- Tolerant JSON access: the engine's answers are never trusted to have
// the expected shape, and nlohmann's accessors would throw otherwise.

const json* Field(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string Str(const json& j, const char* key) {
  const json* f = Field(j, key);
  return f && f->is_string() ? f->get<std::string>() : std::string();
}

int64_t Int(const json& j, const char* key) {
  const json* f = Field(j, key);
  return f && f->is_number_integer() ? f->get<int64_t>() : 0;
}

bool Bool(const json& j, const char* key) {
  const json* f = Field(j, key);
  return f && f->is_boolean() && f->get<bool>();
}

const json& Obj(const json& j, const char* key) {
  static const json* const kNull = new json();
  const json* f = Field(j, key);
  return f ? *f : *kNull;
}

Labels LabelsOf(const json& j) {
  Labels out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

// dump() throws on invalid UTF-8 in user-supplied strings unless told not to.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The classic builder wraps RUN's stderr in ANSI colour codes, which are
// noise in chat messages and log files.
std::string StripAnsi(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
      size_t j = i + 2;
      while (j < s.size() && !(s[j] >= 0x40 && s[j] <= 0x7e)) ++j;
      i = j;  // skips the final byte too
      continue;
    }
    out += s[i];
  }
  return out;
}

std::string TrimRight(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Blocks SIGPIPE on this thread while a request runs, and swallows one that
// a write to a closed socket raised: httplib 0.11.4 sends without
// MSG_NOSIGNAL, and the engine may close early on a large upload it rejects.
// Nothing process-wide changes.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard() {
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

std::string DescribeError(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection: return "cannot connect";
    case httplib::Error::ConnectionTimeout: return "connection timed out";
    case httplib::Error::Read: return "read failed or timed out";
    case httplib::Error::Write: return "write failed or timed out";
    case httplib::Error::Canceled: return "request canceled";
    default: return httplib::to_string(e);
  }
}

// Why connecting to a unix socket failed, in the words of the file system.
std::string DescribeSocket(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? path + " does not exist" : path + ": " + std::strerror(errno);
  }
  if (!S_ISSOCK(st.st_mode)) return path + " is not a socket";
  if (access(path.c_str(), R_OK | W_OK) != 0) {
    return "permission denied on " + path + "; add this user to the docker group";
  }
  return "nobody is listening on " + path;
}

Status FromReply(const std::string& what, int status, const std::string& body) {
  std::string msg = what + ": " + EngineErrorMessage(body);
  switch (status) {
    case 400: return Status::InvalidArgument(msg);
    case 403: return Status::Forbidden(msg);
    case 404: return Status::NotFound(msg);
    case 409: return Status::Conflict(msg);
    default: return Status::Internal(msg + " (HTTP " + std::to_string(status) + ")");
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Pure helpers.

void EngineStreamParser::Feed(const char* data, size_t size) {
  pending_.append(data, size);
  size_t start = 0;
  for (size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
    HandleObject(pending_.substr(start, nl - start));
  }
  pending_.erase(0, start);
}

void EngineStreamParser::Finish() {
  if (!pending_.empty()) HandleObject(pending_);
  pending_.clear();
  if (!pending_text_.empty()) Emit(pending_text_);
  pending_text_.clear();
}

void EngineStreamParser::HandleObject(const std::string& line) {
  std::string trimmed = TrimRight(line);
  if (trimmed.find_first_not_of(" \t") == std::string::npos) return;
  json j = json::parse(trimmed, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    Emit(trimmed);  // not JSON: still worth showing
    return;
  }
  if (Field(j, "error") || Field(j, "errorDetail")) {
    std::string msg = Str(Obj(j, "errorDetail"), "message");
    if (msg.empty()) msg = Str(j, "error");
    if (msg.empty()) msg = "the engine reported an error without a message";
    if (!failed_) error_ = TrimRight(msg);
    failed_ = true;
    return;
  }
  if (const json* s = Field(j, "stream"); s && s->is_string()) {
    EmitText(s->get<std::string>());
  }
  if (const json* s = Field(j, "status"); s && s->is_string()) {
    // Progress bars ("Downloading [==>  ]") would flood the log.
    const json& detail = Obj(j, "progressDetail");
    if (detail.is_object() && !detail.empty()) return;
    std::string id = Str(j, "id");
    Emit(id.empty() ? s->get<std::string>() : id + ": " + s->get<std::string>());
  }
  const json& aux = Obj(j, "aux");
  if (std::string id = Str(aux, "ID"); !id.empty()) aux_id_ = id;
}

void EngineStreamParser::EmitText(const std::string& text) {
  // A RUN step's output may arrive split mid-line; only whole lines go out.
  pending_text_ += text;
  size_t start = 0;
  for (size_t nl; (nl = pending_text_.find('\n', start)) != std::string::npos; start = nl + 1) {
    Emit(pending_text_.substr(start, nl - start));
  }
  pending_text_.erase(0, start);
}

void EngineStreamParser::Emit(std::string line) {
  line = TrimRight(StripAnsi(line));
  if (line.empty() || !sink_) return;
  sink_(line);
}

std::string DemuxDockerStream(const std::string& raw) {
  std::string out;
  size_t pos = 0;
  bool any_frame = false;
  while (pos < raw.size()) {
    size_t left = raw.size() - pos;
    if (left < 8) return any_frame ? out : raw;  // a truncated header ends the stream
    auto byte = [&](size_t i) { return static_cast<unsigned char>(raw[pos + i]); };
    if (byte(0) > 2 || byte(1) != 0 || byte(2) != 0 || byte(3) != 0) return raw;
    uint32_t size = (uint32_t{byte(4)} << 24) | (uint32_t{byte(5)} << 16) |
                    (uint32_t{byte(6)} << 8) | uint32_t{byte(7)};
    size_t take = std::min<size_t>(size, left - 8);
    out.append(raw, pos + 8, take);
    any_frame = true;
    pos += 8 + take;
  }
  return out;
}

json BuildCreateBody(const ContainerSpec& spec) {
  json body = json::object();
  body["Image"] = spec.image;
  if (!spec.cmd.empty()) body["Cmd"] = spec.cmd;
  body["Env"] = spec.env;
  json labels = json::object();
  for (const auto& [k, v] : spec.labels) labels[k] = v;
  body["Labels"] = labels;
  if (!spec.working_dir.empty()) body["WorkingDir"] = spec.working_dir;
  body["Tty"] = false;  // keeps logs multiplexed, so stderr is not lost

  json host = json::object();
  if (spec.host_port > 0 && spec.container_port > 0) {
    std::string port = std::to_string(spec.container_port) + "/tcp";
    body["ExposedPorts"] = {{port, json::object()}};
    host["PortBindings"] = {{port, json::array({{{"HostIp", spec.host_ip},
                                                 {"HostPort", std::to_string(spec.host_port)}}})}};
  }
  host["Binds"] = spec.binds;
  if (spec.memory_bytes > 0) host["Memory"] = spec.memory_bytes;
  if (spec.nano_cpus > 0) host["NanoCpus"] = spec.nano_cpus;
  host["RestartPolicy"] = {{"Name", "no"}};
  if (!spec.network.empty()) {
    host["NetworkMode"] = spec.network;
    body["NetworkingConfig"] = {{"EndpointsConfig", {{spec.network, {{"Aliases", spec.aliases}}}}}};
  }
  body["HostConfig"] = host;
  return body;
}

std::string UrlEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string PathEscape(const std::string& s) {
  std::string out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '/' || s[i] == ':' || s[i] == '@') {
      out += UrlEncode(s.substr(start, i - start));
      if (i < s.size()) out += s[i];
      start = i + 1;
    }
  }
  return out;
}

std::string LabelFilter(const Labels& labels) {
  if (labels.empty()) return "";
  json list = json::array();
  for (const auto& [k, v] : labels) list.push_back(k + "=" + v);
  return UrlEncode(Dump(json{{"label", list}}));
}

void SplitRepoTag(const std::string& ref, std::string* repo, std::string* tag) {
  size_t colon = ref.rfind(':');
  size_t slash = ref.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    *repo = ref.substr(0, colon);
    *tag = ref.substr(colon + 1);
  } else {
    *repo = ref;
    tag->clear();
  }
  if (tag->empty()) *tag = "latest";
}

namespace {

bool IsAlnumLower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// path-component := [a-z0-9]+ ( ( [._] | "__" | "-"+ ) [a-z0-9]+ )*
bool IsPathComponent(const std::string& c) {
  if (c.empty() || !IsAlnumLower(c.front()) || !IsAlnumLower(c.back())) return false;
  for (size_t i = 0; i < c.size();) {
    if (IsAlnumLower(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !IsAlnumLower(c[j])) ++j;
    std::string sep = c.substr(i, j - i);
    bool dashes = sep.find_first_not_of('-') == std::string::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

// domain := label ("." label)* [":" port], labels of [A-Za-z0-9-] not
// starting or ending with '-'.
bool IsDomain(const std::string& d) {
  std::string host = d;
  size_t colon = d.find(':');
  if (colon != std::string::npos) {
    std::string port = d.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    host = d.substr(0, colon);
  }
  if (host.empty()) return false;
  size_t start = 0;
  for (size_t i = 0; i <= host.size(); ++i) {
    if (i < host.size() && host[i] != '.') continue;
    std::string label = host.substr(start, i - start);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    start = i + 1;
  }
  return true;
}

}  // namespace

bool IsValidImageTag(const std::string& ref) {
  std::string repo, tag;
  size_t colon = ref.rfind(':');
  size_t slash = ref.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    repo = ref.substr(0, colon);
    tag = ref.substr(colon + 1);
    // tag := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
    if (tag.empty() || tag.size() > 128 || tag[0] == '.' || tag[0] == '-') return false;
    for (char c : tag) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') {
        return false;
      }
    }
  } else {
    repo = ref;
  }
  if (repo.empty() || repo.size() > 255) return false;
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= repo.size(); ++i) {
    if (i == repo.size() || repo[i] == '/') {
      parts.push_back(repo.substr(start, i - start));
      start = i + 1;
    }
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    // Only a leading component may be a registry host, and, as in the docker
    // CLI, only when it has a '.' or ':' or is "localhost".
    const std::string& p = parts[i];
    bool host = i == 0 && parts.size() > 1 &&
                (p.find_first_of(".:") != std::string::npos || p == "localhost") && IsDomain(p);
    bool ok = host || IsPathComponent(p);
    if (!ok) return false;
  }
  return true;
}

int ApiMinor(const std::string& version) {
  if (version.size() < 3 || version.compare(0, 2, "1.") != 0 || version.size() > 6) return -1;
  std::string minor = version.substr(2);
  if (minor.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::atoi(minor.c_str());
}

std::string NegotiateApiVersion(const std::string& server) {
  int minor = ApiMinor(server);
  if (minor < 0) return kFallbackVersion;
  return "1." + std::to_string(std::min(minor, kClientMaxMinor));
}

std::string EngineErrorMessage(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  std::string msg = j.is_discarded() ? "" : Str(j, "message");
  if (msg.empty()) msg = body.substr(0, 2000);
  msg = TrimRight(msg);
  return msg.empty() ? "(no message)" : msg;
}

// ---------------------------------------------------------------------------
// DockerRuntime.

struct DockerRuntime::Call {
  std::string method = "GET";
  std::string path;  // without the version prefix; query already encoded
  const std::string* body = nullptr;
  std::string body_file;  // streamed from disk instead of `body`
  std::string content_type;
  int read_timeout = kShortTimeout;
  int write_timeout = kShortTimeout;
  EngineStreamParser* stream = nullptr;  // takes a 2xx body as it arrives
};

DockerRuntime::DockerRuntime(std::string endpoint) : endpoint_(std::move(endpoint)) {
  const std::string& e = endpoint_.empty() ? std::string(kDefaultDockerEndpoint) : endpoint_;
  if (e.rfind("unix://", 0) == 0 || e.rfind("/", 0) == 0) {
    unix_ = true;
    address_ = e[0] == '/' ? e : e.substr(7);
    if (address_.empty() || address_[0] != '/') {
      endpoint_error_ = "Docker endpoint \"" + e + "\" needs an absolute socket path";
    }
  } else if (e.rfind("tcp://", 0) == 0 || e.rfind("http://", 0) == 0) {
    std::string hostport = e.substr(e.find("://") + 3);
    while (!hostport.empty() && hostport.back() == '/') hostport.pop_back();
    if (hostport.empty()) {
      endpoint_error_ = "Docker endpoint \"" + e + "\" has no host";
    } else {
      // Without a port Docker's convention is 2375 for plain HTTP.
      bool has_port = hostport.rfind(':') != std::string::npos &&
                      hostport.rfind(':') >
                          (hostport.rfind(']') == std::string::npos ? 0 : hostport.rfind(']'));
      address_ = "http://" + hostport + (has_port ? "" : ":2375");
    }
  } else {
    endpoint_error_ = "unsupported Docker endpoint \"" + e +
                      "\": use unix:///path/to/docker.sock or tcp://host:port";
  }
}

Status DockerRuntime::Send(const Call& call, Reply* reply) {
  if (!endpoint_error_.empty()) return Status::InvalidArgument(endpoint_error_);
  *reply = Reply();
  std::string what = call.method + " " + call.path;
  try {
    SigpipeGuard sigpipe_guard;
    httplib::Client cli(address_);
    if (unix_) cli.set_address_family(AF_UNIX);
    cli.set_connection_timeout(kConnectTimeout);
    cli.set_read_timeout(call.read_timeout);
    cli.set_write_timeout(call.write_timeout);
    cli.set_url_encode(false);  // paths are encoded here, once
    cli.set_keep_alive(false);

    httplib::Request req;
    req.method = call.method;
    req.path = call.path;
    // httplib would send the socket path as Host, which the engine rejects.
    if (unix_) req.set_header("Host", "docker");
    if (!call.content_type.empty()) req.set_header("Content-Type", call.content_type);

    // Bodies go out through a provider so large tars are never copied.
    std::ifstream file;
    std::vector<char> buf;
    uint64_t file_pos = 0;
    bool file_failed = false;
    if (!call.body_file.empty()) {
      std::error_code ec;
      uintmax_t size = std::filesystem::file_size(call.body_file, ec);
      if (ec) return Status::NotFound("cannot read " + call.body_file + ": " + ec.message());
      file.open(call.body_file, std::ios::binary);
      if (!file) return Status::NotFound("cannot open " + call.body_file);
      buf.resize(256 * 1024);
      req.content_length_ = static_cast<size_t>(size);
      req.content_provider_ = [&](size_t offset, size_t length, httplib::DataSink& sink) {
        if (offset != file_pos) {
          file.clear();
          file.seekg(static_cast<std::streamoff>(offset));
          file_pos = offset;
        }
        file.read(buf.data(), static_cast<std::streamsize>(std::min(length, buf.size())));
        std::streamsize got = file.gcount();
        if (got <= 0) {
          file_failed = true;  // the file shrank or became unreadable
          return false;
        }
        file_pos += static_cast<uint64_t>(got);
        return sink.write(buf.data(), static_cast<size_t>(got));
      };
    } else if (call.body != nullptr && !call.body->empty()) {
      const std::string* body = call.body;
      req.content_length_ = body->size();
      req.content_provider_ = [body](size_t offset, size_t length, httplib::DataSink& sink) {
        return sink.write(body->data() + offset, std::min<size_t>(length, 1 << 20));
      };
    }

    req.response_handler = [reply](const httplib::Response& res) {
      reply->status = res.status;
      reply->content_type = res.get_header_value("Content-Type");
      reply->api_version = res.get_header_value("Api-Version");
      return true;
    };
    req.content_receiver = [&call, reply](const char* data, size_t n, uint64_t, uint64_t) {
      if (call.stream != nullptr && reply->status / 100 == 2) {
        call.stream->Feed(data, n);
      } else if (call.stream == nullptr || reply->body.size() < kMaxErrorBody) {
        reply->body.append(data, n);
      }
      return true;
    };

    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    if (!cli.send(req, res, err)) {
      spdlog::debug("docker: {} failed: {}", what, httplib::to_string(err));
      if (err == httplib::Error::Connection || err == httplib::Error::ConnectionTimeout) {
        std::string why = DescribeError(err);
        if (unix_ && err == httplib::Error::Connection) why += ": " + DescribeSocket(address_);
        return Status::Unavailable("the Docker engine at " + endpoint_ + " is not answering (" +
                                   why +
                                   "); start it (systemctl start docker, or dockerd) and retry");
      }
      if (file_failed) {
        return Status::Internal("reading " + call.body_file + " failed while sending it");
      }
      if (err == httplib::Error::Write || err == httplib::Error::Canceled) {
        // A failed provider write surfaces as Canceled in httplib 0.11.4.
        return Status::Internal("the Docker engine at " + endpoint_ +
                                " closed the connection while receiving " + what +
                                "; it probably rejected the request");
      }
      return Status::Unavailable("the Docker engine at " + endpoint_ +
                                 " stopped answering during " + what + " (" + DescribeError(err) +
                                 ")");
    }
    if (reply->status <= 0) reply->status = res.status;
    if (reply->api_version.empty()) reply->api_version = res.get_header_value("Api-Version");
    return Status::Ok();
  } catch (const std::exception& e) {
    // Nothing here should throw, but no exception may leave this module.
    return Status::Internal("talking to the Docker engine (" + what + "): " + e.what());
  }
}

Status DockerRuntime::PingAndNegotiate() {
  Call call;
  call.path = "/_ping";
  Reply reply;
  Status s = Send(call, &reply);
  if (!s.ok()) return s;
  if (reply.status != 200) {
    return Status::Unavailable("the Docker engine at " + endpoint_ + " answered /_ping with HTTP " +
                               std::to_string(reply.status) + ": " +
                               EngineErrorMessage(reply.body));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!api_version_.empty()) return Status::Ok();
  }
  std::string version = NegotiateApiVersion(reply.api_version);
  // An engine whose minimum is above what we speak would reject every call;
  // say so once, clearly. /version is best effort (unversioned on purpose).
  Call vcall;
  vcall.path = "/version";
  Reply vreply;
  if (Send(vcall, &vreply).ok() && vreply.status == 200) {
    json v = json::parse(vreply.body, nullptr, false);
    std::string min_version = v.is_discarded() ? "" : Str(v, "MinAPIVersion");
    if (ApiMinor(min_version) > ApiMinor(version)) {
      return Status::Unavailable("the Docker engine at " + endpoint_ + " needs API " + min_version +
                                 " or newer, but sandbot speaks at most 1." +
                                 std::to_string(kClientMaxMinor));
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (api_version_.empty()) {
    api_version_ = version;
    spdlog::debug("docker: {} reports API {}, using {}", endpoint_, reply.api_version, version);
  }
  return Status::Ok();
}

Status DockerRuntime::ApiVersion(std::string* version) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!api_version_.empty()) {
      *version = api_version_;
      return Status::Ok();
    }
  }
  Status s = PingAndNegotiate();
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  *version = api_version_;
  return Status::Ok();
}

Status DockerRuntime::SendVersioned(Call call, Reply* reply) {
  std::string version;
  Status s = ApiVersion(&version);
  if (!s.ok()) return s;
  call.path = "/v" + version + call.path;
  return Send(call, reply);
}

Status DockerRuntime::Ping() { return PingAndNegotiate(); }

Status DockerRuntime::StreamingPost(Call call, const std::string& what, const LineSink& log) {
  EngineStreamParser parser(log);
  call.method = "POST";
  call.stream = &parser;
  call.read_timeout = kLongTimeout;
  call.write_timeout = kUploadTimeout;
  Reply reply;
  Status s = SendVersioned(call, &reply);
  if (!s.ok()) return s;
  if (reply.status / 100 != 2) {
    // The engine answers 500 for most bad input here (no Dockerfile, a
    // broken tar, a bad tag), so only its other codes keep their meaning.
    if (reply.status == 500) {
      return Status::InvalidArgument(what + ": " + EngineErrorMessage(reply.body));
    }
    return FromReply(what, reply.status, reply.body);
  }
  parser.Finish();
  if (parser.failed()) return Status::InvalidArgument(what + ": " + parser.error());
  return Status::Ok();
}

// ---- Networks.

Status DockerRuntime::NetworkIdsNamed(const std::string& name, std::vector<std::string>* ids) {
  ids->clear();
  Call call;
  // The engine's name filter is a pattern match, so exact names are picked
  // out below.
  call.path = "/networks?filters=" + UrlEncode(Dump(json{{"name", json::array({name})}}));
  Reply reply;
  Status s = SendVersioned(call, &reply);
  if (!s.ok()) return s;
  if (reply.status != 200) return FromReply("cannot list networks", reply.status, reply.body);
  json j = json::parse(reply.body, nullptr, false);
  if (!j.is_array()) return Status::Internal("the engine's network list is not a JSON array");
  for (const json& n : j) {
    if (Str(n, "Name") == name && !Str(n, "Id").empty()) ids->push_back(Str(n, "Id"));
  }
  return Status::Ok();
}

Status DockerRuntime::EnsureNetwork(const std::string& name, const Labels& labels) {
  // The engine's CheckDuplicate is not atomic: Docker 20.10 created eight
  // networks with one name from eight concurrent requests, after which every
  // use of the name fails as ambiguous. Serialise our own creates.
  static std::mutex* const create_mu = new std::mutex();
  std::lock_guard<std::mutex> lock(*create_mu);

  std::vector<std::string> ids;
  Status s = NetworkIdsNamed(name, &ids);
  if (!s.ok()) return s;
  if (ids.size() == 1) return Status::Ok();
  if (ids.size() > 1) {
    std::string list;
    for (const std::string& id : ids) list += " " + id.substr(0, 12);
    return Status::Conflict(std::to_string(ids.size()) + " Docker networks are named " + name +
                            "; remove them (docker network rm" + list + ") and retry");
  }

  json body = {{"Name", name}, {"Driver", "bridge"}, {"CheckDuplicate", true}};
  json jl = json::object();
  for (const auto& [k, v] : labels) jl[k] = v;
  body["Labels"] = jl;
  std::string text = Dump(body);
  Call create;
  create.method = "POST";
  create.path = "/networks/create";
  create.body = &text;
  create.content_type = "application/json";
  Reply reply;
  s = SendVersioned(create, &reply);
  if (!s.ok()) return s;
  // 409: another process created it between our look and our create.
  if (reply.status == 201 || reply.status == 200 || reply.status == 409) return Status::Ok();
  if (reply.body.find("non-overlapping") != std::string::npos) {
    // Each sandbox has its own network; Docker's default pools hold ~30.
    return Status::Conflict(
        "cannot create network " + name +
        ": the engine has no address range left for another sandbox network. Destroy "
        "sandboxes you no longer need, or give Docker more room in /etc/docker/daemon.json: "
        "\"default-address-pools\": [{\"base\": \"10.213.0.0/16\", \"size\": 24}]");
  }
  return FromReply("cannot create network " + name, reply.status, reply.body);
}

Status DockerRuntime::RemoveNetwork(const std::string& name) {
  // By id, so duplicates left by an engine race (see EnsureNetwork) all go.
  std::vector<std::string> ids;
  Status s = NetworkIdsNamed(name, &ids);
  if (!s.ok()) return s;
  for (const std::string& id : ids) {
    Call call;
    call.method = "DELETE";
    call.path = "/networks/" + PathEscape(id);
    Reply reply;
    s = SendVersioned(call, &reply);
    if (!s.ok()) return s;
    if (reply.status / 100 != 2 && reply.status != 404) {
      return FromReply("cannot remove network " + name, reply.status, reply.body);
    }
  }
  return Status::Ok();
}

Status DockerRuntime::ListNetworks(const Labels& labels, std::vector<std::string>* names) {
  names->clear();
  Call call;
  call.path = "/networks";
  if (!labels.empty()) call.path += "?filters=" + LabelFilter(labels);
  Reply reply;
  Status s = SendVersioned(call, &reply);
  if (!s.ok()) return s;
  if (reply.status != 200) return FromReply("cannot list networks", reply.status, reply.body);
  json j = json::parse(reply.body, nullptr, false);
  if (!j.is_array()) return Status::Internal("the engine's network list is not a JSON array");
  for (const json& n : j) {
    std::string name = Str(n, "Name");
    // Duplicates from an engine race (see EnsureNetwork) are listed once.
    if (!name.empty() && std::find(names->begin(), names->end(), name) == names->end()) {
      names->push_back(name);
    }
  }
  return Status::Ok();
}

// ---- Images.

Status DockerRuntime::BuildImage(const std::string& context_tar, const std::string& tag,
                                 const LineSink& log) {
  // Checked here because the engine rejects a bad tag while we may still be
  // uploading a large context, and the reason would be lost.
  if (!IsValidImageTag(tag)) {
    return Status::InvalidArgument("\"" + tag + "\" is not a valid image name[:tag]");
  }
  std::string version;
  Status s = ApiVersion(&version);
  if (!s.ok()) return s;
  Call call;
  call.path = "/build?t=" + UrlEncode(tag) + "&rm=1&forcerm=1";
  // `version` exists from 1.38; 1 is the classic builder (BuildKit needs gRPC).
  if (ApiMinor(version) >= 38) call.path += "&version=1";
  call.body = &context_tar;
  call.content_type = "application/x-tar";
  return StreamingPost(std::move(call), "build failed", log);
}

Status DockerRuntime::ImageExists(const std::string& ref, bool* exists) {
  *exists = false;
  Call call;
  call.path = "/images/" + PathEscape(ref) + "/json";
  Reply reply;
  Status s = SendVersioned(call, &reply);
  if (!s.ok()) return s;
  if (reply.status == 200) {
    *exists = true;
    return Status::Ok();
  }
  if (reply.status == 404) return Status::Ok();
  return FromReply("cannot inspect image " + ref, reply.status, reply.body);
}

Status DockerRuntime::LoadImage(const std::string& tar_path, const LineSink& log) {
  Call call;
  call.path = "/images/load?quiet=1";
  call.body_file = tar_path;
  call.content_type = "application/x-tar";
  return StreamingPost(std::move(call), "image load from " + tar_path + " failed", log);
}

Status DockerRuntime::ImportImage(const std::string& rootfs_tar_path, const std::string& repo_tag,
                                  const LineSink& log) {
  if (!IsValidImageTag(repo_tag)) {
    return Status::InvalidArgument("\"" + repo_tag + "\" is not a valid image name[:tag]");
  }
  std::string repo, tag;
  SplitRepoTag(repo_tag, &repo, &tag);
  Call call;
  call.path = "/images/create?fromSrc=-&repo=" + UrlEncode(repo) + "&tag=" + UrlEncode(tag);
  call.body_file = rootfs_tar_path;
  call.content_type = "application/x-tar";
  return StreamingPost(std::move(call),
                       "import of " + rootfs_tar_path + " as " + repo_tag + " failed", log);
}

// ---- Containers.

Status DockerRuntime::CreateContainer(const ContainerSpec& spec, std::string* id) {
  id->clear();
  std::string text = Dump(BuildCreateBody(spec));
  Call call;
  call.method = "POST";
  call.path = "/containers/create";
  if (!spec.name.empty()) call.path += "?name=" + UrlEncode(spec.name);
  call.body = &text;
  call.content_type = "application/json";
  Reply reply;
  Status s = SendVersioned(call, &reply);
  if (!s.ok()) return s;
  if (reply.status != 201 && reply.status != 200) {
    return FromReply("cannot create container " + spec.name, reply.status, reply.body);
  }
  json j = json::parse(reply.body, nullptr, false);
  *id = j.is_discarded() ? "" : Str(j, "Id");
  if (id->empty()) return Status::Internal("the engine created " + spec.name + " but sent no Id");
  const json& warnings = Obj(j, "Warnings");
  if (warnings.is_array() && !warnings.empty()) {
    spdlog::debug("docker: create {}: {}", spec.name, Dump(warnings));
  }
  return Status::Ok();
}

Status DockerRuntime::StartContainer(const std::string& id) {
  Call call;
  call.method = "POST";
  call.path = "/containers/" + PathEscape(id) + "/start";
  Reply reply;
  Status s = SendVersioned(call, &reply);
  if (!s.ok()) return s;
  if (reply.status == 204 || reply.status == 304 || reply.status == 200) return Status::Ok();
  return FromReply("cannot start container " + id, reply.status, reply.body);
}

Status DockerRuntime::StopContainer(const std::string& id, int timeout_seconds) {
  int t = std::max(timeout_seconds, 0);
  Call call;
  call.method = "POST";
  call.path = "/containers/" + PathEscape(id) + "/stop?t=" + std::to_string(t);
  call.read_timeout = kShortTimeout + t;  // the engine waits up to t before it answers
  Reply reply;
  Status s = SendVersioned(call, &reply);
  if (!s.ok()) return s;
  if (reply.status == 204 || reply.status == 304 || reply.status == 200) return Status::Ok();
  return FromReply("cannot stop container " + id, reply.status, reply.body);
}

Status DockerRuntime::SignalContainer(const std::string& name_or_id, const std::string& signal) {
  Call call;
  call.method = "POST";
  call.path = "/containers/" + PathEscape(name_or_id) + "/kill?signal=" + PathEscape(signal);
  Reply reply;
  Status s = SendVersioned(call, &reply);
  if (!s.ok()) return s;
  if (reply.status == 204 || reply.status == 200) return Status::Ok();
  return FromReply("cannot send SIG" + signal + " to container " + name_or_id, reply.status,
                   reply.body);
}

Status DockerRuntime::RemoveContainer(const std::string& name_or_id) {
  Call call;
  call.method = "DELETE";
  call.path = "/containers/" + PathEscape(name_or_id) + "?force=1&v=1";
  Reply reply;
  Status s = SendVersioned(call, &reply);
  if (!s.ok()) return s;
  if (reply.status / 100 == 2 || reply.status == 404) return Status::Ok();
  return FromReply("cannot remove container " + name_or_id, reply.status, reply.body);
}

Status DockerRuntime::InspectContainer(const std::string& name_or_id, ContainerState* state) {
  *state = ContainerState();
  Call call;
  call.path = "/containers/" + PathEscape(name_or_id) + "/json";
  Reply reply;
  Status s = SendVersioned(call, &reply);
  if (!s.ok()) return s;
  if (reply.status == 404) return Status::Ok();
  if (reply.status != 200) {
    return FromReply("cannot inspect container " + name_or_id, reply.status, reply.body);
  }
  json j = json::parse(reply.body, nullptr, false);
  if (!j.is_object()) {
    return Status::Internal("the engine's inspect answer for " + name_or_id + " is not JSON");
  }
  const json& st = Obj(j, "State");
  state->exists = true;
  state->running = Bool(st, "Running");
  state->status = Str(st, "Status");
  state->exit_code = static_cast<int>(Int(st, "ExitCode"));
  state->restart_count = static_cast<int>(Int(j, "RestartCount"));
  state->health = Str(Obj(st, "Health"), "Status");
  state->image = Str(j, "Image");
  return Status::Ok();
}

Status DockerRuntime::ContainerLogs(const std::string& name_or_id, int tail, std::string* out) {
  out->clear();
  std::string version;
  Status s = ApiVersion(&version);
  if (!s.ok()) return s;
  Call call;
  call.path = "/containers/" + PathEscape(name_or_id) + "/logs?stdout=1&stderr=1&tail=" +
              (tail < 0 ? std::string("all") : std::to_string(tail));
  Reply reply;
  s = SendVersioned(call, &reply);
  if (!s.ok()) return s;
  if (reply.status != 200) {
    return FromReply("cannot read the logs of " + name_or_id, reply.status, reply.body);
  }
  // From 1.42 the Content-Type tells a TTY's raw stream apart; before that
  // both kinds say raw-stream and DemuxDockerStream has to judge.
  if (ApiMinor(version) >= 42 &&
      reply.content_type.find("application/vnd.docker.raw-stream") != std::string::npos) {
    *out = std::move(reply.body);
  } else {
    *out = DemuxDockerStream(reply.body);
  }
  return Status::Ok();
}

Status DockerRuntime::ListContainers(const Labels& labels, std::vector<ContainerInfo>* out) {
  out->clear();
  Call call;
  call.path = "/containers/json?all=1";
  if (!labels.empty()) call.path += "&filters=" + LabelFilter(labels);
  Reply reply;
  Status s = SendVersioned(call, &reply);
  if (!s.ok()) return s;
  if (reply.status != 200) return FromReply("cannot list containers", reply.status, reply.body);
  json j = json::parse(reply.body, nullptr, false);
  if (!j.is_array()) return Status::Internal("the engine's container list is not a JSON array");
  for (const json& c : j) {
    ContainerInfo info;
    info.id = Str(c, "Id");
    const json& names = Obj(c, "Names");
    if (names.is_array() && !names.empty() && names[0].is_string()) {
      info.name = names[0].get<std::string>();
      if (!info.name.empty() && info.name[0] == '/') info.name.erase(0, 1);
    }
    info.state = Str(c, "State");
    info.image = Str(c, "Image");
    info.labels = LabelsOf(Obj(c, "Labels"));
    out->push_back(std::move(info));
  }
  return Status::Ok();
}

}  // namespace sandbot
