#include "manifest/yaml_reader.h"

#include <gtest/gtest.h>

namespace nodrop::manifest {
namespace {

Node read_one(const std::string& text) {
  YamlDocuments documents = read_yaml_stream(text);
  EXPECT_TRUE(documents.is_ok()) << documents.error().status().to_string();
  if (!documents.is_ok() || documents->empty()) return Node();
  return documents->front().root;
}

TEST(YamlReader, ResolvesPlainScalarsAsKubernetesDecoderDoes) {
  const Node root = read_one(
      "int: 80\nquoted: \"80\"\nsingle: '80'\naffirmative: yes\nswitch: On\nnegative_word: "
      "no\ntilde: ~\nempty:\n"
      "octal: 0755\nhex: 0x1F\nfloat: 1.5\npercent: 25%\nword: hello world\nnegative: -3\n");
  ASSERT_TRUE(root.is_mapping());
  EXPECT_EQ(root.find("int")->type(), Node::Type::kInt);
  EXPECT_EQ(root.find("int")->int_value(), 80);
  EXPECT_EQ(root.find("quoted")->type(), Node::Type::kString);
  EXPECT_EQ(root.find("single")->type(), Node::Type::kString);
  EXPECT_EQ(root.find("affirmative")->type(), Node::Type::kBool);
  EXPECT_TRUE(root.find("affirmative")->bool_value());
  EXPECT_TRUE(root.find("switch")->bool_value());
  EXPECT_FALSE(root.find("negative_word")->bool_value());
  EXPECT_TRUE(root.find("tilde")->is_null());
  EXPECT_TRUE(root.find("empty")->is_null());
  EXPECT_EQ(root.find("octal")->int_value(), 0755);
  EXPECT_EQ(root.find("hex")->int_value(), 31);
  EXPECT_EQ(root.find("float")->type(), Node::Type::kFloat);
  EXPECT_EQ(root.find("percent")->type(), Node::Type::kString);
  EXPECT_EQ(root.find("word")->text(), "hello world");
  EXPECT_EQ(root.find("negative")->int_value(), -3);
}

// Each number form of go-yaml v2's resolver and the near misses that stay strings, with the text
// each keeps: the decimal value for integers, the text as written for floats and strings.
TEST(YamlReader, ResolvesEveryNumberFormAndItsNearMisses) {
  struct Case {
    const char* plain;
    Node::Type type;
    const char* text;
  };
  const Case cases[] = {
      {"0", Node::Type::kInt, "0"},
      {"+0", Node::Type::kInt, "0"},
      {"-12", Node::Type::kInt, "-12"},
      {"1_000", Node::Type::kInt, "1000"},
      {"1_", Node::Type::kInt, "1"},
      {"0755", Node::Type::kInt, "493"},
      {"0o17", Node::Type::kInt, "15"},
      {"-0o17", Node::Type::kInt, "-15"},
      {"0_7", Node::Type::kInt, "7"},
      {"0x1F", Node::Type::kInt, "31"},
      {"-0x_a", Node::Type::kInt, "-10"},
      {"0x_", Node::Type::kInt, "0"},
      {"0b101", Node::Type::kInt, "5"},
      {"+0b1_1", Node::Type::kInt, "3"},
      {"09", Node::Type::kFloat, "09"},
      {"1.5", Node::Type::kFloat, "1.5"},
      {"1.", Node::Type::kFloat, "1."},
      {"-.5", Node::Type::kFloat, "-.5"},
      {"1e3", Node::Type::kFloat, "1e3"},
      {"1_0.0_1E-2", Node::Type::kFloat, "1_0.0_1E-2"},
      {".inf", Node::Type::kFloat, ".inf"},
      {"-.Inf", Node::Type::kFloat, "-.Inf"},
      {".NaN", Node::Type::kFloat, ".NaN"},
      {"0x", Node::Type::kString, "0x"},
      {"0b2", Node::Type::kString, "0b2"},
      {"0o8", Node::Type::kString, "0o8"},
      {"1e", Node::Type::kString, "1e"},
      {".", Node::Type::kString, "."},
      {"._1", Node::Type::kString, "._1"},
      {"+", Node::Type::kString, "+"},
      {"1.2.3", Node::Type::kString, "1.2.3"},
      {"12abc", Node::Type::kString, "12abc"},
      {"0xg", Node::Type::kString, "0xg"},
      {"-_1", Node::Type::kString, "-_1"},
      {"99999999999999999999", Node::Type::kString, "99999999999999999999"},
  };
  for (const Case& c : cases) {
    const Node root = read_one(std::string("v: ") + c.plain + "\n");
    const Node* value = root.find("v");
    ASSERT_NE(value, nullptr) << c.plain;
    EXPECT_EQ(value->type(), c.type) << c.plain << " read as " << value->type_name();
    EXPECT_EQ(value->text(), c.text) << c.plain;
  }
}

TEST(YamlReader, AMegabyteLongNumberLikeScalarIsReadWithoutRecursion) {
  // std::regex recursed once per character here and overflowed the stack.
  const Node digits = read_one("v: 1" + std::string(1'000'000, '1') + "x\n");
  EXPECT_EQ(digits.find("v")->type(), Node::Type::kString);
  const Node separators = read_one("v: 1" + std::string(1'000'000, '_') + "\n");
  EXPECT_EQ(separators.find("v")->int_value(), 1);
}

TEST(YamlReader, YamlOneOneBooleanKeysBecomeTrueAsInKubernetes) {
  // go-yaml v2 reads the key `on:` as the boolean true, so `on` and `yes` collide.
  YamlDocuments documents = read_yaml_stream("on: push\nyes: 1\n");
  ASSERT_FALSE(documents.is_ok());
  EXPECT_EQ(documents.error().status().message(),
            "2:1: mapping key \"true\" already defined at line 1");
}

TEST(YamlReader, ReadsEveryDocumentWithItsLine) {
  YamlDocuments documents =
      read_yaml_stream("# leading comment\na: 1\n---\n---\nb: 2\n...\n---\nc: [1, 2]\n");
  ASSERT_TRUE(documents.is_ok()) << documents.error().status().to_string();
  ASSERT_EQ(documents->size(), 4U);
  EXPECT_EQ((*documents)[0].root.find("a")->int_value(), 1);
  EXPECT_EQ((*documents)[0].root.mark.line, 2);
  EXPECT_TRUE((*documents)[1].root.is_null());  // the empty document between two "---"
  EXPECT_EQ((*documents)[2].root.find("b")->mark.line, 5);
  EXPECT_EQ((*documents)[3].root.find("c")->items().size(), 2U);
}

TEST(YamlReader, ReadsJson) {
  const Node root = read_one(
      R"({"kind": "Pod", "spec": {"replicas": 3, "ready": true, "name": "x", "list": [1, "2"]}})");
  const Node* spec = root.find("spec");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->find("replicas")->int_value(), 3);
  EXPECT_TRUE(spec->find("ready")->bool_value());
  EXPECT_EQ(spec->find("list")->items()[1].type(), Node::Type::kString);
}

TEST(YamlReader, ExpandsAnchorsAndMergeKeys) {
  const Node root = read_one(
      "base: &base\n  image: nginx\n  port: 80\nlabels: &labels {app: web}\n"
      "derived:\n  <<: *base\n  port: 8080\nalias: *labels\n");
  const Node* derived = root.find("derived");
  ASSERT_NE(derived, nullptr);
  EXPECT_EQ(derived->find("image")->text(), "nginx");
  EXPECT_EQ(derived->find("port")->int_value(), 8080);  // the mapping's own value wins
  EXPECT_EQ(root.find("alias")->find("app")->text(), "web");
}

TEST(YamlReader, DuplicateKeyIsAnErrorNamingBothLines) {
  YamlDocuments documents = read_yaml_stream("a: 1\nb: 2\na: 3\n");
  ASSERT_FALSE(documents.is_ok());
  const YamlError& error = documents.error();
  EXPECT_EQ(error.line, 3);
  EXPECT_EQ(error.column, 1);
  EXPECT_EQ(error.problem, "mapping key \"a\" already defined at line 1");
  EXPECT_FALSE(error.refused);
  EXPECT_EQ(error.describe(),
            "invalid YAML at column 1: mapping key \"a\" already defined at line 1");
  EXPECT_EQ(error.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(error.status().message(), "3:1: mapping key \"a\" already defined at line 1");
}

TEST(YamlReader, SyntaxErrorNamesLineAndColumn) {
  YamlDocuments documents = read_yaml_stream("a:\n  b: 1\n c: 2\n");
  ASSERT_FALSE(documents.is_ok());
  EXPECT_EQ(documents.error().status().message().rfind("3:2: ", 0), 0U)
      << documents.error().status().message();
}

std::string error_of(const std::string& text) {
  YamlDocuments documents = read_yaml_stream(text);
  return documents.is_ok() ? "no error" : documents.error().status().message();
}

// "Billion laughs": ten levels of ten aliases each would make 10^10 nodes.
std::string billion_laughs() {
  std::string text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 9; ++level) {
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", *l" : "*l") + std::to_string(level - 1);
    text += "]\n";
  }
  return text;
}

