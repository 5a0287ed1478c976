#include "bot/forge_intake.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "util/identity.h"

namespace sandbot {

ForgeIntake::ForgeIntake(std::string db_path, EventHub* hub)
    : db_path_(std::move(db_path)), hub_(hub) {}

ForgeIntake::~ForgeIntake() {
  std::vector<Item> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(queue_);
  }
  ForgeBatchResult stopped;
  stopped.status = Status::Unavailable("sandbot is stopping");
  for (Item& item : left) item.done(stopped);
}

void ForgeIntake::Submit(ForgeDelivery delivery, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      ForgeBatchResult stopped;
      stopped.status = Status::Unavailable("sandbot is stopping");
      done(stopped);
      return;
    }
    queue_.push_back({std::move(delivery), std::move(done)});
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  }
  cv_.notify_one();
}

void ForgeIntake::Run() {
  std::vector<Item> items;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;  // the destructor answers what is left
      if (queue_.size() <= kMaxBatch) {
        items.swap(queue_);
      } else {
        items.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.begin() + kMaxBatch));
        queue_.erase(queue_.begin(), queue_.begin() + kMaxBatch);
      }
    }
    Handle(&items);
    items.clear();
  }
}

void RecordForgeDeliveries(Db* db, EventHub* hub, const std::vector<ForgeDelivery>& deliveries,
                           std::vector<ForgeBatchResult>* results_out) {
  std::vector<ForgeBatchResult>& results = *results_out;
  HandleForgeDeliveries(db, deliveries, &results);
  bool wake = false;
  for (size_t i = 0; i < deliveries.size(); ++i) {
    const ForgeBatchResult& r = results[i];
    if (r.status.ok()) {
      wake = wake || !r.outcome.job_ids.empty() || r.outcome.comment_queued;
      if (!spdlog::should_log(spdlog::level::info)) continue;
      spdlog::info("forge {} delivery {} {}: {} ({})", deliveries[i].forge.name,
                   StripControl(deliveries[i].delivery, 100),
                   StripControl(deliveries[i].event.name, 100), r.outcome.outcome,
                   StripControl(r.outcome.reason));
    } else {
      spdlog::error("forge {} delivery {}: {}", deliveries[i].forge.name,
                    StripControl(deliveries[i].delivery, 100), r.status.ToString());
    }
  }
  if (wake && hub != nullptr) hub->Notify();
}

void ForgeIntake::Handle(std::vector<Item>* items) {
  std::vector<ForgeBatchResult> results;
  if (!db_) {
    Status s = Db::Open(db_path_, &db_);
    if (s.ok()) {
      db_->DeferCheckpoints();  // the daemon's WalCheckpointer does them
    } else {
      db_.reset();
      ForgeBatchResult failed;
      failed.status = s;
      for (Item& item : *items) item.done(failed);
      return;
    }
  }
  std::vector<ForgeDelivery> deliveries;
  deliveries.reserve(items->size());
  for (Item& item : *items) deliveries.push_back(std::move(item.delivery));
  RecordForgeDeliveries(db_.get(), hub_, deliveries, &results);
  for (size_t i = 0; i < items->size(); ++i) (*items)[i].done(results[i]);
}

}  // namespace sandbot
