#!/usr/bin/env node
// A forge stand-in on loopback for sandbot's tests: one HTTP server that
//   - serves bare git repositories over smart HTTP through the real
//     `git http-backend` (clone, fetch, push), optionally behind a token;
//   - answers the GitHub REST calls sandbot makes (at / and at /api/v3, as
//     github.com and GitHub Enterprise do), each request first checked against
//     GitHub's published OpenAPI description (npm @octokit/openapi): a method
//     and path the API does not have, a path parameter, query or JSON body
//     that does not validate is answered like the real API (404 or 422) and
//     recorded as a violation;
//   - answers a Gitea (/api/v1) and a GitLab (/api/v4) subset of the same
//     calls, structurally checked (JSON schemas written from their docs);
//   - keeps the state a forge would (comments with ids and timestamps,
//     reactions, commit statuses, deployments and their statuses, pull
//     requests, permissions), shared by the three views of one repository;
//   - appends every call to a JSON-lines file (method, path, query, body,
//     status, violation) for the shell tests to assert on with jq;
//   - has a control API under /_fake/ (never recorded) to create repos, set
//     pull requests and permissions, add or delete users' comments, inject
//     faults (500, 429 with Retry-After, 403 rate limit with
//     x-ratelimit-reset) and dump the state.
// tests/forge/README.md documents the options, the control API and the
// record format.
'use strict';

const http = require('http');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { spawn, execFileSync } = require('child_process');

// --- options --------------------------------------------------------------------

function parseArgs(argv) {
  const o = {
    port: Number(process.env.FAKE_FORGE_PORT || 0),
    host: '127.0.0.1',
    repos: process.env.FAKE_FORGE_REPOS || '',
    log: process.env.FAKE_FORGE_LOG || '',
    token: process.env.FAKE_FORGE_TOKEN || '',
    portFile: '',
    botLogin: 'sandbot[bot]',
    secondaryLimit: 80, // content-creating requests a minute per token (GitHub's)
    defaultPermission: 'read', // a user the test did not name (public repo)
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--port': o.port = Number(v()); break;
      case '--host': o.host = v(); break;
      case '--repos': o.repos = v(); break;
      case '--log': o.log = v(); break;
      case '--token': o.token = v(); break;
      case '--token-file': o.token = fs.readFileSync(v(), 'utf8').trim(); break;
      case '--port-file': o.portFile = v(); break;
      case '--bot-login': o.botLogin = v(); break;
      case '--secondary-limit': o.secondaryLimit = Number(v()); break;
      case '--default-permission': o.defaultPermission = v(); break;
      case '-h': case '--help':
        process.stdout.write(
          'usage: fake_forge.js --repos DIR --log FILE [--port N] [--port-file F]\n' +
          '       [--token T | --token-file F] [--bot-login L] [--secondary-limit N]\n' +
          '       [--default-permission read|none|write]\n');
        process.exit(0);
      default: throw new Error(`unknown option ${a}`);
    }
  }
  if (!o.repos) throw new Error('--repos DIR is required (the folder of bare repositories)');
  if (!o.log) throw new Error('--log FILE is required (the JSON-lines record of calls)');
  fs.mkdirSync(o.repos, { recursive: true });
  o.repos = fs.realpathSync(o.repos);
  return o;
}

const opts = parseArgs(process.argv);
let baseUrl = ''; // http://127.0.0.1:PORT, once listening

// --- state ----------------------------------------------------------------------

function freshState() {
  return {
    // Large ids, as GitHub's are today (comment ids passed 2^31 long ago).
    nextId: { comment: 3000000001, reaction: 400000001, status: 30000000001, deployment: 2000000001,
              deploymentStatus: 9000000001, environment: 101, project: 1001 },
    repos: {},   // "o/r" -> repo state
    users: {},   // login -> numeric id
    faults: [],  // {method, re, count, status, retryAfter, ratelimitReset, body}
    creations: {}, // token -> [ms of content-creating calls] (secondary limit)
  };
}
let state = freshState();

const nowIso = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function userId(login) {
  if (!(login in state.users)) state.users[login] = 5000 + Object.keys(state.users).length + 1;
  return state.users[login];
}

function repoDir(full) { return path.join(opts.repos, `${full}.git`); }
function repoExists(full) { return fs.existsSync(path.join(repoDir(full), 'HEAD')); }

function repoState(full) {
  if (!state.repos[full]) {
    state.repos[full] = {
      id: state.nextId.project++, full, defaultBranch: 'main',
      pulls: {}, comments: {}, statuses: {}, deployments: {}, environments: {},
      permissions: {}, reactions: {},
    };
  }
  return state.repos[full];
}

// Repos known to the fake: bare repos on disk, and any a test set state on.
function findRepo(full) {
  if (state.repos[full] || repoExists(full)) return repoState(full);
  return null;
}

function repoByProjectId(id) {
  const dec = decodeURIComponent(id);
  if (/^\d+$/.test(dec)) {
    // Repos on disk get their id when first seen: list them so ids are stable.
    for (const full of listReposOnDisk()) repoState(full);
    return Object.values(state.repos).find((r) => String(r.id) === dec) || null;
  }
  return findRepo(dec);
}

function listReposOnDisk() {
  const out = [];
  for (const owner of fs.readdirSync(opts.repos)) {
    const d = path.join(opts.repos, owner);
    if (!fs.statSync(d).isDirectory()) continue;
    for (const name of fs.readdirSync(d)) {
      if (name.endsWith('.git') && fs.existsSync(path.join(d, name, 'HEAD'))) out.push(`${owner}/${name.slice(0, -4)}`);
    }
  }
  return out.sort();
}

