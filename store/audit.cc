#include "store/audit.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "store/audit_page.h"

namespace sandbot {

namespace {

using nlohmann::json;

std::string Hex(const unsigned char* bytes, unsigned length) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned i = 0; i < length; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
  return out;
}

// Each field as LENGTH:BYTES; so that no two rows hash the same text.
void Field(std::string* out, const std::string& value) {
  *out += std::to_string(value.size());
  out->push_back(':');
  *out += value;
}

AuditRow RowFrom(Stmt& st) {
  AuditRow r;
  r.id = st.Int(0);
  r.time = st.Int(1);
  r.actor = st.Text(2);
  r.source = st.Text(3);
  r.action = st.Text(4);
  r.sandbox = st.Text(5);
  r.repo = st.Text(6);
  r.branch = st.Text(7);
  r.commit = st.Text(8);
  r.status = st.Text(9);
  r.detail = st.Text(10);
  r.hash = st.Text(11);
  return r;
}

// The columns RowOf reads, in its order.
#define SANDBOT_AUDIT_COLUMNS \
  "id, time, actor, source, action, sandbox, repo, branch, commit_sha, status, detail, hash"
constexpr char kSelectAllRows[] = "SELECT " SANDBOT_AUDIT_COLUMNS " FROM audit ORDER BY id";
#undef SANDBOT_AUDIT_COLUMNS

json RowJson(const AuditRow& r) {
  return {{"id", r.id},         {"time", r.time},       {"actor", r.actor},   {"source", r.source},
          {"action", r.action}, {"sandbox", r.sandbox}, {"repo", r.repo},     {"branch", r.branch},
          {"commit", r.commit}, {"status", r.status},   {"detail", r.detail}, {"hash", r.hash}};
}

bool RowFromJson(const json& j, AuditRow* r) {
  if (!j.is_object()) return false;
  try {
    r->id = j.at("id").get<int64_t>();
    r->time = j.at("time").get<int64_t>();
    r->actor = j.at("actor").get<std::string>();
    r->source = j.at("source").get<std::string>();
    r->action = j.at("action").get<std::string>();
    r->sandbox = j.at("sandbox").get<std::string>();
    r->repo = j.at("repo").get<std::string>();
    r->branch = j.at("branch").get<std::string>();
    r->commit = j.at("commit").get<std::string>();
    r->status = j.at("status").get<std::string>();
    r->detail = j.at("detail").get<std::string>();
    r->hash = j.at("hash").get<std::string>();
  } catch (const json::exception&) {
    return false;
  }
  return true;
}

// The hash the next row chains to: the newest row's, else where the last
// archive ended, else "" (the chain's start).
Status ChainTip(Db* db, std::string* tip) {
  Stmt last(db, "SELECT hash FROM audit ORDER BY id DESC LIMIT 1");
  if (last.Step()) {
    *tip = last.Text(0);
    return Status::Ok();
  }
  if (!last.status().ok()) return last.status();
  Stmt anchor(db, "SELECT archived_hash FROM audit_chain WHERE id = 1");
  *tip = anchor.Step() ? anchor.Text(0) : "";
  return anchor.status();
}

// Rows written before the chain existed get their hashes once, in order.
Status SealUnhashedRows(Db* db) {
  Stmt first(db, "SELECT hash FROM audit ORDER BY id LIMIT 1");
  if (!first.Step() || !first.Text(0).empty()) return first.status();
  std::vector<AuditRow> rows;
  Stmt all(db, kSelectAllRows);
  while (all.Step()) rows.push_back(RowFrom(all));
  if (!all.status().ok()) return all.status();
  std::string previous;
  Stmt anchor(db, "SELECT archived_hash FROM audit_chain WHERE id = 1");
  if (anchor.Step()) previous = anchor.Text(0);
  for (AuditRow& r : rows) {
    if (r.hash.empty()) {
      r.hash = AuditRowHash(previous, r);
      Stmt seal(db, "UPDATE audit SET hash = ? WHERE id = ?");
      seal.Bind(1, r.hash).Bind(2, r.id);
      Status s = seal.Run();
      if (!s.ok()) return s;
    }
    previous = r.hash;
  }
  return Status::Ok();
}

// Archive files in `dir`, oldest first (by their first id).
std::vector<std::pair<int64_t, std::string>> ArchiveFiles(const std::string& dir) {
  std::vector<std::pair<int64_t, std::string>> files;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return files;
  while (dirent* e = readdir(d)) {
    long long first = 0, last = 0;
    char tail[32] = "";
    if (std::sscanf(e->d_name, "audit-%lld-%lld.jsonl%31s", &first, &last, tail) == 3 &&
        std::string(tail) == ".gz") {
      files.emplace_back(first, dir + "/" + e->d_name);
    }
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  return files;
}

bool ReadGzipLines(const std::string& path, std::vector<std::string>* lines) {
  gzFile in = gzopen(path.c_str(), "rb");
  if (in == nullptr) return false;
  std::string current;
  char buffer[65536];
  int n;
  while ((n = gzread(in, buffer, sizeof buffer)) > 0) {
    for (int i = 0; i < n; ++i) {
      if (buffer[i] == '\n') {
        lines->push_back(std::move(current));
        current.clear();
      } else {
        current.push_back(buffer[i]);
      }
    }
  }
  const bool ok = n == 0;
  gzclose(in);
  if (!current.empty()) lines->push_back(std::move(current));
  return ok;
}

Status SyncPath(const std::string& path, int flags) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("cannot open " + path + " to sync it");
  const bool ok = fsync(fd) == 0;
  close(fd);
  return ok ? Status::Ok() : Status::Unavailable("cannot sync " + path + " (disk full?)");
}

}  // namespace

