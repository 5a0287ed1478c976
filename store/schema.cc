// The store's schema, as numbered migrations. Migration N moves a database
// from PRAGMA user_version N-1 to N; never edit a migration that has shipped,
// add a new one.
//
// Tables and their invariants:
//   repos        a bare repository sandbot watches; `name` is also the service
//                name it deploys as, so it is a safe DNS label.
//   sandboxes    a named set of services; `origin_repo/origin_branch` are set
//                when a push created it, so deleting that branch destroys it.
//   services     one repo deployed in one sandbox at one branch; its status is
//                the last stage a worker reached.
//   ports        host ports handed to services. The PRIMARY KEY on `port`
//                makes it impossible for two services to hold one port.
//   jobs         the durable work queue; job_events are its stage lines, which
//                the hook streams to the pusher.
//   deployments  one attempt to run a commit, with the tail of its log.
//   audit        append-only and hash-chained (triggers refuse UPDATE and DELETE
//                but for sealing and archiving; store/audit.h)
//   pushes_seen  the id of every push already turned into jobs, recorded in
//                the same transaction: a push retried by the hook, or spooled
//                after a timeout, or ingested again after a crash, counts once.
//   routes       per sandbox and known service: where {SERVICE}_URL points when
//                it differs from the default (sandbox if deployed, else baseline).
//   channel_defaults / user_sandboxes  which sandbox a chat command means when
//                it names none: the channel's default, else the caller's last.
//   job_replies  where to report a job's progress (a chat response_url, which
//                takes at most 5 posts in 30 minutes).
//   outbox       messages to chat services, sent in order by one sender and
//                retried with backoff; kept after sending for inspection.
//   baselines    shared-environment URLs set with `/baseline set`; the
//                configuration file's are written here at start.
//   templates    a named sandbox recipe (JSON: services with a branch or
//                baseline/URL, gateway); sandboxes.template names the one used.
//   environments variables, secrets and files; env_entries values of kind
//                secret and secret_file are sealed (store/secret_box.h), never
//                plain text. env_attachments ties one to a sandbox or to one
//                service of it ('' = every service).
//   snapshots    a sandbox's commits, environments and routes under a name
//                (JSON), for `/sandbox restore`.
//   sandboxes    (v2) state active | suspended | destroying; locked_by != ''
//                holds its deploys in the queue; last_active_at counts idle time.
//   notices      (v2) messages for a sandbox's owner (idle expiry), shown in
//                the answer of their next command.
//   job_events   (v4) a step as fields: stage (util/job_event.h names), the
//                service, commit and URL it is about, and a message for the
//                rest; readers render lines from them.
//   forges       (v8) a GitHub, Gitea/Forgejo or GitLab server: its API URL and
//                where its token and webhook secret are read from ("env:VAR" or
//                "file:/path"), never the values themselves.
//   forge_repos  (v8) a repo whose code comes from a forge: which forge and
//                repository ("acme/web"), the clone URL its mirror fetches
//                from, and its preview policy (auto | comment | label:NAME).
//   forge_deliveries (v8) every webhook delivery by (forge, delivery id):
//                a redelivery is recognised and does nothing twice; `/why`
//                reads them.
//   pull_requests (v8) one PR (or MR) of a forge repo: its head, its preview
//                sandbox, the SHA deployed and the time of the event that
//                set the head (an older event never moves it back).
//   pr_deployments a PR's deployment on its forge: GitHub's deployment of
//                the sha (environment pr-N), GitLab's environment id.
//   forge_job_comments the comment whose command queued a job: it gets a
//                reaction when the job ends.
namespace sandbot {

namespace {

const char* const kMigrations[] = {
    // 1: the first schema.
    R"sql(
CREATE TABLE repos(
  name           TEXT PRIMARY KEY,
  path           TEXT NOT NULL UNIQUE,
  port           INTEGER NOT NULL DEFAULT 8080,
  health         TEXT NOT NULL DEFAULT '/',
  image          TEXT NOT NULL DEFAULT '',
  cmd            TEXT NOT NULL DEFAULT '[]',
  default_branch TEXT NOT NULL DEFAULT 'main',
  auto_branches  TEXT NOT NULL DEFAULT '*',
  wait           INTEGER NOT NULL DEFAULT 0,
  created_at     INTEGER NOT NULL
);
CREATE TABLE sandboxes(
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  created_by    TEXT NOT NULL,
  origin_repo   TEXT NOT NULL DEFAULT '',
  origin_branch TEXT NOT NULL DEFAULT '',
  state         TEXT NOT NULL DEFAULT 'active' CHECK(state IN ('active','destroying')),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX sandboxes_origin ON sandboxes(origin_repo, origin_branch);
CREATE TABLE services(
  id           INTEGER PRIMARY KEY,
  sandbox_id   INTEGER NOT NULL REFERENCES sandboxes(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  repo         TEXT NOT NULL,
  branch       TEXT NOT NULL,
  commit_sha   TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'queued' CHECK(status IN
                 ('queued','building','starting','running','failed','stopped','suspended')),
  route        TEXT NOT NULL DEFAULT 'sandbox',
  container_id TEXT NOT NULL DEFAULT '',
  image        TEXT NOT NULL DEFAULT '',
  url          TEXT NOT NULL DEFAULT '',
  detail       TEXT NOT NULL DEFAULT '',
  updated_at   INTEGER NOT NULL,
  UNIQUE(sandbox_id, name)
);
CREATE INDEX services_repo_branch ON services(repo, branch);
CREATE TABLE ports(
  port       INTEGER PRIMARY KEY,
  service_id INTEGER NOT NULL UNIQUE REFERENCES services(id) ON DELETE CASCADE
);
CREATE TABLE jobs(
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK(kind IN ('deploy','destroy','reroute')),
  sandbox     TEXT NOT NULL,
  service     TEXT NOT NULL DEFAULT '',
  branch      TEXT NOT NULL DEFAULT '',
  commit_sha  TEXT NOT NULL DEFAULT '',
  state       TEXT NOT NULL DEFAULT 'queued' CHECK(state IN
                ('queued','running','succeeded','failed','cancelled')),
  actor       TEXT NOT NULL,
  source      TEXT NOT NULL,
  detail      TEXT NOT NULL DEFAULT '',
  attempts    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  started_at  INTEGER,
  finished_at INTEGER
);
CREATE INDEX jobs_state ON jobs(state, id);
CREATE TABLE job_events(
  id      INTEGER PRIMARY KEY,
  job_id  INTEGER NOT NULL REFERENCES jobs(id),
  time    INTEGER NOT NULL,
  stage   TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX job_events_job ON job_events(job_id, id);
CREATE TABLE deployments(
  id           INTEGER PRIMARY KEY,
  job_id       INTEGER NOT NULL REFERENCES jobs(id),
  sandbox      TEXT NOT NULL,
  service      TEXT NOT NULL,
  commit_sha   TEXT NOT NULL,
  image        TEXT NOT NULL DEFAULT '',
  container_id TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'running',
  log          TEXT NOT NULL DEFAULT '',
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER
);
CREATE TABLE audit(
  id         INTEGER PRIMARY KEY,
  time       INTEGER NOT NULL,
  actor      TEXT NOT NULL,
  source     TEXT NOT NULL,
  action     TEXT NOT NULL,
  sandbox    TEXT NOT NULL DEFAULT '',
  repo       TEXT NOT NULL DEFAULT '',
  branch     TEXT NOT NULL DEFAULT '',
  commit_sha TEXT NOT NULL DEFAULT '',
  status     TEXT NOT NULL DEFAULT '',
  detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_sandbox ON audit(sandbox, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE pushes_seen(
  id   TEXT PRIMARY KEY,
  time INTEGER NOT NULL
);
CREATE TABLE routes(
  sandbox_id INTEGER NOT NULL REFERENCES sandboxes(id) ON DELETE CASCADE,
  service    TEXT NOT NULL,
  target     TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY(sandbox_id, service)
);
CREATE TABLE channel_defaults(
  channel    TEXT PRIMARY KEY,
  sandbox    TEXT NOT NULL,
  set_by     TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE user_sandboxes(
  user       TEXT PRIMARY KEY,
  sandbox    TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE job_replies(
  id            INTEGER PRIMARY KEY,
  job_id        INTEGER NOT NULL REFERENCES jobs(id),
  transport     TEXT NOT NULL CHECK(transport IN ('slack','mattermost','teams')),
  url           TEXT NOT NULL,
  posts         INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL
);
CREATE INDEX job_replies_job ON job_replies(job_id);
CREATE TABLE outbox(
  id           INTEGER PRIMARY KEY,
  url          TEXT NOT NULL,
  body         TEXT NOT NULL,
  content_type TEXT NOT NULL DEFAULT 'application/json',
  purpose      TEXT NOT NULL DEFAULT '',
  state        TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending','sent','failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_at      INTEGER NOT NULL,
  last_error   TEXT NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL,
  sent_at      INTEGER
);
CREATE INDEX outbox_pending ON outbox(state, next_at, id);
)sql",

    // 2: the sandbox model — lifecycle (suspend, lock, gateway, limits,
    // idle expiry), suspend/resume jobs, baselines set from chat,
    // templates, environments and snapshots. sandboxes and jobs are rebuilt
    // because their CHECKs gain values (Db::Migrate turns foreign keys off).
    R"sql(
CREATE TABLE sandboxes_v2(
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE,
  created_by     TEXT NOT NULL,
  origin_repo    TEXT NOT NULL DEFAULT '',
  origin_branch  TEXT NOT NULL DEFAULT '',
  state          TEXT NOT NULL DEFAULT 'active'
                   CHECK(state IN ('active','suspended','destroying')),
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  template       TEXT NOT NULL DEFAULT '',
  gateway        TEXT NOT NULL DEFAULT '',
  locked_by      TEXT NOT NULL DEFAULT '',
  locked_at      INTEGER NOT NULL DEFAULT 0,
  lock_reason    TEXT NOT NULL DEFAULT '',
  last_active_at INTEGER NOT NULL DEFAULT 0,
  suspended_at   INTEGER NOT NULL DEFAULT 0,
  memory_mb      INTEGER NOT NULL DEFAULT 0,
  cpus           REAL NOT NULL DEFAULT 0
);
INSERT INTO sandboxes_v2(id, name, created_by, origin_repo, origin_branch, state, created_at,
                         updated_at, last_active_at)
  SELECT id, name, created_by, origin_repo, origin_branch, state, created_at, updated_at,
         updated_at FROM sandboxes;
DROP TABLE sandboxes;
ALTER TABLE sandboxes_v2 RENAME TO sandboxes;
CREATE INDEX sandboxes_origin ON sandboxes(origin_repo, origin_branch);

ALTER TABLE services ADD COLUMN memory_mb INTEGER NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN cpus REAL NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN health TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN restarts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN health_checked_at INTEGER NOT NULL DEFAULT 0;

CREATE TABLE jobs_v2(
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK(kind IN ('deploy','destroy','reroute','suspend','resume')),
  sandbox     TEXT NOT NULL,
  service     TEXT NOT NULL DEFAULT '',
  branch      TEXT NOT NULL DEFAULT '',
  commit_sha  TEXT NOT NULL DEFAULT '',
  state       TEXT NOT NULL DEFAULT 'queued' CHECK(state IN
                ('queued','running','succeeded','failed','cancelled')),
  actor       TEXT NOT NULL,
  source      TEXT NOT NULL,
  detail      TEXT NOT NULL DEFAULT '',
  attempts    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  started_at  INTEGER,
  finished_at INTEGER
);
INSERT INTO jobs_v2 SELECT * FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_v2 RENAME TO jobs;
CREATE INDEX jobs_state ON jobs(state, id);

CREATE TABLE baselines(
  service    TEXT PRIMARY KEY,
  url        TEXT NOT NULL,
  set_by     TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE templates(
  name       TEXT PRIMARY KEY,
  body       TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE environments(
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE env_entries(
  env_id     INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  key        TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK(kind IN ('var','secret','file','secret_file')),
  value      TEXT NOT NULL,
  as_env     INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY(env_id, key)
);
CREATE TABLE env_attachments(
  env_id      INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  sandbox_id  INTEGER NOT NULL REFERENCES sandboxes(id) ON DELETE CASCADE,
  service     TEXT NOT NULL DEFAULT '',
  attached_by TEXT NOT NULL,
  attached_at INTEGER NOT NULL,
  PRIMARY KEY(env_id, sandbox_id, service)
);
CREATE INDEX env_attachments_sandbox ON env_attachments(sandbox_id);
CREATE TABLE snapshots(
  sandbox_id INTEGER NOT NULL REFERENCES sandboxes(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  body       TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY(sandbox_id, name)
);
CREATE TABLE notices(
  id         INTEGER PRIMARY KEY,
  recipient  TEXT NOT NULL,
  text       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  shown_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notices_recipient ON notices(recipient, shown_at);
ALTER TABLE repos ADD COLUMN reload_signal TEXT NOT NULL DEFAULT '';
)sql",
    // 3: a tamper-evident audit trail. Each row carries a SHA-256 over its
    // content and the previous row's hash (store/audit.h). Rows from before
    // get theirs once, in order (an UPDATE from '' is the only one allowed);
    // rows leave only by archiving, which records where the chain goes on.
    R"sql(
ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';
DROP TRIGGER audit_no_update;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  WHEN NOT (OLD.hash = '' AND NEW.hash <> '' AND NEW.id = OLD.id AND NEW.time = OLD.time AND
            NEW.actor = OLD.actor AND NEW.source = OLD.source AND NEW.action = OLD.action AND
            NEW.sandbox = OLD.sandbox AND NEW.repo = OLD.repo AND NEW.branch = OLD.branch AND
            NEW.commit_sha = OLD.commit_sha AND NEW.status = OLD.status AND
            NEW.detail = OLD.detail)
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE audit_archive_permit(id INTEGER PRIMARY KEY CHECK (id = 1));
DROP TRIGGER audit_no_delete;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  WHEN NOT EXISTS (SELECT 1 FROM audit_archive_permit)
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE audit_chain(
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  archived_through INTEGER NOT NULL,
  archived_hash    TEXT NOT NULL,
  archive          TEXT NOT NULL
);
)sql",

    // 4: job events as fields. Older rows keep their line in `message` and
    // empty fields, which readers show as the message.
    R"sql(
ALTER TABLE job_events ADD COLUMN service TEXT NOT NULL DEFAULT '';
ALTER TABLE job_events ADD COLUMN commit_sha TEXT NOT NULL DEFAULT '';
ALTER TABLE job_events ADD COLUMN url TEXT NOT NULL DEFAULT '';
)sql",
    // 5: rename jobs (`/sandbox rename OLD NEW`; the job's branch holds OLD).
    R"sql(
CREATE TABLE jobs_v5(
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK(kind IN
                ('deploy','destroy','reroute','suspend','resume','rename')),
  sandbox     TEXT NOT NULL,
  service     TEXT NOT NULL DEFAULT '',
  branch      TEXT NOT NULL DEFAULT '',
  commit_sha  TEXT NOT NULL DEFAULT '',
  state       TEXT NOT NULL DEFAULT 'queued' CHECK(state IN
                ('queued','running','succeeded','failed','cancelled')),
  actor       TEXT NOT NULL,
  source      TEXT NOT NULL,
  detail      TEXT NOT NULL DEFAULT '',
  attempts    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  started_at  INTEGER,
  finished_at INTEGER
);
INSERT INTO jobs_v5 SELECT * FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_v5 RENAME TO jobs;
CREATE INDEX jobs_state ON jobs(state, id);
)sql",
    // 6: the outbox sends in order per destination (store/outbox.h NextOutbox).
    R"sql(
CREATE INDEX outbox_destination ON outbox(state, url, id);
)sql",
    // 7: signed requests already acted on, for doors whose signature has no
    // timestamp (store/replays.h).
    R"sql(
CREATE TABLE replays_seen(
  digest TEXT PRIMARY KEY,
  until  INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 8: pull requests from forges (GitHub, Gitea/Forgejo, GitLab).
    R"sql(
CREATE TABLE forges(
  name       TEXT PRIMARY KEY,
  kind       TEXT NOT NULL CHECK(kind IN ('github','gitea','gitlab')),
  api_url    TEXT NOT NULL,
  token_ref  TEXT NOT NULL DEFAULT '',
  secret_ref TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE forge_repos(
  repo       TEXT PRIMARY KEY REFERENCES repos(name) ON DELETE CASCADE,
  forge      TEXT NOT NULL REFERENCES forges(name),
  forge_repo TEXT NOT NULL,
  clone_url  TEXT NOT NULL DEFAULT '',
  previews   TEXT NOT NULL DEFAULT 'auto',
  template   TEXT NOT NULL DEFAULT '',
  UNIQUE(forge, forge_repo)
);
CREATE TABLE forge_deliveries(
  id          INTEGER PRIMARY KEY,
  forge       TEXT NOT NULL,
  delivery    TEXT NOT NULL,
  event       TEXT NOT NULL DEFAULT '',
  forge_repo  TEXT NOT NULL DEFAULT '',
  number      INTEGER NOT NULL DEFAULT 0,
  verified    INTEGER NOT NULL DEFAULT 0,
  outcome     TEXT NOT NULL DEFAULT '',
  reason      TEXT NOT NULL DEFAULT '',
  time        INTEGER NOT NULL,
  UNIQUE(forge, delivery)
);
CREATE INDEX forge_deliveries_pr ON forge_deliveries(forge, forge_repo, number, id);
CREATE TABLE pull_requests(
  forge        TEXT NOT NULL,
  forge_repo   TEXT NOT NULL,
  number       INTEGER NOT NULL,
  repo         TEXT NOT NULL,
  head_sha     TEXT NOT NULL DEFAULT '',
  head_ref     TEXT NOT NULL DEFAULT '',
  head_at      INTEGER NOT NULL DEFAULT 0,
  state        TEXT NOT NULL DEFAULT 'open' CHECK(state IN ('open','closed','merged')),
  draft        INTEGER NOT NULL DEFAULT 0,
  fork         INTEGER NOT NULL DEFAULT 0,
  url          TEXT NOT NULL DEFAULT '',
  sandbox      TEXT NOT NULL DEFAULT '',
  deployed_sha TEXT NOT NULL DEFAULT '',
  approved_sha TEXT NOT NULL DEFAULT '',
  comment_id   TEXT NOT NULL DEFAULT '',
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY(forge, forge_repo, number)
);
CREATE INDEX pull_requests_sandbox ON pull_requests(sandbox);
)sql",
    // 9: a PR's deployment on its forge, and the comments whose commands made jobs.
    R"sql(
CREATE TABLE pr_deployments(
  forge         TEXT NOT NULL,
  forge_repo    TEXT NOT NULL,
  number        INTEGER NOT NULL,
  sha           TEXT NOT NULL DEFAULT '',
  deployment_id TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(forge, forge_repo, number)
);
CREATE TABLE forge_job_comments(
  job_id      INTEGER PRIMARY KEY,
  forge       TEXT NOT NULL,
  forge_repo  TEXT NOT NULL,
  number      INTEGER NOT NULL,
  comment_id  TEXT NOT NULL
);
)sql",
    // 10: forge comment commands wait for the forge's word on who may give them
    // (store/forge_commands.h).
    R"sql(
CREATE TABLE forge_comment_jobs(
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  forge    TEXT NOT NULL,
  delivery TEXT NOT NULL,
  event    TEXT NOT NULL,
  created  INTEGER NOT NULL
);
CREATE TABLE forge_permissions(
  forge      TEXT NOT NULL,
  forge_repo TEXT NOT NULL COLLATE NOCASE,
  login      TEXT NOT NULL,
  can_write  INTEGER NOT NULL,
  checked    INTEGER NOT NULL,
  PRIMARY KEY(forge, forge_repo, login)
);
CREATE TABLE forge_help_given(
  forge      TEXT NOT NULL,
  forge_repo TEXT NOT NULL COLLATE NOCASE,
  number     INTEGER NOT NULL,
  PRIMARY KEY(forge, forge_repo, number)
);
)sql",
    // 11: dashboard sessions (store/web_sessions.h): the cookie's SHA-256, never
    // the cookie; `id` is what lists and revocations name.
    R"sql(
CREATE TABLE web_sessions(
  id         TEXT PRIMARY KEY,
  digest     TEXT NOT NULL UNIQUE,
  identity   TEXT NOT NULL,
  name       TEXT NOT NULL DEFAULT '',
  role       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX web_sessions_identity ON web_sessions(identity, expires_at);
)sql",
    // The health monitor's last verdict on the sandbox's router (serve
    // --router; handlers/health.h), and when it looked (0: never).
    R"sql(
ALTER TABLE sandboxes ADD COLUMN router_health TEXT NOT NULL DEFAULT '';
ALTER TABLE sandboxes ADD COLUMN router_checked_at INTEGER NOT NULL DEFAULT 0;
)sql",
    // forge comment commands are claimed, not taken: a run that crashed is
    // run again (its effects were rolled back), at most a few times.
    R"sql(
ALTER TABLE forge_comment_jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
)sql",
    // Data seeds (store/seeds.h): named copies of a volume's content, each
    // generation an engine volume; and the volumes of each sandbox with
    // where their content came from.
    R"sql(
CREATE TABLE seeds(
  name         TEXT PRIMARY KEY,
  generation   INTEGER NOT NULL DEFAULT 0,
  volume       TEXT NOT NULL DEFAULT '',
  source_kind  TEXT NOT NULL CHECK(source_kind IN ('volume','file')),
  source       TEXT NOT NULL,
  image        TEXT NOT NULL DEFAULT '',
  state        TEXT NOT NULL DEFAULT 'copying' CHECK(state IN ('copying','ready','failed')),
  detail       TEXT NOT NULL DEFAULT '',
  created_by   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  refreshed_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sandbox_volumes(
  sandbox_id    INTEGER NOT NULL REFERENCES sandboxes(id) ON DELETE CASCADE,
  volume        TEXT NOT NULL,
  engine_volume TEXT NOT NULL,
  origin        TEXT NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL,
  PRIMARY KEY(sandbox_id, volume)
);
)sql",
    // Several engines (store/engines.h): the engine each sandbox lives on
    // ("": not placed yet; the daemon gives rows made before this migration
    // its default engine), and the engines drained of new sandboxes.
    R"sql(
ALTER TABLE sandboxes ADD COLUMN engine TEXT NOT NULL DEFAULT '';
CREATE INDEX sandboxes_engine ON sandboxes(engine);
CREATE TABLE engine_drains(
  name       TEXT PRIMARY KEY,
  drained_at INTEGER NOT NULL,
  drained_by TEXT NOT NULL DEFAULT ''
);
)sql",
    // A repo's compose file when it is not one of the standard names
    // (`repo add --compose FILE`; "": compose.yaml, compose.yml, ...).
    R"sql(
ALTER TABLE repos ADD COLUMN compose_file TEXT NOT NULL DEFAULT '';
)sql",
    // The dashboard's sandbox list, newest first, 50 a page: read in this
    // order instead of sorting every row for each page.
    R"sql(
CREATE INDEX sandboxes_created ON sandboxes(created_at, id);
)sql",
    // Scheduled seed refreshes (store/seeds.h): the period, and when the
    // last copy began (a seed made before counts from its creation).
    R"sql(
ALTER TABLE seeds ADD COLUMN refresh_every INTEGER NOT NULL DEFAULT 0;
ALTER TABLE seeds ADD COLUMN tried_at INTEGER NOT NULL DEFAULT 0;
UPDATE seeds SET tried_at = created_at;
-- A snapshot's copy of a volume (`sandbox snapshot --with-data`): it goes
-- with the sandbox, as its snapshots do.
ALTER TABLE seeds ADD COLUMN snapshot_of INTEGER REFERENCES sandboxes(id) ON DELETE CASCADE;
)sql",
    // The engine a forge repo's previews go to ("": placed by room).
    R"sql(
ALTER TABLE forge_repos ADD COLUMN engine TEXT NOT NULL DEFAULT '';
)sql",
};

}  // namespace

int MigrationCount() { return static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0])); }

const char* MigrationSql(int version) { return kMigrations[version - 1]; }

}  // namespace sandbot
