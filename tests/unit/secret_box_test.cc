#define BOOST_TEST_DYN_LINK
#include "store/secret_box.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>
#include <vector>

#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

const char kAad[] = "env/staging/DATABASE_URL";

SecretBox NewBox() {
  std::string raw;
  BOOST_REQUIRE(SecretBox::GenerateKey(&raw).ok());
  BOOST_REQUIRE_EQUAL(raw.size(), 32u);
  return SecretBox::FromKey(raw);
}

// The payload of a "v1:" value, decoded with OpenSSL's base64 so the test
// does not trust the module's own codec.
std::string Payload(const std::string& sealed) {
  BOOST_REQUIRE_EQUAL(sealed.substr(0, 3), "v1:");
  std::string b64 = sealed.substr(3);
  std::string out(b64.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(&out[0]),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  BOOST_REQUIRE_GE(n, 0);
  size_t pad = 0;
  while (pad < b64.size() && b64[b64.size() - 1 - pad] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string Reseal(const std::string& payload) {
  std::string out(4 * ((payload.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(&out[0]),
                          reinterpret_cast<const unsigned char*>(payload.data()),
                          static_cast<int>(payload.size()));
  out.resize(static_cast<size_t>(n));
  return "v1:" + out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& data, mode_t mode) {
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << data;
  }
  BOOST_REQUIRE_EQUAL(chmod(path.c_str(), mode), 0);
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  BOOST_REQUIRE_EQUAL(stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(secret_box)

BOOST_AUTO_TEST_CASE(round_trips) {
  SecretBox box = NewBox();
  std::string binary("a\0b\0\xff\x01", 6);
  std::string big(100 * 1024, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + 7);
  for (const std::string& text : {std::string(), std::string("hunter2"), binary, big}) {
    std::string sealed;
    BOOST_REQUIRE(box.Seal(text, kAad, &sealed).ok());
    BOOST_CHECK_EQUAL(sealed.substr(0, 3), "v1:");
    BOOST_CHECK_EQUAL(Payload(sealed).size(), 12 + text.size() + 16);
    std::string back = "previous contents";
    Status s = box.Open(sealed, kAad, &back);
    BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
    BOOST_CHECK(back == text);
  }
  // An empty aad is allowed too, and only opens with an empty aad.
  std::string sealed, back;
  BOOST_REQUIRE(box.Seal("x", "", &sealed).ok());
  BOOST_REQUIRE(box.Open(sealed, "", &back).ok());
  BOOST_CHECK_EQUAL(back, "x");
  BOOST_CHECK(!box.Open(sealed, kAad, &back).ok());
}

BOOST_AUTO_TEST_CASE(each_seal_uses_a_fresh_nonce) {
  SecretBox box = NewBox();
  std::set<std::string> seen, nonces;
  for (int i = 0; i < 50; ++i) {
    std::string sealed;
    BOOST_REQUIRE(box.Seal("same text", kAad, &sealed).ok());
    seen.insert(sealed);
    nonces.insert(Payload(sealed).substr(0, 12));
  }
  BOOST_CHECK_EQUAL(seen.size(), 50u);
  BOOST_CHECK_EQUAL(nonces.size(), 50u);
}

BOOST_AUTO_TEST_CASE(wrong_key_fails_without_leaking) {
  SecretBox a = NewBox();
  SecretBox b = NewBox();
  std::string sealed, back;
  BOOST_REQUIRE(a.Seal("hunter2", kAad, &sealed).ok());
  Status s = b.Open(sealed, kAad, &back);
  BOOST_CHECK(!s.ok());
  BOOST_CHECK(!Contains(s.message(), "hunter2"));
  BOOST_CHECK(back.empty());
}

BOOST_AUTO_TEST_CASE(wrong_aad_fails) {
  SecretBox box = NewBox();
  std::string sealed, back;
  BOOST_REQUIRE(box.Seal("hunter2", "env/staging/A", &sealed).ok());
  BOOST_CHECK(!box.Open(sealed, "env/staging/B", &back).ok());
  BOOST_CHECK(!box.Open(sealed, "env/prod/A", &back).ok());
  BOOST_CHECK(!box.Open(sealed, "env/staging/A ", &back).ok());
  BOOST_CHECK(back.empty());
  BOOST_CHECK(box.Open(sealed, "env/staging/A", &back).ok());
}

BOOST_AUTO_TEST_CASE(any_flipped_bit_fails) {
  SecretBox box = NewBox();
  std::string sealed, back;
  BOOST_REQUIRE(box.Seal("hunter2", kAad, &sealed).ok());
  std::string payload = Payload(sealed);
  BOOST_REQUIRE(box.Open(Reseal(payload), kAad, &back).ok());  // the test codec agrees
  for (size_t i = 0; i < payload.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = payload;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      Status s = box.Open(Reseal(bad), kAad, &back);
      BOOST_CHECK_MESSAGE(!s.ok(), "byte " << i << " bit " << bit);
      BOOST_CHECK(!Contains(s.message(), "hunter2"));
    }
  }
}

BOOST_AUTO_TEST_CASE(truncated_and_garbage_input_fails) {
  SecretBox box = NewBox();
  std::string sealed, back;
  BOOST_REQUIRE(box.Seal("hunter2", kAad, &sealed).ok());
  for (size_t n = 0; n < sealed.size(); ++n) {
    BOOST_CHECK_MESSAGE(!box.Open(sealed.substr(0, n), kAad, &back).ok(), "length " << n);
  }
  std::string payload = Payload(sealed);
  for (size_t n = 0; n < payload.size(); ++n) {
    BOOST_CHECK_MESSAGE(!box.Open(Reseal(payload.substr(0, n)), kAad, &back).ok(), "bytes " << n);
  }
  const std::string garbage[] = {
      "hunter2",
      "v2:" + sealed.substr(3),
      "V1:" + sealed.substr(3),
      sealed + "\n",
      " " + sealed,
      sealed + "AAAA",
      "v1:!!!!",
      "v1:====",
      "v1:" + std::string(64, 'A'),
      std::string(3, 0),
      Reseal(std::string(27, 'x')),
  };
  for (const std::string& g : garbage) {
    Status s = box.Open(g, kAad, &back);
    BOOST_CHECK_MESSAGE(!s.ok(), g);
    BOOST_CHECK(s.code() == Status::Code::kInvalidArgument || s.code() == Status::Code::kInternal);
  }
  BOOST_CHECK(back.empty());
}

BOOST_AUTO_TEST_CASE(a_box_without_a_key_refuses) {
  SecretBox none;
  BOOST_CHECK(!none.has_key());
  std::string sealed, back;
  BOOST_CHECK(!none.Seal("x", kAad, &sealed).ok());
  SecretBox short_key = SecretBox::FromKey("too short");
  BOOST_CHECK(!short_key.has_key());
  BOOST_CHECK(!short_key.Seal("x", kAad, &sealed).ok());
  BOOST_REQUIRE(NewBox().Seal("x", kAad, &sealed).ok());
  BOOST_CHECK(!none.Open(sealed, kAad, &back).ok());
}

BOOST_AUTO_TEST_CASE(creates_key_file_then_loads_it_back) {
  ScratchDir dir;
  std::string path = dir.path() + "/secret.key";
  SecretBox first;
  bool created = false;
  Status s = SecretBox::LoadOrCreateKey(path, &first, &created);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_CHECK(created);
  BOOST_CHECK(first.has_key());
  BOOST_CHECK_EQUAL(ModeOf(path), 0600u);
  std::string raw = ReadFile(path);
  BOOST_CHECK_EQUAL(raw.size(), 32u);

  SecretBox second;
  s = SecretBox::LoadOrCreateKey(path, &second, &created);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_CHECK(!created);
  BOOST_CHECK(ReadFile(path) == raw);
  // Same key: each box opens what the other sealed, and so does the raw key.
  std::string sealed, back;
  BOOST_REQUIRE(first.Seal("hunter2", kAad, &sealed).ok());
  BOOST_REQUIRE(second.Open(sealed, kAad, &back).ok());
  BOOST_CHECK_EQUAL(back, "hunter2");
  BOOST_REQUIRE(SecretBox::FromKey(raw).Open(sealed, kAad, &back).ok());
  // No temporary files are left behind.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++files;
  }
  BOOST_CHECK_EQUAL(files, 1);
}

BOOST_AUTO_TEST_CASE(concurrent_starts_agree_on_one_key) {
  ScratchDir dir;
  std::string path = dir.path() + "/secret.key";
  const int kThreads = 8;
  std::vector<SecretBox> boxes(kThreads);
  std::vector<Status> statuses(kThreads);
  bool created[kThreads] = {};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back(
        [&, i] { statuses[i] = SecretBox::LoadOrCreateKey(path, &boxes[i], &created[i]); });
  }
  for (auto& t : threads) t.join();
  BOOST_REQUIRE_MESSAGE(statuses[0].ok(), statuses[0].ToString());
  std::string sealed, back;
  BOOST_REQUIRE(boxes[0].Seal("hunter2", kAad, &sealed).ok());
  int creators = 0;
  for (int i = 0; i < kThreads; ++i) {
    BOOST_REQUIRE_MESSAGE(statuses[i].ok(), statuses[i].ToString());
    creators += created[i] ? 1 : 0;
    BOOST_CHECK(boxes[i].Open(sealed, kAad, &back).ok());
  }
  BOOST_CHECK_EQUAL(creators, 1);
}

BOOST_AUTO_TEST_CASE(refuses_a_key_file_others_can_read) {
  ScratchDir dir;
  std::string path = dir.path() + "/secret.key";
  std::string raw;
  BOOST_REQUIRE(SecretBox::GenerateKey(&raw).ok());
  WriteFile(path, raw, 0644);
  SecretBox box;
  bool created = true;
  Status s = SecretBox::LoadOrCreateKey(path, &box, &created);
  BOOST_CHECK(!s.ok());
  BOOST_CHECK(!created);
  BOOST_CHECK(!box.has_key());
  BOOST_CHECK_MESSAGE(Contains(s.message(), "chmod 600 " + path), s.message());
  BOOST_CHECK(Contains(s.message(), "0644"));
  BOOST_CHECK(ReadFile(path) == raw);  // left alone

  BOOST_REQUIRE_EQUAL(chmod(path.c_str(), 0640), 0);
  BOOST_CHECK(!SecretBox::LoadOrCreateKey(path, &box, &created).ok());
  BOOST_REQUIRE_EQUAL(chmod(path.c_str(), 0400), 0);  // read-only for the owner is fine
  s = SecretBox::LoadOrCreateKey(path, &box, &created);
  BOOST_CHECK_MESSAGE(s.ok(), s.ToString());
}

BOOST_AUTO_TEST_CASE(refuses_a_key_file_of_the_wrong_size) {
  ScratchDir dir;
  std::string path = dir.path() + "/secret.key";
  for (const std::string& data : {std::string(), std::string(31, 'k'), std::string(33, 'k')}) {
    WriteFile(path, data, 0600);
    SecretBox box;
    bool created = true;
    Status s = SecretBox::LoadOrCreateKey(path, &box, &created);
    BOOST_CHECK(!s.ok());
    BOOST_CHECK(!created);
    BOOST_CHECK_MESSAGE(Contains(s.message(), std::to_string(data.size()) + " bytes"), s.message());
    BOOST_CHECK(ReadFile(path) == data);  // never overwritten
  }
  std::filesystem::create_directory(dir.path() + "/dir.key");
  SecretBox box;
  bool created = true;
  BOOST_CHECK(!SecretBox::LoadOrCreateKey(dir.path() + "/dir.key", &box, &created).ok());
}

BOOST_AUTO_TEST_CASE(reports_a_missing_folder) {
  SecretBox box;
  bool created = true;
  Status s = SecretBox::LoadOrCreateKey("/nonexistent-sandbot-dir/secret.key", &box, &created);
  BOOST_CHECK(!s.ok());
  BOOST_CHECK(!created);
  BOOST_CHECK_MESSAGE(Contains(s.message(), "/nonexistent-sandbot-dir/secret.key"), s.message());
}

BOOST_AUTO_TEST_CASE(write_key_file_replaces_the_key) {
  ScratchDir dir;
  std::string path = dir.path() + "/secret.key";
  SecretBox old_box;
  bool created = false;
  BOOST_REQUIRE(SecretBox::LoadOrCreateKey(path, &old_box, &created).ok());
  std::string old_sealed;
  BOOST_REQUIRE(old_box.Seal("hunter2", kAad, &old_sealed).ok());

  std::string raw;
  BOOST_REQUIRE(SecretBox::GenerateKey(&raw).ok());
  Status s = SecretBox::WriteKeyFile(path, raw);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_CHECK(ReadFile(path) == raw);
  BOOST_CHECK_EQUAL(ModeOf(path), 0600u);

  SecretBox new_box;
  BOOST_REQUIRE(SecretBox::LoadOrCreateKey(path, &new_box, &created).ok());
  BOOST_CHECK(!created);
  std::string back;
  BOOST_CHECK(!new_box.Open(old_sealed, kAad, &back).ok());
  std::string sealed;
  BOOST_REQUIRE(SecretBox::FromKey(raw).Seal("new", kAad, &sealed).ok());
  BOOST_REQUIRE(new_box.Open(sealed, kAad, &back).ok());
  BOOST_CHECK_EQUAL(back, "new");

  BOOST_CHECK(!SecretBox::WriteKeyFile(path, "short").ok());
  BOOST_CHECK(ReadFile(path) == raw);
  // Also creates a key file that does not exist yet.
  BOOST_CHECK(SecretBox::WriteKeyFile(dir.path() + "/other.key", raw).ok());
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++files;
  }
  BOOST_CHECK_EQUAL(files, 2);
}

BOOST_AUTO_TEST_SUITE_END()
