#!/usr/bin/env node
// Sends a forge webhook the way the forge would: the payload file (optionally
// edited: PR number, head SHA, action, repo, clone URL, comment …), signed
// with GitHub's own @octokit/webhooks-methods sign(), POSTed with the
// headers of GitHub, Gitea/Forgejo or GitLab. Prints the HTTP status on the
// first line and the answer's body after it (or one JSON object with --json).
//
//   send_webhook.js --url http://127.0.0.1:8080/forges/github/webhook \
//     --forge github --secret S --payload tests/fixtures/forges/github/pull_request.synchronize.json \
//     --number 7 --sha $SHA --repo acme/web --clone-url http://127.0.0.1:9000/acme/web.git
//
// tests/forge/README.md lists every option.
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const crypto = require('crypto');

const USAGE = `usage: send_webhook.js --url URL --payload FILE [--forge github|gitea|forgejo|gitlab]
  signing:   --secret S | --secret-env NAME | --secret-file F   (GitLab: the token)
             --bad-signature (sign with a wrong secret) | --no-signature
  delivery:  --delivery ID (reuse one to replay; default a new UUID) --event NAME
             --event-type T (Gitea X-Gitea-Event-Type) --header 'K: V' (repeatable)
  payload:   --number N --sha SHA --before SHA --action A --repo OWNER/NAME --clone-url URL
             --merged true|false --draft true|false --label NAME --title T --base BRANCH
             --head-repo OWNER/NAME (a fork) --user LOGIN --comment BODY --comment-id ID
             --ref REF (push) --oldrev SHA | --no-oldrev (GitLab update) --set PATH=JSON
             --compact (send compact JSON; edited payloads are re-serialised anyway)
             --form (GitHub's and Gitea's other content type: payload=<urlencoded JSON>)
  output:    --json (one JSON object: status, body, delivery, headers) --expect CODE
             --out-body FILE (the exact bytes sent) --timeout MS
             --dry-run (write --out-body and print the headers as JSON; send nothing)`;

function parse(argv) {
  const o = { forge: 'github', headers: [], set: [], timeout: 10000 };
  const flags = new Set(['--bad-signature', '--no-signature', '--compact', '--json', '--no-oldrev', '--dry-run', '--form']);
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') { process.stdout.write(USAGE + '\n'); process.exit(0); }
    if (flags.has(a)) { o[camel(a)] = true; continue; }
    if (!a.startsWith('--') || i + 1 >= argv.length) usage(`bad argument ${a}`);
    const v = argv[++i];
    if (a === '--header') o.headers.push(v);
    else if (a === '--set') o.set.push(v);
    else o[camel(a)] = v;
  }
  if (o.dryRun && !o.url) o.url = 'http://127.0.0.1/';
  if (!o.url || !o.payload) usage('--url and --payload are required');
  if (!['github', 'gitea', 'forgejo', 'gitlab'].includes(o.forge)) usage(`unknown forge ${o.forge}`);
  // Forgejo sends Gitea's payloads and headers, and X-Forgejo-* besides.
  o.forgejo = o.forge === 'forgejo';
  if (o.forgejo) o.forge = 'gitea';
  if (o.secretEnv) o.secret = process.env[o.secretEnv];
  if (o.secretFile) o.secret = fs.readFileSync(o.secretFile, 'utf8').replace(/\r?\n$/, '');
  return o;
}
function camel(flag) { return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase()); }
function usage(msg) { process.stderr.write(`send_webhook: ${msg}\n${USAGE}\n`); process.exit(2); }

// --- editing the payload -----------------------------------------------------------

function setPath(obj, dotted, value) {
  const keys = dotted.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (o[k] === null || typeof o[k] !== 'object') o[k] = {};
    o = o[k];
  }
  o[keys[keys.length - 1]] = value;
}
const bool = (v) => v === true || v === 'true' || v === '1';
const ZERO = '0000000000000000000000000000000000000000';

function repoUrls(o, full) {
  const base = o.cloneUrl ? o.cloneUrl.replace(/\/[^/]+\/[^/]+?(\.git)?$/, '') : 'https://forge.example.com';
  return { clone: o.cloneUrl || `${base}/${full}.git`, html: `${base}/${full}` };
}