TEST(YamlReader, ExponentialAliasesAreRefusedWhenTheyCrossTheBudget) {
  const std::string text = billion_laughs();
  YamlDocuments documents = read_yaml_stream(text);
  ASSERT_FALSE(documents.is_ok());
  EXPECT_TRUE(documents.error().refused);
  EXPECT_EQ(documents.error().status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(documents.error().describe().rfind("YAML refused at column ", 0), 0U);
  // Level 5 (line 6) holds 10^6 x's: its aliases cross the budget of 500,000 + size/4.
  EXPECT_EQ(documents.error().status().message().rfind("6:", 0), 0U)
      << documents.error().status().message();
  EXPECT_NE(documents.error().status().message().find(
                "more than " + std::to_string(node_budget(text.size())) + " nodes"),
            std::string::npos)
      << documents.error().status().message();
}

TEST(YamlReader, TheNodeBudgetIsPerFileNotPerDocument) {
  // One document expanding to about 250,000 nodes is read; three in one file cross the budget.
  std::string document = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 4; ++level) {
    document += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) document += (i ? ", *l" : "*l") + std::to_string(level - 1);
    document += "]\n";
  }
  EXPECT_EQ(error_of(document), "no error");
  const std::string file = document + "---\n" + document + "---\n" + document;
  const std::string message = error_of(file);
  EXPECT_EQ(message.rfind("16:", 0), 0U) << message;  // the third document's line 4
  EXPECT_NE(message.find("more than " + std::to_string(node_budget(file.size())) + " nodes"),
            std::string::npos)
      << message;
}

