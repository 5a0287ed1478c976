#include "hooks/event_wire.h"

#include <nlohmann/json.hpp>

namespace sandbot {

using nlohmann::json;

std::string EncodeEvents(const std::vector<JobEvent>& events, bool done) {
  json list = json::array();
  for (const JobEvent& e : events) {
    list.push_back({{"id", e.id},
                    {"job", e.job_id},
                    {"stage", JobStageName(e.stage)},
                    {"service", e.service},
                    {"commit", e.commit},
                    {"url", e.url},
                    {"message", e.message}});
  }
  return json{{"events", list}, {"done", done}}.dump();
}

Status DecodeEvents(const std::string& body, std::vector<JobEvent>* events, bool* done) {
  json answer = json::parse(body, nullptr, false);
  if (!answer.is_object()) return Status::InvalidArgument("the events answer is not a JSON object");
  const json list = answer.value("events", json::array());
  if (!list.is_array()) return Status::InvalidArgument("the events answer has no event list");
  for (const json& item : list) {
    if (!item.is_object()) return Status::InvalidArgument("an event is not a JSON object");
    JobEvent e;
    e.id = item.value("id", int64_t{0});
    e.job_id = item.value("job", int64_t{0});
    const std::string stage = item.value("stage", "");
    if (!ParseJobStage(stage, &e.stage)) {
      return Status::InvalidArgument("an event has an unknown stage '" + stage + "'");
    }
    e.service = item.value("service", "");
    e.commit = item.value("commit", "");
    e.url = item.value("url", "");
    e.message = item.value("message", "");
    events->push_back(std::move(e));
  }
  *done = answer.value("done", false);
  return Status::Ok();
}

}  // namespace sandbot
