#include "bot/cli_grammar.h"

#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>

#include "bot/cli_util.h"
#include "handlers/command.h"

namespace sandbot {

namespace {

constexpr char kFollow[] = "; add --wait to follow the jobs";

// The grammar's words after `verb`, without --wait (which sets *wait).
std::vector<std::string> GrammarWords(const std::string& verb, CLI::App* app, bool* wait) {
  std::vector<std::string> words;
  if (!verb.empty()) words.push_back(verb);
  for (const std::string& w : app->remaining()) {
    if (w == "--wait") {
      *wait = true;
    } else {
      words.push_back(w);
    }
  }
  return words;
}

bool HasSubcommand(CLI::App* app, const std::string& name) {
  std::function<bool(CLI::App*)> named = [&name](CLI::App* sub) { return sub->get_name() == name; };
  return !app->get_subcommands(named).empty();
}

}  // namespace

void GrammarCli::Add(CLI::App* app, CLI::App* sandbox) {
  for (const std::string& family : CommandFamilies()) {
    if (family == "sandbox") {
      // One subcommand per verb: `sandbot sandbox clone SRC DST`.
      for (const CommandSpec* spec : CommandsOf(family)) {
        const std::string verb = spec->verb;
        if (verb == "help" || HasSubcommand(sandbox, verb)) continue;
        std::string help = verb + (*spec->args ? " " + std::string(spec->args) : "") + ": " +
                           spec->description + " (via the daemon)" + kFollow;
        CLI::App* sub = sandbox->add_subcommand(verb, help);
        sub->allow_extras();
        entries_.push_back({sub, family, verb});
      }
      continue;
    }
    // One subcommand per family, its verbs in the footer: `sandbot route
    // web baseline` has no verb word.
    std::string verbs;
    for (const CommandSpec* spec : CommandsOf(family)) {
      if (spec->typed && std::string(spec->verb) != "help") {
        verbs += (verbs.empty() ? "" : "|") + std::string(spec->verb);
      }
    }
    CLI::App* sub = app->add_subcommand(
        family, family + " " + (verbs.empty() ? "..." : verbs) + " (via the daemon)" + kFollow);
    sub->allow_extras();
    sub->footer(HelpText(family));
    entries_.push_back({sub, family, ""});
  }
}

bool GrammarCli::Chosen() const {
  for (const Entry& e : entries_) {
    if (e.sub->parsed()) return true;
  }
  return false;
}

int GrammarCli::Run(const Config& config, CLI::App* app) const {
  for (const Entry& e : entries_) {
    if (!e.sub->parsed()) continue;
    bool wait = false;
    std::vector<std::string> words = GrammarWords(e.verb, app, &wait);
    return RunGrammar(config, e.family, words, wait);
  }
  return Fail(Status::InvalidArgument("no command given (see --help)"));
}

int RunGrammar(const Config& config, const std::string& family, std::vector<std::string> words,
               bool wait) {
  // What does not fit a command line travels as the payload, from where the
  // command's row says.
  const CommandSpec* spec = words.empty() ? nullptr : FindCommand(family, Lower(words[0]));
  const Payload from = spec ? spec->payload : Payload::kNone;
  std::string payload;
  if (from == Payload::kStdin) {
    payload.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else if (from == Payload::kFileArgument && words.size() == 2) {
    std::ifstream in(words[1], std::ios::binary);
    if (!in) return Fail(Status::NotFound("cannot read " + words[1]));
    payload.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    words.pop_back();
  }
  // The daemon reads a seed's file from where the CLI stands.
  for (size_t i = 0; family == "seed" && i + 1 < words.size(); ++i) {
    if (Lower(words[i]) == "--from-file" && !words[i + 1].empty() && words[i + 1][0] != '/') {
      words[i + 1] = Absolute(words[i + 1]);
    }
  }
  std::string text;
  for (const std::string& w : words) text += (text.empty() ? "" : " ") + w;
  DaemonAnswer answer;
  Status s = AskDaemon(config.data_dir, family, text, payload, &answer);
  if (s.ok() && !answer.reached) {
    s = Status::Unavailable("the daemon is not running on " + SocketPath(config.data_dir) +
                            "; start it with `sandbot serve`");
  }
  if (!s.ok()) return Fail(s);
  return PrintAnswer(config.data_dir, answer, wait);
}

}  // namespace sandbot
