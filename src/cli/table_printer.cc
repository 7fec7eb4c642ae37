#include "cli/table_printer.h"

#include <algorithm>
#include <cctype>

#include "cli/node_paths.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

// Width as tabwriter counts it: UTF-8 code points, not bytes.
std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

std::string cell_text(const Node& cell) {
  switch (cell.type()) {
    case Node::Type::kNull:
      return "<none>";
    case Node::Type::kBool:
      return cell.bool_value() ? "true" : "false";
    case Node::Type::kInt:
    case Node::Type::kFloat:
    case Node::Type::kString:
      return cell.text();
    case Node::Type::kSequence:
    case Node::Type::kMapping:
      return cell.render();
  }
  return cell.text();
}

std::string uppercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::vector<std::size_t> column_widths(const std::vector<std::vector<std::string>>& lines,
                                       const ColumnSpacing& spacing) {
  std::vector<std::size_t> widths;
  for (const auto& line : lines) {
    // A line's last cell is not in a column: tabwriter aligns only cells a tab ends.
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
      if (widths.size() <= i) widths.resize(i + 1, spacing.minimum_width);
      widths[i] = std::max(widths[i], display_width(line[i]) + spacing.padding);
    }
  }
  return widths;
}

std::string align_columns(const std::vector<std::vector<std::string>>& lines,
                          const ColumnSpacing& spacing,
                          const std::vector<std::size_t>& minimum_widths) {
  std::vector<std::size_t> widths = column_widths(lines, spacing);
  for (std::size_t i = 0; i < widths.size() && i < minimum_widths.size(); ++i) {
    widths[i] = std::max(widths[i], minimum_widths[i]);
  }
  std::string out;
  for (const auto& line : lines) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (i + 1 < line.size()) out.append(widths[i] - display_width(line[i]), ' ');
    }
    out += '\n';
  }
  return out;
}

namespace {

// Go's tabwriter.Writer.format: the block of lines line0..line1 that all have cells in the
// columns before widths.size(); finds the runs that have a cell in the next column, sets its width
// from each run, and recurses into it.
void format_block(const std::vector<std::vector<std::string>>& lines, std::size_t line0,
                  std::size_t line1, const ColumnSpacing& spacing, std::vector<std::size_t>& widths,
                  std::string& out, std::size_t& written) {
  const std::size_t column = widths.size();
  const auto write_lines = [&](std::size_t end) {
    for (; written < end; ++written) {
      const std::vector<std::string>& line = lines[written];
      for (std::size_t j = 0; j < line.size(); ++j) {
        out += line[j];
        if (j < widths.size() && j + 1 < line.size()) {
          out.append(widths[j] - std::min(widths[j], display_width(line[j])), ' ');
        }
      }
      out += '\n';
    }
  };
  for (std::size_t current = line0; current < line1; ++current) {
    // A line's cells but its last are the ones a tab ended: those in columns.
    if (column + 1 >= lines[current].size()) continue;
    write_lines(current);
    std::size_t width = spacing.minimum_width;
    std::size_t end = current;
    for (; end < line1 && column + 1 < lines[end].size(); ++end) {
      width = std::max(width, display_width(lines[end][column]) + spacing.padding);
    }
    widths.push_back(width);
    format_block(lines, current, end, spacing, widths, out, written);
    widths.pop_back();
    current = end - 1;
  }
  write_lines(line1);
}

}  // namespace

std::string format_tabbed(const std::string& text, const ColumnSpacing& spacing) {
  std::vector<std::vector<std::string>> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::vector<std::string> cells;
    std::size_t cell_start = start;
    for (std::size_t tab; (tab = text.find('\t', cell_start)) < end; cell_start = tab + 1) {
      cells.push_back(text.substr(cell_start, tab - cell_start));
    }
    cells.push_back(text.substr(cell_start, end - cell_start));
    lines.push_back(std::move(cells));
    start = end + 1;
  }
  std::string out;
  std::vector<std::size_t> widths;
  std::size_t written = 0;
  format_block(lines, 0, lines.size(), spacing, widths, out, written);
  return out;
}

Result<std::string> print_table(const Node& table, const TablePrintOptions& options) {
  Result<std::vector<std::vector<std::string>>> lines = table_cells(table, options);
  if (!lines) return lines.status();
  return align_columns(*lines);
}

Result<std::vector<std::vector<std::string>>> table_cells(const Node& table,
                                                          const TablePrintOptions& options) {
  const Node* kind = table.is_mapping() ? table.find("kind") : nullptr;
  const Node* columns = table.is_mapping() ? table.find("columnDefinitions") : nullptr;
  const Node* rows = table.is_mapping() ? table.find("rows") : nullptr;
  if (kind == nullptr || kind->text() != "Table" || columns == nullptr || !columns->is_sequence()) {
    return invalid_argument("the server did not answer with a Table");
  }
  if (rows == nullptr || !rows->is_sequence() || rows->items().empty()) {
    return std::vector<std::vector<std::string>>();
  }

  std::vector<std::size_t> shown;  // indexes of the columns printed
  std::size_t name_column = columns->items().size();
  for (std::size_t i = 0; i < columns->items().size(); ++i) {
    const Node* format =
        columns->items()[i].is_mapping() ? columns->items()[i].find("format") : nullptr;
    if (format != nullptr && format->text() == "name") {
      name_column = i;
      break;
    }
  }
  std::vector<std::string> header;
  if (options.with_namespace) header.push_back("NAMESPACE");
  for (std::size_t i = 0; i < columns->items().size(); ++i) {
    const Node& column = columns->items()[i];
    const Node* priority = column.is_mapping() ? column.find("priority") : nullptr;
    if (!options.wide && priority != nullptr && priority->int_value() > 0) continue;
    const Node* name = column.is_mapping() ? column.find("name") : nullptr;
    shown.push_back(i);
    header.push_back(uppercase(name != nullptr ? name->text() : ""));
  }
  std::vector<std::vector<std::string>> lines;
  if (options.headers) lines.push_back(std::move(header));
  for (const Node& row : rows->items()) {
    const Node* cells = row.is_mapping() ? row.find("cells") : nullptr;
    if (cells == nullptr || !cells->is_sequence()) {
      return invalid_argument("the server's Table has a row without cells");
    }
    std::vector<std::string> line;
    if (options.with_namespace) line.push_back(text_at(row, {"object", "metadata", "namespace"}));
    for (const std::size_t i : shown) {
      std::string text = i < cells->items().size() ? cell_text(cells->items()[i]) : "";
      if (i == name_column) text = options.name_prefix + text;
      line.push_back(std::move(text));
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace nodrop::cli
