// `kubectl -o yaml` byte for byte. Each expectation is what kubectl 1.32 printed for the same JSON
// (`kubectl annotate --local -f FILE -o yaml`, whose printer is get's), with the object's other
// fields left out.
#include "cli/go_yaml.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"

namespace nodrop::cli {
namespace {

// The YAML of {"v": VALUE} for VALUE's JSON.
std::string as_kubectl(const std::string& json) {
  manifest::Node object = manifest::Node::mapping();
  object.set("v", apiserver::parse_body(json).value());
  return go_yaml(object);
}

// Strings that YAML 1.1 would read as booleans, nulls, numbers or timestamps get double quotes;
// others that only look close stay plain.
TEST(GoYaml, QuotesWhatGoYamlWouldReadAsAnotherType) {
  EXPECT_EQ(
      as_kubectl(
          R"json({"s01": "web", "s02": "true", "s03": "yes", "s04": "on", "s05": "No", "s06": "yES", "s07": "~",
 "s08": "null", "s09": "", "s10": "80", "s11": "1.5", "s12": "500m", "s13": "1e3", "s14": "0x1F",
 "s15": "0o17", "s16": "0755", "s17": "089", "s18": "1_000", "s46": "<<", "s47": "2024-01-02",
 "s48": "2024-1-2", "s49": "2024-02-30", "s50": "2024-01-02 03:04:05",
 "s51": "2024-01-02T03:04:05.123+02:00", "s52": "2024-01-02X", "s53": "12:30", "s54": "1:2:3.5",
 "s55": "1:60", "s56": ".5", "s57": ".", "s58": ".inf", "s59": "-.inf", "s60": ".5_0",
 "s86": "1e400", "s87": "0b101", "s88": "0b-101", "s89": "-0b101", "s90": "+5", "s91": "-5",
 "s92": "99999999999999999999", "s93": "0xFFFFFFFFFFFFFFFFFF", "s94": "Y", "s95": "n", "s96": "="})json"),
      R"yaml(v:
  s01: web
  s02: "true"
  s03: "yes"
  s04: "on"
  s05: "No"
  s06: yES
  s07: "~"
  s08: "null"
  s09: ""
  s10: "80"
  s11: "1.5"
  s12: 500m
  s13: "1e3"
  s14: "0x1F"
  s15: "0o17"
  s16: "0755"
  s17: "089"
  s18: "1_000"
  s46: <<
  s47: "2024-01-02"
  s48: "2024-1-2"
  s49: 2024-02-30
  s50: "2024-01-02 03:04:05"
  s51: "2024-01-02T03:04:05.123+02:00"
  s52: 2024-01-02X
  s53: "12:30"
  s54: "1:2:3.5"
  s55: 1:60
  s56: ".5"
  s57: .
  s58: ".inf"
  s59: "-.inf"
  s60: ".5_0"
  s86: 1e400
  s87: "0b101"
  s88: "0b-101"
  s89: "-0b101"
  s90: "+5"
  s91: "-5"
  s92: "99999999999999999999"
  s93: 0xFFFFFFFFFFFFFFFFFF
  s94: "Y"
  s95: "n"
  s96: =
)yaml");
}

// Indicators, leading or trailing spaces, ": " and " #" make a string single-quoted.
TEST(GoYaml, SingleQuotesWhatPlainTextCannotHold) {
  EXPECT_EQ(
      as_kubectl(
          R"json({"s19": "+", "s20": "-", "s21": "- x", "s22": "-x", "s23": "a: b", "s24": "a:b", "s25": "a #b",
 "s26": "a#b", "s27": "#x", "s28": "x:", "s29": " lead", "s30": "trail ", "s31": "it's",
 "s32": "@at", "s33": "%p", "s34": "`b", "s35": "!bang", "s36": "&amp", "s37": "*star",
 "s38": "?q", "s39": "? q", "s40": "[x]", "s41": "{x}", "s42": "x,y", "s43": "---", "s44": "...",
 "s45": "--- x", "s77": "q\"uote", "s78": "back\\slash", "s99": "  "})json"),
      R"yaml(v:
  s19: +
  s20: '-'
  s21: '- x'
  s22: -x
  s23: 'a: b'
  s24: a:b
  s25: 'a #b'
  s26: a#b
  s27: '#x'
  s28: 'x:'
  s29: ' lead'
  s30: 'trail '
  s31: it's
  s32: '@at'
  s33: '%p'
  s34: '`b'
  s35: '!bang'
  s36: '&amp'
  s37: '*star'
  s38: ?q
  s39: '? q'
  s40: '[x]'
  s41: '{x}'
  s42: x,y
  s43: '---'
  s44: '...'
  s45: '--- x'
  s77: q"uote
  s78: back\slash
  s99: '  '
)yaml");
}

