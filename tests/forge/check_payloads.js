#!/usr/bin/env node
// Checks GitHub webhook payloads against GitHub's published webhook
// descriptions (npm @octokit/openapi-webhooks, api.github.com): every field
// present must have the type, format and values the description gives, so a
// payload we derived or edited (a merged close, a comment moved onto a PR, a
// fork head) is one GitHub could send. Fields the description requires but
// the payload lacks are counted, not failed: the captured examples predate
// fields GitHub added since (has_discussions, auto_merge …).
//   check_payloads.js [--event NAME.ACTION] FILE…   exit 1 when one does not conform
'use strict';

const fs = require('fs');
const Ajv2020 = require('ajv/dist/2020');

const doc = require('@octokit/openapi-webhooks/generated/api.github.com.json');
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ $id: 'gh', components: doc.components, webhooks: doc.webhooks });

function webhookKey(p, forced) {
  let event = forced;
  if (!event) {
    if (p.zen !== undefined) event = 'ping';
    else if (p.comment && p.issue) event = `issue_comment.${p.action}`;
    else if (p.pull_request) event = `pull_request.${p.action}`;
    else if (p.pusher || p.commits) event = 'push';
    else throw new Error('cannot tell the event: pass --event NAME.ACTION');
  }
  return event.replace(/[._]/g, '-');
}

let forced = null;
let bad = 0;
const files = [];
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--event') forced = process.argv[++i];
  else files.push(process.argv[i]);
}
if (!files.length) {
  process.stderr.write('usage: check_payloads.js [--event NAME.ACTION] FILE…\n');
  process.exit(2);
}
for (const f of files) {
  const p = JSON.parse(fs.readFileSync(f, 'utf8'));
  const key = webhookKey(p, forced);
  if (!doc.webhooks[key]) {
    process.stdout.write(`${f}: no webhook ${key} in GitHub's description\n`);
    bad++;
    continue;
  }
  const v = ajv.getSchema(`gh#/webhooks/${key}/post/requestBody/content/application~1json/schema`);
  v(p);
  const errors = v.errors || [];
  const wrong = errors.filter((e) => e.keyword !== 'required');
  const missing = errors.length - wrong.length;
  if (wrong.length) {
    bad++;
    process.stdout.write(`${f}: does not conform to ${key}:\n`);
    for (const e of wrong.slice(0, 10)) process.stdout.write(`  ${e.instancePath || '/'} ${e.message}\n`);
  } else {
    process.stdout.write(`${f}: conforms to ${key}${missing ? ` (${missing} newer required fields absent)` : ''}\n`);
  }
}
process.exit(bad ? 1 : 0);