function editGitHub(p, o) {
  const isPr = !!p.pull_request;
  const isComment = !!p.comment && !!p.issue;
  if (o.action) p.action = o.action;
  if (o.repo) {
    const [owner, name] = o.repo.split('/');
    const u = repoUrls(o, o.repo);
    for (const r of [p.repository, isPr ? p.pull_request.base.repo : null, isPr && !o.headRepo ? p.pull_request.head.repo : null]) {
      if (!r) continue;
      Object.assign(r, { name, full_name: o.repo, clone_url: u.clone, html_url: u.html });
      if (r.owner) r.owner.login = owner;
    }
  } else if (o.cloneUrl) {
    p.repository.clone_url = o.cloneUrl;
    if (isPr) p.pull_request.base.repo.clone_url = o.cloneUrl;
  }
  if (isPr) {
    const pr = p.pull_request;
    if (o.number) { p.number = Number(o.number); pr.number = Number(o.number); }
    if (o.sha) pr.head.sha = o.sha;
    // synchronize carries the old and new head at the top level too.
    if (o.sha && p.after !== undefined) p.after = o.sha;
    if (o.before && p.before !== undefined) p.before = o.before;
    if (o.base) { pr.base.ref = o.base; pr.base.label = `${pr.base.label.split(':')[0]}:${o.base}`; }
    if (o.title) pr.title = o.title;
    if (o.draft !== undefined) pr.draft = bool(o.draft);
    if (o.merged !== undefined) {
      pr.merged = bool(o.merged);
      pr.merged_at = pr.merged ? (pr.closed_at || new Date().toISOString()) : null;
    }
    if (o.label) {
      p.label = { ...(p.label || { id: 1, node_id: 'LA_1', url: '', color: 'ededed', default: false, description: null }), name: o.label };
      if (!pr.labels.some((l) => l.name === o.label)) pr.labels.push({ ...p.label });
    }
    if (o.headRepo) {
      const [owner, name] = o.headRepo.split('/');
      const u = repoUrls(o, o.headRepo);
      pr.head.repo = { ...pr.head.repo, name, full_name: o.headRepo, fork: true, clone_url: u.clone, html_url: u.html,
        owner: { ...pr.head.repo.owner, login: owner } };
      pr.head.label = `${owner}:${pr.head.ref}`;
      pr.head.user = { ...pr.head.user, login: owner };
    }
    if (o.user) { pr.user.login = o.user; p.sender.login = o.user; }
  }
  if (isComment) {
    if (o.number) p.issue.number = Number(o.number);
    if (o.comment !== undefined) p.comment.body = o.comment;
    if (o.commentId) p.comment.id = Number(o.commentId);
    if (o.user) { p.comment.user.login = o.user; p.sender.login = o.user; }
    if (o.repo || o.number) {
      const full = p.repository.full_name;
      const n = p.issue.number;
      const api = (p.issue.url || '').replace(/\/repos\/.*$/, '');
      p.issue.pull_request = { ...(p.issue.pull_request || {}), url: `${api}/repos/${full}/pulls/${n}`, html_url: `${repoUrls(o, full).html}/pull/${n}`,
        diff_url: `${repoUrls(o, full).html}/pull/${n}.diff`, patch_url: `${repoUrls(o, full).html}/pull/${n}.patch` };
    }
  }
  if (p.pusher || p.commits) { // push
    if (o.ref) p.ref = o.ref;
    if (o.before) p.before = o.before;
    if (o.sha) { p.after = o.sha; if (p.head_commit) p.head_commit.id = o.sha; }
  }
}

