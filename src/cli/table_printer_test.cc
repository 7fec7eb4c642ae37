// Tables printed as kubectl prints them: the column widths of Go's tabwriter with kubectl's
// settings, upper-case headers, wide columns only with -o wide, NAMESPACE first with -A.
#include "cli/table_printer.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"

namespace nodrop::cli {
namespace {

manifest::Node table() {
  return apiserver::parse_body(R"({
    "kind": "Table", "apiVersion": "meta.k8s.io/v1",
    "columnDefinitions": [
      {"name": "Name", "type": "string", "priority": 0},
      {"name": "Ready", "type": "string", "priority": 0},
      {"name": "Up-to-date", "type": "integer", "priority": 0},
      {"name": "Available", "type": "integer", "priority": 0},
      {"name": "Age", "type": "string", "priority": 0},
      {"name": "Containers", "type": "string", "priority": 1}],
    "rows": [
      {"cells": ["web", "3/3", 3, 3, "5m2s", "app"],
       "object": {"metadata": {"name": "web", "namespace": "default"}}},
      {"cells": ["a-much-longer-name", "0/1", 0, 0, "3s", "app,sidecar"],
       "object": {"metadata": {"name": "a-much-longer-name", "namespace": "team-a"}}}]})")
      .value();
}

TEST(PrintTable, ColumnsAreTheWidestCellPlusThreeSpacesAndTheLastIsNotPadded) {
  // What kubectl 1.32 prints for the same Table.
  EXPECT_EQ(print_table(table(), {}).value(),
            "NAME                 READY   UP-TO-DATE   AVAILABLE   AGE\n"
            "web                  3/3     3            3           5m2s\n"
            "a-much-longer-name   0/1     0            0           3s\n");
}

TEST(PrintTable, WideAddsThePriorityColumnsAndAllNamespacesTheNamespaceFirst) {
  EXPECT_EQ(
      print_table(table(), {.wide = true, .with_namespace = true}).value(),
      "NAMESPACE   NAME                 READY   UP-TO-DATE   AVAILABLE   AGE    CONTAINERS\n"
      "default     web                  3/3     3            3           5m2s   app\n"
      "team-a      a-much-longer-name   0/1     0            0           3s     app,sidecar\n");
}

TEST(PrintTable, WithoutHeadersOrRows) {
  EXPECT_EQ(print_table(table(), {.headers = false}).value().substr(0, 4), "web ");
  manifest::Node empty = table();
  empty.set("rows", manifest::Node::sequence());
  EXPECT_EQ(print_table(empty, {}).value(), "");
  EXPECT_FALSE(print_table(apiserver::parse_body(R"({"kind": "Status"})").value(), {}).is_ok());
}

TEST(AlignColumns, AColumnIsAtLeastSixWideAndWidthCountsCharactersNotBytes) {
  EXPECT_EQ(align_columns({{"A", "B", "C"}, {"ab", "c", "d"}}), "A     B     C\nab    c     d\n");
  EXPECT_EQ(align_columns({{"\u00e9t\u00e9", "x"}, {"abcd", "y"}}),
            "\u00e9t\u00e9    x\nabcd   y\n");
}

TEST(AlignColumns, MinimumWidthsWidenColumnsAsTheTablePrintedBeforeARowDid) {
  const std::vector<std::size_t> widths =
      column_widths({{"NAME", "STATUS", "AGE"}, {"web-1", "Terminating", "3s"}});
  EXPECT_EQ(widths, (std::vector<std::size_t>{8, 14}));
  EXPECT_EQ(align_columns({{"web-2", "Running", "1s"}}, {}, widths), "web-2   Running       1s\n");
}

TEST(FormatTabbed, EachRunOfLinesWithACellInAColumnAlignsOnItsOwnAsGosTabwriter) {
  // From kubectl describe: the top fields align together; a line without a tab ends the run, so
  // the lines after "Limits:" and after "Requests:" align apart; an empty cell keeps its column;
  // the conditions' first column is as wide as the OldReplicaSets line after them needs.
  const std::string described =
      "Name:\tweb\n"
      "RollingUpdateStrategy:\t25% max unavailable\n"
      "Labels:\ta=b\n"
      "\tc=d\n"
      "Pod Template:\n"
      "    Limits:\n"
      "      memory:\t1Gi\n"
      "    Requests:\n"
      "      cpu:\t100m\n"
      "    Liveness:\ttcp-socket :80\n"
      "Conditions:\n"
      "  Type\tStatus\tReason\n"
      "  Available \tTrue\tMinimumReplicasAvailable\n"
      "OldReplicaSets:\t<none>\n";
  EXPECT_EQ(format_tabbed(described, {.minimum_width = 0, .padding = 2}),
            "Name:                   web\n"
            "RollingUpdateStrategy:  25% max unavailable\n"
            "Labels:                 a=b\n"
            "                        c=d\n"
            "Pod Template:\n"
            "    Limits:\n"
            "      memory:  1Gi\n"
            "    Requests:\n"
            "      cpu:     100m\n"
            "    Liveness:  tcp-socket :80\n"
            "Conditions:\n"
            "  Type           Status  Reason\n"
            "  Available      True    MinimumReplicasAvailable\n"
            "OldReplicaSets:  <none>\n");
}

}  // namespace
}  // namespace nodrop::cli
