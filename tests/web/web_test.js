// The dashboard in a real browser (Debian's chromium through puppeteer-core),
// driven by tests/e2e/web_test.sh, which starts the daemon and passes:
//   SANDBOT, DATA      the binary and data folder (to create a sandbox mid-test)
//   BASE               http://HOST:PORT of the listener
//   ADMIN_LINK         a sign-in link of the test's own user (deployer or more)
//   VIEWER_LINK        a sign-in link of a viewer
//   SANDBOX, SERVICE   a sandbox with SERVICE deployed from a branch holding <script>
//   LIVE               the name of a sandbox to create while the list is open
//   SLOW_WORK          a work tree of the same repo whose build prints "tick 1"…"tick 12" slowly
//   SHOTS              where screenshots go
// Prints "ok: …" per check; exits 1 at the first failure.
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const puppeteer = require('puppeteer-core');

const env = process.env;
const shots = env.SHOTS;
function ok(what) { console.log('ok: ' + what); }
function check(cond, what) {
  if (!cond) throw new Error('FAIL: ' + what);
  ok(what);
}

// Opens a sign-in link and presses its button; the answer of the POST's
// redirect chain.
async function signIn(page, link) {
  await page.goto(link);
  const [resp] = await Promise.all([page.waitForNavigation(), page.click('#signin')]);
  return resp;
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    // No session: only the sign-in page, no data.
    const anon = await browser.createBrowserContext();
    const a = await anon.newPage();
    await a.goto(env.BASE + '/ui/');
    check(a.url().endsWith('/ui/signin'), 'without a session /ui/ leads to the sign-in page');
    const anonText = await a.$eval('main', (m) => m.textContent);
    check(anonText.includes('sandbot web-login') && !anonText.includes(env.SANDBOX),
          'the sign-in page says how, and shows no sandbox');
    await a.screenshot({ path: shots + '/signin.png' });

    // Sign in through the link; the cookie is HttpOnly.
    const ctx = await browser.createBrowserContext();
    const p = await ctx.newPage();
    const scriptErrors = [];
    p.on('pageerror', (e) => scriptErrors.push(String(e)));
    await signIn(p, env.ADMIN_LINK);
    check(new URL(p.url()).pathname === '/ui/', 'the link signs in and lands on /ui/');
    check((await p.evaluate(() => document.cookie)) === '', 'the session cookie is not readable by scripts');
    const again = await (await browser.createBrowserContext()).newPage();
    const replay = await signIn(again, env.ADMIN_LINK);
    check(replay.status() === 403, 'the link works once');

    // A sandbox created from the CLI appears without a reload.
    const navigations = [];
    p.on('framenavigated', () => navigations.push(p.url()));
    execFileSync(env.SANDBOT, ['sandbox', 'create', env.LIVE, '--data', env.DATA]);
    await p.waitForSelector(`tr.sandbox[data-name="${env.LIVE}"]`, { timeout: 8000 });
    check(navigations.length === 0, 'a sandbox created from the CLI appears without reloading');
    await p.screenshot({ path: shots + '/sandboxes.png', fullPage: true });

    // The sandbox page: the <script> branch is text, and never ran.
    await p.goto(env.BASE + '/ui/sandboxes/' + env.SANDBOX);
    const branch = await p.$eval(`tr[data-service="${env.SERVICE}"] td.branch`, (td) => td.textContent);
    check(branch.includes('<script>'), 'the branch holding <script> is shown as text');
    check((await p.evaluate(() => window.pwned)) === undefined, 'the branch\'s script did not run');
    check((await p.$$('.qr svg path')).length === 1, 'the main URL has a QR code');
    await p.screenshot({ path: shots + '/sandbox.png', fullPage: true });

    // Route the service from the page.
    await p.select('#route-form select[name="service"]', env.SERVICE);
    await p.$eval('#route-form input[name="target"]', (i) => { i.value = 'baseline'; });
    await Promise.all([p.waitForNavigation(), p.click('#route-form button')]);
    const notice = await p.$eval('#notice', (n) => n.textContent);
    check(/Routed/i.test(notice), 'routing from the page is accepted: ' + notice.split('\n')[0]);
    const route = await p.$eval(`tr[data-route="${env.SERVICE}"] td.route`, (td) => td.textContent);
    check(route === 'baseline', 'the route table shows the new route');
    await p.screenshot({ path: shots + '/routed.png', fullPage: true });

    // Redeploy from the page, then follow the new job's log as it is written.
    await Promise.all([p.waitForNavigation(), p.click('form input[value="redeploy"] ~ button')]);
    const redeployed = await p.$eval('#notice', (n) => n.textContent);
    check(/job \d+/.test(redeployed), 'redeploy from the page queues a job: ' + redeployed.split('\n')[0]);
    const job = redeployed.match(/job (\d+)/)[1];
    await p.goto(env.BASE + '/ui/jobs/' + job);
    const wasLive = (await p.$('#live-state')) !== null;
    await p.waitForFunction(() => {
      const state = document.getElementById('live-state');
      const log = document.getElementById('log').textContent;
      return log.includes('web running') && (!state || state.textContent.includes('succeeded'));
    }, { timeout: 30000 });
    ok('the job log shows the deploy to its end (' + (wasLive ? 'followed live over SSE' : 'already finished') + ')');
    await p.screenshot({ path: shots + '/job.png', fullPage: true });

    // A build that prints as it goes: its log page is opened while the job
    // runs, and lines arrive on it over SSE (the page's own HTML did not
    // have them). The push of auto/live creates sandbox auto-live.
    const pushed = spawnSync('git', ['-C', env.SLOW_WORK, 'push', 'origin', 'main:refs/heads/auto/live'],
                             { encoding: 'utf8' });
    const liveJob = ((pushed.stderr || '').match(/sandbox auto-live \(job (\d+)\)/) || [])[1];
    check(pushed.status === 0 && liveJob, 'a push starts a slow build (job ' + liveJob + ')');
    await p.goto(env.BASE + '/ui/jobs/' + liveJob);
    const atLoad = await p.evaluate(() => {
      document.querySelectorAll('#log span.line').forEach((l) => { l.dataset.atLoad = '1'; });
      return { live: document.getElementById('live-state') !== null,
               text: document.getElementById('log').textContent };
    });
    check(atLoad.live && !atLoad.text.includes('tick 12'), 'the job log opens while the job runs');
    await p.waitForFunction(() => {
      const state = document.getElementById('live-state');
      return state && /succeeded|failed/.test(state.textContent);
    }, { timeout: 60000 });
    const arrived = await p.evaluate(() => Array.from(document.querySelectorAll('#log span.line'))
      .filter((l) => !l.dataset.atLoad).map((l) => l.textContent));
    const ticks = arrived.filter((t) => /tick \d+/.test(t));
    check(ticks.length > 0 && arrived.some((t) => t.includes('tick 12')) &&
          (await p.$eval('#live-state', (s) => s.textContent)).includes('succeeded'),
          'build lines arrive on the open page as they are written (' + ticks.length + ' ticks, ' +
          arrived.length + ' lines in all)');
    await p.screenshot({ path: shots + '/job-live.png', fullPage: true });

    // A POST without the CSRF token is refused, even with the cookie.
    const status = await p.evaluate(async (url) => {
      const r = await fetch(url, { method: 'POST', body: new URLSearchParams({ op: 'lock' }) });
      return r.status;
    }, env.BASE + '/ui/sandboxes/' + env.SANDBOX + '/action');
    check(status === 403, 'a POST without the CSRF token is refused');

    // The job log of the deploy, whole.
    await p.goto(env.BASE + '/ui/audit?sandbox=' + env.SANDBOX);
    const audit = await p.$eval('table.audit', (t) => t.textContent);
    check(audit.includes('route') && audit.includes('web'), 'the audit shows the route with the door web');
    await p.screenshot({ path: shots + '/audit.png', fullPage: true });
    check(scriptErrors.length === 0, 'no script errors (' + scriptErrors.join('; ') + ')');

    // A viewer may look but not act.
    const vctx = await browser.createBrowserContext();
    const v = await vctx.newPage();
    await signIn(v, env.VIEWER_LINK);
    await v.goto(env.BASE + '/ui/sandboxes/' + env.SANDBOX);
    await v.select('#route-form select[name="service"]', env.SERVICE);
    const [resp] = await Promise.all([v.waitForNavigation(), v.click('#route-form button')]);
    const vnotice = await v.$eval('#notice', (n) => n.textContent);
    check(resp.status() === 403 && vnotice.includes('needs the deployer role'),
          'a viewer is refused an action: ' + vnotice);
    await v.screenshot({ path: shots + '/viewer-refused.png', fullPage: true });
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
