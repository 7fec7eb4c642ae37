// Quantities read and written back as resource.Quantity does.
#include "cli/quantity.h"

#include <gtest/gtest.h>

namespace nodrop::cli {
namespace {

std::string canonical(const std::string& text) { return Quantity::parse(text).value().to_string(); }

TEST(Quantity, IsWrittenInItsCanonicalForm) {
  EXPECT_EQ(canonical("100m"), "100m");
  EXPECT_EQ(canonical("0.1"), "100m");
  EXPECT_EQ(canonical("1000m"), "1");
  EXPECT_EQ(canonical("1500"), "1500");
  EXPECT_EQ(canonical("2000k"), "2M");
  EXPECT_EQ(canonical("64Mi"), "64Mi");
  EXPECT_EQ(canonical("1024Ki"), "1Mi");
  EXPECT_EQ(canonical("1000Ki"), "1000Ki");
  EXPECT_EQ(canonical("512"), "512");
  EXPECT_EQ(canonical("0"), "0");
  EXPECT_EQ(canonical("2e3"), "2e3");
}

TEST(Quantity, SumsKeepTheFormatOfTheFirst) {
  Quantity memory = Quantity::parse("64Mi").value();
  memory += Quantity::parse("64Mi").value();
  EXPECT_EQ(memory.to_string(), "128Mi");
  Quantity cpu = Quantity::parse("100m").value();
  cpu += Quantity::parse("0.9").value();
  EXPECT_EQ(cpu.to_string(), "1");
  EXPECT_EQ(Quantity::parse("1500m").value().value(), 2);  // whole units, rounded up
}

TEST(Quantity, RefusesWhatIsNotOne) {
  EXPECT_FALSE(Quantity::parse("").has_value());
  EXPECT_FALSE(Quantity::parse("ten").has_value());
  EXPECT_FALSE(Quantity::parse("10Xi").has_value());
}

}  // namespace
}  // namespace nodrop::cli
