// Templates: reusable sandbox shapes (`QA-DEFAULT`: web at develop, every
// other service on the baseline), one row per template in table `templates`
// whose body is the same JSON that `/template export` prints and
// `/template import` reads:
//
//   {"sandbot_template": 1, "name": "QA-DEFAULT", "gateway": "web", "engine": "big",
//    "services": {"web": {"branch": "develop"},
//                 "payment": {"route": "baseline"},
//                 "user": {"route": "http://127.0.0.1:9000"}}}
//
// A template holds names, branches and routes only: never secrets or
// environments, and an import with any other field is refused.
#ifndef SANDBOT_STORE_TEMPLATES_H_
#define SANDBOT_STORE_TEMPLATES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

// The "sandbot_template" version this build writes and reads.
constexpr int kTemplateFormat = 1;
// Bounds that keep an imported file reasonable.
constexpr size_t kMaxTemplateJson = 64 * 1024;
constexpr size_t kMaxTemplateServices = 100;

// Exactly one of the two is set.
// A named volume of the sandbox mounted into a deployed service
// (bot/volume_data.h): kept across redeploys, started from `seed` if given.
struct TemplateVolume {
  std::string target;  // absolute path in the container
  std::string seed;    // "": starts empty
};

struct TemplateEntry {
  std::string branch;                             // deploy this branch of the service's repo
  std::string route;                              // or route it: "baseline" or an http(s) URL
  std::map<std::string, TemplateVolume> volumes;  // by volume name; with a branch only
};

struct Template {
  std::string name;
  std::string gateway;  // "" when none
  std::string engine;   // where its sandboxes go (bot/engine_registry.h); "": by room
  std::map<std::string, TemplateEntry> services;  // by service name
  std::string created_by;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// The body / export JSON, pretty-printed with two spaces, fields in the
// order above. Metadata (created_by, times) lives in the row, not here.
std::string TemplateJson(const Template& t);
// Inserts; Conflict when the name is taken.
Status CreateTemplate(Db* db, Template* t);
// Inserts or replaces the body (a replaced template keeps its created_by and
// created_at); *replaced says which happened.
Status SaveTemplate(Db* db, Template* t, bool* replaced);
// NotFound when there is none.
Status GetTemplate(Db* db, const std::string& name, Template* t);
// Ordered by name.
Status ListTemplates(Db* db, std::vector<Template>* templates);
Status ListTemplateNames(Db* db, std::vector<std::string>* names);
// NotFound when there is none.
Status DeleteTemplate(Db* db, const std::string& name);

}  // namespace sandbot

#endif  // SANDBOT_STORE_TEMPLATES_H_