function editGitea(p, o) {
  if (o.action) p.action = o.action;
  if (o.repo) {
    const [owner, name] = o.repo.split('/');
    const u = repoUrls(o, o.repo);
    Object.assign(p.repository, { name, full_name: o.repo, clone_url: u.clone, html_url: u.html });
    p.repository.owner.login = owner;
    p.repository.owner.username = owner;
    if (p.pull_request) {
      Object.assign(p.pull_request.base.repo, { name, full_name: o.repo, clone_url: u.clone, html_url: u.html });
      if (!o.headRepo) Object.assign(p.pull_request.head.repo, { name, full_name: o.repo, clone_url: u.clone, html_url: u.html });
    }
  } else if (o.cloneUrl) {
    p.repository.clone_url = o.cloneUrl;
  }
  if (p.pull_request) {
    const pr = p.pull_request;
    if (o.number) { p.number = Number(o.number); pr.number = Number(o.number); }
    if (o.sha) pr.head.sha = o.sha;
    if (o.base) pr.base.ref = o.base;
    if (o.title) pr.title = o.title;
    if (o.draft !== undefined) pr.draft = bool(o.draft);
    if (o.merged !== undefined) { pr.merged = bool(o.merged); pr.merged_at = pr.merged ? new Date().toISOString() : null; }
    if (o.label && !pr.labels.some((l) => l.name === o.label)) pr.labels.push({ id: pr.labels.length + 1, name: o.label, color: 'ededed', description: '', url: '' });
    if (o.headRepo) {
      const [owner, name] = o.headRepo.split('/');
      const u = repoUrls(o, o.headRepo);
      pr.head.repo = { ...pr.head.repo, id: pr.head.repo.id + 1000, name, full_name: o.headRepo, fork: true, clone_url: u.clone, html_url: u.html,
        owner: { ...pr.head.repo.owner, login: owner, username: owner } };
      pr.head.repo_id = pr.head.repo.id;
    }
    if (o.user) { pr.user.login = o.user; pr.user.username = o.user; p.sender.login = o.user; p.sender.username = o.user; }
  }
  if (p.comment) {
    if (o.number) p.issue.number = Number(o.number);
    if (o.comment !== undefined) p.comment.body = o.comment;
    if (o.commentId) p.comment.id = Number(o.commentId);
    if (o.user) { p.comment.user.login = o.user; p.comment.user.username = o.user; p.sender.login = o.user; p.sender.username = o.user; }
  }
  if (p.commits) {
    if (o.ref) p.ref = o.ref;
    if (o.before) p.before = o.before;
    if (o.sha) { p.after = o.sha; if (p.head_commit) p.head_commit.id = o.sha; }
  }
}

function editGitLab(p, o) {
  const u = o.repo ? repoUrls(o, o.repo) : null;
  const setProject = (pr) => {
    if (!pr) return;
    if (o.repo) {
      const [ns, name] = o.repo.split('/');
      Object.assign(pr, { name, path_with_namespace: o.repo, namespace: ns, git_http_url: u.clone, http_url: u.clone, url: u.clone, web_url: u.html, homepage: u.html });
    } else if (o.cloneUrl) {
      Object.assign(pr, { git_http_url: o.cloneUrl, http_url: o.cloneUrl });
    }
  };
  setProject(p.project);
  if (p.repository && (o.repo || o.cloneUrl)) Object.assign(p.repository, { git_http_url: (u && u.clone) || o.cloneUrl, url: (u && u.clone) || o.cloneUrl });
  if (p.object_kind === 'merge_request') {
    const a = p.object_attributes;
    setProject(a.target);
    if (!o.headRepo) setProject(a.source);
    if (o.number) a.iid = Number(o.number);
    if (o.sha) a.last_commit.id = o.sha;
    if (o.action) {
      a.action = o.action;
      a.state = { open: 'opened', reopen: 'opened', update: a.state, merge: 'merged', close: 'closed' }[o.action] || a.state;
    }
    if (o.oldrev) a.oldrev = o.oldrev;
    if (o.noOldrev) delete a.oldrev;
    if (o.title) a.title = o.title;
    if (o.base) a.target_branch = o.base;
    if (o.draft !== undefined) { a.draft = bool(o.draft); a.work_in_progress = a.draft; }
    if (o.label && !a.labels.some((l) => l.title === o.label)) {
      const l = { id: 900 + a.labels.length, title: o.label, color: '#ededed', project_id: p.project.id, template: false, description: null, type: 'ProjectLabel', group_id: null };
      a.labels.push(l);
      p.labels = a.labels;
    }
    if (o.headRepo) {
      const [ns, name] = o.headRepo.split('/');
      const hu = repoUrls(o, o.headRepo);
      a.source_project_id = p.project.id + 1000;
      a.source = { ...a.source, name, path_with_namespace: o.headRepo, namespace: ns, git_http_url: hu.clone, http_url: hu.clone, url: hu.clone, web_url: hu.html };
    }
    if (o.user) p.user.username = o.user;
  }
  if (p.object_kind === 'note') {
    if (o.number) p.merge_request.iid = Number(o.number);
    if (o.sha) p.merge_request.last_commit.id = o.sha;
    if (o.comment !== undefined) p.object_attributes.note = o.comment;
    if (o.commentId) p.object_attributes.id = Number(o.commentId);
    if (o.user) p.user.username = o.user;
    setProject(p.merge_request.target);
    setProject(p.merge_request.source);
  }
  if (p.object_kind === 'push') {
    if (o.ref) p.ref = o.ref;
    if (o.before) p.before = o.before;
    if (o.sha) { p.after = o.sha; p.checkout_sha = o.sha; }
  }
}

