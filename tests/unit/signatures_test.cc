#define BOOST_TEST_DYN_LINK
#include "bot/signatures.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

using namespace sandbot;

namespace {

// PROTOCOLS.md §1.2: Slack's official vector.
const std::string kSlackSecret = "8f742231b10e8888abcd99yyyzzz85a5";
const std::string kSlackTs = "1531420618";
const int64_t kSlackNow = 1531420618;
const std::string kSlackBody =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    "G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%"
    "2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
    "803a0bc887a14d10d2c447fce8b6703c";
const std::string kSlackSig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

// §4.1: GitHub's documented vector.
const std::string kGithubSecret = "It's a Secret to Everybody";
const std::string kGithubBody = "Hello, World!";
const std::string kGithubHex = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

// §2.1: self-generated Teams vector.
const std::string kTeamsKey = "vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=";
const std::string kTeamsBody = R"({"type":"message","text":"<at>Bot</at> deploy main"})";
const std::string kTeamsAuth = "HMAC Sv0oFmrBJ32R3rXM1bVpeZqPtfM0CKw9fmZcoMz981Q=";

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string FlipLastHex(std::string s) {
  s.back() = s.back() == '0' ? '1' : '0';
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(signatures)

BOOST_AUTO_TEST_CASE(slack_official_vector) {
  BOOST_REQUIRE_EQUAL(kSlackBody.size(), 362u);
  BOOST_CHECK_EQUAL(
      "v0=" + HexEncode(HmacSha256(kSlackSecret, "v0:" + kSlackTs + ":" + kSlackBody)), kSlackSig);
  for (int64_t offset : {0, 1, 5, -5, 300, -300}) {
    Status s =
        VerifySlackSignature(kSlackSecret, kSlackTs, kSlackBody, kSlackSig, kSlackNow + offset);
    BOOST_CHECK_MESSAGE(s.ok(), "offset " << offset << ": " << s.message());
  }
}

BOOST_AUTO_TEST_CASE(slack_rejections) {
  std::string upper = kSlackSig;
  for (size_t i = 3; i < upper.size(); ++i) {
    if (upper[i] >= 'a' && upper[i] <= 'f') upper[i] = static_cast<char>(upper[i] - 'a' + 'A');
  }
  std::string body_changed = kSlackBody;
  body_changed[body_changed.size() - 1] ^= 1;
  struct Case {
    const char* name;
    std::string secret, ts, body, sig;
    int64_t now;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"stale, now ahead", kSlackSecret, kSlackTs, kSlackBody, kSlackSig, kSlackNow + 301,
       "stale request: timestamp is 301 s away from now"},
      {"stale, now behind", kSlackSecret, kSlackTs, kSlackBody, kSlackSig, kSlackNow - 301,
       "stale request: timestamp is 301 s away from now"},
      {"flipped hex char", kSlackSecret, kSlackTs, kSlackBody, FlipLastHex(kSlackSig), kSlackNow,
       "bad signature"},
      {"upper-case hex", kSlackSecret, kSlackTs, kSlackBody, upper, kSlackNow, "malformed"},
      {"missing v0= prefix", kSlackSecret, kSlackTs, kSlackBody, kSlackSig.substr(3), kSlackNow,
       "malformed"},
      {"v1= prefix", kSlackSecret, kSlackTs, kSlackBody, "v1=" + kSlackSig.substr(3), kSlackNow,
       "malformed"},
      {"truncated signature", kSlackSecret, kSlackTs, kSlackBody,
       kSlackSig.substr(0, kSlackSig.size() - 1), kSlackNow, "malformed"},
      {"signature too long", kSlackSecret, kSlackTs, kSlackBody, kSlackSig + "0", kSlackNow,
       "malformed"},
      {"missing signature", kSlackSecret, kSlackTs, kSlackBody, "", kSlackNow,
       "missing X-Slack-Signature"},
      {"empty timestamp", kSlackSecret, "", kSlackBody, kSlackSig, kSlackNow,
       "missing X-Slack-Request-Timestamp"},
      {"non-numeric timestamp", kSlackSecret, "1531420618x", kSlackBody, kSlackSig, kSlackNow,
       "not a number"},
      {"negative timestamp", kSlackSecret, "-1531420618", kSlackBody, kSlackSig, kSlackNow,
       "not a number"},
      {"huge timestamp", kSlackSecret, "99999999999999999999999", kSlackBody, kSlackSig, kSlackNow,
       "not a number"},
      {"timestamp with space", kSlackSecret, " 1531420618", kSlackBody, kSlackSig, kSlackNow,
       "not a number"},
      {"timestamp changed", kSlackSecret, "1531420619", kSlackBody, kSlackSig, kSlackNow,
       "bad signature"},
      {"body changed by one byte", kSlackSecret, kSlackTs, body_changed, kSlackSig, kSlackNow,
       "bad signature"},
      {"body with a trailing newline", kSlackSecret, kSlackTs, kSlackBody + "\n", kSlackSig,
       kSlackNow, "bad signature"},
      {"wrong secret", "8f742231b10e8888abcd99yyyzzz85a6", kSlackTs, kSlackBody, kSlackSig,
       kSlackNow, "bad signature"},
      {"secret not configured", "", kSlackTs, kSlackBody, kSlackSig, kSlackNow, "not configured"},
  };
  for (const Case& c : cases) {
    Status s = VerifySlackSignature(c.secret, c.ts, c.body, c.sig, c.now);
    BOOST_CHECK_MESSAGE(s.code() == Status::Code::kForbidden,
                        c.name << ": want Forbidden, got " << s.ToString());
    BOOST_CHECK_MESSAGE(Contains(s.message(), c.reason),
                        c.name << ": message '" << s.message() << "' lacks '" << c.reason << "'");
  }
}

BOOST_AUTO_TEST_CASE(slack_window_parameter) {
  BOOST_CHECK(
      VerifySlackSignature(kSlackSecret, kSlackTs, kSlackBody, kSlackSig, kSlackNow + 60, 60).ok());
  BOOST_CHECK(
      !VerifySlackSignature(kSlackSecret, kSlackTs, kSlackBody, kSlackSig, kSlackNow + 61, 60)
           .ok());
  // Extreme clocks do not overflow.
  BOOST_CHECK(!VerifySlackSignature(kSlackSecret, kSlackTs, kSlackBody, kSlackSig, INT64_MIN).ok());
  BOOST_CHECK(!VerifySlackSignature(kSlackSecret, kSlackTs, kSlackBody, kSlackSig, INT64_MAX).ok());
}

BOOST_AUTO_TEST_CASE(github_vector) {
  BOOST_CHECK_EQUAL(HexEncode(HmacSha256(kGithubSecret, kGithubBody)), kGithubHex);
  Status s = VerifyGithubSignature(kGithubSecret, kGithubBody, "sha256=" + kGithubHex);
  BOOST_CHECK_MESSAGE(s.ok(), s.message());
  // Gitea/Forgejo X-Gitea-Signature / X-Forgejo-Signature: bare hex.
  s = VerifyGithubSignature(kGithubSecret, kGithubBody, kGithubHex);
  BOOST_CHECK_MESSAGE(s.ok(), s.message());
}

BOOST_AUTO_TEST_CASE(github_rejections) {
  struct Case {
    const char* name;
    std::string secret, body, sig;
  };
  const std::vector<Case> cases = {
      {"sha1= form", kGithubSecret, kGithubBody, "sha1=" + kGithubHex},
      {"real sha1 form", kGithubSecret, kGithubBody,
       "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"},
      {"flipped hex char", kGithubSecret, kGithubBody, "sha256=" + FlipLastHex(kGithubHex)},
      {"bare hex flipped", kGithubSecret, kGithubBody, FlipLastHex(kGithubHex)},
      {"truncated", kGithubSecret, kGithubBody, "sha256=" + kGithubHex.substr(1)},
      {"body changed", kGithubSecret, "Hello, World?", "sha256=" + kGithubHex},
      {"wrong secret", "It's a Secret to Everybody!", kGithubBody, "sha256=" + kGithubHex},
      {"missing signature", kGithubSecret, kGithubBody, ""},
      {"prefix only", kGithubSecret, kGithubBody, "sha256="},
      {"secret not configured", "", kGithubBody, "sha256=" + kGithubHex},
  };
  for (const Case& c : cases) {
    Status s = VerifyGithubSignature(c.secret, c.body, c.sig);
    BOOST_CHECK_MESSAGE(s.code() == Status::Code::kForbidden,
                        c.name << ": want Forbidden, got " << s.ToString());
  }
}

BOOST_AUTO_TEST_CASE(teams_vector) {
  std::string key;
  BOOST_REQUIRE(Base64Decode(kTeamsKey, &key));
  BOOST_CHECK_EQUAL(key.size(), 32u);
  BOOST_CHECK_EQUAL("HMAC " + Base64Encode(HmacSha256(key, kTeamsBody)), kTeamsAuth);
  for (const std::string& auth :
       {kTeamsAuth, "hmac " + kTeamsAuth.substr(5), "Hmac  " + kTeamsAuth.substr(5) + " "}) {
    Status s = VerifyTeamsHmac(kTeamsKey, kTeamsBody, auth);
    BOOST_CHECK_MESSAGE(s.ok(), auth << ": " << s.message());
  }
}

BOOST_AUTO_TEST_CASE(teams_rejections) {
  std::string body_changed = kTeamsBody;
  body_changed[10] ^= 1;
  const std::string mac = kTeamsAuth.substr(5);
  struct Case {
    const char* name;
    std::string key, body, auth;
  };
  const std::vector<Case> cases = {
      {"Bearer scheme", kTeamsKey, kTeamsBody, "Bearer " + mac},
      {"no scheme", kTeamsKey, kTeamsBody, mac},
      {"scheme without space", kTeamsKey, kTeamsBody, "HMAC" + mac},
      {"scheme only", kTeamsKey, kTeamsBody, "HMAC "},
      {"missing header", kTeamsKey, kTeamsBody, ""},
      {"bad base64 key", "vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA", kTeamsBody, kTeamsAuth},
      {"key with junk", "vqF0En+Z0ucuRTM/01o2GuhMH3hK*k/N2bOmlM31zaA=", kTeamsBody, kTeamsAuth},
      {"key not configured", "", kTeamsBody, kTeamsAuth},
      {"other key", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", kTeamsBody, kTeamsAuth},
      {"body changed", kTeamsKey, body_changed, kTeamsAuth},
      {"empty body", kTeamsKey, "", kTeamsAuth},
      {"mac truncated", kTeamsKey, kTeamsBody, kTeamsAuth.substr(0, kTeamsAuth.size() - 1)},
      {"mac flipped", kTeamsKey, kTeamsBody, "HMAC T" + mac.substr(1)},
      {"the doc's header, body unknown", kTeamsKey, kTeamsBody,
       "HMAC 03TCao0i55H1eVKUusZOTZRjtvYTs+mO41mPL+R1e1U="},
  };
  for (const Case& c : cases) {
    Status s = VerifyTeamsHmac(c.key, c.body, c.auth);
    BOOST_CHECK_MESSAGE(s.code() == Status::Code::kForbidden,
                        c.name << ": want Forbidden, got " << s.ToString());
  }
}

BOOST_AUTO_TEST_CASE(mattermost_token) {
  const std::string token = "xr3j5x3p4pfk7rk6ck6kdgauwe";
  BOOST_CHECK(VerifyMattermostToken(token, token, "").ok());
  BOOST_CHECK(VerifyMattermostToken(token, "", "Token " + token).ok());
  BOOST_CHECK(VerifyMattermostToken(token, "", "token " + token).ok());
  BOOST_CHECK(VerifyMattermostToken(token, "wrong", "Token " + token).ok());
  BOOST_CHECK(VerifyMattermostToken(token, token, "Token wrong").ok());

  struct Case {
    const char* name;
    std::string expected, form, auth;
  };
  const std::vector<Case> cases = {
      {"wrong form token", token, "xr3j5x3p4pfk7rk6ck6kdgauwf", ""},
      {"wrong header token", token, "", "Token xr3j5x3p4pfk7rk6ck6kdgauwf"},
      {"token prefix", token, token.substr(0, 5), "Token " + token.substr(0, 5)},
      {"Bearer scheme", token, "", "Bearer " + token},
      {"bare header", token, "", token},
      {"nothing given", token, "", ""},
      {"empty expected", "", "", ""},
      {"empty expected, empty header token", "", "", "Token "},
      {"empty expected, some token", "", "anything", "Token anything"},
  };
  for (const Case& c : cases) {
    Status s = VerifyMattermostToken(c.expected, c.form, c.auth);
    BOOST_CHECK_MESSAGE(s.code() == Status::Code::kForbidden,
                        c.name << ": want Forbidden, got " << s.ToString());
  }
  BOOST_CHECK_EQUAL(VerifyMattermostToken("", token, "").message(),
                    "Mattermost token not configured");
}

BOOST_AUTO_TEST_CASE(base64_round_trips) {
  struct Vector {
    std::string raw, encoded;
  };
  // RFC 4648 §10 plus binary bytes.
  const std::vector<Vector> vectors = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {std::string("\0", 1), "AA=="},
      {std::string("\0\0", 2), "AAA="},
      {std::string("\xff\xfe\x00", 3), "//4A"},
  };
  for (const Vector& v : vectors) {
    BOOST_CHECK_EQUAL(Base64Encode(v.raw), v.encoded);
    std::string decoded = "junk";
    BOOST_CHECK_MESSAGE(Base64Decode(v.encoded, &decoded), v.encoded);
    BOOST_CHECK_EQUAL(decoded, v.raw);
  }
  // Every byte value and a range of lengths.
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); ++n) {
    std::string decoded;
    BOOST_REQUIRE(Base64Decode(Base64Encode(all.substr(0, n)), &decoded));
    BOOST_REQUIRE_EQUAL(decoded, all.substr(0, n));
  }
}

