#include "api/int_or_string.h"

#include <gtest/gtest.h>

namespace nodrop::api {
namespace {

struct ScaledCase {
  IntOrString value;
  std::int32_t total;
  bool round_up;
  std::int32_t expected;
};

TEST(ScaledValueFromIntOrPercent, FollowsKubernetesRounding) {
  const ScaledCase cases[] = {
      {IntOrString::from_int(3), 10, true, 3},
      {IntOrString::from_int(3), 10, false, 3},
      {IntOrString::from_string("25%"), 10, true, 3},   // 2.5 rounds up
      {IntOrString::from_string("25%"), 10, false, 2},  // 2.5 rounds down
      {IntOrString::from_string("25%"), 3, true, 1},
      {IntOrString::from_string("25%"), 3, false, 0},
      {IntOrString::from_string("0%"), 0, true, 0},
      {IntOrString::from_string("100%"), 7, false, 7},
      {IntOrString::from_string("50%"), 1, true, 1},
      {IntOrString::from_string("50%"), 1, false, 0},
      {IntOrString::from_string("150%"), 4, true, 6},
  };
  for (const ScaledCase& scaled : cases) {
    const Result<std::int32_t> result =
        scaled_value_from_int_or_percent(scaled.value, scaled.total, scaled.round_up);
    ASSERT_TRUE(result.is_ok()) << scaled.value.to_string();
    EXPECT_EQ(*result, scaled.expected) << scaled.value.to_string() << " of " << scaled.total
                                        << (scaled.round_up ? " up" : " down");
  }
}

TEST(ScaledValueFromIntOrPercent, StringWithoutPercentIsAnError) {
  for (const char* bad : {"5", "", "%", "a%", "5.5%", "5 %"}) {
    EXPECT_FALSE(scaled_value_from_int_or_percent(IntOrString::from_string(bad), 10, true).is_ok())
        << bad;
  }
}

}  // namespace
}  // namespace nodrop::api