TEST(YamlReader, TheNodeBudgetGrowsByOneNodePerFourBytesOfTheFile) {
  // About 580,000 nodes from a file of 200 bytes: over the budget of 500,000 + size/4, and under
  // it once 400 KB of comment make the file larger.
  std::string text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 4; ++level) {
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", *l" : "*l") + std::to_string(level - 1);
    text += "]\n";
  }
  text += "l5: [*l4, *l4, *l4]\n";
  EXPECT_EQ(error_of(text),
            "6:16: more than " + std::to_string(node_budget(text.size())) +
                " nodes, counting keys, anchors, the copies aliases make and a node per 64 "
                "bytes of text (a file may make 500000 plus one per 4 bytes)");
  EXPECT_EQ(error_of("# " + std::string(400'000, '-') + "\n" + text), "no error");
}

TEST(YamlReader, AliasesToALongStringCountItsText) {
  // 10,000 copies of a 64 KB string would hold 640 MB; each counts as 1,025 nodes.
  std::string text = "a: &a " + std::string(64 * 1024, 'x') + "\nb: [*a";
  for (int alias = 1; alias < 10'000; ++alias) text += ", *a";
  text += "]\n";
  const std::string message = error_of(text);
  EXPECT_EQ(message.rfind("2:", 0), 0U) << message;
  EXPECT_NE(message.find("more than " + std::to_string(node_budget(text.size())) + " nodes"),
            std::string::npos)
      << message;
  // A few copies are read as before.
  const Node root = read_one("a: &a " + std::string(64 * 1024, 'x') + "\nb: [*a, *a]\n");
  EXPECT_EQ(root.find("b")->items()[1].text().size(), 64U * 1024);
}

TEST(YamlReader, DeepNestingIsBounded) {
  const std::string text = std::string(200, '[') + std::string(200, ']') + "\n";
  EXPECT_EQ(error_of(text), "1:130: nesting deeper than 128 levels");
}

TEST(YamlReader, DeepNestingStopsTheParserAtTheLimit) {
  // 2 MB of "[" took libyaml over a minute when the depth was checked after parsing; the error now
  // comes at the 130th bracket, without the file's end being read (it is not even valid YAML).
  EXPECT_EQ(error_of(std::string(2'000'000, '[')), "1:130: nesting deeper than 128 levels");
  std::string mappings;
  for (int level = 0; level < 500'000; ++level) mappings += "{a: ";
  EXPECT_EQ(error_of(mappings), "1:514: nesting deeper than 128 levels");  // the key a
  std::string block;  // block style: a level per line
  for (int level = 0; level < 200; ++level) block += std::string(level, ' ') + "k:\n";
  EXPECT_EQ(error_of(block), "129:129: nesting deeper than 128 levels");
}

TEST(YamlReader, DepthCountsTheLevelsAnAliasBringsIn) {
  // The anchored list reaches 99 levels below itself; it sits at level 1, and so may an alias to
  // it down to level 29.
  const std::string anchored = "a: &a " + std::string(100, '[') + std::string(100, ']') + "\n";
  auto alias_at = [&](int level) {
    return anchored + "b: " + std::string(level - 1, '[') + "*a" + std::string(level - 1, ']') +
           "\n";
  };
  EXPECT_EQ(error_of(alias_at(29)), "no error");
  EXPECT_EQ(error_of(alias_at(30)),
            "2:33: nesting deeper than 128 levels after expanding alias *a");
}

TEST(YamlReader, AliasProblemsNameTheAliasAndItsPlace) {
  EXPECT_EQ(error_of("a: *y\n"), "1:4: alias *y names no anchor defined before it");
  EXPECT_EQ(error_of("a: &x 1\n---\nb: *x\n"), "3:4: alias *x names no anchor defined before it");
  EXPECT_EQ(error_of("a: &r [1, *r]\n"), "1:11: alias *r is inside the node it names (line 1)");
  EXPECT_EQ(error_of("a: &x 1\nb: &x 2\n"), "2:4: anchor &x is already defined at line 1");
}

TEST(YamlReader, MappingKeysMustBeScalarsWrittenOrAliased) {
  EXPECT_EQ(error_of("? [a]\n: 1\n"), "1:3: a mapping key must be a scalar");
  EXPECT_EQ(error_of("a: &s [1]\n*s : 2\n"), "2:1: a mapping key must be a scalar");
  const Node root = read_one("a: &k name\n*k : 2\n");
  EXPECT_EQ(root.find("name")->int_value(), 2);
}

TEST(YamlReader, DuplicateKeysOfALargeMappingAreFound) {
  std::string text;
  for (int key = 0; key < 100'000; ++key) text += "k" + std::to_string(key) + ": 1\n";
  YamlDocuments documents = read_yaml_stream(text);
  ASSERT_TRUE(documents.is_ok()) << documents.error().status().to_string();
  EXPECT_EQ(documents->front().root.entries().size(), 100'000U);
  EXPECT_EQ(error_of(text + "k17: 2\n"),
            "100001:1: mapping key \"k17\" already defined at line 18");
}

TEST(YamlReader, MergeKeysOfLargeMappingsKeepTheirPrecedence) {
  // Twelve keys each: past the size where keys are looked up in a table instead of scanned.
  std::string first = "first: &first {";
  std::string second = "second: &second {";
  std::string own = "own:\n  <<: [*first, *second]\n";
  for (int key = 0; key < 12; ++key) {
    first += "f" + std::to_string(key) + ": first, s" + std::to_string(key) + ": first, ";
    second += "s" + std::to_string(key) + ": second, o" + std::to_string(key) + ": second, ";
    own += "  o" + std::to_string(key) + ": own\n";
  }
  const Node root = read_one(first + "}\n" + second + "}\n" + own);
  const Node* merged = root.find("own");
  ASSERT_NE(merged, nullptr);
  EXPECT_EQ(merged->entries().size(), 36U);
  EXPECT_EQ(merged->find("o3")->text(), "own");
  EXPECT_EQ(merged->find("s3")->text(), "first");  // earlier merged mappings win
  EXPECT_EQ(merged->find("f11")->text(), "first");
  EXPECT_EQ(merged->entries()[12].key, "f0");  // merged entries follow the mapping's own
}

TEST(YamlReader, MergeKeyValuesMustBeMappings) {
  EXPECT_EQ(error_of("a: &a [1]\nb:\n  <<: [*a]\n"),
            "3:7: map merge requires map or sequence of maps as the value");
}

}  // namespace
}  // namespace nodrop::manifest
