// A meta.k8s.io/v1 Table (what the API server answers a `kubectl get`, apiserver/tables.h) printed
// the way kubectl prints it: headers in upper case, each column as wide as its widest cell plus
// three spaces (and at least six, Go's tabwriter with kubectl's settings), the last column not
// padded; columns of priority above 0 only with -o wide; a NAMESPACE column first with -A.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "manifest/node.h"

namespace nodrop::cli {

struct TablePrintOptions {
  bool wide = false;            // -o wide: every column, whatever its priority
  bool with_namespace = false;  // -A: the rows' namespaces (from their metadata) first
  bool headers = true;
  // Put before each name (the column whose format is "name"): "deployment.apps/" when a `get`
  // shows several kinds, as kubectl does.
  std::string name_prefix{};
};

// The lines of the table, each ending in "\n"; "" for a table without rows (the caller says
// "No resources found"). InvalidArgument when table is not a Table.
Result<std::string> print_table(const manifest::Node& table, const TablePrintOptions& options);

// The cells of the table's lines (its header first when options.headers), before alignment; no
// lines for a table without rows.
Result<std::vector<std::vector<std::string>>> table_cells(const manifest::Node& table,
                                                          const TablePrintOptions& options);

// Go's text/tabwriter settings: kubectl's printers use a minimum width of 6 and padding 3; some of
// its commands (rollout history) a tabwriter of their own.
struct ColumnSpacing {
  std::size_t minimum_width = 6;
  std::size_t padding = 3;
};

// Lines of cells aligned as Go's text/tabwriter aligns them with spaces: every cell but a line's
// last padded to its column's width (its widest cell plus the padding, at least the minimum).
// minimum_widths: columns at least as wide as these (`get -w` aligns each new row with the table
// printed before it, as kubectl does).
std::string align_columns(const std::vector<std::vector<std::string>>& lines,
                          const ColumnSpacing& spacing = {},
                          const std::vector<std::size_t>& minimum_widths = {});
// Text whose cells end in tabs ("Name:\tweb\n") aligned exactly as Go's text/tabwriter aligns it
// (kubectl's describe: minimum width 0, padding 2): a column's width is set by the run of
// consecutive lines that have a cell in it, so each section of a description aligns on its own.
std::string format_tabbed(const std::string& text, const ColumnSpacing& spacing);

// The widths align_columns gives the columns of lines.
std::vector<std::size_t> column_widths(const std::vector<std::vector<std::string>>& lines,
                                       const ColumnSpacing& spacing = {});

}  // namespace nodrop::cli