std::string AuditRowHash(const std::string& previous_hash, const AuditRow& r) {
  std::string text = "sandbot-audit-1\n";
  Field(&text, previous_hash);
  Field(&text, std::to_string(r.id));
  Field(&text, std::to_string(r.time));
  for (const std::string* f : {&r.actor, &r.source, &r.action, &r.sandbox, &r.repo, &r.branch,
                               &r.commit, &r.status, &r.detail}) {
    Field(&text, *f);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  return Hex(digest, length);
}

Status AppendAudit(Db* db, const AuditRow& row) {
  // BEGIN IMMEDIATE (or a savepoint in the caller's): the tip read and the
  // insert are one step even with other connections appending.
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  Status s = SealUnhashedRows(db);
  std::string tip;
  if (s.ok()) s = ChainTip(db, &tip);
  if (!s.ok()) return s;
  AuditRow r = row;
  if (r.time == 0) r.time = NowMillis();
  {
    Stmt next(db,
              "SELECT COALESCE(MAX(id), 0) + 1, "
              "(SELECT COALESCE(MAX(archived_through), 0) + 1 FROM audit_chain) FROM audit");
    if (!next.Step()) return next.status();
    r.id = std::max(next.Int(0), next.Int(1));
  }
  r.hash = AuditRowHash(tip, r);
  Stmt st(db,
          "INSERT INTO audit(id, time, actor, source, action, sandbox, repo, branch, commit_sha, "
          "status, detail, hash) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
  st.Bind(1, r.id).Bind(2, r.time).Bind(3, r.actor).Bind(4, r.source);
  st.Bind(5, r.action).Bind(6, r.sandbox).Bind(7, r.repo).Bind(8, r.branch);
  st.Bind(9, r.commit).Bind(10, r.status).Bind(11, r.detail).Bind(12, r.hash);
  s = st.Run();
  if (s.ok()) s = tx.Commit();
  return s;
}

Status ListAudit(Db* db, const std::string& sandbox, int limit, std::vector<AuditRow>* rows) {
  // The newest `limit` rows, returned oldest first.
  Stmt st(db,
          "SELECT * FROM (SELECT id, time, actor, source, action, sandbox, repo, branch, "
          "commit_sha, status, detail, hash FROM audit WHERE (?1 = '' OR sandbox = ?1) "
          "ORDER BY id DESC LIMIT ?2) ORDER BY id");
  st.Bind(1, sandbox).Bind(2, limit > 0 ? limit : -1);
  while (st.Step()) rows->push_back(RowFrom(st));
  return st.status();
}

Status ListAuditPage(Db* db, const AuditQuery& q, std::vector<AuditRow>* rows, bool* more) {
  rows->clear();
  // Newest first by id (the primary key, or audit_sandbox for one sandbox);
  // one row past the page tells whether there is a next one. The prefix
  // test compares the first characters: LIKE would make '_' and '%' in the
  // filter wildcards.
  Stmt st(db,
          "SELECT id, time, actor, source, action, sandbox, repo, branch, commit_sha, status, "
          "detail, hash FROM audit WHERE (?1 = '' OR sandbox = ?1) "
          "AND (?2 = '' OR instr(actor, ?2) > 0) "
          "AND (?3 = '' OR substr(action, 1, length(?3)) = ?3) "
          "AND (?4 = 0 OR time >= ?4) AND (?5 = 0 OR time < ?5) "
          "ORDER BY id DESC LIMIT ?6 OFFSET ?7");
  const int limit = std::max(1, q.limit);
  st.Bind(1, q.sandbox).Bind(2, q.actor).Bind(3, q.action).Bind(4, q.from_ms).Bind(5, q.to_ms);
  st.Bind(6, limit + 1).Bind(7, std::max(0, q.offset));
  while (st.Step()) rows->push_back(RowFrom(st));
  *more = rows->size() > static_cast<size_t>(limit);
  if (*more) rows->pop_back();
  return st.status();
}

Status VerifyAuditChain(Db* db, const std::string& archive_dir, AuditChainReport* report) {
  *report = AuditChainReport();
  auto broken = [report](int64_t id, std::string problem) {
    report->whole = false;
    report->broken_at = id;
    report->problem = std::move(problem);
    return Status::Ok();
  };
  std::string previous;
  bool first_file = true;
  for (const auto& [first_id, path] : ArchiveFiles(archive_dir)) {
    std::vector<std::string> lines;
    if (!ReadGzipLines(path, &lines) || lines.empty()) {
      return broken(first_id, path + " cannot be read whole");
    }
    const json trailer = json::parse(lines.back(), nullptr, false);
    if (!trailer.is_object() || trailer.value("sandbot_audit_archive", 0) != 1) {
      return broken(first_id, path + " has no trailer: it was cut short");
    }
    const std::string starts = trailer.value("previous_hash", "");
    if (!first_file && starts != previous) {
      return broken(first_id, path + " does not follow the archive before it");
    }
    previous = starts;
    first_file = false;
    for (size_t i = 0; i + 1 < lines.size(); ++i) {
      AuditRow r;
      if (!RowFromJson(json::parse(lines[i], nullptr, false), &r)) {
        return broken(first_id, path + " line " + std::to_string(i + 1) + " is not a row");
      }
      if (AuditRowHash(previous, r) != r.hash) {
        return broken(r.id, "row " + std::to_string(r.id) + " in " + path +
                                " was changed, or a row before it removed");
      }
      previous = r.hash;
      ++report->rows;
    }
    if (trailer.value("last_hash", "") != previous) {
      return broken(first_id, path + " ends on another hash than its trailer says");
    }
    ++report->archives;
  }
  // The store's rows go on from where the archives (or the record of them) end.
  Stmt anchor(db, "SELECT archived_through, archived_hash FROM audit_chain WHERE id = 1");
  if (anchor.Step()) {
    if (report->archives == 0) previous = anchor.Text(1);
    if (anchor.Text(1) != previous) {
      return broken(anchor.Int(0),
                    "the store continues from another hash than the newest "
                    "archive ends on (an archive is missing or was replaced)");
    }
  } else if (!anchor.status().ok()) {
    return anchor.status();
  }
  Stmt st(db, kSelectAllRows);
  while (st.Step()) {
    AuditRow r = RowFrom(st);
    if (r.hash.empty()) {
      previous = AuditRowHash(previous, r);  // before the chain began: sealed at the next write
    } else if (AuditRowHash(previous, r) != r.hash) {
      return broken(r.id, "row " + std::to_string(r.id) +
                              " was changed, or a row before it was removed or inserted");
    } else {
      previous = r.hash;
    }
    ++report->rows;
  }
  if (!st.status().ok()) return st.status();
  report->last_hash = previous;
  return Status::Ok();
}

Status ArchiveAudit(Db* db, int64_t before_ms, const std::string& archive_dir, int64_t* archived,
                    std::string* file) {
  *archived = 0;
  file->clear();
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  Status s = SealUnhashedRows(db);
  if (!s.ok()) return s;
  std::string previous;
  Stmt anchor(db, "SELECT archived_hash FROM audit_chain WHERE id = 1");
  if (anchor.Step()) previous = anchor.Text(0);
  // The run of oldest rows older than the cut: the chain stays one piece.
  std::vector<AuditRow> rows;
  Stmt st(db, kSelectAllRows);
  while (st.Step()) {
    AuditRow r = RowFrom(st);
    if (r.time >= before_ms) break;
    rows.push_back(std::move(r));
  }
  if (!st.status().ok()) return st.status();
  if (rows.empty()) return Status::Ok();
  mkdir(archive_dir.c_str(), 0750);
  const std::string name = archive_dir + "/audit-" + std::to_string(rows.front().id) + "-" +
                           std::to_string(rows.back().id) + ".jsonl.gz";
  const std::string partial = name + ".partial";
  gzFile out = gzopen(partial.c_str(), "wb9");
  if (out == nullptr) {
    return Status::Unavailable("cannot write the audit archive " + partial +
                               "; nothing was deleted");
  }
  bool ok = true;
  for (const AuditRow& r : rows) {
    const std::string line = RowJson(r).dump() + "\n";
    ok = ok && gzwrite(out, line.data(), static_cast<unsigned>(line.size())) > 0;
  }
  const json trailer = {{"sandbot_audit_archive", 1},
                        {"first_id", rows.front().id},
                        {"last_id", rows.back().id},
                        {"previous_hash", previous},
                        {"last_hash", rows.back().hash}};
  const std::string last = trailer.dump() + "\n";
  ok = ok && gzwrite(out, last.data(), static_cast<unsigned>(last.size())) > 0;
  ok = gzclose(out) == Z_OK && ok;
  if (ok) s = SyncPath(partial, O_RDONLY);
  if (!ok || !s.ok()) {
    unlink(partial.c_str());
    return Status::Unavailable("cannot write the audit archive " + partial +
                               " (disk full?); nothing was deleted");
  }
  if (rename(partial.c_str(), name.c_str()) != 0) {
    unlink(partial.c_str());
    return Status::Unavailable("cannot rename " + partial + "; nothing was deleted");
  }
  s = SyncPath(archive_dir, O_RDONLY | O_DIRECTORY);
  if (s.ok()) s = db->Exec("INSERT INTO audit_archive_permit(id) VALUES(1)");
  if (s.ok()) {
    Stmt del(db, "DELETE FROM audit WHERE id <= ?");
    del.Bind(1, rows.back().id);
    s = del.Run();
  }
  if (s.ok()) s = db->Exec("DELETE FROM audit_archive_permit");
  if (s.ok()) {
    Stmt chain(db,
               "INSERT INTO audit_chain(id, archived_through, archived_hash, archive) "
               "VALUES(1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
               "archived_through = excluded.archived_through, "
               "archived_hash = excluded.archived_hash, archive = excluded.archive");
    chain.Bind(1, rows.back().id).Bind(2, rows.back().hash).Bind(3, name);
    s = chain.Run();
  }
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) return s;  // the archive stays: its rows are also still in the store
  *archived = static_cast<int64_t>(rows.size());
  *file = name;
  return Status::Ok();
}

}  // namespace sandbot