// --- headers ----------------------------------------------------------------------

function inferEvent(forge, p) {
  if (forge === 'gitlab') {
    return { note: 'Note Hook', merge_request: 'Merge Request Hook', push: 'Push Hook', tag_push: 'Tag Push Hook' }[p.object_kind] || 'System Hook';
  }
  if (p.zen !== undefined) return 'ping';
  if (p.comment && p.issue) return 'issue_comment';
  if (p.pull_request) return 'pull_request';
  if (p.pusher || p.commits) return 'push';
  throw new Error('cannot tell the event from the payload: pass --event');
}

// Gitea's X-Gitea-Event-Type: the finer type behind X-Gitea-Event.
function giteaEventType(event, p) {
  if (event === 'issue_comment') return p.is_pull ? 'pull_request_comment' : 'issue_comment';
  if (event === 'pull_request') {
    return { synchronized: 'pull_request_sync', label_updated: 'pull_request_label', label_cleared: 'pull_request_label',
      assigned: 'pull_request_assign', unassigned: 'pull_request_assign', milestoned: 'pull_request_milestone',
      demilestoned: 'pull_request_milestone', review_requested: 'pull_request_review_request',
      review_request_removed: 'pull_request_review_request' }[p.action] || 'pull_request';
  }
  return event;
}

