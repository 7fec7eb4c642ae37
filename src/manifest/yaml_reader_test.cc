#include "manifest/yaml_reader.h"

#include <gtest/gtest.h>

namespace nodrop::manifest {
namespace {

Node read_one(const std::string& text) {
  Result<std::vector<Document>> documents = read_yaml_stream(text);
  EXPECT_TRUE(documents.is_ok()) << documents.status().to_string();
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
  Result<std::vector<Document>> documents = read_yaml_stream("on: push\nyes: 1\n");
  ASSERT_FALSE(documents.is_ok());
  EXPECT_EQ(documents.status().message(), "2:1: mapping key \"true\" already defined at line 1");
}

TEST(YamlReader, ReadsEveryDocumentWithItsLine) {
  Result<std::vector<Document>> documents =
      read_yaml_stream("# leading comment\na: 1\n---\n---\nb: 2\n...\n---\nc: [1, 2]\n");
  ASSERT_TRUE(documents.is_ok()) << documents.status().to_string();
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
  Result<std::vector<Document>> documents = read_yaml_stream("a: 1\nb: 2\na: 3\n");
  ASSERT_FALSE(documents.is_ok());
  EXPECT_EQ(documents.status().message(), "3:1: mapping key \"a\" already defined at line 1");
}

TEST(YamlReader, SyntaxErrorNamesLineAndColumn) {
  Result<std::vector<Document>> documents = read_yaml_stream("a:\n  b: 1\n c: 2\n");
  ASSERT_FALSE(documents.is_ok());
  EXPECT_EQ(documents.status().message().rfind("3:2: ", 0), 0U) << documents.status().message();
}

TEST(YamlReader, ExponentialAliasesAreBounded) {
  // "Billion laughs": each level doubles the expanded size.
  std::string text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 9; ++level) {
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", *l" : "*l") + std::to_string(level - 1);
    text += "]\n";
  }
  Result<std::vector<Document>> documents = read_yaml_stream(text);
  ASSERT_FALSE(documents.is_ok());
  EXPECT_NE(documents.status().message().find("more than 500000 nodes"), std::string::npos)
      << documents.status().message();
}

TEST(YamlReader, DeepNestingIsBounded) {
  const std::string text = std::string(200, '[') + std::string(200, ']') + "\n";
  Result<std::vector<Document>> documents = read_yaml_stream(text);
  ASSERT_FALSE(documents.is_ok());
  EXPECT_NE(documents.status().message().find("nesting deeper than 128"), std::string::npos)
      << documents.status().message();
}

}  // namespace
}  // namespace nodrop::manifest
