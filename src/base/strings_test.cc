#include "base/strings.h"

#include <gtest/gtest.h>

namespace nodrop {
namespace {

TEST(JsonQuote, EscapesWhatJsonRequires) {
  EXPECT_EQ(json_quote("plain"), "\"plain\"");
  EXPECT_EQ(json_quote(""), "\"\"");
  EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_quote("line\nbreak\ttab\rret"), "\"line\\nbreak\\ttab\\rret\"");
  EXPECT_EQ(json_quote(std::string_view("\x01\x7f", 2)), "\"\\u0001\\u007f\"");
  EXPECT_EQ(json_quote("héllo"), "\"héllo\"");  // UTF-8 passes through
}

}  // namespace
}  // namespace nodrop