async function main() {
  const o = parse(process.argv);
  const { sign } = await import('@octokit/webhooks-methods');
  const rawFile = o.payload === '-' ? fs.readFileSync(0) : fs.readFileSync(o.payload);
  const edits = ['number', 'sha', 'before', 'action', 'repo', 'cloneUrl', 'merged', 'draft', 'label', 'title', 'base', 'headRepo',
    'user', 'comment', 'commentId', 'ref', 'oldrev', 'noOldrev'].filter((k) => o[k] !== undefined);
  let body = rawFile;
  let payload = null;
  if (edits.length || o.set.length || o.compact || !o.event) payload = JSON.parse(rawFile.toString('utf8'));
  if (edits.length || o.set.length || o.compact) {
    ({ github: editGitHub, gitea: editGitea, gitlab: editGitLab })[o.forge](payload, o);
    for (const s of o.set) {
      const i = s.indexOf('=');
      if (i < 0) usage(`--set needs PATH=JSON, got ${s}`);
      let v = s.slice(i + 1);
      try { v = JSON.parse(v); } catch (e) { /* a bare string */ }
      setPath(payload, s.slice(0, i), v);
    }
    // Gitea indents with two spaces (json.MarshalIndent); GitHub and GitLab send compact JSON.
    body = Buffer.from(o.forge === 'gitea' && !o.compact ? JSON.stringify(payload, null, 2) : JSON.stringify(payload));
  }
  const event = o.event || inferEvent(o.forge, payload);
  const delivery = o.delivery || crypto.randomUUID();
  const secret = o.secret === undefined ? '' : o.secret;
  if (!secret && !o.noSignature) usage('no secret: pass --secret, --secret-env or --secret-file, or --no-signature');
  const signWith = o.badSignature ? `${secret}-not-the-secret` : secret;

  if (o.form) body = Buffer.from(`payload=${encodeURIComponent(body.toString('utf8'))}`);
  const h = { 'Content-Type': o.form ? 'application/x-www-form-urlencoded' : 'application/json', 'Content-Length': String(body.length) };
  if (o.forge === 'github') {
    Object.assign(h, { 'User-Agent': 'GitHub-Hookshot/0f1c2d3', 'X-GitHub-Event': event, 'X-GitHub-Delivery': delivery,
      'X-GitHub-Hook-ID': '412345678', 'X-GitHub-Hook-Installation-Target-Type': 'repository',
      'X-GitHub-Hook-Installation-Target-ID': String((payload && payload.repository && payload.repository.id) || 1) });
    if (!o.noSignature) {
      h['X-Hub-Signature-256'] = await sign(signWith, body.toString('utf8'));
      h['X-Hub-Signature'] = 'sha1=' + crypto.createHmac('sha1', signWith).update(body).digest('hex');
    }
  } else if (o.forge === 'gitea') {
    const type = o.eventType || giteaEventType(event, payload || {});
    Object.assign(h, { 'User-Agent': 'Go-http-client/1.1', 'X-Gitea-Event': event, 'X-Gitea-Event-Type': type, 'X-Gitea-Delivery': delivery,
      'X-Gogs-Event': event, 'X-Gogs-Event-Type': type, 'X-Gogs-Delivery': delivery,
      'X-GitHub-Event': event, 'X-GitHub-Event-Type': type, 'X-GitHub-Delivery': delivery });
    if (!o.noSignature) {
      const s256 = await sign(signWith, body.toString('utf8'));
      const hex = s256.replace(/^sha256=/, '');
      Object.assign(h, { 'X-Gitea-Signature': hex, 'X-Gogs-Signature': hex, 'X-Hub-Signature-256': s256,
        'X-Hub-Signature': 'sha1=' + crypto.createHmac('sha1', signWith).update(body).digest('hex') });
      if (o.forgejo) h['X-Forgejo-Signature'] = hex;
    }
    if (o.forgejo) Object.assign(h, { 'X-Forgejo-Event': event, 'X-Forgejo-Event-Type': type, 'X-Forgejo-Delivery': delivery });
  } else {
    Object.assign(h, { 'User-Agent': 'GitLab/17.6.0', 'X-Gitlab-Event': event, 'X-Gitlab-Event-UUID': delivery,
      'X-Gitlab-Webhook-UUID': '5f2a8e1c-4b7d-4e0a-9c3f-7d1e2b6a9f00', 'Idempotency-Key': delivery,
      'X-Gitlab-Instance': new URL(o.url).origin });
    if (!o.noSignature) h['X-Gitlab-Token'] = signWith; // GitLab sends the secret token itself
  }
  for (const line of o.headers) {
    const i = line.indexOf(':');
    if (i < 0) usage(`--header needs 'Name: value', got ${line}`);
    const k = line.slice(0, i).trim();
    const v = line.slice(i + 1).trim();
    for (const old of Object.keys(h)) if (old.toLowerCase() === k.toLowerCase()) delete h[old];
    if (v !== '') h[k] = v;
  }
  if (o.outBody) fs.writeFileSync(o.outBody, body);
  if (o.dryRun) {
    process.stdout.write(JSON.stringify(h) + '\n');
    return;
  }

  const url = new URL(o.url);
  const lib = url.protocol === 'https:' ? https : http;
  const res = await new Promise((resolve, reject) => {
    const req = lib.request(url, { method: 'POST', headers: h, timeout: Number(o.timeout) }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeout} ms`)));
    req.on('error', reject);
    req.end(body);
  });
  if (o.json) process.stdout.write(JSON.stringify({ status: res.status, body: res.body, delivery, event, headers: res.headers }) + '\n');
  else process.stdout.write(`${res.status}\n${res.body}${res.body.endsWith('\n') || !res.body ? '' : '\n'}`);
  if (o.expect && String(res.status) !== String(o.expect)) {
    process.stderr.write(`send_webhook: expected HTTP ${o.expect}, got ${res.status}\n`);
    process.exit(1);
  }
}

main().catch((e) => {
  process.stderr.write(`send_webhook: ${e.message}\n`);
  process.exit(3);
});
