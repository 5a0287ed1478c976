// ForgeIntake: the forge door's group commit. The HTTP loops verify and
// read each delivery (bot/forge_server.cc), then hand it here; one thread
// with a store connection of its own takes every delivery that is waiting
// and records, decides and audits them in one transaction
// (handlers/forge_batch.h), and only once it is committed answers each.
//
// Why: a delivery's own transaction cost more than everything else it
// needs (WAL frames of the same few pages written once per delivery, and
// the two loops' connections queueing on SQLite's write lock, whose busy
// handler sleeps in milliseconds). Batching costs no wait when the door is
// quiet (a lone delivery is a batch of one, committed at once) and writes a
// page once for many deliveries when it is busy.
#ifndef SANDBOT_BOT_FORGE_INTAKE_H_
#define SANDBOT_BOT_FORGE_INTAKE_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bot/event_hub.h"
#include "handlers/forge_batch.h"
#include "store/db.h"

namespace sandbot {

// Records `deliveries` in one transaction (HandleForgeDeliveries), logs what
// became of each and wakes `hub` (may be null) when one queued work.
void RecordForgeDeliveries(Db* db, EventHub* hub, const std::vector<ForgeDelivery>& deliveries,
                           std::vector<ForgeBatchResult>* results);

class ForgeIntake {
 public:
  // What becomes of one delivery, called on the intake's thread after the
  // commit (or the failure that recorded nothing).
  using Done = std::function<void(const ForgeBatchResult&)>;

  // Opens its own connection to the store at `db_path` when the first
  // delivery comes. `hub` (may be null) is woken when a batch queued work.
  ForgeIntake(std::string db_path, EventHub* hub);
  // Ends the thread; deliveries still waiting are answered 503-worthy
  // (not recorded: the forge sends them again).
  ~ForgeIntake();
  ForgeIntake(const ForgeIntake&) = delete;
  ForgeIntake& operator=(const ForgeIntake&) = delete;

  void Submit(ForgeDelivery delivery, Done done);

  // At most this many deliveries in one transaction: the store's write lock
  // is not held for long against the workers.
  static constexpr size_t kMaxBatch = 256;

 private:
  struct Item {
    ForgeDelivery delivery;
    Done done;
  };
  void Run();
  void Handle(std::vector<Item>* items);

  const std::string db_path_;
  EventHub* const hub_;
  std::unique_ptr<Db> db_;  // the thread's own
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Item> queue_;  // under mu_
  bool stopping_ = false;    // under mu_
  std::thread thread_;       // started by the first Submit
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_FORGE_INTAKE_H_
