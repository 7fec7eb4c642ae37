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
  EXPECT_EQ(json_quote("\xe2\x82\xac \xf0\x9f\x98\x80"), "\"\xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST(JsonQuote, BytesThatAreNotUtf8BecomeTheReplacementCharacter) {
  EXPECT_EQ(json_quote("a\x99"
                       "b"),
            "\"a\\ufffdb\"");                                          // a lone continuation byte
  EXPECT_EQ(json_quote("\xc3"), "\"\\ufffd\"");                        // cut short
  EXPECT_EQ(json_quote("\xc0\xaf"), "\"\\ufffd\\ufffd\"");             // overlong '/'
  EXPECT_EQ(json_quote("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // a surrogate
  EXPECT_EQ(json_quote("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");  // > U+10FFFF
}

TEST(Base64, EncodesDecodesWithPaddingAndRecognisesEncodings) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode(std::string_view("\xff\x00\xfe", 3)), "/wD+");
  EXPECT_TRUE(is_base64(""));
  EXPECT_TRUE(is_base64("Zm8="));
  EXPECT_TRUE(is_base64("Zg=="));
  EXPECT_FALSE(is_base64("Zm8"));       // not a multiple of four
  EXPECT_FALSE(is_base64("Z==="));      // three padding characters
  EXPECT_FALSE(is_base64("Zg=a"));      // padding inside
  EXPECT_FALSE(is_base64("Zm9v!!=="));  // outside the alphabet
  for (const std::string_view bytes :
       {std::string_view(""), std::string_view("f"), std::string_view("fo"),
        std::string_view("foo"), std::string_view("hunter2"),
        std::string_view("\xff\x00\xfe", 3)}) {
    EXPECT_EQ(base64_decode(base64_encode(bytes)), std::string(bytes));
  }
  EXPECT_EQ(base64_decode("aHVudGVyMg=="), "hunter2");
  EXPECT_EQ(base64_decode("aHVudGVyMg="), std::nullopt);  // not a multiple of 4
  EXPECT_EQ(base64_decode("aHVu*GVy"), std::nullopt);
}

}  // namespace
}  // namespace nodrop

namespace nodrop {
namespace {

// What JSON holds raw but YAML reads otherwise (a C1 control, NEL, LS, PS, U+FFFF) is escaped,
// inside strings only; everything else is kept.
TEST(JsonForYaml, CharactersYamlReadsOtherwiseAreEscapedInsideStrings) {
  EXPECT_EQ(json_quote("a\xc2\x8b"
                       "b\xc2\x85"
                       "c\xe2\x80\xa8"
                       "d\xef\xbf\xbf"
                       "e\xc2\xa0"
                       "f\x7f"),
            "\"a\\u008bb\\u0085c\\u2028d\\uffffe\xc2\xa0"
            "f\\u007f\"");
  EXPECT_EQ(json_escaped_for_yaml("{\"k\":\"a\xc2\x8b\\\"\xc2\x85\",\"\xe2\x80\xa9\":1}"),
            "{\"k\":\"a\\u008b\\\"\\u0085\",\"\\u2029\":1}");
  EXPECT_EQ(json_escaped_for_yaml("{\"caf\xc3\xa9\": \"\xe2\x82\xac\"}"),
            "{\"caf\xc3\xa9\": \"\xe2\x82\xac\"}");
  EXPECT_EQ(json_escaped_for_yaml("[1, \xc2\x85]"), "[1, \xc2\x85]");  // outside a string: kept
}

}  // namespace
}  // namespace nodrop
