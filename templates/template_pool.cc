#include "templates/template_pool.h"

#include <utility>

#include "templates/embedded.h"

namespace sandbot {

namespace mu = kainjow::mustache;

namespace {

// The embedded text without its leading {{! … }} comment lines and without the
// file's final newline, or "" when there is no such template.
std::string LoadTemplate(const std::string& name) {
  const char* text = EmbeddedTemplate(name);
  if (!text) return "";
  std::string s = text;
  while (s.compare(0, 3, "{{!") == 0) {
    size_t end = s.find("}}");
    if (end == std::string::npos) break;
    end += 2;
    if (end < s.size() && s[end] == '\n') ++end;
    s.erase(0, end);
  }
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace

TemplatePool::Ptr TemplatePool::Take(const std::string& key, const std::string& name,
                                     const std::vector<std::string>& partials) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Ptr>& idle = idle_[key];
    if (!idle.empty()) {
      Ptr tmpl = std::move(idle.back());
      idle.pop_back();
      return tmpl;
    }
  }
  std::string source = LoadTemplate(name);
  for (const std::string& p : partials) {
    const std::string tag = "{{> " + p + "}}", text = LoadTemplate(p);
    for (size_t at = source.find(tag); at != std::string::npos;
         at = source.find(tag, at + text.size())) {
      source.replace(at, tag.size(), text);
    }
  }
  auto tmpl = std::make_unique<mu::mustache>(source);
  return tmpl->is_valid() ? std::move(tmpl) : nullptr;
}

void TemplatePool::Give(const std::string& key, Ptr tmpl) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Ptr>& idle = idle_[key];
  if (tmpl->is_valid() && idle.size() < kMaxIdle) idle.push_back(std::move(tmpl));
}

size_t TemplatePool::Idle(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto found = idle_.find(key);
  return found == idle_.end() ? 0 : found->second.size();
}

bool RenderTemplate(const std::string& name, const mu::data& data, const Escape& escape,
                    std::string* out, const std::vector<std::string>& partials) {
  static TemplatePool* pool = new TemplatePool;  // never destroyed: used until exit
  if (!EmbeddedTemplate(name)) return false;
  std::string key = name;
  for (const std::string& p : partials) {
    if (!EmbeddedTemplate(p)) return false;
    key += "|" + p;
  }
  TemplatePool::Ptr tmpl = pool->Take(key, name, partials);
  if (!tmpl) return false;
  tmpl->set_custom_escape(escape);
  *out = tmpl->render(data);
  const bool ok = tmpl->is_valid();
  pool->Give(key, std::move(tmpl));
  return ok;
}

std::string Fragment(const std::string& name, const mu::data& data, const Escape& escape,
                     const std::vector<std::string>& partials) {
  std::string out;
  return RenderTemplate(name, data, escape, &out, partials) ? out : "";
}

}  // namespace sandbot
