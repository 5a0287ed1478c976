// FakeRuntime: an in-memory ContainerRuntime for unit tests of the parts
// that sit above the engine (breaker, reconciler, deployer). It keeps
// containers and networks in maps and can be told to be unreachable. Calls
// are serialised: the deployer recreates containers from several threads.
#ifndef SANDBOT_TESTS_UNIT_FAKE_RUNTIME_H_
#define SANDBOT_TESTS_UNIT_FAKE_RUNTIME_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "handlers/runtime.h"

namespace sandbot {

class FakeRuntime : public ContainerRuntime {
 public:
  bool down = false;                                // every call answers Unavailable
  int calls = 0;                                    // calls that reached the fake (pings included)
  std::map<std::string, ContainerInfo> containers;  // by name
  std::map<std::string, Labels> networks;
  std::vector<std::string> started, stopped, removed;
  std::vector<std::string> signalled;  // "name SIGNAL"

  void AddContainer(const std::string& name, const std::string& state, Labels labels) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    ContainerInfo c;
    c.id = "id-" + name;
    c.name = name;
    c.state = state;
    c.labels = std::move(labels);
    containers[name] = c;
  }

  Status Ping() override { return Reach(); }
  Status EnsureNetwork(const std::string& name, const Labels& labels) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach();
    if (s.ok()) networks[name] = labels;
    return s;
  }
  Status RemoveNetwork(const std::string& name) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach();
    if (s.ok()) networks.erase(name);
    return s;
  }
  Status ListNetworks(const Labels& labels, std::vector<std::string>* names) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach();
    for (const auto& [name, have] : networks) {
      if (s.ok() && Matches(have, labels)) names->push_back(name);
    }
    return s;
  }
  Status BuildImage(const std::string&, const std::string&, const LineSink&) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return Reach();
  }
  Status ImageExists(const std::string&, bool* exists) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    *exists = true;
    return Reach();
  }
  Status LoadImage(const std::string&, const LineSink&) override { return Reach(); }
  Status ImportImage(const std::string&, const std::string&, const LineSink&) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return Reach();
  }
  Status CreateContainer(const ContainerSpec& spec, std::string* id) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach();
    if (!s.ok()) return s;
    AddContainer(spec.name, "created", spec.labels);
    containers[spec.name].image = spec.image;
    *id = containers[spec.name].id;
    return s;
  }
  Status StartContainer(const std::string& id) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach();
    if (!s.ok()) return s;
    for (auto& [name, c] : containers) {
      if (c.id == id || name == id) {
        c.state = "running";
        started.push_back(name);
        return s;
      }
    }
    return Status::NotFound("no container " + id);
  }
  Status StopContainer(const std::string& id, int) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach();
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
    Status s = Reach();
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
  Status RemoveContainer(const std::string& name_or_id) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach();
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
    Status s = Reach();
    auto it = containers.find(name_or_id);
    state->exists = it != containers.end();
    state->running = state->exists && it->second.state == "running";
    return s;
  }
  Status ContainerLogs(const std::string&, int, std::string* out) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    *out = "log line\n";
    return Reach();
  }
  Status ListContainers(const Labels& labels, std::vector<ContainerInfo>* out) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status s = Reach();
    for (const auto& [name, c] : containers) {
      if (s.ok() && Matches(c.labels, labels)) out->push_back(c);
    }
    return s;
  }

 private:
  std::recursive_mutex mu_;

  Status Reach() {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    ++calls;
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
