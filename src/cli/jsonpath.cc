#include "cli/jsonpath.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

#include "cli/go_json.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

// One step of a path: a field of a mapping, a slice of a list (an index is a slice of one), every
// item of a list (or value of a mapping), the items a filter keeps, the union of several paths,
// or every collection below (recursive descent, `..`).
struct Step {
  enum class Type { kField, kSlice, kAll, kFilter, kUnion, kRecursive };
  Type type = Type::kField;
  std::string field{};
  // kSlice, [start:end:stride]: each may be absent. An index [i] is [i:i+1] with its end
  // "derived", so that [-1] is the last item ([-1:0] would otherwise be empty).
  std::optional<long> start{};
  std::optional<long> end{};
  std::optional<long> stride{};
  bool end_derived = false;
  // kFilter, [?(@.PATH OP RIGHT)] or [?(@.PATH)]: the items of a list for which the path leads
  // to a value that compares so with RIGHT (a literal or another path from @), or to anything.
  std::vector<Step> filter_path{};
  std::string filter_operator{};  // ==, !=, <, >, <=, >=, or "" (exists)
  std::optional<Node> filter_literal{};
  std::vector<Step> filter_right_path{};
  // kUnion, [a,b]: each alternative's results, one alternative after the other.
  std::vector<std::vector<Step>> alternatives{};
};

// Bounds on a template: it comes from the command line, but a script may build it.
constexpr std::size_t kMaxSteps = 256;
constexpr int kMaxRangeDepth = 16;
constexpr int kMaxNesting = 16;  // unions and filters inside each other

// A name with its backslash escapes (\. in `deployment\.kubernetes\.io`) taken out.
std::string without_escapes(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\' && i + 1 < name.size()) ++i;
    out += name[i];
  }
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

Result<std::vector<Step>> parse_path(std::string_view path, int nesting);

// A literal on a filter's right: a quoted string, true or false, or a number.
std::optional<Node> filter_literal(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front()) {
    return Node::string(std::string(text.substr(1, text.size() - 2)));
  }
  if (text == "true" || text == "false") return Node::boolean(text == "true");
  long integer = 0;
  const auto [stop, problem] = std::from_chars(text.data(), text.data() + text.size(), integer);
  if (problem == std::errc() && stop == text.data() + text.size()) return Node::integer(integer);
  double number = 0;
  const auto [float_stop, float_problem] =
      std::from_chars(text.data(), text.data() + text.size(), number);
  if (float_problem == std::errc() && float_stop == text.data() + text.size()) {
    return Node::floating(number, std::string(text));
  }
  return std::nullopt;
}

// The inside of [?(...)]: a path from @, then optionally an operator (a run of ! < > =) and a
// literal or another path from @, as kubectl splits it.
Result<Step> parse_filter(std::string_view expression, int nesting) {
  Step step;
  step.type = Step::Type::kFilter;
  const std::size_t op = expression.find_first_of("!<>=");
  std::string_view left = trim(expression.substr(0, op));
  if (!left.starts_with("@")) {
    return invalid_argument("a filter compares a path from @: [?(@.type==\"Ready\")]");
  }
  Result<std::vector<Step>> path = parse_path(left, nesting + 1);
  if (!path) return path.status();
  step.filter_path = std::move(path).value();
  if (op == std::string_view::npos) return step;
  std::size_t op_end = op;
  while (op_end < expression.size() &&
         std::string_view("!<>=").find(expression[op_end]) != std::string_view::npos) {
    ++op_end;
  }
  step.filter_operator = std::string(expression.substr(op, op_end - op));
  static constexpr std::string_view kOperators[] = {"==", "!=", "<", ">", "<=", ">="};
  if (std::find(std::begin(kOperators), std::end(kOperators), step.filter_operator) ==
      std::end(kOperators)) {
    return invalid_argument("unrecognized filter operator " + step.filter_operator);
  }
  const std::string_view right = trim(expression.substr(op_end));
  if (right.starts_with("@")) {
    Result<std::vector<Step>> right_path = parse_path(right, nesting + 1);
    if (!right_path) return right_path.status();
    step.filter_right_path = std::move(right_path).value();
  } else {
    step.filter_literal = filter_literal(right);
    if (!step.filter_literal) {
      return invalid_argument(
          "a filter compares with a quoted string, a number, true, false or "
          "a path from @, not " +
          std::string(right));
    }
  }
  return step;
}

