// FakeRuntime: an in-memory ContainerRuntime for unit tests of the parts
// that sit above the engine (breaker, reconciler, deployer). It keeps
// containers and networks in maps, records every call in order ("log":
// "CreateContainer sandbox-qa-web") and injects faults in the shape of
// LevelDB's fault-injection Env: it can be told to be unreachable
// (`down`), or to fail the Nth call, or the Nth call of one method, with a
// given Status. A failed call changes nothing. Calls are serialised: the
// deployer recreates containers from several threads.
#ifndef SANDBOT_TESTS_UNIT_FAKE_RUNTIME_H_
#define SANDBOT_TESTS_UNIT_FAKE_RUNTIME_H_

#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "handlers/runtime.h"

namespace sandbot {

class FakeRuntime : public ContainerRuntime {
 public:
  bool down = false;                                // every call answers Unavailable
  int calls = 0;                                    // calls that reached the fake (pings included)
  std::map<std::string, ContainerInfo> containers;  // by name
  std::map<std::string, Labels> networks;
  std::map<std::string, Labels> volumes;
  // A volume's content, as far as the fake knows: "tar:PATH" after
  // PutArchive; copied whole by a helper container running `cp -a`
  // between two bound volumes.
  std::map<std::string, std::string> volume_content;
  std::map<std::string, ContainerSpec> specs;  // by container name, as created
  std::vector<std::string> started, stopped, removed;
  std::vector<std::string> signalled;  // "name SIGNAL"
  // Every call that reached the fake, in order: "Method argument", e.g.
  // "CreateContainer sandbox-qa-web", "Ping" (failed ones included).
  std::vector<std::string> log;

