// Compose variable interpolation, case by case (issue 12).
#define BOOST_TEST_DYN_LINK
#include "compose/interpolate.h"

#include <boost/test/unit_test.hpp>
#include <map>
#include <string>

using namespace sandbot;

namespace {

const std::map<std::string, std::string> kVars = {{"SET", "v"}, {"EMPTY", ""}, {"PORT", "8000"}};

bool Lookup(const std::string& name, std::string* value) {
  auto it = kVars.find(name);
  if (it == kVars.end()) return false;
  *value = it->second;
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(interpolate)

BOOST_AUTO_TEST_CASE(forms_of_the_specification) {
  struct Case {
    const char* in;
    const char* out;
    int unset;  // variables reported unset
  } cases[] = {
      {"plain", "plain", 0},
      {"$SET", "v", 0},
      {"${SET}", "v", 0},
      {"a${SET}b$SET.c", "avbv.c", 0},
      {"${UNSET}", "", 1},
      {"$UNSET-x", "-x", 1},
      {"${UNSET:-d}", "d", 0},
      {"${EMPTY:-d}", "d", 0},
      {"${EMPTY-d}", "", 0},
      {"${UNSET-d}", "d", 0},
      {"${SET:-d}", "v", 0},
      {"${UNSET:-${PORT}}", "8000", 0},
      {"${UNSET:-a:b}", "a:b", 0},
      {"${SET:+alt}", "alt", 0},
      {"${UNSET:+alt}", "", 0},
      {"${EMPTY+alt}", "alt", 0},
      {"${SET:?need it}", "v", 0},
      {"${EMPTY?need it}", "", 0},
      {"$$", "$", 0},
      {"$${SET}", "${SET}", 0},
      {"cost: $$5", "cost: $5", 0},
      {"${UNSET:-}", "", 0},
  };
  for (const Case& c : cases) {
    std::string out;
    std::vector<std::string> unset;
    Status s = Interpolate(c.in, Lookup, &out, &unset);
    BOOST_TEST_CONTEXT(c.in) {
      BOOST_REQUIRE(s.ok());
      BOOST_CHECK_EQUAL(out, c.out);
      BOOST_CHECK_EQUAL(unset.size(), static_cast<size_t>(c.unset));
    }
  }
}

BOOST_AUTO_TEST_CASE(malformed_and_required_references_are_refused) {
  struct Case {
    const char* in;
    const char* says;
  } cases[] = {
      {"${UNSET:?set UNSET first}", "required variable UNSET is missing a value: set UNSET first"},
      {"${EMPTY:?no}", "required variable EMPTY"},
      {"${UNSET?}", "required variable UNSET is missing a value"},
      {"price $", "lone '$'"},
      {"${SET", "unclosed"},
      {"${}", "invalid interpolation format"},
      {"${1X}", "invalid interpolation format"},
      {"${SET:x}", "invalid interpolation format"},
      {"$-", "invalid interpolation format"},
      {"${UNSET:-${}}", "invalid interpolation format"},
  };
  for (const Case& c : cases) {
    std::string out;
    Status s = Interpolate(c.in, Lookup, &out, nullptr);
    BOOST_TEST_CONTEXT(c.in) {
      BOOST_CHECK(s.IsInvalidArgument());
      BOOST_CHECK_MESSAGE(s.message().find(c.says) != std::string::npos, s.message());
      BOOST_CHECK(out.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(escaping_reads_back_the_same) {
  const std::string text = "a$b$$c";
  std::string back;
  BOOST_REQUIRE(Interpolate(EscapeDollars(text), Lookup, &back, nullptr).ok());
  BOOST_CHECK_EQUAL(back, text);
}

BOOST_AUTO_TEST_SUITE_END()
