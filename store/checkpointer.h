// WalCheckpointer: copies the write-ahead log back into the database on a
// thread of its own, so that no request waits for it.
//
// SQLite checkpoints by default in whichever connection's commit takes the
// log past 1,000 pages: with the forge and chat doors writing a few pages
// per request, an HTTP loop stopped every few hundred requests for the
// checkpoint's fsyncs (50-200 ms on a busy disk, the p99 of the webhook
// bench). Connections that answer requests call Db::DeferCheckpoints(); this
// thread checkpoints (PASSIVE: it never blocks a writer or a reader) every
// 100 ms on its own connection.
#ifndef SANDBOT_STORE_CHECKPOINTER_H_
#define SANDBOT_STORE_CHECKPOINTER_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

class WalCheckpointer {
 public:
  WalCheckpointer() = default;
  ~WalCheckpointer() { Stop(); }
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Opens its own connection to the store at `path` and starts the thread.
  Status Start(const std::string& path);
  // Checkpoints once more and ends the thread. Idempotent.
  void Stop();

 private:
  void Run();

  std::unique_ptr<Db> db_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace sandbot

#endif  // SANDBOT_STORE_CHECKPOINTER_H_
