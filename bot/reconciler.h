// Reconciler: compares the store with the containers and networks the engine
// actually has (by label) and repairs the drift.
//
//   - a service the store says is running whose container is stopped is
//     started again;
//   - one whose container vanished is recorded and redeployed (a job of its
//     recorded commit);
//   - containers and networks of this data folder that the store does not
//     know are removed (leftovers of a crash or of a hand-run command).
//
// Suspended sandboxes (containers stopped on purpose) and sandboxes with a
// queued or running job are left alone (their job is about
// to change them). Only objects labelled with this data folder are touched,
// so several sandbot daemons may share one engine. Every repair is an audit
// row (source "reconciler").
#ifndef SANDBOT_BOT_RECONCILER_H_
#define SANDBOT_BOT_RECONCILER_H_

#include <functional>
#include <string>

#include "handlers/runtime.h"
#include "store/db.h"
#include "util/status.h"

namespace sandbot {

struct ReconcileReport {
  int checked = 0;  // services the store says are running
  int restarted = 0;
  int vanished = 0;  // redeploy jobs queued
  int orphans_removed = 0;
  int networks_removed = 0;
  int volumes_removed = 0;  // of sandboxes the store no longer has
};

class Reconciler {
 public:
  // Services whose row changed less than `settle_ms` ago are left for the
  // next round: their job has only just finished.
  Reconciler(Db* db, ContainerRuntime* runtime, std::string data_dir, int settle_ms = 10000);
  Status RunOnce(ReconcileReport* report);
  // With several engines (bot/engine_registry.h) each has its reconciler:
  // `owns(engine)` says whether a sandbox on `engine` (its store column)
  // lives on this one. Others' sandboxes are not repaired here, and their
  // containers found here (left by a move) are orphans; their files, shared
  // by every engine, stay. Default: every sandbox is this engine's.
  void set_scope(std::function<bool(const std::string& engine)> owns) { owns_ = std::move(owns); }

 private:
  void Audit(const std::string& action, const std::string& sandbox, const std::string& service,
             const std::string& status, const std::string& detail);

  Db* db_;
  ContainerRuntime* runtime_;
  std::string data_dir_;
  std::string data_label_;
  int settle_ms_;
  std::function<bool(const std::string& engine)> owns_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_RECONCILER_H_
