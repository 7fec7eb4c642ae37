// JSON as kubectl (Go's encoding/json) writes it.
#include "cli/go_json.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"

namespace nodrop::cli {
namespace {

manifest::Node json(const std::string& text) { return apiserver::parse_body(text).value(); }

TEST(GoJson, SortsKeysWritesCompactlyAndEscapesAsGoDoes) {
  EXPECT_EQ(go_json(json(R"({"b": [1, true, null, "x<y>&z"], "a": {"d": 1.5, "c": "\u2028"}})")),
            R"({"a":{"c":"\u2028","d":1.5},"b":[1,true,null,"x\u003cy\u003e\u0026z"]})");
  EXPECT_EQ(go_json(json(R"({"del": "\u007f", "tab": "\t", "nel": "\u0085", "bs": "\\u0085"})")),
            "{\"bs\":\"\\\\u0085\",\"del\":\"\x7f\",\"nel\":\"\xc2\x85\",\"tab\":\"\\t\"}");
}

TEST(GoJsonIndented, FourSpacesSortedKeysAndAFinalNewlineAsKubectlGetPrints) {
  EXPECT_EQ(go_json_indented(json(R"({"kind": "ConfigMap", "data": {"note": "a <b> & c"},
                                      "apiVersion": "v1", "items": []})")),
            "{\n"
            "    \"apiVersion\": \"v1\",\n"
            "    \"data\": {\n"
            "        \"note\": \"a \\u003cb\\u003e \\u0026 c\"\n"
            "    },\n"
            "    \"items\": [],\n"
            "    \"kind\": \"ConfigMap\"\n"
            "}\n");
}

}  // namespace
}  // namespace nodrop::cli
