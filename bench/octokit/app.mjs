// The peer for the webhook intake figure: GitHub's own receiver library,
// @octokit/webhooks (what Probot is built on), in the smallest Node server:
// createNodeMiddleware verifies X-Hub-Signature-256 over the raw body,
// parses the JSON, runs the handlers and answers 200 "ok" (401/400 when the
// signature or payload is wrong). The handler records nothing: verify and
// acknowledge only.
// Usage: GITHUB_WEBHOOK_SECRET=… node app.mjs PORT [PATH]
import http from "node:http";
import { Webhooks, createNodeMiddleware } from "@octokit/webhooks";

const webhooks = new Webhooks({ secret: process.env.GITHUB_WEBHOOK_SECRET });
let received = 0;
webhooks.on("pull_request.synchronize", () => {
  received++;
});
webhooks.onError((e) => console.error(`octokit: ${e.message}`));

const port = Number(process.argv[2] || 3000);
const path = process.argv[3] || "/forges/github/webhook";
const middleware = createNodeMiddleware(webhooks, { path, log: { debug() {}, info() {}, warn() {}, error() {} } });
const server = http.createServer(async (req, res) => {
  if (req.url === "/count") {
    res.writeHead(200, { "content-type": "text/plain" }).end(`${received}\n`);
    return;
  }
  if (!(await middleware(req, res))) res.writeHead(404).end();
});
server.keepAliveTimeout = 60000;
server.listen(port, "127.0.0.1", () => console.log(`octokit webhooks listening on ${port}${path}`));
