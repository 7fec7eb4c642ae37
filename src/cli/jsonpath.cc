#include "cli/jsonpath.h"

#include <charconv>
#include <vector>

#include "cli/go_json.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

// One step of a path: a field of a mapping, an index of a list, or every item of a list (or
// value of a mapping).
struct Step {
  enum class Type { kField, kIndex, kAll, kFilter };
  Type type = Type::kField;
  std::string field;
  long index = 0;
  // kFilter, [?(@.PATH OP VALUE)] or [?(@.PATH)]: the items of a list for which the path leads to
  // a value equal (==) or not (!=) to the literal, or to anything at all.
  std::vector<Step> filter_path{};
  std::string filter_operator{};  // "==", "!=" or "" (exists)
  std::string filter_value{};     // the literal as text: a string without its quotes, a number
};

// Bounds on a template: it comes from the command line, but a script may build it.
constexpr std::size_t kMaxSteps = 256;
constexpr int kMaxRangeDepth = 16;

// A name with its backslash escapes (\. in `deployment\.kubernetes\.io`) taken out.
std::string without_escapes(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\' && i + 1 < name.size()) ++i;
    out += name[i];
  }
  return out;
}

Result<std::vector<Step>> parse_path(std::string_view path);

// The inside of [?(...)]: @.PATH, then optionally == or != and a quoted string or a number.
Result<Step> parse_filter(std::string_view expression) {
  Step step;
  step.type = Step::Type::kFilter;
  std::size_t op = expression.find("==");
  if (op == std::string_view::npos) op = expression.find("!=");
  std::string_view left = expression.substr(0, op);
  while (!left.empty() && left.back() == ' ') left.remove_suffix(1);
  if (!left.starts_with("@")) {
    return invalid_argument("a filter compares a path from @: [?(@.type==\"Ready\")]");
  }
  Result<std::vector<Step>> path = parse_path(left);
  if (!path) return path.status();
  step.filter_path = std::move(path).value();
  if (op == std::string_view::npos) return step;
  step.filter_operator = std::string(expression.substr(op, 2));
  std::string_view right = expression.substr(op + 2);
  while (!right.empty() && right.front() == ' ') right.remove_prefix(1);
  while (!right.empty() && right.back() == ' ') right.remove_suffix(1);
  if (right.size() >= 2 && (right.front() == '"' || right.front() == '\'') &&
      right.back() == right.front()) {
    right = right.substr(1, right.size() - 2);
  }
  step.filter_value = std::string(right);
  return step;
}

Result<std::vector<Step>> parse_path(std::string_view path) {
  std::vector<Step> steps;
  if (path.starts_with("@")) path.remove_prefix(1);  // @: the current object, as the root is
  std::size_t i = 0;
  while (i < path.size()) {
    if (steps.size() >= kMaxSteps) return invalid_argument("a path of more than 256 steps");
    if (path[i] == '.') {
      if (i + 1 < path.size() && path[i + 1] == '.') {
        return invalid_argument("recursive descent (..) is not supported");
      }
      ++i;
      // The name runs to the next . or [ that no backslash escapes (`deployment\.kubernetes\.io`).
      std::size_t end = i;
      while (end < path.size() && path[end] != '.' && path[end] != '[') {
        end += path[end] == '\\' && end + 1 < path.size() ? 2 : 1;
      }
      const std::string name = without_escapes(path.substr(i, end - i));
      if (end >= path.size()) end = std::string_view::npos;
      if (name == "*") {
        steps.push_back({Step::Type::kAll, "", 0});
      } else if (!name.empty()) {
        steps.push_back({Step::Type::kField, name, 0});
      }
      i = end == std::string_view::npos ? path.size() : end;
      continue;
    }
    if (path[i] == '[') {
      const std::size_t end = path.find(']', i);
      if (end == std::string_view::npos)
        return invalid_argument("unterminated [ in " + std::string(path));
      const std::string_view inside = path.substr(i + 1, end - i - 1);
      i = end + 1;
      if (inside == "*") {
        steps.push_back({Step::Type::kAll, "", 0});
      } else if (inside.size() >= 2 && (inside.front() == '\'' || inside.front() == '"') &&
                 inside.back() == inside.front()) {
        steps.push_back(
            {Step::Type::kField, without_escapes(inside.substr(1, inside.size() - 2)), 0});
      } else if (inside.starts_with("?(") && inside.ends_with(")")) {
        Result<Step> filter = parse_filter(inside.substr(2, inside.size() - 3));
        if (!filter) return filter.status();
        steps.push_back(std::move(filter).value());
      } else {
        long index = 0;
        const auto [stop, problem] =
            std::from_chars(inside.data(), inside.data() + inside.size(), index);
        if (problem != std::errc() || stop != inside.data() + inside.size()) {
          return invalid_argument("[" + std::string(inside) +
                                  "]: slices and unions are not supported yet");
        }
        steps.push_back({Step::Type::kIndex, "", index});
      }
      continue;
    }
    return invalid_argument("unexpected " + std::string(path.substr(i, 1)) + " in " +
                            std::string(path));
  }
  return steps;
}

