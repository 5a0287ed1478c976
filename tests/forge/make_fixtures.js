#!/usr/bin/env node
// Writes tests/fixtures/forges/: GitHub payloads taken from npm
// @octokit/webhooks-examples (real deliveries collected by the Octokit
// project), and Gitea and GitLab payloads written from their documentation
// and source (Gitea modules/structs, GitLab doc/user/project/integrations/
// webhook_events.md). Run again after updating the examples package; the
// output is committed, so the tests do not depend on this script.
// tests/fixtures/forges/README.md says where each file comes from.
'use strict';

const fs = require('fs');
const path = require('path');

const OUT = path.join(__dirname, '..', 'fixtures', 'forges');
const write = (dir, name, obj) => {
  fs.mkdirSync(path.join(OUT, dir), { recursive: true });
  fs.writeFileSync(path.join(OUT, dir, name), JSON.stringify(obj, null, 2) + '\n');
};
const clone = (x) => JSON.parse(JSON.stringify(x));

// --- GitHub: @octokit/webhooks-examples ------------------------------------------

const examples = require('@octokit/webhooks-examples');
const pick = (event, action, nth = 0) => {
  const all = examples.find((e) => e.name === event).examples.filter((x) => action === null || x.action === action);
  if (!all[nth]) throw new Error(`no ${event}.${action} example #${nth}`);
  return clone(all[nth]);
};

for (const action of ['opened', 'synchronize', 'closed', 'reopened', 'labeled', 'unlabeled', 'ready_for_review', 'converted_to_draft']) {
  write('github', `pull_request.${action}.json`, pick('pull_request', action));
}
// The examples have no merged close: the same closed delivery, merged
// (merged, merged_at, merged_by, merge_commit_sha as GitHub sets them).
{
  const p = pick('pull_request', 'closed');
  const pr = p.pull_request;
  pr.merged = true;
  pr.merged_at = pr.closed_at;
  pr.merged_by = clone(p.sender);
  pr.merge_commit_sha = pr.merge_commit_sha || 'c4295bd74fb0f4fbd7a8b8b8f5d1e7ce7b2c5c54';
  pr.mergeable = null;
  pr.mergeable_state = 'unknown';
  write('github', 'pull_request.closed.merged.json', p);
}
write('github', 'ping.json', pick('ping', null, 0));
// The branch push (the first examples are tag pushes).
{
  const all = examples.find((e) => e.name === 'push').examples;
  write('github', 'push.json', clone(all.find((x) => x.ref.startsWith('refs/heads/') && x.commits.length)));
}
// None of the issue_comment examples is on a pull request: the first
// created one, on PR #2 of the same repository, with issue.pull_request
// as GitHub adds it for PRs, and a command as its body.
{
  const p = pick('issue_comment', 'created');
  const repo = p.repository;
  const n = 2;
  p.issue.number = n;
  p.issue.url = `${repo.url}/issues/${n}`;
  p.issue.html_url = `${repo.html_url}/pull/${n}`;
  p.issue.comments_url = `${repo.url}/issues/${n}/comments`;
  p.issue.pull_request = {
    url: `${repo.url}/pulls/${n}`, html_url: `${repo.html_url}/pull/${n}`,
    diff_url: `${repo.html_url}/pull/${n}.diff`, patch_url: `${repo.html_url}/pull/${n}.patch`, merged_at: null,
  };
  p.issue.draft = false;
  p.comment.body = '/preview';
  p.comment.issue_url = p.issue.url;
  p.comment.html_url = `${repo.html_url}/pull/${n}#issuecomment-${p.comment.id}`;
  write('github', 'issue_comment.created.pr.json', p);
}

// --- Gitea (Forgejo): modules/structs (PullRequestPayload, IssueCommentPayload, PushPayload)

