// The parsed mustache templates (templates/*.mustache, embedded in the
// binary), shared by the renderers. Parsing costs more than rendering, and
// the library would parse a partial again at every use (600 times for a list
// of 600 services), so a template is parsed once with its partials' text
// written in place of their {{> name}} tags, and kept. Rendering writes into
// the template object, so a thread takes one for itself and gives it back;
// at most two idle copies of each are kept, so the HTTP threads do not each
// hold a set.
#ifndef SANDBOT_TEMPLATES_TEMPLATE_POOL_H_
#define SANDBOT_TEMPLATES_TEMPLATE_POOL_H_

#include <functional>
#include <kainjow/mustache.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace sandbot {

// The escape a template applies to every {{value}} (templates/escape.h).
using Escape = std::function<std::string(const std::string&)>;

class TemplatePool {
 public:
  using Ptr = std::unique_ptr<kainjow::mustache::mustache>;
  static constexpr size_t kMaxIdle = 2;

  // An idle copy of templates/NAME.mustache with `partials` in place, or a
  // newly parsed one; nullptr when it does not parse. `key` names the pair
  // (NAME and its partials).
  Ptr Take(const std::string& key, const std::string& name,
           const std::vector<std::string>& partials);
  // Keeps `tmpl` for the next Take of `key`, unless kMaxIdle are idle already.
  void Give(const std::string& key, Ptr tmpl);
  // Idle copies of `key` (for tests).
  size_t Idle(const std::string& key);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<Ptr>> idle_;
};

// Renders templates/NAME.mustache with `escape` through the process's pool;
// `partials` are the other templates it includes with {{> name}}. False when
// a template is missing or invalid.
bool RenderTemplate(const std::string& name, const kainjow::mustache::data& data,
                    const Escape& escape, std::string* out,
                    const std::vector<std::string>& partials = {});
// A template's markup, or "" if it cannot be rendered (the JSON safety net
// then notices nothing; callers treat "" as "leave the block out").
std::string Fragment(const std::string& name, const kainjow::mustache::data& data,
                     const Escape& escape, const std::vector<std::string>& partials = {});

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_TEMPLATE_POOL_H_