  // Fails the `n`th call from now (1 = the next one) with `status`.
  void FailCall(int n, Status status) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    faults_.push_back({"", calls + n, std::move(status)});
  }
  // Fails the `n`th call of `method` from now (1 = the next one) with
  // `status`; calls of other methods do not count.
  void FailCall(const std::string& method, int n, Status status) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    faults_.push_back({method, CallsOf(method) + n, std::move(status)});
  }
  // How many calls of `method` reached the fake.
  int CallsOf(const std::string& method) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    auto it = calls_of_.find(method);
    return it == calls_of_.end() ? 0 : it->second;
  }

  void AddContainer(const std::string& name, const std::string& state, Labels labels) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    ContainerInfo c;
    c.id = "id-" + name;
    c.name = name;
    c.state = state;
    c.labels = std::move(labels);
    containers[name] = c;
  }

  Status Ping() override { return Reach("Ping"); }
  Status EnsureNetwork(const std::string& name, const Labels& labels) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("EnsureNetwork", name);
    if (s.ok()) networks[name] = labels;
    return s;
  }
  Status RemoveNetwork(const std::string& name) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("RemoveNetwork", name);
    if (s.ok()) networks.erase(name);
    return s;
  }
  Status ListNetworks(const Labels& labels, std::vector<NetworkInfo>* out) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("ListNetworks");
    for (const auto& [name, have] : networks) {
      if (s.ok() && Matches(have, labels)) out->push_back({name, have});
    }
    return s;
  }
  Status BuildImage(const std::string&, const std::string& tag, const LineSink&) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return Reach("BuildImage", tag);
  }
  Status BuildImageWith(const std::string&, const std::string& tag, const BuildOptions&,
                        const LineSink&) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return Reach("BuildImage", tag);
  }
  Status ImageExists(const std::string& ref, bool* exists) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    *exists = true;
    return Reach("ImageExists", ref);
  }
  Status LoadImage(const std::string& tar_path, const LineSink&) override {
    return Reach("LoadImage", tar_path);
  }
  Status ImportImage(const std::string&, const std::string& repo_tag, const LineSink&) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return Reach("ImportImage", repo_tag);
  }
  Status CreateContainer(const ContainerSpec& spec, std::string* id) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("CreateContainer", spec.name);
    if (!s.ok()) return s;
    AddContainer(spec.name, "created", spec.labels);
    containers[spec.name].image = spec.image;
    specs[spec.name] = spec;
    *id = containers[spec.name].id;
    return s;
  }
  Status StartContainer(const std::string& id) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("StartContainer", id);
    if (!s.ok()) return s;
    for (auto& [name, c] : containers) {
      if (c.id == id || name == id) {
        c.state = "running";
        started.push_back(name);
        if (RunCopy(specs[name])) c.state = "exited";
        return s;
      }
    }
    return Status::NotFound("no container " + id);
  }
  Status StopContainer(const std::string& id, int) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("StopContainer", id);
    if (!s.ok()) return s;
    for (auto& [name, c] : containers) {
      if (c.id == id || name == id) {
        c.state = "exited";
        stopped.push_back(name);
        return s;
      }
    }
    return Status::NotFound("no container " + id);
  }
  Status SignalContainer(const std::string& name_or_id, const std::string& signal) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("SignalContainer", name_or_id + " " + signal);
    if (!s.ok()) return s;
    for (auto& [name, c] : containers) {
      if (c.id == name_or_id || name == name_or_id) {
        if (c.state != "running") return Status::Conflict("container " + name + " is not running");
        signalled.push_back(name + " " + signal);
        return s;
      }
    }
    return Status::NotFound("no container " + name_or_id);
  }
  Status RenameContainer(const std::string& name_or_id, const std::string& new_name) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("RenameContainer", name_or_id + " " + new_name);
    if (!s.ok()) return s;
    if (containers.count(new_name)) return Status::Conflict("the name " + new_name + " is taken");
    for (auto it = containers.begin(); it != containers.end(); ++it) {
      if (it->second.id == name_or_id || it->first == name_or_id) {
        ContainerInfo c = it->second;
        containers.erase(it);
        c.name = new_name;
        containers[new_name] = c;
        return s;
      }
    }
    return Status::NotFound("no container " + name_or_id);
  }
  Status RemoveContainer(const std::string& name_or_id) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("RemoveContainer", name_or_id);
    if (!s.ok()) return s;
    for (auto it = containers.begin(); it != containers.end(); ++it) {
      if (it->second.id == name_or_id || it->first == name_or_id) {
        removed.push_back(it->first);
        containers.erase(it);
        break;
      }
    }
    return s;
  }
  Status InspectContainer(const std::string& name_or_id, ContainerState* state) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("InspectContainer", name_or_id);
    auto it = containers.find(name_or_id);
    state->exists = it != containers.end();
    state->running = state->exists && it->second.state == "running";
    if (state->exists) state->status = it->second.state;
    return s;
  }
  Status ContainerLogs(const std::string& name_or_id, int, std::string* out) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    *out = "log line\n";
    return Reach("ContainerLogs", name_or_id);
  }
  Status ListContainers(const Labels& labels, std::vector<ContainerInfo>* out) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("ListContainers");
    for (const auto& [name, c] : containers) {
      if (s.ok() && Matches(c.labels, labels)) out->push_back(c);
    }
    return s;
  }
  Status PutArchive(const std::string& id, const std::string& dir,
                    const std::string& tar_path) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("PutArchive", id + " " + dir);
    if (!s.ok()) return s;
    for (const auto& [name, spec] : specs) {
      if (containers.count(name) && (containers[name].id == id || name == id)) {
        std::string volume = VolumeAt(spec, dir);
        if (volume.empty()) return Status::NotFound("no volume at " + dir);
        volume_content[volume] = "tar:" + tar_path;
        return s;
      }
    }
    return Status::NotFound("no container " + id);
  }
  // Writes the content the fake knows of the volume at `path` ("empty"
  // when none) into the file.
  Status GetArchive(const std::string& id, const std::string& path,
                    const std::string& tar_path) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("GetArchive", id + " " + path);
    if (!s.ok()) return s;
    for (const auto& [name, spec] : specs) {
      if (containers.count(name) && (containers[name].id == id || name == id)) {
        // "/dir/." : the directory's content, as the engine reads it.
        const bool content_of = path.size() > 2 && path.compare(path.size() - 2, 2, "/.") == 0;
        std::string volume = VolumeAt(spec, content_of ? path.substr(0, path.size() - 2) : path);
        if (volume.empty()) return Status::NotFound("no volume at " + path);
        std::FILE* f = std::fopen(tar_path.c_str(), "wb");
        if (f == nullptr) return Status::Internal("cannot write " + tar_path);
        const std::string content =
            volume_content.count(volume) ? volume_content[volume] : std::string("empty");
        std::fwrite(content.data(), 1, content.size(), f);
        std::fclose(f);
        return s;
      }
    }
    return Status::NotFound("no container " + id);
  }
  Status EnsureVolume(const std::string& name, const Labels& labels, bool* created) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("EnsureVolume", name);
    if (!s.ok()) return s;
    bool fresh = volumes.emplace(name, labels).second;
    if (created != nullptr) *created = fresh;
    return s;
  }
  Status RemoveVolume(const std::string& name) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("RemoveVolume", name);
    if (!s.ok()) return s;
    volumes.erase(name);
    volume_content.erase(name);
    return s;
  }
  Status ListVolumes(const Labels& labels, std::vector<VolumeInfo>* out) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach("ListVolumes");
    for (const auto& [name, have] : volumes) {
      if (s.ok() && Matches(have, labels)) out->push_back({name, have});
    }
    return s;
  }

 private:
  std::recursive_mutex mu_;

  // The volume bound at `dir` ("vol:/dir[:ro]" binds), "" when none.
  static std::string VolumeAt(const ContainerSpec& spec, const std::string& dir) {
    for (const std::string& b : spec.binds) {
      size_t colon = b.find(':');
      if (colon == std::string::npos || b[0] == '/') continue;
      std::string target = b.substr(colon + 1);
      target = target.substr(0, target.find(':'));
      if (target == dir) return b.substr(0, colon);
    }
    for (const VolumeMount& m : spec.volume_mounts) {
      if (m.target == dir) return m.volume;
    }
    return "";
  }
  // A helper container `cp -a /from/. /to/` copies the content it knows.
  // True when it was such a helper (it has exited).
  bool RunCopy(const ContainerSpec& spec) {
    if (spec.cmd.size() < 4 || spec.cmd[0] != "cp") return false;
    std::string from = VolumeAt(spec, "/from"), to = VolumeAt(spec, "/to");
    if (!from.empty() && !to.empty()) volume_content[to] = volume_content[from];
    return true;
  }

  struct Fault {
    std::string method;  // "": any method
    int at;              // the call number (of `method`, or overall) to fail
    Status status;
  };
  std::vector<Fault> faults_;
  std::map<std::string, int> calls_of_;

  // Counts and logs the call, then answers as the engine would: an
  // injected fault, Unavailable while `down`, else Ok.
  Status Reach(const std::string& method, const std::string& arg = "") {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    ++calls;
    int nth = ++calls_of_[method];
    log.push_back(arg.empty() ? method : method + " " + arg);
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
      if (it->method.empty() ? it->at == calls : (it->method == method && it->at == nth)) {
        Status s = std::move(it->status);
        faults_.erase(it);
        return s;
      }
    }
    return down ? Status::Unavailable("the Docker engine at unix:///fake is not answering")
                : Status::Ok();
  }
  static bool Matches(const Labels& have, const Labels& want) {
    for (const auto& [k, v] : want) {
      auto it = have.find(k);
      if (it == have.end() || it->second != v) return false;
    }
    return true;
  }
};

}  // namespace sandbot

#endif  // SANDBOT_TESTS_UNIT_FAKE_RUNTIME_H_
