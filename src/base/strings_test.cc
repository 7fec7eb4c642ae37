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

TEST(Base64, EncodesWithPaddingAndRecognisesEncodings) {
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
}

}  // namespace
}  // namespace nodrop

namespace nodrop {
namespace {

TEST(Base64Decode, InvertsTheEncodingOfEveryLengthAndRefusesWhatIsNotOne) {
  for (const std::string bytes : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\x7f"}) {
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
  }
  EXPECT_EQ(base64_decode("aHVudGVyMg=="), "hunter2");
  EXPECT_EQ(base64_decode("aHVud"), std::nullopt);  // not a multiple of four
  EXPECT_EQ(base64_decode("aH=u"), std::nullopt);   // padding before the end
  EXPECT_EQ(base64_decode("a*bc"), std::nullopt);
}

}  // namespace
}  // namespace nodrop