BOOST_AUTO_TEST_CASE(base64_invalid) {
  const std::vector<std::string> bads = {"Z",
                                         "Zg",
                                         "Zg=",
                                         "Zm9",
                                         "Zg===",
                                         "====",
                                         "A===",
                                         "Zg=a",
                                         "Zg==Zg==",
                                         "Z*==",
                                         "Zm9v\n",
                                         " Zm9v",
                                         "Zm9v ",
                                         "Zm 9v",
                                         "Zm9v\r\nYmFy",
                                         "Zm9v-_==",
                                         std::string("Zm\0v", 4)};
  for (const std::string& bad : bads) {
    std::string out = "junk";
    BOOST_CHECK_MESSAGE(!Base64Decode(bad, &out), "accepted '" << bad << "'");
    BOOST_CHECK(out.empty());
  }
}

BOOST_AUTO_TEST_CASE(hex_and_compare) {
  BOOST_CHECK_EQUAL(HexEncode(""), "");
  BOOST_CHECK_EQUAL(HexEncode(std::string("\x00\x0f\xa0\xff", 4)), "000fa0ff");
  BOOST_CHECK_EQUAL(HmacSha256("k", "d").size(), 32u);
  // The thread's keyed context follows the key from call to call, empty
  // key included (values from Python's hmac module).
  BOOST_CHECK_EQUAL(HexEncode(HmacSha256("", "hello")),
                    "4352b26e33fe0d769a8922a6ba29004109f01688e26acc9e6cb347e5a5afc4da");
  BOOST_CHECK_EQUAL(HexEncode(HmacSha256("k2", "hello")),
                    "2d111a53e379188167b3fb0090eacc10474ae38674adcf2c2320f41ac41f90c9");
  BOOST_CHECK_EQUAL(HexEncode(HmacSha256("", "hello")),
                    "4352b26e33fe0d769a8922a6ba29004109f01688e26acc9e6cb347e5a5afc4da");
  BOOST_CHECK(ConstantTimeEquals("", ""));
  BOOST_CHECK(ConstantTimeEquals("abc", "abc"));
  BOOST_CHECK(!ConstantTimeEquals("abc", "abd"));
  BOOST_CHECK(!ConstantTimeEquals("abc", "ab"));
  BOOST_CHECK(!ConstantTimeEquals("", "a"));
  BOOST_CHECK(!ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

BOOST_AUTO_TEST_SUITE_END()