// [start:end:stride] as kubectl reads it (-?\d*, each part optional); nullopt when text is not one.
std::optional<Step> parse_slice(std::string_view text) {
  Step step;
  step.type = Step::Type::kSlice;
  std::optional<long>* parts[] = {&step.start, &step.end, &step.stride};
  std::size_t part = 0;
  bool colon = false;
  while (true) {
    const std::size_t stop = text.find(':');
    const std::string_view number = text.substr(0, stop);
    if (!number.empty()) {
      long value = 0;
      const auto [end, problem] =
          std::from_chars(number.data(), number.data() + number.size(), value);
      if (problem != std::errc() || end != number.data() + number.size() || number[0] == '+') {
        return std::nullopt;
      }
      *parts[part] = value;
    }
    if (stop == std::string_view::npos) break;
    colon = true;
    if (++part == 3) return std::nullopt;
    text.remove_prefix(stop + 1);
  }
  if (!colon) {  // an index
    if (!step.start) return std::nullopt;
    step.end = *step.start + 1;
    step.end_derived = true;
  }
  return step;
}

// Where the bracket opened at open closes: the first ] outside quotes, or for a filter the )]
// that ends it.
std::size_t bracket_end(std::string_view path, std::size_t open) {
  char quote = 0;
  const bool filter = path.substr(open).starts_with("[?(");
  for (std::size_t i = open + 1; i < path.size(); ++i) {
    const char c = path[i];
    if (quote != 0) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == ']' && (!filter || path[i - 1] == ')')) {
      return i;
    }
  }
  return std::string_view::npos;
}

