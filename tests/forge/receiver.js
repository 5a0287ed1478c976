#!/usr/bin/env node
// A tiny webhook receiver for selftest.sh: verifies each delivery with
// GitHub's own @octokit/webhooks-methods verify() (GitHub X-Hub-Signature-256,
// Gitea X-Gitea-Signature as bare hex) or GitLab's X-Gitlab-Token, answers
// 401 to a bad one and 200 otherwise ("duplicate" for a delivery id seen
// before), and appends each delivery to a JSON-lines file:
// {forge, event, delivery, verified, duplicate, status, length}.
//   receiver.js --port N --secret S --log FILE
'use strict';

const http = require('http');
const fs = require('fs');
const crypto = require('crypto');

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (i % 2 ? a : [...a, [v.replace(/^--/, ''), all[i + 1]]]), []));
const secret = args.secret;
const seen = new Set();

async function main() {
  const { verify } = await import('@octokit/webhooks-methods');
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const h = req.headers;
      let forge;
      let event;
      let delivery;
      let verified = false;
      if (h['x-gitlab-event']) {
        forge = 'gitlab';
        event = h['x-gitlab-event'];
        delivery = h['idempotency-key'] || h['x-gitlab-event-uuid'];
        const t = Buffer.from(h['x-gitlab-token'] || '');
        const s = Buffer.from(secret);
        verified = t.length === s.length && crypto.timingSafeEqual(t, s);
      } else if (h['x-gitea-event']) {
        forge = 'gitea';
        event = `${h['x-gitea-event']}/${h['x-gitea-event-type']}`;
        delivery = h['x-gitea-delivery'];
        verified = !!h['x-gitea-signature'] && await verify(secret, body.toString('utf8'), `sha256=${h['x-gitea-signature']}`);
      } else {
        forge = 'github';
        event = h['x-github-event'];
        delivery = h['x-github-delivery'];
        verified = !!h['x-hub-signature-256'] && await verify(secret, body.toString('utf8'), h['x-hub-signature-256']);
      }
      const duplicate = verified && seen.has(delivery);
      if (verified) seen.add(delivery);
      const status = verified ? 200 : 401;
      fs.appendFileSync(args.log, JSON.stringify({ forge, event, delivery, verified, duplicate, status, length: body.length }) + '\n');
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(verified ? (duplicate ? 'duplicate\n' : 'ok\n') : 'bad signature\n');
    });
  });
  server.listen(Number(args.port || 0), '127.0.0.1', () => {
    process.stdout.write(`receiver listening on http://127.0.0.1:${server.address().port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main().catch((e) => { process.stderr.write(`${e.stack}\n`); process.exit(1); });
