#include "store/templates.h"

#include <nlohmann/json.hpp>

namespace sandbot {

namespace {

using json = nlohmann::json;

// Reads a body this store wrote (TemplateJson). No validation: bodies were
// checked by the template commands before they were saved
// (handlers/template_codec.h); one edited by hand into something
// unreadable shows as a template without entries.
void DecodeBody(const std::string& text, Template* t) {
  const json v = json::parse(text, nullptr, false);
  if (!v.is_object()) return;
  if (v.contains("gateway") && v["gateway"].is_string()) t->gateway = v["gateway"];
  if (v.contains("engine") && v["engine"].is_string()) t->engine = v["engine"];
  if (!v.contains("services") || !v["services"].is_object()) return;
  for (const auto& [service, entry] : v["services"].items()) {
    if (!entry.is_object()) continue;
    TemplateEntry e;
    if (entry.contains("branch") && entry["branch"].is_string()) e.branch = entry["branch"];
    if (entry.contains("route") && entry["route"].is_string()) e.route = entry["route"];
    if (entry.contains("volumes") && entry["volumes"].is_object()) {
      for (const auto& [name, vol] : entry["volumes"].items()) {
        if (!vol.is_object()) continue;
        TemplateVolume tv;
        if (vol.contains("target") && vol["target"].is_string()) tv.target = vol["target"];
        if (vol.contains("seed") && vol["seed"].is_string()) tv.seed = vol["seed"];
        e.volumes[name] = tv;
      }
    }
    t->services[service] = e;
  }
}

Template FromRow(Stmt& st) {
  Template t;
  DecodeBody(st.Text(1), &t);
  t.name = st.Text(0);
  t.created_by = st.Text(2);
  t.created_at = st.Int(3);
  t.updated_at = st.Int(4);
  return t;
}

}  // namespace

std::string TemplateJson(const Template& t) {
  nlohmann::ordered_json out;
  out["sandbot_template"] = kTemplateFormat;
  out["name"] = t.name;
  if (!t.gateway.empty()) out["gateway"] = t.gateway;
  if (!t.engine.empty()) out["engine"] = t.engine;
  nlohmann::ordered_json services = nlohmann::ordered_json::object();
  for (const auto& [service, entry] : t.services) {
    if (entry.branch.empty()) {
      services[service] = {{"route", entry.route}};
    } else {
      services[service] = {{"branch", entry.branch}};
    }
    for (const auto& [name, vol] : entry.volumes) {
      services[service]["volumes"][name]["target"] = vol.target;
      if (!vol.seed.empty()) services[service]["volumes"][name]["seed"] = vol.seed;
    }
  }
  out["services"] = services;
  return out.dump(2, ' ', false, json::error_handler_t::replace);
}

Status CreateTemplate(Db* db, Template* t) {
  int64_t now = NowMillis();
  Stmt st(db,
          "INSERT INTO templates(name, body, created_by, created_at, updated_at) "
          "VALUES(?,?,?,?,?)");
  st.Bind(1, t->name).Bind(2, TemplateJson(*t)).Bind(3, t->created_by).Bind(4, now).Bind(5, now);
  Status s = st.Run();
  if (s.code() == Status::Code::kConflict) {
    return Status::Conflict("a template named '" + t->name + "' already exists; change it with " +
                            "`/template update " + t->name + " ...` or delete it first");
  }
  if (!s.ok()) return s;
  t->created_at = t->updated_at = now;
  return Status::Ok();
}

Status SaveTemplate(Db* db, Template* t, bool* replaced) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  Template old;
  Status s = GetTemplate(db, t->name, &old);
  if (!s.ok() && !s.IsNotFound()) return s;
  *replaced = s.ok();
  if (*replaced) {
    t->created_by = old.created_by;
    t->created_at = old.created_at;
    t->updated_at = NowMillis();
    Stmt st(db, "UPDATE templates SET body = ?, updated_at = ? WHERE name = ?");
    st.Bind(1, TemplateJson(*t)).Bind(2, t->updated_at).Bind(3, t->name);
    s = st.Run();
  } else {
    s = CreateTemplate(db, t);
  }
  return s.ok() ? tx.Commit() : s;
}

Status GetTemplate(Db* db, const std::string& name, Template* t) {
  Stmt st(db,
          "SELECT name, body, created_by, created_at, updated_at FROM templates WHERE name = ?");
  st.Bind(1, name);
  if (st.Step()) {
    *t = FromRow(st);
    return Status::Ok();
  }
  if (!st.status().ok()) return st.status();
  return Status::NotFound("no template named '" + name + "'");
}

Status ListTemplates(Db* db, std::vector<Template>* templates) {
  templates->clear();
  Stmt st(db, "SELECT name, body, created_by, created_at, updated_at FROM templates ORDER BY name");
  while (st.Step()) templates->push_back(FromRow(st));
  return st.status();
}

Status ListTemplateNames(Db* db, std::vector<std::string>* names) {
  names->clear();
  Stmt st(db, "SELECT name FROM templates ORDER BY name");
  while (st.Step()) names->push_back(st.Text(0));
  return st.status();
}

Status DeleteTemplate(Db* db, const std::string& name) {
  Stmt st(db, "DELETE FROM templates WHERE name = ?");
  st.Bind(1, name);
  Status s = st.Run();
  if (s.ok() && db->Changes() == 0) return Status::NotFound("no template named '" + name + "'");
  return s;
}

}  // namespace sandbot
