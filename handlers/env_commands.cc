// /env create | set | set-file | unset | show | list | attach | detach |
// delete | rotate-key
//
// Environments hold variables, secrets and files (store/environments.h) and
// are injected into the services of the sandboxes they are attached to on
// every deploy (bot/deployer.cc). A change to an attached environment, an
// attach or a detach queues a 'reroute' of each affected sandbox that has
// deployed services, so it applies at once without a rebuild.
//
// No answer, audit row or error here ever contains a secret's value: secrets
// show as ••••, and only keys and paths are named.
#include "handlers/env_commands.h"

#include <cctype>
#include <set>

#include "handlers/dispatch.h"
#include "store/environments.h"
#include "store/jobs.h"

namespace sandbot {

namespace {

constexpr char kMask[] = "••••";
constexpr size_t kShownValue = 200;  // characters of a variable shown by `env show`

std::string Shorten(const std::string& value) {
  if (value.size() <= kShownValue) return value;
  size_t cut = kShownValue;  // not in the middle of a UTF-8 sequence
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return value.substr(0, cut) + "… (" + std::to_string(value.size()) + " bytes)";
}

std::string Where(const std::string& sandbox, const std::string& service) {
  return service.empty() ? sandbox + " (every service)" : sandbox + " " + service;
}

// Bytes of plain text in a sealed value "v1:" + base64(nonce12 || ct || tag16).
size_t SealedSize(const std::string& sealed) {
  if (sealed.size() < 3) return 0;
  size_t b64 = sealed.size() - 3;
  size_t pad = 0;
  if (b64 >= 1 && sealed[sealed.size() - 1] == '=') ++pad;
  if (b64 >= 2 && sealed[sealed.size() - 2] == '=') ++pad;
  size_t raw = b64 / 4 * 3 - pad;
  return raw >= 28 ? raw - 28 : 0;
}

Status NeedKeys(const HandlerContext& ctx) {
  if (ctx.secrets) return Status::Ok();
  return Status::Unavailable(
      "secrets need the daemon's key file; run this through the daemon "
      "(`sandbot env ...` or chat)");
}

// Plain variables and files need no key (SetEnvEntry only seals secrets).
const SecretKeys& KeysOrNone(const HandlerContext& ctx) {
  static const SecretKeys kNone{SecretBox()};
  return ctx.secrets ? *ctx.secrets : kNone;
}

// Queues a reroute of each sandbox that is active and runs something, so
// the environment applies now; returns a sentence saying what happens.
Status ApplyNow(const HandlerContext& ctx, const Request& req,
                const std::vector<std::string>& sandboxes, Reply* reply, std::string* note) {
  std::vector<std::string> applying, later;
  for (const std::string& name : sandboxes) {
    Sandbox sandbox;
    Status s = GetSandbox(ctx.db, name, &sandbox);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return s;
    bool deployed = false;
    for (const Service& svc : sandbox.services) {
      deployed = deployed || (!svc.image.empty() && !svc.commit.empty());
    }
    if (sandbox.state != "active" || !deployed) {
      later.push_back(name + (sandbox.state == "suspended" ? " (suspended)" : ""));
      continue;
    }
    Job job;
    job.kind = JobKind::kReroute;
    job.sandbox = name;
    job.actor = ActorOf(req);
    job.source = req.source;
    s = EnqueueJob(ctx.db, &job);
    if (!s.ok()) return s;
    reply->jobs.push_back(job.id);
    applying.push_back(name + " (job " + std::to_string(job.id) + ")");
  }
  std::string text;
  if (!applying.empty()) {
    std::string list;
    for (const std::string& a : applying) list += (list.empty() ? "" : ", ") + a;
    text = "applying now to " + list + ": the containers are recreated from their images, no " +
           "rebuild";
  }
  if (!later.empty()) {
    std::string list;
    for (const std::string& l : later) list += (list.empty() ? "" : ", ") + l;
    text += (text.empty() ? "" : "; ") + std::string("applies at the next deploy of ") + list +
            " (`/deploy SERVICE BRANCH to SANDBOX`)";
  }
  *note = text;
  return Status::Ok();
}

// Sandboxes `env` is attached to, once each.
Status AttachedSandboxes(const HandlerContext& ctx, const std::string& env,
                         std::vector<std::string>* names) {
  Environment e;
  Status s = GetEnvironment(ctx.db, env, &e);
  if (!s.ok()) return s;
  std::set<std::string> seen;
  for (const EnvAttachment& a : e.attachments) {
    if (seen.insert(a.sandbox).second) names->push_back(a.sandbox);
  }
  return Status::Ok();
}

// After set/unset: applies to where the environment is attached.
Status FinishChange(const HandlerContext& ctx, const Request& req, const std::string& title,
                    Reply* reply) {
  const std::string& env = req.command.name;
  std::vector<std::string> sandboxes;
  Status s = AttachedSandboxes(ctx, env, &sandboxes);
  std::string note;
  if (s.ok()) s = ApplyNow(ctx, req, sandboxes, reply, &note);
  if (!s.ok()) return s;
  reply->view.kind = "env";
  reply->view.title = title;
  reply->view.text = sandboxes.empty() ? "not attached anywhere yet: `/env attach " + env +
                                             " SANDBOX [SERVICE]` injects it on every deploy"
                                       : note;
  if (sandboxes.size() == 1) reply->sandbox = sandboxes[0];
  return Status::Ok();
}

Status NotFoundEnv(const HandlerContext& ctx, const std::string& name) {
  std::vector<Environment> envs;
  Status s = ListEnvironments(ctx.db, &envs);
  if (!s.ok()) return s;
  std::vector<std::string> names;
  for (const Environment& e : envs) names.push_back(e.name);
  std::string guess = DidYouMean(name, names);
  return Status::NotFound("no environment named '" + name + "'." +
                          (guess.empty() ? "" : " Did you mean '" + guess + "'?") +
                          " `/env list` shows them; `/env create " + name + "` makes it.");
}

Status LoadEnv(const HandlerContext& ctx, const std::string& name, Environment* env) {
  Status s = GetEnvironment(ctx.db, name, env);
  return s.IsNotFound() ? NotFoundEnv(ctx, name) : s;
}

// A secret stays a secret: a forgotten --secret must not store the new
// value in plain text (and show it in `env show`).
Status KeepSecret(const Environment& env, const Command& cmd) {
  if (cmd.secret) return Status::Ok();
  for (const EnvEntry& e : env.entries) {
    if (e.key == cmd.key && e.sealed()) {
      return Status::InvalidArgument(cmd.key + " is a secret in environment " + env.name +
                                     "; add --secret to change it, " + "or `/env unset " +
                                     env.name + " " + cmd.key + "` first to make it plain");
    }
  }
  return Status::Ok();
}

}  // namespace

Status HandleEnvCreate(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const std::string& name = req.command.name;
  Status s = CreateEnvironment(ctx.db, name, ActorOf(req));
  if (!s.ok()) return s;
  reply->view.kind = "env";
  reply->view.title = "Created environment " + name;
  reply->view.text = "add values with `/env set " + name + " KEY=VALUE [--secret]`, then `/env " +
                     "attach " + name + " SANDBOX [SERVICE]`";
  return Status::Ok();
}

Status HandleEnvSet(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  Environment env;
  Status s = LoadEnv(ctx, cmd.name, &env);
  if (s.ok()) s = KeepSecret(env, cmd);
  if (s.ok() && cmd.secret) s = NeedKeys(ctx);
  if (!s.ok()) return s;
  s = SetEnvEntry(ctx.db, KeysOrNone(ctx), cmd.name, cmd.key, cmd.secret ? "secret" : "var",
                  cmd.value, cmd.as_env);
  if (!s.ok()) return s;
  const std::string what =
      cmd.secret ? (cmd.as_env ? "secret, also a variable" : "secret") : "variable";
  reply->audit_detail = cmd.name + ": " + cmd.key + " (" + what + ")";
  std::string title = "Set " + cmd.key + " in environment " + cmd.name + " (" + what + ")";
  if (cmd.secret) title += " — /run/secrets/" + cmd.key;
  return FinishChange(ctx, req, title, reply);
}

Status HandleEnvSetFile(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  if (cmd.payload.empty()) {
    return Status::InvalidArgument(
        "no file content: a chat message cannot carry a file. From the host run `sandbot env "
        "set-file " +
        cmd.name + " " + cmd.key + (cmd.secret ? " --secret" : "") + " < FILE`");
  }
  Environment env;
  Status s = LoadEnv(ctx, cmd.name, &env);
  if (s.ok()) s = KeepSecret(env, cmd);
  if (s.ok() && cmd.secret) s = NeedKeys(ctx);
  if (!s.ok()) return s;
  s = SetEnvEntry(ctx.db, KeysOrNone(ctx), cmd.name, cmd.key, cmd.secret ? "secret_file" : "file",
                  cmd.payload, false);
  if (!s.ok()) return s;
  const std::string what = cmd.secret ? "secret file" : "file";
  reply->audit_detail = cmd.name + ": " + cmd.key + " (" + what + ", " +
                        std::to_string(cmd.payload.size()) + " bytes)";
  return FinishChange(ctx, req,
                      "Set " + what + " " + cmd.key + " in environment " + cmd.name + " (" +
                          std::to_string(cmd.payload.size()) + " bytes, read-only in the " +
                          "containers)",
                      reply);
}

Status HandleEnvUnset(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  Environment env;
  Status s = LoadEnv(ctx, cmd.name, &env);
  if (s.ok()) s = UnsetEnvEntry(ctx.db, cmd.name, cmd.key);
  if (!s.ok()) return s;
  reply->audit_detail = cmd.name + ": " + cmd.key;
  return FinishChange(ctx, req, "Removed " + cmd.key + " from environment " + cmd.name, reply);
}

Status HandleEnvShow(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Environment env;
  Status s = LoadEnv(ctx, req.command.name, &env);
  if (!s.ok()) return s;
  std::string text;
  for (const EnvEntry& e : env.entries) {
    std::string line = "• ";
    if (e.kind == "var") {
      line += e.key + "=" + Shorten(e.value);
    } else if (e.kind == "secret") {
      line += e.key + "=" + kMask + " (secret: /run/secrets/" + e.key +
              (e.as_env ? ", also a variable)" : ")");
    } else if (e.kind == "file") {
      line += e.key + " (file, " + std::to_string(e.value.size()) + " bytes)";
    } else {
      line += e.key + " (secret file, " + std::to_string(SealedSize(e.value)) + " bytes) " + kMask;
    }
    text += (text.empty() ? "" : "\n") + line;
  }
  if (text.empty()) text = "(empty: `/env set " + env.name + " KEY=VALUE [--secret]`)";
  std::string where;
  for (const EnvAttachment& a : env.attachments) {
    where += (where.empty() ? "" : ", ") + Where(a.sandbox, a.service);
  }
  text += "\nattached to: " + (where.empty() ? "nothing yet" : where);
  reply->view.kind = "env";
  reply->view.title = "environment " + env.name;
  reply->view.text = text;
  return Status::Ok();
}

Status HandleEnvList(const HandlerContext& ctx, const Request&, Reply* reply) {
  std::vector<Environment> envs;
  Status s = ListEnvironments(ctx.db, &envs);
  if (!s.ok()) return s;
  std::string text;
  for (const Environment& env : envs) {
    int vars = 0, secrets = 0, files = 0;
    for (const EnvEntry& e : env.entries) {
      if (e.kind == "var") ++vars;
      if (e.kind == "secret") ++secrets;
      if (e.is_file()) ++files;
    }
    std::string where;
    for (const EnvAttachment& a : env.attachments) {
      where += (where.empty() ? "" : ", ") + Where(a.sandbox, a.service);
    }
    text += (text.empty() ? "" : "\n") + std::string("• ") + env.name + ": " +
            std::to_string(vars) + " variables, " + std::to_string(secrets) + " secrets, " +
            std::to_string(files) + " files; " +
            (where.empty() ? "not attached" : "attached to " + where);
  }
  reply->view.kind = "env";
  reply->view.title = "environments";
  reply->view.text = text.empty() ? "none yet: `/env create NAME`" : text;
  return Status::Ok();
}

namespace {

Status Attach(const HandlerContext& ctx, const Request& req, Reply* reply, bool attach) {
  const Command& cmd = req.command;
  Environment env;
  Status s = LoadEnv(ctx, cmd.name, &env);
  Sandbox sandbox;
  if (s.ok()) s = LoadActiveSandbox(ctx, cmd.sandbox, &sandbox);
  // A compose service of one of its repos is known there by its own name.
  if (s.ok() && attach && !cmd.service.empty() && !FindService(sandbox, cmd.service)) {
    s = CheckKnownService(ctx, cmd.service);
  }
  if (!s.ok()) return s;
  reply->sandbox = sandbox.name;
  const std::string where = Where(sandbox.name, cmd.service);
  bool already = false;
  if (attach) {
    s = AttachEnvironment(ctx.db, cmd.name, sandbox.id, cmd.service, ActorOf(req), &already);
  } else {
    s = DetachEnvironment(ctx.db, cmd.name, sandbox.id, cmd.service);
    if (s.IsNotFound()) {
      std::string list;
      for (const EnvAttachment& a : env.attachments) {
        list += (list.empty() ? "" : ", ") + Where(a.sandbox, a.service);
      }
      return Status::NotFound("environment " + cmd.name + " is not attached to " + where +
                              "; it is attached to " + (list.empty() ? "nothing" : list));
    }
  }
  if (!s.ok()) return s;
  reply->view.kind = "env";
  if (already) {
    reply->view.title = "Environment " + cmd.name + " is already attached to " + where;
    return Status::Ok();
  }
  std::string note;
  s = ApplyNow(ctx, req, {sandbox.name}, reply, &note);
  if (!s.ok()) return s;
  reply->view.title = (attach ? "Attached environment " : "Detached environment ") + cmd.name +
                      (attach ? " to " : " from ") + where;
  reply->view.text = note;
  return Status::Ok();
}

}  // namespace

Status HandleEnvAttach(const HandlerContext& ctx, const Request& req, Reply* reply) {
  return Attach(ctx, req, reply, true);
}

Status HandleEnvDetach(const HandlerContext& ctx, const Request& req, Reply* reply) {
  return Attach(ctx, req, reply, false);
}

Status HandleEnvDelete(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Environment env;
  Status s = LoadEnv(ctx, req.command.name, &env);
  if (s.ok()) s = DeleteEnvironment(ctx.db, req.command.name);
  if (!s.ok()) return s;
  reply->view.kind = "env";
  reply->view.title = "Deleted environment " + req.command.name;
  return Status::Ok();
}

Status HandleEnvRotateKey(const HandlerContext& ctx, const Request&, Reply* reply) {
  Status s = NeedKeys(ctx);
  int resealed = 0;
  if (s.ok()) s = ctx.secrets->Rotate(ctx.db, &resealed);
  if (!s.ok()) return s;
  reply->audit_detail = std::to_string(resealed) + " secrets re-encrypted";
  reply->view.kind = "env";
  reply->view.title = "Rotated the secrets key";
  reply->view.text = std::to_string(resealed) +
                     " secrets re-encrypted under a new key in the data folder's secret.key. "
                     "Back it up now: the previous backup no longer opens them. Running "
                     "containers keep their values (they did not change).";
  return Status::Ok();
}

}  // namespace sandbot