const GT = 'http://gitea.example.com';
const gUser = (id, login) => ({
  id, login, login_name: '', source_id: 0, full_name: '', email: `${login}@noreply.gitea.example.com`,
  avatar_url: `${GT}/avatars/${id}`, html_url: `${GT}/${login}`, language: '', is_admin: false,
  last_login: '0001-01-01T00:00:00Z', created: '2024-02-01T10:00:00Z', restricted: false, active: false,
  prohibit_login: false, location: '', website: '', description: '', visibility: 'public',
  followers_count: 0, following_count: 0, starred_repos_count: 0, username: login,
});
const owner = gUser(1, 'acme');
const dev = gUser(2, 'alice');
const gRepo = (id, full, own, fork = false) => ({
  id, owner: own, name: full.split('/')[1], full_name: full, description: '', empty: false, private: false, fork,
  template: false, parent: null, mirror: false, size: 120, language: '', languages_url: `${GT}/api/v1/repos/${full}/languages`,
  html_url: `${GT}/${full}`, url: `${GT}/api/v1/repos/${full}`, link: '', ssh_url: `git@gitea.example.com:${full}.git`,
  clone_url: `${GT}/${full}.git`, original_url: '', website: '', stars_count: 0, forks_count: 0, watchers_count: 1,
  open_issues_count: 0, open_pr_counter: 1, release_counter: 0, default_branch: 'main', archived: false,
  created_at: '2024-02-01T10:00:00Z', updated_at: '2024-03-01T09:00:00Z', archived_at: '1970-01-01T00:00:00Z',
  permissions: { admin: false, push: false, pull: true }, has_issues: true, has_wiki: true, has_pull_requests: true,
  has_projects: true, has_releases: true, has_packages: true, has_actions: true, ignore_whitespace_conflicts: false,
  allow_merge_commits: true, allow_rebase: true, allow_rebase_explicit: true, allow_squash_merge: true,
  allow_fast_forward_only_merge: true, allow_rebase_update: true, default_delete_branch_after_merge: false,
  default_merge_style: 'merge', default_allow_maintainer_edit: false, avatar_url: '', internal: false,
  mirror_interval: '', object_format_name: 'sha1', mirror_updated: '0001-01-01T00:00:00Z', repo_transfer: null, topics: null, licenses: null,
});
const repo = gRepo(10, 'acme/web', owner);
const HEAD = '7a3c1e5b9d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c';
const BASE = '1f0e2d4c6b8a0f1e3d5c7b9a1f3e5d7c9b1a3f5e';
const gPull = (extra = {}) => ({
  id: 31, url: `${GT}/acme/web/pulls/7`, number: 7, user: dev, title: 'Add a health page', body: 'So the preview has something to show.',
  labels: [], milestone: null, assignee: null, assignees: null, requested_reviewers: [], requested_reviewers_teams: [],
  state: 'open', draft: false, is_locked: false, comments: 0, review_comments: 0, additions: 12, deletions: 1, changed_files: 2,
  html_url: `${GT}/acme/web/pulls/7`, diff_url: `${GT}/acme/web/pulls/7.diff`, patch_url: `${GT}/acme/web/pulls/7.patch`,
  mergeable: true, merged: false, merged_at: null, merge_commit_sha: null, merged_by: null, allow_maintainer_edit: false,
  base: { label: 'main', ref: 'main', sha: BASE, repo_id: 10, repo },
  head: { label: 'health-page', ref: 'health-page', sha: HEAD, repo_id: 10, repo },
  merge_base: BASE, due_date: null, created_at: '2024-03-01T09:00:00Z', updated_at: '2024-03-01T09:00:00Z', closed_at: null,
  pin_order: 0, ...extra,
});
const gPrPayload = (action, pullExtra = {}, extra = {}) => ({
  action, number: 7, pull_request: gPull(pullExtra), requested_reviewer: null, repository: repo, sender: dev, commit_id: '', review: null, ...extra,
});
write('gitea', 'pull_request.opened.json', gPrPayload('opened'));
write('gitea', 'pull_request.synchronized.json', gPrPayload('synchronized', { updated_at: '2024-03-01T10:00:00Z' }));
write('gitea', 'pull_request.closed.json', gPrPayload('closed', { state: 'closed', closed_at: '2024-03-02T09:00:00Z' }));
write('gitea', 'pull_request.closed.merged.json', gPrPayload('closed', {
  state: 'closed', closed_at: '2024-03-02T09:00:00Z', merged: true, merged_at: '2024-03-02T09:00:00Z',
  merge_commit_sha: '5d7f9b1d3f5a7c9e1b3d5f7a9c7a3c1e5b9d2f4a', merged_by: owner, mergeable: false,
}, { sender: owner }));
write('gitea', 'pull_request.reopened.json', gPrPayload('reopened'));
write('gitea', 'pull_request.label_updated.json', gPrPayload('label_updated', {
  labels: [{ id: 3, name: 'preview', exclusive: false, is_archived: false, color: '0e8a16', description: '', url: `${GT}/api/v1/repos/acme/web/labels/3` }],
}));
write('gitea', 'pull_request.label_cleared.json', gPrPayload('label_cleared'));
{
  const issue = {
    id: 31, url: `${GT}/api/v1/repos/acme/web/issues/7`, html_url: `${GT}/acme/web/pulls/7`, number: 7, user: dev,
    original_author: '', original_author_id: 0, title: 'Add a health page', body: 'So the preview has something to show.',
    ref: '', assets: [], labels: [], milestone: null, assignee: null, assignees: null, state: 'open', is_locked: false, comments: 1,
    created_at: '2024-03-01T09:00:00Z', updated_at: '2024-03-01T09:05:00Z', closed_at: null, due_date: null, time_estimate: 0,
    pull_request: { merged: false, merged_at: null, draft: false, html_url: `${GT}/acme/web/pulls/7` },
    repository: { id: 10, name: 'web', owner: 'acme', full_name: 'acme/web' }, pin_order: 0,
  };
  write('gitea', 'issue_comment.created.pr.json', {
    action: 'created', issue, pull_request: gPull(),
    comment: {
      id: 105, html_url: `${GT}/acme/web/pulls/7#issuecomment-105`, pull_request_url: `${GT}/acme/web/pulls/7`, issue_url: '',
      user: owner, original_author: '', original_author_id: 0, body: '/preview', assets: [],
      created_at: '2024-03-01T09:05:00Z', updated_at: '2024-03-01T09:05:00Z',
    },
    repository: repo, sender: owner, is_pull: true,
  });
}
{
  const commit = {
    id: HEAD, message: 'Add a health page\n', url: `${GT}/acme/web/commit/${HEAD}`,
    author: { name: 'Alice', email: 'alice@example.com', username: 'alice' },
    committer: { name: 'Alice', email: 'alice@example.com', username: 'alice' },
    verification: null, timestamp: '2024-03-01T09:00:00Z', added: ['health.txt'], removed: [], modified: ['Dockerfile'],
  };
  write('gitea', 'push.json', {
    ref: 'refs/heads/staging', before: BASE, after: HEAD, compare_url: `${GT}/acme/web/compare/${BASE}...${HEAD}`,
    commits: [commit], total_commits: 1, head_commit: commit, repository: repo, pusher: dev, sender: dev,
  });
}

