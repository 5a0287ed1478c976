// The operator's limits as ceilings (handlers/limits.h): issue 16 item 11,
// a deployer's `--memory 1048576` over a global 64.
#define BOOST_TEST_DYN_LINK
#include "handlers/limits.h"

#include <boost/test/unit_test.hpp>

using namespace sandbot;

namespace {

bool Has(const Status& s, const std::string& part) {
  return s.message().find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(limits)

BOOST_AUTO_TEST_CASE(nothing_set_by_the_operator_is_no_ceiling) {
  OperatorLimits none;
  BOOST_CHECK(CheckOperatorCeilings({1 << 20, 1024}, none, "").ok());
  BOOST_CHECK(CheckOperatorCeilings({}, none, "").ok());
}

BOOST_AUTO_TEST_CASE(the_global_limits_are_ceilings) {
  OperatorLimits ops;
  ops.global = {64, 0.5};
  BOOST_CHECK(CheckOperatorCeilings({64, 0.5}, ops, "").ok());
  BOOST_CHECK(CheckOperatorCeilings({32, 0.25}, ops, "").ok());
  BOOST_CHECK(CheckOperatorCeilings({}, ops, "").ok());  // the operator's own apply
  Status s = CheckOperatorCeilings({1048576, 0}, ops, "");
  BOOST_CHECK(s.IsForbidden());
  BOOST_CHECK_MESSAGE(Has(s,
                          "--memory 1048576 is above the operator's limit of 64 MB per "
                          "container (`sandbot serve --memory`)"),
                      s.message());
  BOOST_CHECK(Has(s, "needs the admin role"));
  s = CheckOperatorCeilings({65, 0}, ops, "");
  BOOST_CHECK(s.IsForbidden());
  s = CheckOperatorCeilings({0, 0.75}, ops, "");
  BOOST_CHECK(s.IsForbidden());
  BOOST_CHECK_MESSAGE(Has(s,
                          "--cpus 0.75 is above the operator's limit of 0.5 CPUs per "
                          "container (`sandbot serve --cpus`)"),
                      s.message());
  // Only the limit the operator set is a ceiling: CPUs with only memory set.
  ops.global = {64, 0};
  BOOST_CHECK(CheckOperatorCeilings({0, 1024}, ops, "").ok());
}

BOOST_AUTO_TEST_CASE(the_lowest_of_the_per_service_limits_is_named) {
  OperatorLimits ops;
  ops.global = {1024, 0};
  ops.services["web"] = {512, 2};
  ops.services["cron"] = {128, 0};
  BOOST_CHECK(CheckOperatorCeilings({128, 2}, ops, "").ok());
  // A sandbox's limits apply to each of its containers, cron's too.
  Status s = CheckOperatorCeilings({256, 0}, ops, "qa's ");
  BOOST_CHECK(s.IsForbidden());
  BOOST_CHECK_MESSAGE(Has(s,
                          "qa's --memory 256 is above the operator's limit of 128 MB for cron "
                          "(the configuration's \"limits\")"),
                      s.message());
  s = CheckOperatorCeilings({2048, 0}, ops, "");
  BOOST_CHECK(Has(s, "limit of 128 MB for cron"));
  s = CheckOperatorCeilings({0, 3}, ops, "");
  BOOST_CHECK(Has(s, "--cpus 3 is above the operator's limit of 2 CPUs for web"));
}

BOOST_AUTO_TEST_SUITE_END()
