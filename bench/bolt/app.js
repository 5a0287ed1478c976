// The smallest honest Bolt app: verifies the Slack signature (Bolt does it
// for every request) and acknowledges every slash command at once.
// Usage: SLACK_SIGNING_SECRET=… node app.js PORT
const { App, ExpressReceiver } = require("@slack/bolt");

const receiver = new ExpressReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  endpoints: "/slack/commands",
  processBeforeResponse: false,
});
// A local authorize function: Bolt must not call slack.com (auth.test) from
// here, and nothing in a benchmark may leave this machine.
const app = new App({
  receiver,
  authorize: async () => ({ botToken: "xoxb-bench", botId: "B0BENCH", botUserId: "U0BOT" }),
});
app.command(/.*/, async ({ ack }) => {
  await ack();
});

const port = Number(process.argv[2] || 3000);
receiver.app.listen(port, "127.0.0.1", () => console.log(`bolt listening on ${port}`));