TEST(GoYaml, MultiLineStringsAreLiteralBlocksUnlessOnlyEscapesCanHoldThem) {
  EXPECT_EQ(
      as_kubectl(
          R"json({"s61": "line1\nline2", "s62": "line1\nline2\n", "s63": "a\n\n", "s64": "\nlead", "s65": " x\ny",
 "s66": "a \nb", "s67": "a\n b", "s68": "tab\tx", "s97": "a\r\nb", "s98": "\n"})json"),
      R"yaml(v:
  s61: |-
    line1
    line2
  s62: |
    line1
    line2
  s63: |+
    a

  s64: |2-

    lead
  s65: |2-
     x
    y
  s66: "a \nb"
  s67: |-
    a
     b
  s68: "tab\tx"
  s97: "a\r\nb"
  s98: |2+

)yaml");
}

TEST(GoYaml, LongLinesFoldAtTheFirstSpaceAfterColumn80) {
  EXPECT_EQ(
      as_kubectl(
          R"json({"s79": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
 "s80": "word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word",
 "s81": "'word word word word word word word word word word word word word word word word word word word word word word word word word '",
 "s82": "x: word word word word word word word word word word word word word word word word word word word word word word word word word ",
 "s83": "true w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w ",
 "s84": "multi\nword word word word word word word word word word word word word word word word word word word word word word word word word word word word word word \nend",
 "s85": "w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w  \tx"})json"),
      R"yaml(v:
  s79: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
  s80: word word word word word word word word word word word word word word word
    word word word word word word word word word word word word word word word
  s81: '''word word word word word word word word word word word word word word word
    word word word word word word word word word word '''
  s82: 'x: word word word word word word word word word word word word word word word
    word word word word word word word word word word '
  s83: 'true w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w
    w w w w w w w w w w w w w w w '
  s84: "multi\nword word word word word word word word word word word word word word
    word word word word word word word word word word word word word word word word
    \nend"
  s85: "w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w
    w w w w w w w w  \tx"
)yaml");
}

TEST(GoYaml, CharactersBeyondAsciiStayRawUpToUFFFF) {
  EXPECT_EQ(as_kubectl(R"json({"s69": "é ü 中", "s70": "emoji 😀", "s71": "nbsp x"})json"),
            R"yaml(v:
  s69: é ü 中
  s70: "emoji \U0001F600"
  s71: nbsp x
)yaml");
}

TEST(GoYaml, KeysComeInGoYamlsOrder) {
  EXPECT_EQ(
      as_kubectl(
          R"json({"item10": 1, "item9": 2, "a_b": 3, "aB": 4, "a-b": 5, "a.b": 6, "a1": 7, "a01": 8, "a001": 9,
 "a10": 10, "x0": 11, "x00": 12, "B": 13, "a": 14, "_z": 15, "Z": 16, "10": 17, "9": 18, "": 19,
 "yes": 20, "a b": 21,
 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": 22,
 "multi\nkey": 23})json"),
      R"yaml(v:
  "": 19
  _z: 15
  "9": 18
  "10": 17
  B: 13
  Z: 16
  a: 14
  a b: 21
  a-b: 5
  a.b: 6
  a_b: 3
  a1: 7
  a01: 8
  a001: 9
  a10: 10
  aB: 4
  item9: 2
  item10: 1
  ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk
  : 22
  ? |-
    multi
    key
  : 23
  x0: 11
  x00: 12
  "yes": 20
)yaml");
}

TEST(GoYaml, NumbersAsGoWritesThem) {
  EXPECT_EQ(
      as_kubectl(
          R"json({"i": 1, "neg": -5, "f": 1.5, "f2": 2.0, "f3": 1e-07, "f4": 123456.5, "f5": 1234567.5,
 "f6": 0.0001, "f7": 1e+21, "b": true, "c": false, "z": null})json"),
      R"yaml(v:
  b: true
  c: false
  f: 1.5
  f2: 2
  f3: 1e-07
  f4: 123456.5
  f5: 1.2345675e+06
  f6: 0.0001
  f7: 1e+21
  i: 1
  neg: -5
  z: null
)yaml");
}

TEST(GoYaml, ListsUnderAKeyAreNotIndentedAndEmptyCollectionsAreFlow) {
  EXPECT_EQ(
      as_kubectl(R"json({"l": [[], {}, [[1]], [{"a": [{"b": 1}]}], "x", null, ["a\nb"]]})json"),
      R"yaml(v:
  l:
  - []
  - {}
  - - - 1
  - - a:
      - b: 1
  - x
  - null
  - - |-
      a
      b
)yaml");
}

TEST(GoYaml, KeyOrderComparesLettersAfterOtherCharactersAndDigitRunsAsNumbers) {
  EXPECT_TRUE(go_yaml_key_less("item9", "item10"));
  EXPECT_TRUE(go_yaml_key_less("a_b", "aB"));
  EXPECT_TRUE(go_yaml_key_less("a1", "a01"));
  EXPECT_TRUE(go_yaml_key_less("x0", "x00"));
  EXPECT_FALSE(go_yaml_key_less("b", "a"));
  EXPECT_FALSE(go_yaml_key_less("a", "a"));
}

}  // namespace
}  // namespace nodrop::cli