function git(full, args) {
  return execFileSync('git', ['--git-dir', repoDir(full), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

function resolveRef(full, ref) {
  if (!repoExists(full)) return null;
  try { return git(full, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]); } catch (e) { return null; }
}

// --- the record -------------------------------------------------------------------

function record(entry) {
  fs.appendFileSync(opts.log, JSON.stringify({ time: new Date().toISOString(), ...entry }) + '\n');
}

// --- small HTTP helpers -----------------------------------------------------------

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res, status, body, headers = {}) {
  const text = body === undefined || body === null ? '' : (typeof body === 'string' ? body : JSON.stringify(body));
  res.writeHead(status, {
    ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

// Basic auth as git sends it; GitHub takes the token as the password (any
// user, x-access-token by convention), GitLab as oauth2:TOKEN, Gitea either.
function basicAuthOk(req) {
  if (!opts.token) return 'none-required';
  const h = req.headers.authorization || '';
  const m = /^Basic\s+(.+)$/i.exec(h);
  if (m) {
    const [user, pass] = Buffer.from(m[1], 'base64').toString('utf8').split(/:(.*)/s);
    if (pass === opts.token || user === opts.token) return 'ok';
    return 'bad';
  }
  const b = /^(?:Bearer|token)\s+(.+)$/i.exec(h);
  if (b) return b[1] === opts.token ? 'ok' : 'bad';
  return 'missing';
}

// API tokens: GitHub "Bearer T" or "token T"; Gitea the same (or ?token=);
// GitLab "PRIVATE-TOKEN: T" or "Bearer T".
function apiAuth(req, kind, query) {
  if (!opts.token) return { auth: 'none-required', token: '' };
  const h = req.headers.authorization || '';
  let t = null;
  const b = /^(?:Bearer|token)\s+(.+)$/i.exec(h);
  if (b) t = b[1];
  if (kind === 'gitlab' && req.headers['private-token']) t = req.headers['private-token'];
  if (kind === 'gitea' && !t && query.access_token) t = query.access_token;
  if (t === null) return { auth: 'missing', token: '' };
  return { auth: t === opts.token ? 'ok' : 'bad', token: t };
}

// --- git smart HTTP ---------------------------------------------------------------

const GIT_PATH = /^\/(.+?\.git)(\/(?:info\/refs|git-upload-pack|git-receive-pack|HEAD|objects\/.+))$/;

function serveGit(req, res, m, url) {
  const full = m[1].slice(0, -4);
  const auth = basicAuthOk(req);
  const service = url.searchParams.get('service') || path.basename(m[2]);
  const rec = { forge: 'git', method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), service, auth };
  if (auth === 'missing' || auth === 'bad') {
    record({ ...rec, status: 401, violation: auth === 'bad' ? 'git: bad credentials' : null });
    // A challenge: git retries with credentials from its helper or URL.
    return send(res, 401, 'Authentication required', { 'WWW-Authenticate': 'Basic realm="fake-forge"', 'Content-Type': 'text/plain' });
  }
  if (!repoExists(full)) {
    record({ ...rec, status: 404, violation: null });
    return send(res, 404, 'Repository not found', { 'Content-Type': 'text/plain' });
  }
  const env = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: opts.repos,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${m[1]}${m[2]}`,
    REQUEST_METHOD: req.method,
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] || '',
    REMOTE_ADDR: req.socket.remoteAddress || '127.0.0.1',
    REMOTE_USER: 'fake-forge-user',
    GIT_HTTP_MAX_REQUEST_BUFFER: '100M',
    // Pushes are allowed (the test set-up pushes through here too).
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'http.receivepack', GIT_CONFIG_VALUE_0: 'true',
    GIT_CONFIG_KEY_1: 'uploadpack.allowAnySHA1InWant', GIT_CONFIG_VALUE_1: 'true',
    GIT_COMMITTER_NAME: 'fake-forge', GIT_COMMITTER_EMAIL: 'fake-forge@example.com',
  };
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = req.headers['git-protocol'];
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  let status = 200;
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdout.on('data', (chunk) => {
    if (headersDone) return res.write(chunk);
    head = Buffer.concat([head, chunk]);
    let idx = head.indexOf('\r\n\r\n');
    let sepLen = 4;
    if (idx < 0) { idx = head.indexOf('\n\n'); sepLen = 2; }
    if (idx < 0) return;
    const headers = {};
    for (const line of head.slice(0, idx).toString('latin1').split(/\r?\n/)) {
      const c = line.indexOf(':');
      if (c < 0) continue;
      const k = line.slice(0, c).trim();
      const val = line.slice(c + 1).trim();
      if (k.toLowerCase() === 'status') status = parseInt(val, 10);
      else headers[k] = val;
    }
    headersDone = true;
    res.writeHead(status, headers);
    const rest = head.slice(idx + sepLen);
    if (rest.length) res.write(rest);
  });
  child.on('close', (code) => {
    if (!headersDone) { status = 500; send(res, 500, `git http-backend failed: ${stderr}`, { 'Content-Type': 'text/plain' }); }
    else res.end();
    record({ ...rec, status, violation: null, ...(code ? { git_exit: code, stderr: stderr.slice(0, 500) } : {}) });
  });
}

// --- faults -----------------------------------------------------------------------

function takeFault(method, p) {
  for (const f of state.faults) {
    if (f.count <= 0) continue;
    if (f.method && f.method !== method) continue;
    if (!f.re.test(p)) continue;
    f.count--;
    return f;
  }
  return null;
}

function faultHeaders(f) {
  const h = {};
  if (f.retryAfter !== undefined) h['Retry-After'] = String(f.retryAfter);
  if (f.ratelimitReset !== undefined) {
    const reset = typeof f.ratelimitReset === 'string' && f.ratelimitReset.startsWith('+')
      ? Math.floor(Date.now() / 1000) + Number(f.ratelimitReset.slice(1))
      : Number(f.ratelimitReset);
    h['x-ratelimit-limit'] = '5000';
    h['x-ratelimit-remaining'] = '0';
    h['x-ratelimit-used'] = '5000';
    h['x-ratelimit-reset'] = String(reset);
    h['x-ratelimit-resource'] = 'core';
  }
  return h;
}

function faultBody(f) {
  if (f.body !== undefined) return f.body;
  if (f.status === 429 || (f.status === 403 && (f.retryAfter !== undefined || f.ratelimitReset !== undefined))) {
    return { message: f.retryAfter !== undefined
      ? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
      : 'API rate limit exceeded for installation.',
    documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: String(f.status) };
  }
  return { message: 'Server Error', status: String(f.status) };
}

// --- pagination (GitHub and Gitea: Link header; GitLab: x-next-page too) ------------

function paginate(items, query, req, pathname, { perPageKey = 'per_page', def = 30, max = 100 } = {}) {
  const per = Math.min(Math.max(parseInt(query[perPageKey] || def, 10) || def, 1), max);
  const page = Math.max(parseInt(query.page || 1, 10) || 1, 1);
  const last = Math.max(Math.ceil(items.length / per), 1);
  const slice = items.slice((page - 1) * per, page * per);
  const link = (p) => {
    const q = new URLSearchParams({ ...query, [perPageKey]: String(per), page: String(p) });
    return `<${baseUrl}${pathname}?${q}>`;
  };
  const rels = [];
  if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) rels.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`);
  const headers = rels.length ? { Link: rels.join(', ') } : {};
  headers['x-total'] = String(items.length);
  headers['x-total-pages'] = String(last);
  headers['x-page'] = String(page);
  headers['x-per-page'] = String(per);
  if (page < last) headers['x-next-page'] = String(page + 1);
  return { slice, headers };
}

// --- the shared model (one per repo; each forge renders it its own way) -------------

function addComment(repo, number, body, login) {
  const id = state.nextId.comment++;
  const t = nowIso();
  const c = { id, number, body, user: login, created_at: t, updated_at: t };
  repo.comments[id] = c;
  return c;
}

function pullOf(repo, number) { return repo.pulls[number] || null; }

function permissionOf(repo, login) {
  return repo.permissions[login] || opts.defaultPermission;
}

// --- GitHub -----------------------------------------------------------------------

const GH_DOCS = 'https://docs.github.com/rest';
let ghApi = null; // openapi-backend, initialised at start

function ghUser(login) {
  const id = userId(login);
  const bot = login.endsWith('[bot]');
  return { login, id, node_id: `U_${id}`, avatar_url: `https://avatars.example.com/u/${id}`, gravatar_id: '',
    url: `${baseUrl}/users/${login}`, html_url: `https://github.example.com/${login}`, type: bot ? 'Bot' : 'User', site_admin: false };
}

function ghRepo(repo) {
  const [owner, name] = repo.full.split('/');
  return {
    id: repo.id, node_id: `R_${repo.id}`, name, full_name: repo.full, private: false, owner: ghUser(owner),
    html_url: `${baseUrl}/${repo.full}`, url: `${baseUrl}/repos/${repo.full}`,
    clone_url: `${baseUrl}/${repo.full}.git`, git_url: `git://127.0.0.1/${repo.full}.git`,
    ssh_url: `git@127.0.0.1:${repo.full}.git`, default_branch: repo.defaultBranch, visibility: 'public',
    fork: false, archived: false, disabled: false,
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
  };
}

function ghComment(repo, c) {
  return {
    id: c.id, node_id: `IC_${c.id}`, url: `${baseUrl}/repos/${repo.full}/issues/comments/${c.id}`,
    html_url: `${baseUrl}/${repo.full}/pull/${c.number}#issuecomment-${c.id}`,
    issue_url: `${baseUrl}/repos/${repo.full}/issues/${c.number}`, body: c.body, user: ghUser(c.user),
    created_at: c.created_at, updated_at: c.updated_at,
    author_association: c.user.endsWith('[bot]') ? 'NONE' : 'MEMBER',
    reactions: reactionSummary(repo, c.id),
  };
}

function reactionSummary(repo, commentId) {
  const list = repo.reactions[commentId] || [];
  const s = { url: '', total_count: list.length, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 };
  for (const r of list) s[r.content] = (s[r.content] || 0) + 1;
  return s;
}

function ghPull(repo, p) {
  const headRepo = p.head_repo || repo.full;
  const side = (ref, sha, full) => ({ label: `${full.split('/')[0]}:${ref}`, ref, sha, user: ghUser(full.split('/')[0]),
    repo: { ...ghRepo(repoState(full)), fork: full !== repo.full } });
  return {
    id: 700000000 + p.number, node_id: `PR_${p.number}`, number: p.number, state: p.state, locked: false,
    title: p.title, body: p.body || null, user: ghUser(p.user), draft: !!p.draft,
    labels: (p.labels || []).map((l, i) => ({ id: 9000 + i, node_id: `LA_${i}`, url: '', name: l, color: 'ededed', default: false, description: null })),
    html_url: `${baseUrl}/${repo.full}/pull/${p.number}`, url: `${baseUrl}/repos/${repo.full}/pulls/${p.number}`,
    created_at: p.created_at, updated_at: p.updated_at, closed_at: p.state === 'closed' ? p.updated_at : null,
    merged_at: p.merged ? p.updated_at : null, merged: !!p.merged, merge_commit_sha: p.merge_commit_sha || null,
    head: side(p.head_ref, p.head_sha, headRepo), base: side(p.base_ref, p.base_sha || '', repo.full),
    author_association: 'CONTRIBUTOR',
  };
}

function ghStatus(repo, s) {
  return { id: s.id, node_id: `SC_${s.id}`, url: `${baseUrl}/repos/${repo.full}/statuses/${s.sha}`, state: s.state,
    description: s.description, target_url: s.target_url, context: s.context, avatar_url: null,
    created_at: s.created_at, updated_at: s.created_at, creator: ghUser(s.creator) };
}

function ghDeployment(repo, d) {
  return {
    id: d.id, node_id: `DE_${d.id}`, url: `${baseUrl}/repos/${repo.full}/deployments/${d.id}`, sha: d.sha, ref: d.ref,
    task: d.task, payload: d.payload, original_environment: d.environment, environment: d.environment,
    description: d.description, creator: ghUser(d.creator), created_at: d.created_at, updated_at: d.updated_at,
    statuses_url: `${baseUrl}/repos/${repo.full}/deployments/${d.id}/statuses`, repository_url: `${baseUrl}/repos/${repo.full}`,
    transient_environment: d.transient_environment, production_environment: d.production_environment,
  };
}

function ghDeploymentStatus(repo, d, s) {
  return { id: s.id, node_id: `DES_${s.id}`, state: s.state, creator: ghUser(s.creator), description: s.description,
    environment: s.environment, target_url: s.target_url, log_url: s.log_url, environment_url: s.environment_url,
    created_at: s.created_at, updated_at: s.created_at, deployment_url: `${baseUrl}/repos/${repo.full}/deployments/${d.id}`,
    repository_url: `${baseUrl}/repos/${repo.full}`, url: `${baseUrl}/repos/${repo.full}/deployments/${d.id}/statuses/${s.id}` };
}

const NOT_FOUND = { message: 'Not Found', documentation_url: GH_DOCS, status: '404' };
const ghErr = (status, message, extra = {}) => ({ status, body: { message, documentation_url: GH_DOCS, status: String(status), ...extra } });

// GitHub's handlers, by operationId. Each gets (ctx) and returns {status, body, headers}.
const ghHandlers = {
  'repos/get': ({ repo }) => ({ status: 200, body: ghRepo(repo) }),

  'issues/list-comments': ({ repo, p, query, pathname }) => {
    let list = Object.values(repo.comments).filter((c) => c.number === p.issue_number).sort((a, b) => a.id - b.id);
    if (query.since) list = list.filter((c) => c.updated_at >= query.since);
    const pg = paginate(list, query, null, pathname);
    return { status: 200, body: pg.slice.map((c) => ghComment(repo, c)), headers: pg.headers };
  },
  'issues/create-comment': ({ repo, p, body, actor }) => {
    const c = addComment(repo, p.issue_number, body.body, actor);
    return { status: 201, body: ghComment(repo, c), headers: { Location: `${baseUrl}/repos/${repo.full}/issues/comments/${c.id}` } };
  },
  'issues/get-comment': ({ repo, p }) => {
    const c = repo.comments[p.comment_id];
    return c ? { status: 200, body: ghComment(repo, c) } : { status: 404, body: NOT_FOUND };
  },
  'issues/update-comment': ({ repo, p, body }) => {
    const c = repo.comments[p.comment_id];
    if (!c) return { status: 404, body: NOT_FOUND };
    c.body = body.body;
    c.updated_at = nowIso();
    return { status: 200, body: ghComment(repo, c) };
  },
  'issues/delete-comment': ({ repo, p }) => {
    if (!repo.comments[p.comment_id]) return { status: 404, body: NOT_FOUND };
    delete repo.comments[p.comment_id];
    return { status: 204 };
  },
  'issues/get': ({ repo, p }) => {
    const pr = pullOf(repo, p.issue_number);
    if (!pr) return { status: 404, body: NOT_FOUND };
    const g = ghPull(repo, pr);
    return { status: 200, body: { ...g, pull_request: { url: g.url, html_url: g.html_url }, comments: Object.values(repo.comments).filter((c) => c.number === pr.number).length } };
  },

  'reactions/list-for-issue-comment': ({ repo, p, query, pathname }) => {
    if (!repo.comments[p.comment_id]) return { status: 404, body: NOT_FOUND };
    let list = repo.reactions[p.comment_id] || [];
    if (query.content) list = list.filter((r) => r.content === query.content);
    const pg = paginate(list, query, null, pathname);
    return { status: 200, body: pg.slice.map((r) => ({ id: r.id, node_id: `REA_${r.id}`, user: ghUser(r.user), content: r.content, created_at: r.created_at })), headers: pg.headers };
  },
  'reactions/create-for-issue-comment': ({ repo, p, body, actor }) => {
    if (!repo.comments[p.comment_id]) return { status: 404, body: NOT_FOUND };
    const list = (repo.reactions[p.comment_id] = repo.reactions[p.comment_id] || []);
    const old = list.find((r) => r.user === actor && r.content === body.content);
    const r = old || { id: state.nextId.reaction++, user: actor, content: body.content, created_at: nowIso() };
    if (!old) list.push(r);
    return { status: old ? 200 : 201, body: { id: r.id, node_id: `REA_${r.id}`, user: ghUser(r.user), content: r.content, created_at: r.created_at } };
  },
  'reactions/delete-for-issue-comment': ({ repo, p }) => {
    const list = repo.reactions[p.comment_id] || [];
    const i = list.findIndex((r) => r.id === p.reaction_id);
    if (i < 0) return { status: 404, body: NOT_FOUND };
    list.splice(i, 1);
    return { status: 204 };
  },

  'repos/create-commit-status': ({ repo, p, body, actor }) => {
    const s = { id: state.nextId.status++, sha: p.sha, state: body.state, target_url: body.target_url || null,
      description: body.description || null, context: body.context || 'default', created_at: nowIso(), creator: actor };
    if (repoExists(repo.full) && !resolveRef(repo.full, p.sha)) {
      return ghErr(422, 'Validation Failed', { errors: [{ resource: 'Status', code: 'custom', field: 'sha', message: `No commit found for SHA: ${p.sha}` }] });
    }
    if (s.description && s.description.length > 140) {
      return ghErr(422, 'Validation Failed', { errors: [{ resource: 'Status', code: 'custom', field: 'description', message: 'description is too long (maximum is 140 characters)' }] });
    }
    (repo.statuses[p.sha] = repo.statuses[p.sha] || []).push(s);
    return { status: 201, body: ghStatus(repo, s) };
  },
  'repos/list-commit-statuses-for-ref': ({ repo, p, query, pathname }) => {
    const sha = resolveRef(repo.full, p.ref) || p.ref;
    const list = (repo.statuses[sha] || []).slice().reverse();
    const pg = paginate(list, query, null, pathname);
    return { status: 200, body: pg.slice.map((s) => ghStatus(repo, s)), headers: pg.headers };
  },
  'repos/get-combined-status-for-ref': ({ repo, p }) => {
    const sha = resolveRef(repo.full, p.ref) || p.ref;
    const latest = {};
    for (const s of repo.statuses[sha] || []) latest[s.context] = s;
    const list = Object.values(latest).map((s) => ghStatus(repo, s));
    const states = list.map((s) => s.state);
    const st = states.some((x) => x === 'error' || x === 'failure') ? 'failure'
      : states.length && states.every((x) => x === 'success') ? 'success' : 'pending';
    return { status: 200, body: { state: st, statuses: list, sha, total_count: list.length, repository: ghRepo(repo),
      commit_url: `${baseUrl}/repos/${repo.full}/commits/${sha}`, url: `${baseUrl}/repos/${repo.full}/commits/${sha}/status` } };
  },

  'repos/create-deployment': ({ repo, body, actor }) => {
    const sha = repoExists(repo.full) ? resolveRef(repo.full, body.ref) : (/^[0-9a-f]{40}$/.test(body.ref) ? body.ref : null);
    if (!sha) return ghErr(422, `No ref found for: ${body.ref}`);
    const env = body.environment || 'production';
    const t = nowIso();
    const d = { id: state.nextId.deployment++, sha, ref: body.ref, task: body.task || 'deploy', payload: body.payload === undefined ? {} : body.payload,
      environment: env, description: body.description === undefined ? null : body.description, creator: actor, created_at: t, updated_at: t,
      transient_environment: !!body.transient_environment, production_environment: body.production_environment === undefined ? env === 'production' : !!body.production_environment,
      auto_merge: body.auto_merge === undefined ? true : body.auto_merge, required_contexts: body.required_contexts, statuses: [] };
    // GitHub checks the commit statuses of the ref unless required_contexts is [].
    if (d.required_contexts === undefined) {
      const latest = {};
      for (const s of repo.statuses[sha] || []) latest[s.context] = s;
      const bad = Object.values(latest).filter((s) => s.state !== 'success').map((s) => s.context);
      if (bad.length) return ghErr(409, `Conflict: Commit status checks failed for ${body.ref}.`, { errors: [{ contexts: bad.map((c) => ({ context: c, state: 'pending' })), resource: 'Deployment', field: 'required_contexts', code: 'invalid' }] });
    }
    repo.deployments[d.id] = d;
    return { status: 201, body: ghDeployment(repo, d) };
  },
  'repos/list-deployments': ({ repo, query, pathname }) => {
    let list = Object.values(repo.deployments).sort((a, b) => b.id - a.id);
    for (const k of ['sha', 'ref', 'task', 'environment']) if (query[k]) list = list.filter((d) => d[k] === query[k]);
    const pg = paginate(list, query, null, pathname);
    return { status: 200, body: pg.slice.map((d) => ghDeployment(repo, d)), headers: pg.headers };
  },
  'repos/get-deployment': ({ repo, p }) => {
    const d = repo.deployments[p.deployment_id];
    return d ? { status: 200, body: ghDeployment(repo, d) } : { status: 404, body: NOT_FOUND };
  },
  'repos/delete-deployment': ({ repo, p }) => {
    const d = repo.deployments[p.deployment_id];
    if (!d) return { status: 404, body: NOT_FOUND };
    const last = d.statuses[d.statuses.length - 1];
    const others = Object.values(repo.deployments).filter((x) => x.environment === d.environment && x.id !== d.id);
    if (last && last.state !== 'inactive' && others.length) {
      return ghErr(422, 'We cannot delete an active deployment unless it is the only deployment in a given environment.');
    }
    delete repo.deployments[d.id];
    return { status: 204 };
  },
  'repos/create-deployment-status': ({ repo, p, body, actor }) => {
    const d = repo.deployments[p.deployment_id];
    if (!d) return { status: 404, body: NOT_FOUND };
    const t = nowIso();
    const s = { id: state.nextId.deploymentStatus++, state: body.state, description: body.description || '', environment: body.environment || d.environment,
      target_url: body.target_url || body.log_url || '', log_url: body.log_url || body.target_url || '', environment_url: body.environment_url || '',
      created_at: t, creator: actor };
    d.statuses.push(s);
    d.updated_at = t;
    // auto_inactive (default true): a success marks the earlier non-transient,
    // non-production deployments of this environment inactive.
    if (body.state === 'success' && body.auto_inactive !== false) {
      for (const o of Object.values(repo.deployments)) {
        if (o.id === d.id || o.environment !== d.environment || o.transient_environment || o.production_environment) continue;
        const ol = o.statuses[o.statuses.length - 1];
        if (ol && ol.state !== 'inactive') o.statuses.push({ ...ol, id: state.nextId.deploymentStatus++, state: 'inactive', created_at: t, creator: actor });
      }
    }
    return { status: 201, body: ghDeploymentStatus(repo, d, s) };
  },
  'repos/list-deployment-statuses': ({ repo, p, query, pathname }) => {
    const d = repo.deployments[p.deployment_id];
    if (!d) return { status: 404, body: NOT_FOUND };
    const pg = paginate(d.statuses.slice().reverse(), query, null, pathname);
    return { status: 200, body: pg.slice.map((s) => ghDeploymentStatus(repo, d, s)), headers: pg.headers };
  },

  'repos/get-collaborator-permission-level': ({ repo, p }) => {
    const perm = permissionOf(repo, p.username);
    // The legacy field folds maintain into write and triage into read.
    const legacy = { admin: 'admin', maintain: 'write', write: 'write', triage: 'read', read: 'read', none: 'none' }[perm] || 'none';
    return { status: 200, body: { permission: legacy, role_name: perm, user: { ...ghUser(p.username),
      permissions: { admin: perm === 'admin', maintain: ['admin', 'maintain'].includes(perm), push: ['admin', 'maintain', 'write'].includes(perm),
        triage: perm !== 'read' && perm !== 'none', pull: perm !== 'none' }, role_name: perm } } };
  },

  'users/get-authenticated': () => ({ status: 200, body: { ...ghUser(opts.botLogin), name: opts.botLogin, created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z' } }),

  // Both spellings of the path ({basehead} and the older {base}...{head}).
  'repos/compare-commits-with-basehead': ({ repo, pathname }) => {
    const basehead = decodeURIComponent(pathname.replace(/^.*\/compare\//, ''));
    const m = /^(.+?)\.\.\.?(.+)$/.exec(basehead);
    const base = m && resolveRef(repo.full, m[1]);
    const head = m && resolveRef(repo.full, m[2]);
    if (!base || !head) return { status: 404, body: NOT_FOUND };
    const count = (range) => Number(git(repo.full, ['rev-list', '--count', range]));
    const ahead = count(`${base}..${head}`);
    const behind = count(`${head}..${base}`);
    const shas = ahead ? git(repo.full, ['rev-list', '--reverse', `${base}..${head}`]).split('\n') : [];
    return { status: 200, body: {
      url: `${baseUrl}/repos/${repo.full}/compare/${basehead}`, html_url: `${baseUrl}/${repo.full}/compare/${basehead}`,
      status: ahead && behind ? 'diverged' : ahead ? 'ahead' : behind ? 'behind' : 'identical',
      ahead_by: ahead, behind_by: behind, total_commits: ahead,
      base_commit: { sha: base }, merge_base_commit: { sha: git(repo.full, ['merge-base', base, head]) },
      commits: shas.map((sha) => ({ sha, url: `${baseUrl}/repos/${repo.full}/commits/${sha}` })), files: [] } };
  },

  'repos/compare-commits': (ctx) => ghHandlers['repos/compare-commits-with-basehead'](ctx),

  'pulls/list': ({ repo, query, pathname }) => {
    const st = query.state || 'open';
    let list = Object.values(repo.pulls).sort((a, b) => b.number - a.number);
    if (st !== 'all') list = list.filter((x) => x.state === st);
    if (query.base) list = list.filter((x) => x.base_ref === query.base);
    if (query.direction === 'asc') list.reverse();
    const pg = paginate(list, query, null, pathname);
    return { status: 200, body: pg.slice.map((x) => ghPull(repo, x)), headers: pg.headers };
  },
  'pulls/get': ({ repo, p }) => {
    const pr = pullOf(repo, p.pull_number);
    return pr ? { status: 200, body: ghPull(repo, pr) } : { status: 404, body: NOT_FOUND };
  },
};

// Content-creating calls count toward GitHub's secondary limit (80 a minute).
function overSecondaryLimit(token, method) {
  if (!opts.secondaryLimit || method === 'GET' || method === 'HEAD') return false;
  const now = Date.now();
  const list = (state.creations[token || '-'] = (state.creations[token || '-'] || []).filter((t) => now - t < 60000));
  list.push(now);
  return list.length > opts.secondaryLimit;
}

const GH_API_VERSIONS = ['2022-11-28', '2026-03-10'];

async function serveGitHub(req, res, url, prefix, raw) {
  const pathname = url.pathname;
  const apiPath = pathname.slice(prefix.length) || '/';
  const query = Object.fromEntries(url.searchParams);
  const rec = { forge: 'github', method: req.method, path: pathname, query,
    headers: { 'user-agent': req.headers['user-agent'], accept: req.headers.accept, 'x-github-api-version': req.headers['x-github-api-version'] } };
  const { auth, token } = apiAuth(req, 'github', query);
  rec.auth = auth;
  let body;
  let parseError = null;
  if (raw.length) {
    const text = raw.toString('utf8');
    try { body = JSON.parse(text); } catch (e) { body = text; parseError = e.message; }
  }
  if (body !== undefined) rec.body = body;
  const finish = (status, resBody, headers = {}, extra = {}) => {
    const rl = { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': '1', 'x-ratelimit-resource': 'core', 'x-github-api-version-selected': req.headers['x-github-api-version'] || '2022-11-28',
      'x-github-request-id': crypto.randomBytes(8).toString('hex').toUpperCase(), ...headers };
    record({ ...rec, status, violation: null, ...extra, ...(req.method !== 'GET' && resBody !== undefined ? { response: resBody } : {}) });
    send(res, status, resBody, rl);
  };

  // What the real API refuses before routing.
  if (!req.headers['user-agent']) {
    return finish(403, 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.',
      { 'Content-Type': 'text/plain' }, { violation: 'no User-Agent header' });
  }
  const ver = req.headers['x-github-api-version'];
  if (ver && !GH_API_VERSIONS.includes(ver)) {
    return finish(400, { message: `API version ${ver} is not supported.`, documentation_url: GH_DOCS, status: '400' }, {}, { violation: `unsupported X-GitHub-Api-Version ${ver}` });
  }
  if (parseError) {
    return finish(400, { message: 'Problems parsing JSON', documentation_url: GH_DOCS, status: '400' }, {}, { violation: `body is not JSON: ${parseError}` });
  }

  // The OpenAPI check: the operation must exist and the request validate.
  const oreq = { method: req.method.toLowerCase(), path: apiPath, query, headers: req.headers, body };
  const op = ghApi.matchOperation(oreq);
  if (!op) return finish(404, NOT_FOUND, {}, { violation: `no such operation in GitHub's OpenAPI description: ${req.method} ${apiPath}` });
  rec.operation = op.operationId;
  const v = ghApi.validateRequest(oreq, op);
  if (!v.valid) {
    const errors = (v.errors || []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && e.params.allowedValues ? ` (${e.params.allowedValues.join(', ')})` : ''}`);
    return finish(422, { message: 'Invalid request.\n\n' + errors.join('\n'), documentation_url: GH_DOCS, status: '422' }, {},
      { violation: `request does not validate against ${op.operationId}: ${errors.join('; ')}` });
  }
  if (auth === 'missing' || auth === 'bad') {
    return finish(401, { message: 'Bad credentials', documentation_url: GH_DOCS, status: '401' }, {}, { violation: auth === 'bad' ? 'bad credentials' : 'no credentials' });
  }
  const fault = takeFault(req.method, pathname);
  if (fault) return finish(fault.status, faultBody(fault), faultHeaders(fault), { fault: true });
  if (overSecondaryLimit(token, req.method)) {
    return finish(403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: GH_DOCS, status: '403' },
      { 'Retry-After': '60' }, { violation: `more than ${opts.secondaryLimit} content-creating requests in a minute` });
  }

  const h = ghHandlers[op.operationId];
  if (!h) return finish(501, { message: `the fake forge does not implement ${op.operationId}`, status: '501' }, {}, { unimplemented: true });
  // Path parameters as the spec types them (ids are integers).
  const p = {};
  for (const [k, val] of Object.entries(matchParams(op.path, apiPath))) p[k] = /^(issue_number|comment_id|pull_number|deployment_id|reaction_id|status_id)$/.test(k) ? Number(val) : decodeURIComponent(val);
  const repo = p.owner && p.repo ? findRepo(`${p.owner}/${p.repo}`) : null;
  if (p.owner && !repo) return finish(404, NOT_FOUND);
  const out = h({ repo, p, query, body: body || {}, pathname, actor: opts.botLogin });
  // A 422 or 409 from the state (a status on a SHA the repo lacks, a
  // deployment of an unknown ref or with failing required contexts) is a
  // request the real API refuses too: a violation. A 404 is not (a comment
  // someone deleted is an ordinary case).
  const refused = out.status === 422 || out.status === 409 ? `refused by the forge's state: ${JSON.stringify(out.body)}` : null;
  finish(out.status, out.body, out.headers || {}, refused ? { violation: refused } : {});
}

function matchParams(template, actual) {
  const t = template.split('/');
  const a = actual.split('/');
  const out = {};
  t.forEach((seg, i) => { const m = /^\{(.+)\}$/.exec(seg); if (m) out[m[1]] = a[i]; });
  return out;
}

// --- Gitea (/api/v1) and GitLab (/api/v4): structural checks --------------------

const Ajv = require('ajv');
const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });
require('ajv-formats')(ajv);
const str = { type: 'string' };
const schemas = {
  giteaComment: { type: 'object', required: ['body'], properties: { body: str }, additionalProperties: false },
  giteaStatus: { type: 'object', required: ['state'], properties: { state: { enum: ['pending', 'success', 'error', 'failure', 'warning'] }, target_url: str, description: str, context: str }, additionalProperties: false },
  giteaReaction: { type: 'object', required: ['content'], properties: { content: str }, additionalProperties: false },
  gitlabNote: { type: 'object', required: ['body'], properties: { body: str, internal: { type: 'boolean' }, created_at: str, merge_request_diff_head_sha: str }, additionalProperties: false },
  gitlabStatus: { type: 'object', required: ['state'], properties: { state: { enum: ['pending', 'running', 'success', 'failed', 'canceled', 'skipped'] }, ref: str, name: str, context: str, target_url: str, description: str, coverage: { type: 'number' }, pipeline_id: { type: 'integer' } }, additionalProperties: false },
  gitlabAward: { type: 'object', required: ['name'], properties: { name: str }, additionalProperties: false },
  gitlabEnvCreate: { type: 'object', required: ['name'], properties: { name: str, external_url: str, tier: { enum: ['production', 'staging', 'testing', 'development', 'other'] }, description: str, auto_stop_setting: str }, additionalProperties: false },
  gitlabEnvUpdate: { type: 'object', properties: { external_url: str, tier: str, description: str, auto_stop_setting: str }, additionalProperties: false },
  gitlabEnvStop: { type: 'object', properties: { force: { type: 'boolean' } }, additionalProperties: false },
  empty: { type: 'object', maxProperties: 0 },
  giteaPullsQuery: { type: 'object', properties: { state: { enum: ['open', 'closed', 'all'] }, page: { type: 'string', pattern: '^[0-9]+$' }, limit: { type: 'string', pattern: '^[0-9]+$' } } },
  gitlabMrsQuery: { type: 'object', properties: { state: { enum: ['opened', 'closed', 'locked', 'merged', 'all'] }, page: { type: 'string', pattern: '^[0-9]+$' }, per_page: { type: 'string', pattern: '^[0-9]+$' } } },
  pageQuery: { type: 'object', properties: { page: { type: 'string', pattern: '^[0-9]+$' }, per_page: { type: 'string', pattern: '^[0-9]+$' }, limit: { type: 'string', pattern: '^[0-9]+$' } } },
};
const validators = Object.fromEntries(Object.entries(schemas).map(([k, s]) => [k, ajv.compile(s)]));

function check(name, body) {
  const v = validators[name];
  if (v(body === undefined ? {} : body)) return null;
  return v.errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
}

// A route table: [method, regex over the path after the prefix, schema or null, handler].
const giteaRoutes = [
  ['GET', /^\/repos\/([^/]+)\/([^/]+)$/, null, ({ repo }) => ({ status: 200, body: giteaRepo(repo) })],
  ['GET', /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/, null, ({ repo, m }) => ({ status: 200, body: Object.values(repo.comments).filter((c) => c.number === Number(m[3])).sort((a, b) => a.id - b.id).map((c) => giteaComment(repo, c)) })],
  ['POST', /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/, 'giteaComment', ({ repo, m, body }) => ({ status: 201, body: giteaComment(repo, addComment(repo, Number(m[3]), body.body, opts.botLogin)) })],
  ['GET', /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/, null, ({ repo, m }) => withComment(repo, m[3], (c) => ({ status: 200, body: giteaComment(repo, c) }))],
  ['PATCH', /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/, 'giteaComment', ({ repo, m, body }) => withComment(repo, m[3], (c) => { c.body = body.body; c.updated_at = nowIso(); return { status: 200, body: giteaComment(repo, c) }; })],
  ['DELETE', /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/, null, ({ repo, m }) => withComment(repo, m[3], (c) => { delete repo.comments[c.id]; return { status: 204 }; })],
  ['POST', /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)\/reactions$/, 'giteaReaction', ({ repo, m, body }) => withComment(repo, m[3], (c) => {
    const list = (repo.reactions[c.id] = repo.reactions[c.id] || []);
    const old = list.find((r) => r.user === opts.botLogin && r.content === body.content);
    if (!old) list.push({ id: state.nextId.reaction++, user: opts.botLogin, content: body.content, created_at: nowIso() });
    return { status: old ? 200 : 201, body: { user: { login: opts.botLogin }, content: body.content, created_at: nowIso() } };
  })],
  ['POST', /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/, 'giteaStatus', ({ repo, m, body }) => {
    const s = { id: state.nextId.status++, sha: m[3], state: body.state, target_url: body.target_url || '', description: body.description || '', context: body.context || 'default', created_at: nowIso(), creator: opts.botLogin };
    (repo.statuses[m[3]] = repo.statuses[m[3]] || []).push(s);
    return { status: 201, body: { id: s.id, status: s.state, target_url: s.target_url, description: s.description, context: s.context, created_at: s.created_at, updated_at: s.created_at, creator: { login: s.creator } } };
  }],
  ['GET', /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/statuses$/, null, ({ repo, m }) => ({ status: 200, body: (repo.statuses[resolveRef(repo.full, m[3]) || m[3]] || []).slice().reverse().map((s) => ({ id: s.id, status: s.state, context: s.context, target_url: s.target_url, description: s.description })) })],
  ['GET', /^\/repos\/([^/]+)\/([^/]+)\/pulls$/, null, ({ repo, query }) => ({ status: 200, body: Object.values(repo.pulls).filter((x) => (query.state || 'open') === 'all' || x.state === (query.state || 'open')).map((x) => giteaPull(repo, x)) })],
  ['GET', /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/, null, ({ repo, m }) => { const x = pullOf(repo, Number(m[3])); return x ? { status: 200, body: giteaPull(repo, x) } : { status: 404, body: { message: 'pull request does not exist' } }; }],
  ['GET', /^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/, null, ({ repo, m }) => {
    const perm = permissionOf(repo, decodeURIComponent(m[3]));
    const g = { admin: 'admin', maintain: 'admin', write: 'write', triage: 'read', read: 'read', none: 'none' }[perm] || 'none';
    return { status: 200, body: { permission: g, role_name: g, user: { login: decodeURIComponent(m[3]), id: userId(decodeURIComponent(m[3])) } } };
  }],
];

// Query parameters these forges would refuse (pagination is checked everywhere).
giteaRoutes.find((r) => r[0] === 'GET' && r[1].source.endsWith('\\/pulls$'))[4] = 'giteaPullsQuery';

function withComment(repo, id, fn) {
  const c = repo.comments[Number(id)];
  return c ? fn(c) : { status: 404, body: { message: 'comment not found' } };
}

function giteaRepo(repo) {
  const [owner, name] = repo.full.split('/');
  return { id: repo.id, name, full_name: repo.full, owner: { login: owner, id: userId(owner) }, private: false, fork: false,
    html_url: `${baseUrl}/${repo.full}`, clone_url: `${baseUrl}/${repo.full}.git`, ssh_url: `git@127.0.0.1:${repo.full}.git`, default_branch: repo.defaultBranch };
}
function giteaComment(repo, c) {
  return { id: c.id, html_url: `${baseUrl}/${repo.full}/pulls/${c.number}#issuecomment-${c.id}`, pull_request_url: `${baseUrl}/${repo.full}/pulls/${c.number}`,
    issue_url: `${baseUrl}/${repo.full}/issues/${c.number}`, user: { login: c.user, id: userId(c.user) }, body: c.body, created_at: c.created_at, updated_at: c.updated_at };
}
function giteaPull(repo, p) {
  const head = p.head_repo || repo.full;
  return { id: 700000000 + p.number, number: p.number, state: p.state, title: p.title, body: p.body || '', user: { login: p.user, id: userId(p.user) },
    labels: (p.labels || []).map((l, i) => ({ id: i + 1, name: l })), draft: !!p.draft, merged: !!p.merged, html_url: `${baseUrl}/${repo.full}/pulls/${p.number}`,
    head: { label: p.head_ref, ref: p.head_ref, sha: p.head_sha, repo_id: repoState(head).id, repo: giteaRepo(repoState(head)) },
    base: { label: p.base_ref, ref: p.base_ref, sha: p.base_sha || '', repo_id: repo.id, repo: giteaRepo(repo) } };
}

const GITLAB_LEVEL = { admin: 50, maintain: 40, write: 30, triage: 20, read: 10, none: 0 };
const gitlabRoutes = [
  ['GET', /^\/projects\/([^/]+)$/, null, ({ repo }) => ({ status: 200, body: gitlabProject(repo) })],
  ['GET', /^\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes$/, null, ({ repo, m }) => ({ status: 200, body: Object.values(repo.comments).filter((c) => c.number === Number(m[2])).sort((a, b) => b.id - a.id).map((c) => gitlabNote(repo, c)) })],
  ['POST', /^\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes$/, 'gitlabNote', ({ repo, m, body }) => ({ status: 201, body: gitlabNote(repo, addComment(repo, Number(m[2]), body.body, opts.botLogin)) })],
  ['GET', /^\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes\/(\d+)$/, null, ({ repo, m }) => withNote(repo, m, (c) => ({ status: 200, body: gitlabNote(repo, c) }))],
  ['PUT', /^\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes\/(\d+)$/, 'gitlabNote', ({ repo, m, body }) => withNote(repo, m, (c) => { c.body = body.body; c.updated_at = nowIso(); return { status: 200, body: gitlabNote(repo, c) }; })],
  ['DELETE', /^\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes\/(\d+)$/, null, ({ repo, m }) => withNote(repo, m, (c) => { delete repo.comments[c.id]; return { status: 204 }; })],
  ['POST', /^\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes\/(\d+)\/award_emoji$/, 'gitlabAward', ({ repo, m, body }) => withNote(repo, m, (c) => {
    const list = (repo.reactions[c.id] = repo.reactions[c.id] || []);
    if (list.find((r) => r.user === opts.botLogin && r.content === body.name)) return { status: 404, body: { message: '404 Award Emoji Name has already been taken' } };
    const r = { id: state.nextId.reaction++, user: opts.botLogin, content: body.name, created_at: nowIso() };
    list.push(r);
    return { status: 201, body: { id: r.id, name: r.content, user: { username: r.user }, created_at: r.created_at, awardable_id: c.id, awardable_type: 'Note' } };
  })],
  ['POST', /^\/projects\/([^/]+)\/statuses\/([0-9a-f]{40})$/, 'gitlabStatus', ({ repo, m, body }) => {
    const s = { id: state.nextId.status++, sha: m[2], state: body.state, target_url: body.target_url || null, description: body.description || null, context: body.name || body.context || 'default', created_at: nowIso(), creator: opts.botLogin };
    const list = (repo.statuses[m[2]] = repo.statuses[m[2]] || []);
    // GitLab refuses a transition its state machine does not allow (same state twice).
    const last = list.filter((x) => x.context === s.context).pop();
    if (last && last.state === s.state && ['success', 'failed', 'canceled'].includes(s.state)) return { status: 400, body: { message: `Cannot transition status via :${s.state === 'success' ? 'success' : s.state === 'failed' ? 'drop' : 'cancel'} from :${last.state}` } };
    list.push(s);
    return { status: 201, body: { id: s.id, sha: s.sha, ref: body.ref || null, status: s.state, name: s.context, target_url: s.target_url, description: s.description, created_at: s.created_at, author: { username: s.creator } } };
  }],
  ['GET', /^\/projects\/([^/]+)\/repository\/commits\/([^/]+)\/statuses$/, null, ({ repo, m }) => ({ status: 200, body: (repo.statuses[resolveRef(repo.full, decodeURIComponent(m[2])) || m[2]] || []).map((s) => ({ id: s.id, sha: s.sha, status: s.state, name: s.context, target_url: s.target_url, description: s.description })) })],
  ['GET', /^\/projects\/([^/]+)\/merge_requests$/, null, ({ repo, query }) => {
    const want = query.state || 'all';
    const glState = (x) => (x.merged ? 'merged' : x.state === 'open' ? 'opened' : 'closed');
    return { status: 200, body: Object.values(repo.pulls).filter((x) => want === 'all' || glState(x) === want).map((x) => gitlabMr(repo, x)) };
  }],
  ['GET', /^\/projects\/([^/]+)\/merge_requests\/(\d+)$/, null, ({ repo, m }) => { const x = pullOf(repo, Number(m[2])); return x ? { status: 200, body: gitlabMr(repo, x) } : { status: 404, body: { message: '404 Not found' } }; }],
  ['GET', /^\/projects\/([^/]+)\/members\/all\/(\d+)$/, null, ({ repo, m }) => {
    const login = Object.keys(state.users).find((u) => String(state.users[u]) === m[2]);
    if (!login) return { status: 404, body: { message: '404 Not found' } };
    const lvl = GITLAB_LEVEL[permissionOf(repo, login)] || 0;
    return lvl ? { status: 200, body: { id: Number(m[2]), username: login, access_level: lvl, state: 'active' } } : { status: 404, body: { message: '404 Not found' } };
  }],
  ['GET', /^\/projects\/([^/]+)\/environments$/, null, ({ repo, query }) => ({ status: 200, body: Object.values(repo.environments).filter((e) => !query.name || e.name === query.name).filter((e) => !query.search || e.name.includes(query.search)).filter((e) => !query.states || e.state === query.states) })],
  ['POST', /^\/projects\/([^/]+)\/environments$/, 'gitlabEnvCreate', ({ repo, body }) => {
    if (Object.values(repo.environments).some((e) => e.name === body.name)) return { status: 400, body: { message: { name: ['has already been taken'] } } };
    const e = { id: state.nextId.environment++, name: body.name, slug: body.name.toLowerCase().replace(/[^a-z0-9]+/g, '-'), external_url: body.external_url || null, tier: body.tier || 'development', state: 'available', created_at: nowIso(), updated_at: nowIso() };
    repo.environments[e.id] = e;
    return { status: 201, body: e };
  }],
  ['PUT', /^\/projects\/([^/]+)\/environments\/(\d+)$/, 'gitlabEnvUpdate', ({ repo, m, body }) => withEnv(repo, m[2], (e) => { Object.assign(e, body, { updated_at: nowIso() }); return { status: 200, body: e }; })],
  ['POST', /^\/projects\/([^/]+)\/environments\/(\d+)\/stop$/, 'gitlabEnvStop', ({ repo, m }) => withEnv(repo, m[2], (e) => { e.state = 'stopped'; e.updated_at = nowIso(); return { status: 200, body: e }; })],
  ['DELETE', /^\/projects\/([^/]+)\/environments\/(\d+)$/, null, ({ repo, m }) => withEnv(repo, m[2], (e) => {
    if (e.state !== 'stopped') return { status: 403, body: { message: '403 Forbidden' } };
    delete repo.environments[e.id]; return { status: 204 };
  })],
];

gitlabRoutes.find((r) => r[0] === 'GET' && r[1].source.endsWith('\\/merge_requests$'))[4] = 'gitlabMrsQuery';

function withNote(repo, m, fn) {
  const c = repo.comments[Number(m[3])];
  return c && c.number === Number(m[2]) ? fn(c) : { status: 404, body: { message: '404 Note Not Found' } };
}
function withEnv(repo, id, fn) {
  const e = repo.environments[Number(id)];
  return e ? fn(e) : { status: 404, body: { message: '404 Environment Not Found' } };
}
function gitlabProject(repo) {
  const [ns, name] = repo.full.split('/');
  return { id: repo.id, name, path: name, path_with_namespace: repo.full, namespace: { full_path: ns }, default_branch: repo.defaultBranch,
    http_url_to_repo: `${baseUrl}/${repo.full}.git`, ssh_url_to_repo: `git@127.0.0.1:${repo.full}.git`, web_url: `${baseUrl}/${repo.full}` };
}
function gitlabNote(repo, c) {
  return { id: c.id, type: null, body: c.body, author: { id: userId(c.user), username: c.user }, created_at: c.created_at, updated_at: c.updated_at,
    system: false, noteable_id: 700000000 + c.number, noteable_type: 'MergeRequest', noteable_iid: c.number, project_id: repo.id };
}
function gitlabMr(repo, p) {
  const src = repoState(p.head_repo || repo.full);
  return { id: 700000000 + p.number, iid: p.number, project_id: repo.id, title: p.title, description: p.body || '',
    state: p.merged ? 'merged' : p.state === 'open' ? 'opened' : 'closed', draft: !!p.draft, work_in_progress: !!p.draft,
    source_branch: p.head_ref, target_branch: p.base_ref, source_project_id: src.id, target_project_id: repo.id, sha: p.head_sha,
    labels: p.labels || [], author: { id: userId(p.user), username: p.user }, web_url: `${baseUrl}/${repo.full}/-/merge_requests/${p.number}`,
    diff_refs: { base_sha: p.base_sha || '', head_sha: p.head_sha, start_sha: p.base_sha || '' } };
}

async function serveTable(kind, routes, req, res, url, prefix, raw) {
  const pathname = url.pathname;
  const sub = pathname.slice(prefix.length);
  const query = Object.fromEntries(url.searchParams);
  const rec = { forge: kind, method: req.method, path: pathname, query };
  const { auth } = apiAuth(req, kind, query);
  rec.auth = auth;
  let body;
  if (raw.length) {
    const ct = req.headers['content-type'] || '';
    const text = raw.toString('utf8');
    if (/json/.test(ct)) {
      try { body = JSON.parse(text); } catch (e) {
        record({ ...rec, body: text, status: 400, violation: `body is not JSON: ${e.message}` });
        return send(res, 400, { message: 'invalid JSON body' });
      }
    } else if (kind === 'gitlab' && /x-www-form-urlencoded/.test(ct)) {
      body = Object.fromEntries(new URLSearchParams(text)); // GitLab takes form bodies too
    } else {
      body = text;
    }
    rec.body = body;
  }
  // GitLab also takes the parameters in the query string.
  if (kind === 'gitlab' && body === undefined && ['POST', 'PUT'].includes(req.method)) {
    const q = { ...query };
    delete q.private_token;
    if (Object.keys(q).length) body = q;
  }
  const finish = (status, resBody, headers = {}, extra = {}) => {
    record({ ...rec, status, violation: null, ...extra, ...(req.method !== 'GET' && resBody !== undefined ? { response: resBody } : {}) });
    send(res, status, resBody, headers);
  };
  if (req.method === 'GET' && sub === '/user') {
    if (auth === 'missing' || auth === 'bad') return finish(401, { message: '401 Unauthorized' }, {}, { violation: auth === 'bad' ? 'bad credentials' : 'no credentials' });
    const id = userId(opts.botLogin);
    return finish(200, kind === 'gitlab' ? { id, username: opts.botLogin, name: opts.botLogin, state: 'active', bot: true } : { id, login: opts.botLogin, username: opts.botLogin, full_name: opts.botLogin });
  }
  let match = null;
  for (const r of routes) {
    const m = r[1].exec(sub);
    if (m && r[0] === req.method) { match = [r, m]; break; }
  }
  if (!match) return finish(404, { message: '404 Not Found' }, {}, { violation: `no such ${kind} route in the fake (or the forge): ${req.method} ${sub}` });
  const [[, , schema, handler, querySchema], m] = match;
  const qerr = check(querySchema || 'pageQuery', query);
  if (qerr) return finish(kind === 'gitlab' ? 400 : 422, { message: qerr }, {}, { violation: `${kind} ${req.method} ${sub} query: ${qerr}` });
  if (schema) {
    const err = check(schema, body === undefined ? {} : body);
    if (err) return finish(kind === 'gitlab' ? 400 : 422, { message: err }, {}, { violation: `${kind} ${req.method} ${sub}: ${err}` });
  }
  if (auth === 'missing' || auth === 'bad') return finish(401, { message: '401 Unauthorized' }, {}, { violation: auth === 'bad' ? 'bad credentials' : 'no credentials' });
  const fault = takeFault(req.method, pathname);
  if (fault) return finish(fault.status, faultBody(fault), faultHeaders(fault), { fault: true });
  const repo = kind === 'gitlab' ? repoByProjectId(m[1]) : findRepo(`${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`);
  if (!repo) return finish(404, { message: kind === 'gitlab' ? '404 Project Not Found' : 'repo not found' });
  const out = handler({ repo, m, body: body || {}, query });
  let headers = out.headers || {};
  if (req.method === 'GET' && Array.isArray(out.body)) {
    const pg = paginate(out.body, query, null, pathname, kind === 'gitea' ? { perPageKey: 'limit', def: 30, max: 50 } : { def: 20, max: 100 });
    out.body = pg.slice;
    headers = { ...headers, ...pg.headers };
  }
  finish(out.status, out.body, headers);
}

// --- the control API (/_fake/…, never recorded) -------------------------------------

function setPull(full, b) {
  const repo = repoState(full);
  const old = repo.pulls[b.number] || {};
  const t = nowIso();
  const p = { number: Number(b.number), state: 'open', title: `PR ${b.number}`, user: 'octocat', head_ref: `feature-${b.number}`,
    base_ref: repo.defaultBranch, labels: [], draft: false, merged: false, created_at: old.created_at || t, ...old, ...b, updated_at: t };
  if (p.merged) p.state = 'closed';
  if (!p.head_sha) throw new Error('head_sha is required');
  repo.pulls[p.number] = p;
  // The forge keeps the PR head under refs/pull/N/head (GitLab:
  // refs/merge-requests/N/head); a fork's commit is copied in when needed.
  if (repoExists(full)) {
    if (p.head_repo && p.head_repo !== full && repoExists(p.head_repo) && !resolveRef(full, p.head_sha)) {
      git(full, ['fetch', '--quiet', repoDir(p.head_repo), p.head_sha]);
    }
    if (resolveRef(full, p.head_sha)) {
      git(full, ['update-ref', `refs/pull/${p.number}/head`, p.head_sha]);
      git(full, ['update-ref', `refs/merge-requests/${p.number}/head`, p.head_sha]);
    } else {
      p.warning = `head_sha ${p.head_sha} is not in ${full}: no refs/pull/${p.number}/head`;
    }
    if (!p.base_sha) p.base_sha = resolveRef(full, `refs/heads/${p.base_ref}`) || '';
  }
  return p;
}

async function serveControl(req, res, url, raw) {
  let b = {};
  if (raw.length) {
    try { b = JSON.parse(raw.toString('utf8')); } catch (e) { return send(res, 400, { error: `bad JSON: ${e.message}` }); }
  }
  const p = url.pathname.replace(/^\/_fake/, '');
  const M = req.method;
  try {
    if (M === 'GET' && p === '/health') return send(res, 200, { ok: true, url: baseUrl });
    if (M === 'GET' && p === '/state') return send(res, 200, { ...state, faults: state.faults.map((f) => ({ ...f, re: String(f.re) })) });
    if (M === 'POST' && p === '/reset') {
      state = freshState();
      if (b.log !== false) fs.writeFileSync(opts.log, '');
      return send(res, 200, { ok: true });
    }
    if (M === 'GET' && p === '/calls') {
      const lines = fs.existsSync(opts.log) ? fs.readFileSync(opts.log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
      return send(res, 200, lines);
    }
    if (M === 'POST' && p === '/repos') {
      const full = b.repo || `${b.owner}/${b.name}`;
      if (!/^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/.test(full)) return send(res, 400, { error: 'repo must be OWNER/NAME' });
      if (!repoExists(full)) execFileSync('git', ['init', '--quiet', '--bare', '-b', b.default_branch || 'main', repoDir(full)]);
      const r = repoState(full);
      if (b.default_branch) r.defaultBranch = b.default_branch;
      return send(res, 201, { repo: full, id: r.id, clone_url: `${baseUrl}/${full}.git`, dir: repoDir(full) });
    }
    if (M === 'PUT' && p === '/pulls') return send(res, 200, setPull(b.repo, b));
    if (M === 'PUT' && p === '/permissions') {
      repoState(b.repo).permissions[b.user] = b.permission;
      return send(res, 200, { repo: b.repo, user: b.user, permission: b.permission, user_id: userId(b.user) });
    }
    if (M === 'POST' && p === '/comments') {
      const c = addComment(repoState(b.repo), Number(b.number), b.body, b.user || 'octocat');
      return send(res, 201, { ...c, user_id: userId(c.user) });
    }
    let m = /^\/comments\/(\d+)$/.exec(p);
    if (M === 'DELETE' && m) {
      for (const r of Object.values(state.repos)) {
        if (r.comments[m[1]]) { delete r.comments[m[1]]; return send(res, 204); }
      }
      return send(res, 404, { error: 'no such comment' });
    }
    if (M === 'POST' && p === '/faults') {
      const f = { method: b.method ? b.method.toUpperCase() : null, re: new RegExp(b.path || '.'), count: b.count === undefined ? 1 : Number(b.count),
        status: Number(b.status || 500), retryAfter: b.retry_after, ratelimitReset: b.ratelimit_reset, body: b.body };
      state.faults.push(f);
      return send(res, 201, { ...f, re: String(f.re) });
    }
    if (M === 'DELETE' && p === '/faults') { state.faults = []; return send(res, 204); }
    m = /^\/repos\/(.+)$/.exec(p);
    if (M === 'GET' && m) {
      const r = findRepo(m[1]);
      return r ? send(res, 200, r) : send(res, 404, { error: 'no such repo' });
    }
    return send(res, 404, { error: `no control endpoint ${M} ${p}` });
  } catch (e) {
    return send(res, 400, { error: e.message });
  }
}

// --- the server -------------------------------------------------------------------

async function handle(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname.startsWith('/_fake/')) return serveControl(req, res, url, await readBody(req));
  const g = GIT_PATH.exec(url.pathname);
  if (g) return serveGit(req, res, g, url);
  const raw = await readBody(req);
  if (url.pathname.startsWith('/api/v1/')) return serveTable('gitea', giteaRoutes, req, res, url, '/api/v1', raw);
  if (url.pathname.startsWith('/api/v4/')) return serveTable('gitlab', gitlabRoutes, req, res, url, '/api/v4', raw);
  if (url.pathname.startsWith('/api/v3/')) return serveGitHub(req, res, url, '/api/v3', raw);
  return serveGitHub(req, res, url, '', raw);
}

async function main() {
  const { OpenAPIBackend } = require('openapi-backend');
  const spec = require('@octokit/openapi/generated/api.github.com.json');
  ghApi = new OpenAPIBackend({ definition: spec, quick: true, validate: true, ajvOpts: { strict: false } });
  await ghApi.init();
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      record({ forge: 'fake', method: req.method, path: req.url, status: 500, violation: null, error: String(e.stack || e) });
      if (!res.headersSent) send(res, 500, { message: `fake forge error: ${e.message}` });
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  server.listen(opts.port, opts.host, () => {
    baseUrl = `http://${opts.host}:${server.address().port}`;
    if (opts.portFile) fs.writeFileSync(opts.portFile, String(server.address().port));
    if (!fs.existsSync(opts.log)) fs.writeFileSync(opts.log, '');
    process.stdout.write(`fake_forge listening on ${baseUrl}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`fake_forge: ${e.stack || e}\n`);
  process.exit(1);
});
