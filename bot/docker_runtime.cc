#include "bot/docker_runtime.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <utility>

#include "bot/docker_json.h"
#include "bot/docker_request.h"
#include "bot/docker_stream.h"
#include "bot/docker_version.h"
#include "bot/image_ref.h"
#include "bot/podman_compat.h"

namespace sandbot {

using nlohmann::json;

namespace {

constexpr int kLongTimeout = 3600;   // silence allowed inside build/load/import
constexpr int kUploadTimeout = 600;  // one stalled write of a large body

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

DockerRuntime::DockerRuntime(std::string endpoint, EngineTls tls)
    : transport_(std::move(endpoint), std::move(tls)) {}

std::string DockerRuntime::Product() {
  MutexLock lock(&mu_);
  return product_;
}

// ---- Version negotiation and the shared request path.

Status DockerRuntime::PingAndNegotiate() {
  std::string server_version;
  Status s = PingEngine(transport_, &server_version);
  if (!s.ok()) return s;
  {
    MutexLock lock(&mu_);
    if (!api_version_.empty()) return Status::Ok();
  }
  std::string version = NegotiateApiVersion(server_version);
  EngineVersion engine;
  ReadEngineVersion(transport_, &engine);
  // An engine whose minimum is above what we speak would reject every call;
  // say so once, clearly.
  s = CheckMinApiVersion(transport_.endpoint(), engine, version);
  if (!s.ok()) return s;
  MutexLock lock(&mu_);
  if (api_version_.empty()) {
    api_version_ = version;
    podman_ = engine.podman;
    product_ = engine.product;
    if (podman_) {
      spdlog::debug("docker: {} is {} (its Docker-compatible API {})", transport_.endpoint(),
                    engine.product, version);
    }
    spdlog::debug("docker: {} reports API {}, using {}", transport_.endpoint(), server_version,
                  version);
  }
  return Status::Ok();
}

Status DockerRuntime::ApiVersion(std::string* version) {
  {
    MutexLock lock(&mu_);
    if (!api_version_.empty()) {
      *version = api_version_;
      return Status::Ok();
    }
  }
  Status s = PingAndNegotiate();
  if (!s.ok()) return s;
  MutexLock lock(&mu_);
  *version = api_version_;
  return Status::Ok();
}

Status DockerRuntime::IsPodman(bool* podman) {
  std::string version;
  Status s = ApiVersion(&version);
  MutexLock lock(&mu_);
  *podman = podman_;
  return s;
}

Status DockerRuntime::SendVersioned(DockerCall call, DockerReply* reply) {
  std::string version;
  bool podman = false;
  Status s = IsPodman(&podman);
  if (!s.ok()) return s;
  {
    MutexLock lock(&mu_);
    version = api_version_;
  }
  call.path = "/v" + version + call.path;
  s = transport_.Send(call, reply);
  // From here on every caller reads Podman's answers as dockerd's.
  if (s.ok() && podman) reply->status = PodmanStatus(reply->status, reply->body);
  return s;
}

Status DockerRuntime::Exchange(DockerCall call, const std::string& what,
                               std::initializer_list<int> accept, DockerReply* reply) {
  Status s = SendVersioned(std::move(call), reply);
  if (!s.ok()) return s;
  for (int code : accept) {
    if (reply->status == code || (code == kAny2xx && reply->status / 100 == 2)) {
      return Status::Ok();
    }
  }
  return FromReply(what, reply->status, reply->body);
}

Status DockerRuntime::GetJson(DockerCall call, const std::string& what,
                              std::initializer_list<int> accept, json* out, int* status) {
  DockerReply reply;
  Status s = Exchange(std::move(call), what, accept, &reply);
  if (!s.ok()) return s;
  if (status != nullptr) *status = reply.status;
  *out = json::parse(reply.body, nullptr, false);
  return Status::Ok();
}

Status DockerRuntime::Ping() { return PingAndNegotiate(); }

Status DockerRuntime::StreamingPost(DockerCall call, const std::string& what, const LineSink& log) {
  EngineStreamParser parser(log);
  call.method = "POST";
  call.stream = [&parser](const char* data, size_t size) { parser.Feed(data, size); };
  call.read_timeout = kLongTimeout;
  call.write_timeout = kUploadTimeout;
  DockerReply reply;
  Status s = SendVersioned(std::move(call), &reply);
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
  DockerCall call;
  call.path = NetworksNamedPath(name);
  json j;
  Status s = GetJson(std::move(call), "cannot list networks", {200}, &j);
  if (!s.ok()) return s;
  if (!j.is_array()) return Status::Internal("the engine's network list is not a JSON array");
  for (const json& n : j) {
    // The engine's name filter is a pattern match: exact names only.
    if (JsonString(n, "Name") == name && !JsonString(n, "Id").empty()) {
      ids->push_back(JsonString(n, "Id"));
    }
  }
  return Status::Ok();
}

Status DockerRuntime::EnsureNetwork(const std::string& name, const Labels& labels) {
  // The engine's CheckDuplicate is not atomic: Docker 20.10 created eight
  // networks with one name from eight concurrent requests, after which every
  // use of the name fails as ambiguous. Serialise our own creates, across
  // every DockerRuntime of the process.
  static Mutex* const create_mu = new Mutex();
  MutexLock lock(create_mu);

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

  std::string text = DumpJson(NetworkCreateBody(name, labels));
  DockerCall create;
  create.method = "POST";
  create.path = "/networks/create";
  create.body = &text;
  create.content_type = "application/json";
  DockerReply reply;
  s = SendVersioned(std::move(create), &reply);
  if (!s.ok()) return s;
  // 409: another process created it between our look and our create.
  if (reply.status == 201 || reply.status == 200 || reply.status == 409) return Status::Ok();
  if (NoSubnetLeft(reply.body)) {
    // Each sandbox has its own network; Docker's default pools hold ~30.
    bool podman = false;
    IsPodman(&podman);
    return Status::Conflict("cannot create network " + name +
                            ": the engine has no address range left for another sandbox "
                            "network. " +
                            NoSubnetAdvice(podman));
  }
  return FromReply("cannot create network " + name, reply.status, reply.body);
}

Status DockerRuntime::RemoveNetwork(const std::string& name) {
  // By id, so duplicates left by an engine race (see EnsureNetwork) all go.
  std::vector<std::string> ids;
  Status s = NetworkIdsNamed(name, &ids);
  if (!s.ok()) return s;
  for (const std::string& id : ids) {
    DockerCall call;
    call.method = "DELETE";
    call.path = "/networks/" + PathEscape(id);
    DockerReply reply;
    s = Exchange(std::move(call), "cannot remove network " + name, {kAny2xx, 404}, &reply);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status DockerRuntime::ListNetworks(const Labels& labels, std::vector<NetworkInfo>* out) {
  out->clear();
  DockerCall call;
  call.path = "/networks";
  if (!labels.empty()) call.path += "?filters=" + LabelFilter(labels);
  json j;
  Status s = GetJson(std::move(call), "cannot list networks", {200}, &j);
  if (!s.ok()) return s;
  if (!j.is_array()) return Status::Internal("the engine's network list is not a JSON array");
  for (const json& n : j) {
    std::string name = JsonString(n, "Name");
    // Duplicates from an engine race (see EnsureNetwork) are listed once.
    auto same = [&](const NetworkInfo& i) { return i.name == name; };
    if (!name.empty() && std::find_if(out->begin(), out->end(), same) == out->end()) {
      out->push_back({name, JsonLabels(JsonMember(n, "Labels"))});
    }
  }
  return Status::Ok();
}

// ---- Images.

Status DockerRuntime::BuildImage(const std::string& context_tar, const std::string& tag,
                                 const LineSink& log) {
  return BuildImageWith(context_tar, tag, BuildOptions(), log);
}

Status DockerRuntime::BuildImageWith(const std::string& context_tar, const std::string& tag,
                                     const BuildOptions& options, const LineSink& log) {
  // Checked here because the engine rejects a bad tag while we may still be
  // uploading a large context, and the reason would be lost.
  if (!IsValidImageTag(tag)) {
    return Status::InvalidArgument("\"" + tag + "\" is not a valid image name[:tag]");
  }
  std::string version;
  Status s = ApiVersion(&version);
  if (!s.ok()) return s;
  DockerCall call;
  call.path = BuildImagePath(tag, version, options);
  call.body = &context_tar;
  call.content_type = "application/x-tar";
  return StreamingPost(std::move(call), "build failed", log);
}

Status DockerRuntime::ImageExists(const std::string& ref, bool* exists) {
  *exists = false;
  DockerCall call;
  call.path = "/images/" + PathEscape(ref) + "/json";
  DockerReply reply;
  Status s = Exchange(std::move(call), "cannot inspect image " + ref, {200, 404}, &reply);
  if (!s.ok()) return s;
  *exists = reply.status == 200;
  return Status::Ok();
}

Status DockerRuntime::LoadImage(const std::string& tar_path, const LineSink& log) {
  DockerCall call;
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
  DockerCall call;
  call.path = ImportImagePath(repo_tag);
  call.body_file = rootfs_tar_path;
  call.content_type = "application/x-tar";
  return StreamingPost(std::move(call),
                       "import of " + rootfs_tar_path + " as " + repo_tag + " failed", log);
}

// ---- Containers.

Status DockerRuntime::CreateContainer(const ContainerSpec& spec, std::string* id) {
  id->clear();
  std::string text = DumpJson(BuildCreateBody(spec));
  DockerCall call;
  call.method = "POST";
  call.path = "/containers/create";
  if (!spec.name.empty()) call.path += "?name=" + UrlEncode(spec.name);
  call.body = &text;
  call.content_type = "application/json";
  json j;
  Status s = GetJson(std::move(call), "cannot create container " + spec.name, {201, 200}, &j);
  if (!s.ok()) return s;
  *id = JsonString(j, "Id");
  if (id->empty()) return Status::Internal("the engine created " + spec.name + " but sent no Id");
  const json& warnings = JsonMember(j, "Warnings");
  if (warnings.is_array() && !warnings.empty()) {
    spdlog::debug("docker: create {}: {}", spec.name, DumpJson(warnings));
  }
  return Status::Ok();
}

Status DockerRuntime::StartContainer(const std::string& id) {
  DockerCall call;
  call.method = "POST";
  call.path = "/containers/" + PathEscape(id) + "/start";
  DockerReply reply;
  Status s = Exchange(std::move(call), "cannot start container " + id, {204, 304, 200}, &reply);
  bool podman = false;
  if (!s.ok() && IsPodman(&podman).ok() && podman && PodmanRlimitRefused(reply.body)) {
    return Status::Internal(s.message() + ". " + PodmanRlimitAdvice());
  }
  return s;
}

Status DockerRuntime::StopContainer(const std::string& id, int timeout_seconds) {
  int t = std::max(timeout_seconds, 0);
  DockerCall call;
  call.method = "POST";
  call.path = "/containers/" + PathEscape(id) + "/stop?t=" + std::to_string(t);
  call.read_timeout = kDockerShortTimeout + t;  // the engine waits up to t before it answers
  DockerReply reply;
  return Exchange(std::move(call), "cannot stop container " + id, {204, 304, 200}, &reply);
}

Status DockerRuntime::SignalContainer(const std::string& name_or_id, const std::string& signal) {
  DockerCall call;
  call.method = "POST";
  call.path = "/containers/" + PathEscape(name_or_id) + "/kill?signal=" + PathEscape(signal);
  DockerReply reply;
  return Exchange(std::move(call), "cannot send SIG" + signal + " to container " + name_or_id,
                  {204, 200}, &reply);
}

Status DockerRuntime::RenameContainer(const std::string& name_or_id, const std::string& new_name) {
  DockerCall call;
  call.method = "POST";
  call.path = "/containers/" + PathEscape(name_or_id) + "/rename?name=" + PathEscape(new_name);
  DockerReply reply;
  return Exchange(std::move(call), "cannot rename container " + name_or_id + " to " + new_name,
                  {204, 200}, &reply);
}

Status DockerRuntime::RemoveContainer(const std::string& name_or_id) {
  DockerCall call;
  call.method = "DELETE";
  call.path = "/containers/" + PathEscape(name_or_id) + "?force=1&v=1";
  DockerReply reply;
  return Exchange(std::move(call), "cannot remove container " + name_or_id, {kAny2xx, 404}, &reply);
}

Status DockerRuntime::InspectContainer(const std::string& name_or_id, ContainerState* state) {
  *state = ContainerState();
  DockerCall call;
  call.path = "/containers/" + PathEscape(name_or_id) + "/json";
  json j;
  int status = 0;
  Status s =
      GetJson(std::move(call), "cannot inspect container " + name_or_id, {200, 404}, &j, &status);
  if (!s.ok()) return s;
  if (status == 404) return Status::Ok();
  if (!j.is_object()) {
    return Status::Internal("the engine's inspect answer for " + name_or_id + " is not JSON");
  }
  const json& st = JsonMember(j, "State");
  state->exists = true;
  state->running = JsonBool(st, "Running");
  state->status = JsonString(st, "Status");
  state->exit_code = static_cast<int>(JsonInt(st, "ExitCode"));
  state->restart_count = static_cast<int>(JsonInt(j, "RestartCount"));
  state->health = JsonString(JsonMember(st, "Health"), "Status");
  state->image = JsonString(j, "Image");
  bool podman = false;
  IsPodman(&podman);
  if (podman && PodmanContainerState(state->status) != state->status) {
    state->status = PodmanContainerState(state->status);
    state->running = state->status == "running";
  }
  return Status::Ok();
}

Status DockerRuntime::WaitContainer(const std::string& name_or_id, int timeout_seconds,
                                    ContainerState* state) {
  bool podman = false;
  IsPodman(&podman);
  if (podman) return ContainerRuntime::WaitContainer(name_or_id, timeout_seconds, state);
  *state = ContainerState();
  DockerCall call;
  call.method = "POST";
  call.path = "/containers/" + PathEscape(name_or_id) + "/wait?condition=not-running";
  call.read_timeout = std::max(timeout_seconds, 1);
  json j;
  int status = 0;
  Status s =
      GetJson(std::move(call), "cannot wait for container " + name_or_id, {200, 404}, &j, &status);
  if (s.ok() && status == 404) return s;
  if (s.ok() && j.is_object() && JsonMember(j, "StatusCode").is_number()) {
    state->exists = true;
    state->status = "exited";
    state->exit_code = static_cast<int>(JsonInt(j, "StatusCode"));
    return s;
  }
  // No answer in time (it still runs), or one we cannot read: the state
  // says which; an engine that went away fails here.
  return InspectContainer(name_or_id, state);
}

Status DockerRuntime::ContainerLogs(const std::string& name_or_id, int tail, std::string* out) {
  out->clear();
  std::string version;
  Status s = ApiVersion(&version);
  if (!s.ok()) return s;
  DockerCall call;
  call.path = "/containers/" + PathEscape(name_or_id) + "/logs?stdout=1&stderr=1&tail=" +
              (tail < 0 ? std::string("all") : std::to_string(tail));
  DockerReply reply;
  s = Exchange(std::move(call), "cannot read the logs of " + name_or_id, {200}, &reply);
  if (!s.ok()) return s;
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
  DockerCall call;
  call.path = "/containers/json?all=1";
  if (!labels.empty()) call.path += "&filters=" + LabelFilter(labels);
  json j;
  Status s = GetJson(std::move(call), "cannot list containers", {200}, &j);
  if (!s.ok()) return s;
  if (!j.is_array()) return Status::Internal("the engine's container list is not a JSON array");
  bool podman = false;
  IsPodman(&podman);
  for (const json& c : j) {
    ContainerInfo info;
    info.id = JsonString(c, "Id");
    const json& names = JsonMember(c, "Names");
    if (names.is_array() && !names.empty() && names[0].is_string()) {
      info.name = names[0].get<std::string>();
      if (!info.name.empty() && info.name[0] == '/') info.name.erase(0, 1);
    }
    info.state = JsonString(c, "State");
    info.image = JsonString(c, "Image");
    if (podman) {
      info.state = PodmanContainerState(info.state);
      info.image = PodmanImageName(info.image);
    }
    info.labels = JsonLabels(JsonMember(c, "Labels"));
    out->push_back(std::move(info));
  }
  return Status::Ok();
}

Status DockerRuntime::PutArchive(const std::string& id, const std::string& dir,
                                 const std::string& tar_path) {
  DockerCall call;
  call.method = "PUT";
  call.path = "/containers/" + PathEscape(id) + "/archive?path=" + UrlEncode(dir);
  call.body_file = tar_path;
  call.content_type = "application/x-tar";
  call.read_timeout = kLongTimeout;
  call.write_timeout = kUploadTimeout;
  DockerReply reply;
  return Exchange(std::move(call), "cannot extract " + tar_path + " into " + id + ":" + dir,
                  {kAny2xx}, &reply);
}

Status DockerRuntime::GetArchive(const std::string& id, const std::string& path,
                                 const std::string& tar_path) {
  std::FILE* file = std::fopen(tar_path.c_str(), "wb");
  if (file == nullptr) return Status::Internal("cannot write " + tar_path);
  bool short_write = false;
  DockerCall call;
  call.path = "/containers/" + PathEscape(id) + "/archive?path=" + UrlEncode(path);
  call.stream = [file, &short_write](const char* data, size_t size) {
    if (!short_write && std::fwrite(data, 1, size, file) != size) short_write = true;
  };
  call.read_timeout = kLongTimeout;
  DockerReply reply;
  Status s = SendVersioned(std::move(call), &reply);
  const bool closed = std::fclose(file) == 0;
  const std::string what = "cannot read " + id + ":" + path;
  if (s.ok() && reply.status / 100 != 2) s = FromReply(what, reply.status, reply.body);
  if (s.ok() && (short_write || !closed)) s = Status::Internal(what + ": cannot write " + tar_path);
  return s;
}

// ---- Volumes.

Status DockerRuntime::EnsureVolume(const std::string& name, const Labels& labels, bool* created) {
  if (created != nullptr) *created = false;
  // The engine's create answers 201 for a volume that exists too: look first.
  DockerCall look;
  look.path = "/volumes/" + PathEscape(name);
  DockerReply reply;
  Status s = Exchange(std::move(look), "cannot inspect volume " + name, {200, 404}, &reply);
  if (!s.ok() || reply.status == 200) return s;
  json body = {{"Name", name}, {"Driver", "local"}, {"Labels", json::object()}};
  for (const auto& [k, v] : labels) body["Labels"][k] = v;
  std::string text = DumpJson(body);
  DockerCall create;
  create.method = "POST";
  create.path = "/volumes/create";
  create.body = &text;
  create.content_type = "application/json";
  s = Exchange(std::move(create), "cannot create volume " + name, {kAny2xx}, &reply);
  if (s.ok() && created != nullptr) *created = true;
  return s;
}

Status DockerRuntime::RemoveVolume(const std::string& name) {
  DockerCall call;
  call.method = "DELETE";
  call.path = "/volumes/" + PathEscape(name);
  DockerReply reply;
  return Exchange(std::move(call), "cannot remove volume " + name, {kAny2xx, 404}, &reply);
}

Status DockerRuntime::ListVolumes(const Labels& labels, std::vector<VolumeInfo>* out) {
  out->clear();
  DockerCall call;
  call.path = "/volumes";
  if (!labels.empty()) call.path += "?filters=" + LabelFilter(labels);
  json j;
  Status s = GetJson(std::move(call), "cannot list volumes", {200}, &j);
  if (!s.ok()) return s;
  const json& volumes = JsonMember(j, "Volumes");
  if (volumes.is_null()) return Status::Ok();  // none: the engine sends null
  if (!volumes.is_array()) return Status::Internal("the engine's volume list is not a JSON array");
  for (const json& v : volumes) {
    std::string name = JsonString(v, "Name");
    if (!name.empty()) out->push_back({name, JsonLabels(JsonMember(v, "Labels"))});
  }
  return Status::Ok();
}

}  // namespace sandbot
