#define BOOST_TEST_DYN_LINK
#include "bot/image_ref.h"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(image_ref)

BOOST_AUTO_TEST_CASE(split_repo_tag) {
  const struct {
    std::string ref, repo, tag;
  } cases[] = {
      {"sandbot/busybox:latest", "sandbot/busybox", "latest"},
      {"sandbot/busybox", "sandbot/busybox", "latest"},
      {"busybox:1.36", "busybox", "1.36"},
      {"localhost:5000/app", "localhost:5000/app", "latest"},
      {"localhost:5000/app:v2", "localhost:5000/app", "v2"},
      {"app:", "app", "latest"},
  };
  for (const auto& c : cases) {
    std::string repo, tag;
    SplitRepoTag(c.ref, &repo, &tag);
    BOOST_TEST(repo == c.repo, c.ref);
    BOOST_TEST(tag == c.tag, c.ref);
  }
}

BOOST_AUTO_TEST_CASE(image_tag_validation) {
  for (const char* good :
       {"busybox", "sandbot/busybox:latest", "sandbot/qa-web:abc123", "a__b/c.d/e--f:V1.2_x-y",
        "localhost:5000/app:v2", "reg.example.com/a/b", "app:_x"}) {
    BOOST_TEST(IsValidImageTag(good), good);
  }
  for (const char* bad : {"", "Bad Name", "UPPER/app", "app:", "app:-x", "app:.x", "-app", "app-",
                          "a//b", "/app", "app/", "a...b", "app@sha256:abc", "reg:99999999/app"}) {
    BOOST_TEST(!IsValidImageTag(bad), bad);
  }
  BOOST_TEST(!IsValidImageTag("app:" + std::string(129, 'x')));
}

BOOST_AUTO_TEST_SUITE_END()