// --- GitLab: doc/user/project/integrations/webhook_events.md ----------------------

const GL = 'http://gitlab.example.com';
const glProject = (id, full) => ({
  id, name: full.split('/')[1], description: '', web_url: `${GL}/${full}`, avatar_url: null,
  git_ssh_url: `git@gitlab.example.com:${full}.git`, git_http_url: `${GL}/${full}.git`, namespace: full.split('/')[0],
  visibility_level: 20, path_with_namespace: full, default_branch: 'main', ci_config_path: '', homepage: `${GL}/${full}`,
  url: `${GL}/${full}.git`, ssh_url: `git@gitlab.example.com:${full}.git`, http_url: `${GL}/${full}.git`,
});
const glUser = { id: 2, name: 'Alice', username: 'alice', avatar_url: `${GL}/uploads/-/system/user/avatar/2/avatar.png`, email: '[REDACTED]' };
const proj = glProject(15, 'acme/web');
const glRepo = { name: 'web', url: `${GL}/acme/web.git`, description: '', homepage: `${GL}/acme/web` };
const lastCommit = {
  id: HEAD, message: 'Add a health page\n', title: 'Add a health page', timestamp: '2024-03-01T09:00:00+00:00',
  url: `${GL}/acme/web/-/commit/${HEAD}`, author: { name: 'Alice', email: 'alice@example.com' },
};
const mrAttrs = (action, extra = {}) => ({
  id: 99, iid: 7, target_branch: 'main', source_branch: 'health-page', source_project_id: 15, author_id: 2,
  assignee_ids: [], assignee_id: null, reviewer_ids: [], title: 'Add a health page', created_at: '2024-03-01 09:00:00 UTC',
  updated_at: '2024-03-01 09:00:00 UTC', last_edited_at: null, last_edited_by_id: null, milestone_id: null, state_id: 1,
  state: 'opened', blocking_discussions_resolved: true, work_in_progress: false, draft: false, first_contribution: false,
  merge_status: 'can_be_merged', target_project_id: 15, description: 'So the preview has something to show.',
  prepared_at: '2024-03-01 09:00:02 UTC', total_time_spent: 0, time_change: 0, human_total_time_spent: null,
  human_time_change: null, human_time_estimate: null, url: `${GL}/acme/web/-/merge_requests/7`,
  source: proj, target: proj, last_commit: lastCommit, labels: [], action, detailed_merge_status: 'mergeable', ...extra,
});
const mrHook = (action, attrs = {}, changes = {}) => {
  const a = mrAttrs(action, attrs);
  return {
    object_kind: 'merge_request', event_type: 'merge_request', user: glUser, project: proj,
    object_attributes: a, labels: a.labels, changes, repository: glRepo, assignees: [], reviewers: [],
  };
};
write('gitlab', 'merge_request.open.json', mrHook('open', {}, {
  merge_status: { previous: 'preparing', current: 'unchecked' }, updated_at: { previous: '2024-03-01 09:00:00 UTC', current: '2024-03-01 09:00:02 UTC' },
}));
write('gitlab', 'merge_request.reopen.json', mrHook('reopen'));
// A push to the source branch: oldrev is the previous head.
write('gitlab', 'merge_request.update.oldrev.json', mrHook('update', { oldrev: BASE, updated_at: '2024-03-01 10:00:00 UTC' }, {
  updated_at: { previous: '2024-03-01 09:00:00 UTC', current: '2024-03-01 10:00:00 UTC' },
}));
// A metadata change (a label here): no oldrev, nothing to redeploy.
{
  const label = { id: 206, title: 'preview', color: '#0e8a16', project_id: 15, created_at: '2024-02-01T10:00:00Z', updated_at: '2024-02-01T10:00:00Z', template: false, description: null, type: 'ProjectLabel', group_id: null };
  write('gitlab', 'merge_request.update.no_oldrev.json', mrHook('update', { labels: [label] }, {
    labels: { previous: [], current: [label] }, updated_at: { previous: '2024-03-01 09:00:00 UTC', current: '2024-03-01 09:30:00 UTC' },
  }));
}
write('gitlab', 'merge_request.merge.json', mrHook('merge', { state: 'merged', state_id: 3, merge_commit_sha: '5d7f9b1d3f5a7c9e1b3d5f7a9c7a3c1e5b9d2f4a' }, {
  state_id: { previous: 4, current: 3 },
}));
write('gitlab', 'merge_request.close.json', mrHook('close', { state: 'closed', state_id: 2 }, { state_id: { previous: 1, current: 2 } }));
{
  const a = mrAttrs('open');
  write('gitlab', 'note.merge_request.json', {
    object_kind: 'note', event_type: 'note', user: { ...glUser, id: 1, name: 'Acme Maintainer', username: 'acme' }, project_id: 15, project: proj,
    repository: glRepo,
    object_attributes: {
      id: 1244, note: '/preview', noteable_type: 'MergeRequest', author_id: 1, created_at: '2024-03-01 09:05:00 UTC',
      updated_at: '2024-03-01 09:05:00 UTC', project_id: 15, attachment: null, line_code: null, commit_id: '', noteable_id: 99,
      system: false, st_diff: null, action: 'create', url: `${GL}/acme/web/-/merge_requests/7#note_1244`,
    },
    merge_request: {
      id: 99, target_branch: 'main', source_branch: 'health-page', source_project_id: 15, author_id: 2, assignee_id: null,
      title: a.title, created_at: a.created_at, updated_at: a.updated_at, milestone_id: null, state: 'opened', merge_status: 'can_be_merged',
      target_project_id: 15, iid: 7, description: a.description, position: 0, labels: [], source: proj, target: proj,
      last_commit: lastCommit, work_in_progress: false, draft: false, assignee: null, detailed_merge_status: 'mergeable',
    },
  });
}
write('gitlab', 'push.json', {
  object_kind: 'push', event_name: 'push', before: BASE, after: HEAD, ref: 'refs/heads/staging', ref_protected: false,
  checkout_sha: HEAD, message: null, user_id: 2, user_name: 'Alice', user_username: 'alice', user_email: '', user_avatar: glUser.avatar_url,
  project_id: 15, project: proj,
  commits: [{ ...lastCommit, added: ['health.txt'], modified: ['Dockerfile'], removed: [] }], total_commits_count: 1,
  push_options: {}, repository: { ...glRepo, git_http_url: proj.git_http_url, git_ssh_url: proj.git_ssh_url, visibility_level: 20 },
});

process.stdout.write(`fixtures written under ${OUT}\n`);