Result<std::vector<Step>> parse_path(std::string_view path, int nesting) {
  if (nesting > kMaxNesting) return invalid_argument("a path nested more than 16 deep");
  std::vector<Step> steps;
  if (path.starts_with("@")) path.remove_prefix(1);  // @: the current object, as the root is
  std::size_t i = 0;
  while (i < path.size()) {
    if (steps.size() >= kMaxSteps) return invalid_argument("a path of more than 256 steps");
    if (path[i] == '.') {
      if (i + 1 < path.size() && path[i + 1] == '.') {
        steps.push_back({.type = Step::Type::kRecursive});
        ++i;  // the second dot starts the name that follows, as a single one does
      }
      ++i;
      // The name runs to the next . or [ that no backslash escapes (`deployment\.kubernetes\.io`).
      std::size_t end = i;
      while (end < path.size() && path[end] != '.' && path[end] != '[') {
        end += path[end] == '\\' && end + 1 < path.size() ? 2 : 1;
      }
      end = std::min(end, path.size());
      const std::string name = without_escapes(path.substr(i, end - i));
      if (name == "*") {
        steps.push_back({.type = Step::Type::kAll});
      } else if (!name.empty()) {
        steps.push_back({.type = Step::Type::kField, .field = name});
      }
      i = end;
      continue;
    }
    if (path[i] == '[') {
      const std::size_t end = bracket_end(path, i);
      if (end == std::string_view::npos)
        return invalid_argument("unterminated [ in " + std::string(path));
      const std::string_view inside = path.substr(i + 1, end - i - 1);
      i = end + 1;
      if (inside.starts_with("?(") && inside.ends_with(")")) {
        Result<Step> filter = parse_filter(inside.substr(2, inside.size() - 3), nesting);
        if (!filter) return filter.status();
        steps.push_back(std::move(filter).value());
      } else if (inside.find(',') != std::string_view::npos) {
        // A union: each part is a bracket of its own, [0,2] as [0] and [2].
        Step union_step{.type = Step::Type::kUnion};
        std::string_view rest = inside;
        while (true) {
          const std::size_t comma = rest.find(',');
          Result<std::vector<Step>> alternative =
              parse_path("[" + std::string(trim(rest.substr(0, comma))) + "]", nesting + 1);
          if (!alternative) return alternative.status();
          union_step.alternatives.push_back(std::move(alternative).value());
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
        steps.push_back(std::move(union_step));
      } else if (inside == "*") {
        steps.push_back({.type = Step::Type::kAll});
      } else if (inside.size() >= 2 && (inside.front() == '\'' || inside.front() == '"') &&
                 inside.back() == inside.front()) {
        steps.push_back({.type = Step::Type::kField,
                         .field = without_escapes(inside.substr(1, inside.size() - 2))});
      } else if (std::optional<Step> slice = parse_slice(inside)) {
        steps.push_back(std::move(*slice));
      } else {
        return invalid_argument("invalid array index " + std::string(inside));
      }
      continue;
    }
    return invalid_argument("unexpected " + std::string(path.substr(i, 1)) + " in " +
                            std::string(path));
  }
  return steps;
}

Result<std::vector<const Node*>> evaluate(const std::vector<Step>& steps, const Node& start);

// The items of list that slice takes, as kubectl's evalArray does: negative bounds count from
// the end; a non-empty slice reaching outside the list is an error, not a shorter list.
Result<std::vector<const Node*>> slice_of(const Step& slice, const Node& list) {
  const long size = static_cast<long>(list.items().size());
  long start = slice.start.value_or(0);
  if (start < 0) start += size;
  long end = slice.end.value_or(size);
  if (end < 0 || (end == 0 && slice.end_derived)) end += size;
  if (start == end) return std::vector<const Node*>{};
  if (start >= size || start < 0) {
    return invalid_argument(
        fmt::format("array index out of bounds: index {}, length {}", start, size));
  }
  if (end > size || end < 0) {
    return invalid_argument(
        fmt::format("array index out of bounds: index {}, length {}", end - 1, size));
  }
  if (start > end) {
    return invalid_argument(
        fmt::format("starting index {} is greater than ending index {}", start, end));
  }
  const long stride = slice.stride.value_or(1);
  if (stride <= 0) return invalid_argument("step must be > 0");
  std::vector<const Node*> out;
  for (long at = start; at < end; at += stride)
    out.push_back(&list.items()[static_cast<std::size_t>(at)]);
  return out;
}

// Whether left OP right holds: numbers compare as numbers, strings as strings, booleans only for
// equality; values of other kinds or of different kinds are never equal (kubectl: an error).
bool compares(const Node& left, const std::string& op, const Node& right) {
  const auto is_number = [](const Node& node) {
    return node.type() == Node::Type::kInt || node.type() == Node::Type::kFloat;
  };
  const auto number = [](const Node& node) {
    return node.type() == Node::Type::kInt ? static_cast<double>(node.int_value())
                                           : node.float_value();
  };
  int order = 0;  // <0, 0, >0
  if (is_number(left) && is_number(right)) {
    order = number(left) < number(right) ? -1 : number(left) > number(right) ? 1 : 0;
  } else if (left.type() == Node::Type::kString && right.type() == Node::Type::kString) {
    order = left.text().compare(right.text());
  } else if (left.type() == Node::Type::kBool && right.type() == Node::Type::kBool &&
             (op == "==" || op == "!=")) {
    order = left.bool_value() == right.bool_value() ? 0 : 1;
  } else {
    return false;
  }
  if (op == "==") return order == 0;
  if (op == "!=") return order != 0;
  if (op == "<") return order < 0;
  if (op == ">") return order > 0;
  if (op == "<=") return order <= 0;
  return order >= 0;  // >=
}

// Every collection at and below node that holds anything, node first (kubectl's `..`).
void collections_below(const Node& node, std::vector<const Node*>& out) {
  if (node.is_sequence() && !node.items().empty()) {
    out.push_back(&node);
    for (const Node& item : node.items()) collections_below(item, out);
  } else if (node.is_mapping() && !node.entries().empty()) {
    out.push_back(&node);
    for (const Node::Entry& entry : node.entries()) collections_below(entry.value, out);
  }
}

Result<std::vector<const Node*>> evaluate_step(const Step& step,
                                               const std::vector<const Node*>& current) {
  std::vector<const Node*> next;
  for (const Node* node : current) {
    switch (step.type) {
      case Step::Type::kField:
        if (node->is_mapping()) {
          if (const Node* found = node->find(step.field)) next.push_back(found);
        }
        break;
      case Step::Type::kSlice:
        if (node->is_sequence()) {
          Result<std::vector<const Node*>> taken = slice_of(step, *node);
          if (!taken) return taken.status();
          next.insert(next.end(), taken->begin(), taken->end());
        }
        break;
      case Step::Type::kFilter:
        if (!node->is_sequence()) break;
        for (const Node& item : node->items()) {
          Result<std::vector<const Node*>> values = evaluate(step.filter_path, item);
          if (!values) return values.status();
          bool keep = !values->empty();
          if (keep && !step.filter_operator.empty()) {
            const Node* right = step.filter_literal ? &*step.filter_literal : nullptr;
            Result<std::vector<const Node*>> rights{std::vector<const Node*>{}};
            if (right == nullptr) {
              rights = evaluate(step.filter_right_path, item);
              if (!rights) return rights.status();
              if (!rights->empty()) right = rights->front();
            }
            keep = right != nullptr && compares(*values->front(), step.filter_operator, *right);
          }
          if (keep) next.push_back(&item);
        }
        break;
      case Step::Type::kAll:
        if (node->is_sequence()) {
          for (const Node& item : node->items()) next.push_back(&item);
        } else if (node->is_mapping()) {
          for (const Node::Entry& entry : node->entries()) next.push_back(&entry.value);
        }
        break;
      case Step::Type::kUnion:
      case Step::Type::kRecursive:
        break;  // over all of current at once, below
    }
  }
  if (step.type == Step::Type::kUnion) {
    for (const std::vector<Step>& alternative : step.alternatives) {
      for (const Node* node : current) {
        Result<std::vector<const Node*>> found = evaluate(alternative, *node);
        if (!found) return found.status();
        next.insert(next.end(), found->begin(), found->end());
      }
    }
  } else if (step.type == Step::Type::kRecursive) {
    for (const Node* node : current) collections_below(*node, next);
  }
  return next;
}

// Every node the steps lead to from start; a missing field leads nowhere.
Result<std::vector<const Node*>> evaluate(const std::vector<Step>& steps, const Node& start) {
  std::vector<const Node*> current = {&start};
  for (const Step& step : steps) {
    Result<std::vector<const Node*>> next = evaluate_step(step, current);
    if (!next) return next.status();
    current = std::move(next).value();
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
      Result<std::vector<Step>> steps = parse_path(trimmed(action.substr(6)), 0);
      if (!steps) return steps.status();
      const Node& from = depth > 0 ? at : root;  // inside a range, paths start at its item
      Result<std::vector<const Node*>> items = evaluate(*steps, from);
      if (!items) return items.status();
      std::size_t end = pieces.size();
      // The body once with nothing, to find its {end} even when the range is empty.
      std::string ignored;
      Result<std::size_t> found = run(pieces, i + 1, root, Node::null(), depth + 1, ignored);
      if (!found) return found.status();
      end = *found;
      // kubectl lets a range run to the end of the template when it has no {end}.
      for (const Node* item : *items) {
        Result<std::size_t> done = run(pieces, i + 1, root, *item, depth + 1, out);
        if (!done) return done.status();
      }
      i = end;
      continue;
    }
    const std::string path = action.starts_with("$") ? action.substr(1) : action;
    Result<std::vector<Step>> steps = parse_path(path, 0);
    if (!steps) return steps.status();
    const Node& from = action.starts_with("$") ? root : at;
    Result<std::vector<const Node*>> found = evaluate(*steps, from);
    if (!found) return found.status();
    for (std::size_t j = 0; j < found->size(); ++j) {
      if (j > 0) out += ' ';
      out += text_of(*(*found)[j]);
    }
  }
  return pieces.size();
}

}  // namespace

Result<std::vector<const Node*>> find_jsonpath(const std::string& path, const Node& root) {
  Result<std::vector<Step>> steps = parse_path(path, 0);
  if (!steps) return steps.status();
  return evaluate(*steps, root);
}

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