// Every node the steps lead to from start; a missing field leads nowhere.
std::vector<const Node*> evaluate(const std::vector<Step>& steps, const Node& start) {
  std::vector<const Node*> current = {&start};
  for (const Step& step : steps) {
    std::vector<const Node*> next;
    for (const Node* node : current) {
      switch (step.type) {
        case Step::Type::kField:
          if (node->is_mapping()) {
            if (const Node* found = node->find(step.field)) next.push_back(found);
          }
          break;
        case Step::Type::kIndex:
          if (node->is_sequence()) {
            const long size = static_cast<long>(node->items().size());
            const long at = step.index < 0 ? size + step.index : step.index;
            if (at >= 0 && at < size) next.push_back(&node->items()[static_cast<std::size_t>(at)]);
          }
          break;
        case Step::Type::kFilter:
          if (node->is_sequence()) {
            for (const Node& item : node->items()) {
              const std::vector<const Node*> values = evaluate(step.filter_path, item);
              bool keep = !values.empty();
              if (keep && !step.filter_operator.empty()) {
                const bool equal = values[0]->is_scalar() && !values[0]->is_null() &&
                                   (values[0]->type() == Node::Type::kBool
                                        ? (values[0]->bool_value() ? "true" : "false")
                                        : values[0]->text()) == step.filter_value;
                keep = step.filter_operator == "==" ? equal : !equal;
              }
              if (keep) next.push_back(&item);
            }
          }
          break;
        case Step::Type::kAll:
          if (node->is_sequence()) {
            for (const Node& item : node->items()) next.push_back(&item);
          } else if (node->is_mapping()) {
            for (const Node::Entry& entry : node->entries()) next.push_back(&entry.value);
          }
          break;
      }
    }
    current = std::move(next);
  }
  return current;
}

std::string text_of(const Node& node) {
  if (node.type() == Node::Type::kString) return node.text();
  if (node.is_null()) return "";
  if (node.type() == Node::Type::kBool) return node.bool_value() ? "true" : "false";
  return go_json(node);
}

// A template's pieces: literal text, or an action's text (without its braces).
struct Piece {
  bool action = false;
  std::string text;
};

Result<std::vector<Piece>> split(const std::string& template_text) {
  std::vector<Piece> pieces;
  std::size_t i = 0;
  while (i < template_text.size()) {
    const std::size_t open = template_text.find('{', i);
    if (open == std::string::npos) {
      pieces.push_back({false, template_text.substr(i)});
      break;
    }
    if (open > i) pieces.push_back({false, template_text.substr(i, open - i)});
    // The action ends at the first } outside a quoted literal.
    std::size_t close = open + 1;
    char quote = 0;
    for (; close < template_text.size(); ++close) {
      const char c = template_text[close];
      if (quote != 0) {
        if (c == '\\') {
          ++close;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '}') {
        break;
      }
    }
    if (close >= template_text.size()) return invalid_argument("unclosed action");
    pieces.push_back({true, template_text.substr(open + 1, close - open - 1)});
    i = close + 1;
  }
  return pieces;
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return std::string(text);
}

// A quoted literal's text with Go's escapes (\n, \t, \", \\).
std::string unquoted(std::string_view literal) {
  std::string out;
  for (std::size_t i = 1; i + 1 < literal.size(); ++i) {
    if (literal[i] == '\\' && i + 2 < literal.size()) {
      const char next = literal[++i];
      out += next == 'n' ? '\n' : next == 't' ? '\t' : next == 'r' ? '\r' : next;
    } else {
      out += literal[i];
    }
  }
  return out;
}

// Writes pieces[begin, end) for the object at; returns where it stopped (a matching {end}).
Result<std::size_t> run(const std::vector<Piece>& pieces, std::size_t begin, const Node& root,
                        const Node& at, int depth, std::string& out) {
  for (std::size_t i = begin; i < pieces.size(); ++i) {
    const Piece& piece = pieces[i];
    if (!piece.action) {
      out += piece.text;
      continue;
    }
    const std::string action = trimmed(piece.text);
    if (action == "end") return i;
    if (action.size() >= 2 && (action.front() == '"' || action.front() == '\'') &&
        action.back() == action.front()) {
      out += unquoted(action);
      continue;
    }
    if (action.starts_with("range ")) {
      if (depth >= kMaxRangeDepth) return invalid_argument("ranges nested more than 16 deep");
      Result<std::vector<Step>> steps = parse_path(trimmed(action.substr(6)));
      if (!steps) return steps.status();
      const Node& from = depth > 0 ? at : root;  // inside a range, paths start at its item
      const std::vector<const Node*> items = evaluate(*steps, from);
      std::size_t end = pieces.size();
      // The body once with nothing, to find its {end} even when the range is empty.
      std::string ignored;
      Result<std::size_t> found = run(pieces, i + 1, root, Node::null(), depth + 1, ignored);
      if (!found) return found.status();
      end = *found;
      // kubectl lets a range run to the end of the template when it has no {end}.
      for (const Node* item : items) {
        Result<std::size_t> done = run(pieces, i + 1, root, *item, depth + 1, out);
        if (!done) return done.status();
      }
      i = end;
      continue;
    }
    const std::string path = action.starts_with("$") ? action.substr(1) : action;
    Result<std::vector<Step>> steps = parse_path(path);
    if (!steps) return steps.status();
    const Node& from = action.starts_with("$") ? root : at;
    const std::vector<const Node*> found = evaluate(*steps, from);
    for (std::size_t j = 0; j < found.size(); ++j) {
      if (j > 0) out += ' ';
      out += text_of(*found[j]);
    }
  }
  return pieces.size();
}

}  // namespace

Result<std::string> apply_jsonpath(const std::string& template_text, const Node& root) {
  Result<std::vector<Piece>> pieces = split(template_text);
  if (!pieces) return pieces.status();
  std::string out;
  Result<std::size_t> stopped = run(*pieces, 0, root, root, 0, out);
  if (!stopped) return stopped.status();
  if (*stopped < pieces->size()) return invalid_argument("{end} without a range");
  return out;
}

}  // namespace nodrop::cli
