// YAML text as go-yaml v2's emitter writes it (gopkg.in/yaml.v2 2.4, under sigs.k8s.io/yaml and so
// under `kubectl -o yaml`), in block style with two-space indents and lines folded after column 80.
//
// The emitter is small state carried across writes: the column, whether the last thing written was
// whitespace, and whether the line holds only indentation. Its choices follow from that state:
//
//   value                         written as           why
//   "web", "a b", "500m"          web, a b, 500m       plain: reads back as the same string
//   "true", "80", "1.5", "~", ""  "true", "80", ...    double quotes: plain would read as another
//   "2024-01-02T03:04:05Z"        "2024-..."           type (a timestamp here)
//   "a: b", "- x", " lead"        'a: b'               single quotes: plain cannot hold it
//   "line\nbreak"                 |-                   literal block (| keeps one final newline,
//                                   line                 |- none, |+ all; |2 when it starts with a
//                                   break                space or a newline)
//   "tab\there\n"                 "tab\there\n"        double quotes: a tab, a control character,
//                                                      a space before a newline, a character
//                                                      beyond U+FFFF
//   {} and []                     {} and []            empty collections in flow style
//
// A sequence that is a mapping's value is not indented under its key; a key longer than 128 bytes
// or holding a newline is written after "? " with its value after ": " on the next line.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <system_error>
#include <vector>

#include "base/strings.h"
#include "manifest/writer.h"

namespace nodrop::manifest {
namespace {

constexpr int kBestIndent = 2;
constexpr int kBestWidth = 80;
constexpr std::size_t kMaxSimpleKeyBytes = 128;

// Character classes at byte i of valid UTF-8 text; false past its end.
bool at(std::string_view s, std::size_t i, char c) { return i < s.size() && s[i] == c; }
unsigned char byte_at(std::string_view s, std::size_t i) {
  return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
}
bool is_space(std::string_view s, std::size_t i) { return at(s, i, ' '); }
bool is_blank(std::string_view s, std::size_t i) { return at(s, i, ' ') || at(s, i, '\t'); }
bool is_break(std::string_view s, std::size_t i) {
  const unsigned char c = byte_at(s, i);
  return c == '\r' || c == '\n' || (c == 0xc2 && byte_at(s, i + 1) == 0x85) ||
         (c == 0xe2 && byte_at(s, i + 1) == 0x80 &&
          (byte_at(s, i + 2) == 0xa8 || byte_at(s, i + 2) == 0xa9));
}
bool is_blank_or_break(std::string_view s, std::size_t i) {
  return i >= s.size() || s[i] == '\0' || is_blank(s, i) || is_break(s, i);
}
// YAML's printable set: no C0 controls but \n, no DEL, no C1 controls, no surrogates, no BOM or
// U+FFFE/U+FFFF, and (go-yaml's reading of it) nothing beyond U+FFFF.
bool is_printable(std::string_view s, std::size_t i) {
  const unsigned char c = byte_at(s, i);
  const unsigned char next = byte_at(s, i + 1);
  const unsigned char third = byte_at(s, i + 2);
  return c == 0x0a || (c >= 0x20 && c <= 0x7e) || (c == 0xc2 && next >= 0xa0) ||
         (c > 0xc2 && c < 0xed) || (c == 0xed && next < 0xa0) || c == 0xee ||
         (c == 0xef && !(next == 0xbb && third == 0xbf) &&
          !(next == 0xbf && (third == 0xbe || third == 0xbf)));
}
std::size_t width(std::string_view s, std::size_t i) {
  const unsigned char c = byte_at(s, i);
  if ((c & 0x80) == 0) return 1;
  if ((c & 0xe0) == 0xc0) return 2;
  if ((c & 0xf0) == 0xe0) return 3;
  return 4;
}

// What the characters of a scalar allow.
struct Analysis {
  bool multiline = false;
  bool flow_plain_allowed = false;
  bool block_plain_allowed = true;
  bool single_quoted_allowed = true;
  bool block_allowed = false;
};

Analysis analyze(std::string_view value) {
  Analysis result;
  if (value.empty()) return result;
  bool block_indicators = false;
  bool flow_indicators = false;
  bool line_breaks = false;
  bool special_characters = false;
  bool leading_space = false;
  bool leading_break = false;
  bool trailing_space = false;
  bool trailing_break = false;
  bool break_space = false;
  bool space_break = false;
  bool previous_space = false;
  bool previous_break = false;
  if (value.starts_with("---") || value.starts_with("...")) {
    block_indicators = true;
    flow_indicators = true;
  }
  bool preceded_by_whitespace = true;
  for (std::size_t i = 0; i < value.size(); i += width(value, i)) {
    const std::size_t w = width(value, i);
    const bool followed_by_whitespace = i + w >= value.size() || is_blank(value, i + w);
    const char c = value[i];
    if (i == 0) {
      if (std::string_view("#,[]{}&*!|>'\"%@`").find(c) != std::string_view::npos) {
        flow_indicators = true;
        block_indicators = true;
      } else if (c == '?' || c == ':') {
        flow_indicators = true;
        block_indicators = block_indicators || followed_by_whitespace;
      } else if (c == '-' && followed_by_whitespace) {
        flow_indicators = true;
        block_indicators = true;
      }
    } else if (std::string_view(",?[]{}").find(c) != std::string_view::npos) {
      flow_indicators = true;
    } else if (c == ':') {
      flow_indicators = true;
      block_indicators = block_indicators || followed_by_whitespace;
    } else if (c == '#' && preceded_by_whitespace) {
      flow_indicators = true;
      block_indicators = true;
    }
    if (!is_printable(value, i)) special_characters = true;
    if (is_space(value, i)) {
      leading_space = leading_space || i == 0;
      trailing_space = trailing_space || i + w == value.size();
      break_space = break_space || previous_break;
      previous_space = true;
      previous_break = false;
    } else if (is_break(value, i)) {
      line_breaks = true;
      leading_break = leading_break || i == 0;
      trailing_break = trailing_break || i + w == value.size();
      space_break = space_break || previous_space;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = false;
      previous_break = false;
    }
    preceded_by_whitespace = is_blank_or_break(value, i);
  }
  result.multiline = line_breaks;
  result.flow_plain_allowed = true;
  result.block_plain_allowed = true;
  result.single_quoted_allowed = true;
  result.block_allowed = true;
  if (leading_space || leading_break || trailing_space || trailing_break) {
    result.flow_plain_allowed = result.block_plain_allowed = false;
  }
  if (trailing_space) result.block_allowed = false;
  if (break_space) {
    result.flow_plain_allowed = result.block_plain_allowed = result.single_quoted_allowed = false;
  }
  if (space_break || special_characters) {
    result.flow_plain_allowed = result.block_plain_allowed = result.single_quoted_allowed =
        result.block_allowed = false;
  }
  if (line_breaks) result.flow_plain_allowed = result.block_plain_allowed = false;
  if (flow_indicators) result.flow_plain_allowed = false;
  if (block_indicators) result.block_plain_allowed = false;
  return result;
}

// ---- Which plain scalars go-yaml v2's resolver reads as something other than a string --------

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Go's strconv.ParseInt(text, 0, 64) or ParseUint(text, 0, 64) succeeds: an optional sign (signed
// only), then 0x/0o/0b and digits of that base, 0 and octal digits, or decimal digits; in range.
bool parses_as_go_integer(std::string_view text, int forced_base = 0) {
  bool negative = false;
  bool sign = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    sign = true;
    text.remove_prefix(1);
  }
  int base = forced_base;
  if (base == 0) {
    base = 10;
    if (text.size() >= 2 && text[0] == '0') {
      const char prefix = static_cast<char>(text[1] | 0x20);
      if (prefix == 'x' || prefix == 'o' || prefix == 'b') {
        base = prefix == 'x' ? 16 : prefix == 'o' ? 8 : 2;
        text.remove_prefix(2);
      } else {
        base = 8;  // 0755
        text.remove_prefix(1);
      }
    } else if (text == "0") {
      return true;
    }
  }
  if (text.empty()) return false;
  constexpr std::uint64_t kMax = ~std::uint64_t{0};
  std::uint64_t value = 0;
  for (const char c : text) {
    unsigned digit = 0;
    if (is_digit(c)) {
      digit = static_cast<unsigned>(c - '0');
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
      digit = static_cast<unsigned>((c | 0x20) - 'a' + 10);
    } else {
      return false;
    }
    if (digit >= static_cast<unsigned>(base)) return false;
    if (value > (kMax - digit) / static_cast<unsigned>(base)) return false;  // beyond 64 bits
    value = value * static_cast<unsigned>(base) + digit;
  }
  constexpr std::uint64_t kInt64Max = (std::uint64_t{1} << 63) - 1;
  if (negative) return value <= kInt64Max + 1;
  if (sign) return value <= kInt64Max;
  return true;  // ParseUint takes what ParseInt does not
}

// A run of digits in which each '_' stands between two digits (Go's underscoreOK); how many
// characters it took.
std::size_t go_digits(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() &&
         (is_digit(text[i]) || (text[i] == '_' && i > 0 && is_digit(text[i - 1]) &&
                                i + 1 < text.size() && is_digit(text[i + 1])))) {
    ++i;
  }
  return i;
}

// A finite float Go's strconv.ParseFloat reads from text of the form [-+]?(\.D|D(\.D?)?)(e[-+]?D)?
// with D a run of digits (underscores between digits allowed when allow_underscores).
bool parses_as_go_float(std::string_view text, bool allow_underscores) {
  std::string_view rest = text;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) rest.remove_prefix(1);
  const auto digits = [&](std::string_view s) {
    if (allow_underscores) return go_digits(s);
    std::size_t i = 0;
    while (i < s.size() && is_digit(s[i])) ++i;
    return i;
  };
  std::size_t mantissa = digits(rest);
  rest.remove_prefix(mantissa);
  if (!rest.empty() && rest[0] == '.') {
    rest.remove_prefix(1);
    const std::size_t fraction = digits(rest);
    if (mantissa == 0 && fraction == 0) return false;
    mantissa += fraction;
    rest.remove_prefix(fraction);
  }
  if (mantissa == 0) return false;
  if (!rest.empty() && (rest[0] == 'e' || rest[0] == 'E')) {
    rest.remove_prefix(1);
    if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) rest.remove_prefix(1);
    const std::size_t exponent = digits(rest);
    if (exponent == 0) return false;
    rest.remove_prefix(exponent);
  }
  if (!rest.empty()) return false;
  std::string plain;
  for (const char c : text) {
    if (c != '_') plain += c;
  }
  return std::isfinite(std::strtod(plain.c_str(), nullptr));  // Go refuses what overflows
}

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// One or two digits as Go's time.Parse reads a non-padded field; false when none.
bool take_number(std::string_view& text, int& number) {
  if (text.empty() || !is_digit(text[0])) return false;
  number = text[0] - '0';
  std::size_t used = 1;
  if (text.size() > 1 && is_digit(text[1])) {
    number = number * 10 + (text[1] - '0');
    used = 2;
  }
  text.remove_prefix(used);
  return true;
}

// go-yaml v2 reads a plain scalar as a timestamp when Go's time.Parse takes it with one of the
// layouts "2006-1-2T15:4:5.999999999Z07:00" (T or t), "2006-1-2 15:4:5.999999999" or "2006-1-2".
bool parses_as_go_timestamp(std::string_view text) {
  if (text.size() < 5 || !std::all_of(text.begin(), text.begin() + 4, is_digit) || text[4] != '-')
    return false;
  const int year = std::atoi(std::string(text.substr(0, 4)).c_str());
  text.remove_prefix(5);
  int month = 0;
  int day = 0;
  if (!take_number(text, month) || month < 1 || month > 12) return false;
  if (text.empty() || text[0] != '-') return false;
  text.remove_prefix(1);
  if (!take_number(text, day)) return false;
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int days = kDays[month - 1] + (month == 2 && is_leap_year(year) ? 1 : 0);
  if (day < 1 || day > days) return false;
  if (text.empty()) return true;  // 2006-1-2
  const char separator = text[0];
  bool zone = false;
  if (separator == 'T' || separator == 't') {
    zone = true;
    text.remove_prefix(1);
  } else if (separator == ' ') {
    while (!text.empty() && text[0] == ' ') text.remove_prefix(1);  // a layout space takes many
  } else {
    return false;
  }
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!take_number(text, hour) || hour >= 24 || text.empty() || text[0] != ':') return false;
  text.remove_prefix(1);
  if (!take_number(text, minute) || minute >= 60 || text.empty() || text[0] != ':') return false;
  text.remove_prefix(1);
  if (!take_number(text, second) || second >= 60) return false;
  if (text.size() >= 2 && (text[0] == '.' || text[0] == ',') && is_digit(text[1])) {
    text.remove_prefix(1);
    while (!text.empty() && is_digit(text[0])) text.remove_prefix(1);
  }
  if (!zone) return text.empty();
  if (text == "Z") return true;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':' ||
      !is_digit(text[1]) || !is_digit(text[2]) || !is_digit(text[4]) || !is_digit(text[5])) {
    return false;
  }
  return (text[1] - '0') * 10 + (text[2] - '0') <= 24 &&
         (text[4] - '0') * 10 + (text[5] - '0') <= 60;
}

// ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$: YAML 1.1's sexagesimal numbers, which
// go-yaml quotes on the way out though it no longer reads them.
bool is_base60_float(std::string_view text) {
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) text.remove_prefix(1);
  if (text.empty() || !is_digit(text[0])) return false;
  std::size_t i = 1;
  while (i < text.size() && (is_digit(text[i]) || text[i] == '_')) ++i;
  int groups = 0;
  while (i < text.size() && text[i] == ':') {
    ++i;
    const std::size_t start = i;
    while (i < text.size() && is_digit(text[i]) && i - start < 2) ++i;
    const std::size_t length = i - start;
    if (length == 0 || (length == 2 && text[start] > '5')) {
      // [0-5]?[0-9]: two digits need a first digit of 0-5; try it as one digit instead.
      if (length == 2) {
        i = start + 1;
      } else {
        return false;
      }
    }
    ++groups;
  }
  if (groups == 0) return false;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && (is_digit(text[i]) || text[i] == '_')) ++i;
  }
  return i == text.size();
}

// Whether go-yaml v2 reads text, written plain, as a string (its resolve() with no tag).
bool reads_back_as_string(std::string_view text) {
  static constexpr std::string_view kWords[] = {
      "y",    "Y",    "yes",  "Yes",   "YES",   "true",  "True",  "TRUE",  "on",    "On",
      "ON",   "n",    "N",    "no",    "No",    "NO",    "false", "False", "FALSE", "off",
      "Off",  "OFF",  "",     "~",     "null",  "Null",  "NULL",  ".nan",  ".NaN",  ".NAN",
      ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"};
  if (text.empty()) return false;
  const char first = text[0];
  const bool sign_or_digit = first == '+' || first == '-' || is_digit(first);
  if (!sign_or_digit && first != '.' &&
      std::string_view("yYnNtTfFoO~").find(first) == std::string_view::npos) {
    return true;  // no hint: always a string
  }
  for (const std::string_view word : kWords) {
    if (text == word) return false;
  }
  if (first == '.') return !parses_as_go_float(text, true);
  if (!sign_or_digit) return true;
  if (parses_as_go_timestamp(text)) return false;
  std::string plain;
  for (const char c : text) {
    if (c != '_') plain += c;
  }
  if (parses_as_go_integer(plain)) return false;
  if (parses_as_go_float(plain, false)) return false;
  if (plain.starts_with("0b") && parses_as_go_integer(plain.substr(2), 2)) return false;
  if (plain.starts_with("-0b") && parses_as_go_integer("-" + plain.substr(3), 2)) return false;
  return true;
}

// A float as go-yaml writes it: Go's %v, with YAML's names for infinities and NaN.
std::string go_float(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value > 0 ? ".inf" : "-.inf";
  return go_float_text(value);
}

enum class Style { kPlain, kSingleQuoted, kDoubleQuoted, kLiteral };

// The emitter's state across writes, and its writers.
class Emitter {
 public:
  std::string take() { return std::move(out_); }

  void document(const Node& root) {
    node(root, {.root = true});
    indent_ = -1;
    write_indent();  // the document's end: a final newline unless one was just written
  }

 private:
  struct Context {
    bool root = false;
    bool sequence = false;
    bool mapping = false;
    bool simple_key = false;
  };

  void node(const Node& value, Context context) {
    context_ = context;
    switch (value.type()) {
      case Node::Type::kNull:
        scalar("null", Style::kPlain);
        return;
      case Node::Type::kBool:
        scalar(value.bool_value() ? "true" : "false", Style::kPlain);
        return;
      case Node::Type::kInt:
        scalar(std::to_string(value.int_value()), Style::kPlain);
        return;
      case Node::Type::kFloat:
        scalar(go_float(value.float_value()), Style::kPlain);
        return;
      case Node::Type::kString:
        string(value.text());
        return;
      case Node::Type::kSequence:
        if (value.items().empty()) return empty_flow("[", "]");
        return sequence(value);
      case Node::Type::kMapping:
        if (value.entries().empty()) return empty_flow("{", "}");
        return mapping(value);
    }
  }

  // go-yaml's choice for a string: a literal block when it holds a newline; plain when it would
  // read back as the same string; double quotes otherwise. The emitter may then fall back.
  void string(const std::string& text) {
    const std::string valid = valid_utf8(text);
    Style style = Style::kDoubleQuoted;
    if (valid.find('\n') != std::string::npos) {
      style = Style::kLiteral;
    } else if (reads_back_as_string(valid) && !is_base60_float(valid)) {
      style = Style::kPlain;
    }
    scalar(valid, style);
  }

  void empty_flow(const char* open, const char* close) {
    write_indicator(open, true, true, false);
    write_indicator(close, false, false, false);
  }

  void sequence(const Node& value) {
    push_indent(false, context_.mapping && !indention_);
    for (const Node& item : value.items()) {
      write_indent();
      write_indicator("-", true, false, true);
      node(item, {.sequence = true});
    }
    pop_indent();
  }

  void mapping(const Node& value) {
    push_indent(false, false);
    for (const Node::Entry& entry : value.entries()) {
      write_indent();
      const std::string key = valid_utf8(entry.key);
      if (key.size() <= kMaxSimpleKeyBytes && !analyze(key).multiline) {
        node(Node::string(key), {.mapping = true, .simple_key = true});
        write_indicator(":", false, false, false);
      } else {
        write_indicator("?", true, false, true);
        node(Node::string(key), {.mapping = true});
        write_indent();
        write_indicator(":", true, false, true);
      }
      node(entry.value, {.mapping = true});
    }
    pop_indent();
  }

  void scalar(std::string_view value, Style style) {
    const Analysis analysis = analyze(value);
    if (context_.simple_key && analysis.multiline) style = Style::kDoubleQuoted;
    if (style == Style::kPlain) {
      if (!analysis.block_plain_allowed || (value.empty() && context_.simple_key)) {
        style = Style::kSingleQuoted;
      }
    }
    if (style == Style::kSingleQuoted && !analysis.single_quoted_allowed) {
      style = Style::kDoubleQuoted;
    }
    if (style == Style::kLiteral && (!analysis.block_allowed || context_.simple_key)) {
      style = Style::kDoubleQuoted;
    }
    push_indent(true, false);
    const bool allow_breaks = !context_.simple_key;
    switch (style) {
      case Style::kPlain:
        write_plain_or_single_quoted(value, allow_breaks, false);
        break;
      case Style::kSingleQuoted:
        write_plain_or_single_quoted(value, allow_breaks, true);
        break;
      case Style::kDoubleQuoted:
        write_double_quoted(value, allow_breaks);
        break;
      case Style::kLiteral:
        write_literal(value);
        break;
    }
    pop_indent();
  }

  // ---- The writers: each keeps column_, whitespace_ and indention_ as go-yaml's do. ----

  void push_indent(bool flow, bool indentless) {
    indents_.push_back(indent_);
    if (indent_ < 0) {
      indent_ = flow ? kBestIndent : 0;
    } else if (!indentless) {
      indent_ += kBestIndent;
    }
  }
  void pop_indent() {
    indent_ = indents_.back();
    indents_.pop_back();
  }

  void put(char c) {
    out_ += c;
    ++column_;
  }
  void put_break() {
    out_ += '\n';
    column_ = 0;
  }
  // Copies the character at i (one column, however many bytes) and moves past it.
  void write(std::string_view value, std::size_t& i) {
    const std::size_t w = width(value, i);
    out_.append(value.substr(i, w));
    i += w;
    ++column_;
  }
  void write_break(std::string_view value, std::size_t& i) {
    if (value[i] == '\n') {
      put_break();
      ++i;
    } else {
      write(value, i);
      column_ = 0;
    }
  }

  void write_indent() {
    const int indent = std::max(indent_, 0);
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) put_break();
    while (column_ < indent) put(' ');
    whitespace_ = true;
    indention_ = true;
  }

  void write_indicator(std::string_view indicator, bool need_whitespace, bool is_whitespace,
                       bool is_indention) {
    if (need_whitespace && !whitespace_) put(' ');
    for (const char c : indicator) put(c);
    whitespace_ = is_whitespace;
    indention_ = indention_ && is_indention;
  }

  // Plain text, or text in single quotes (a quote doubled): a space after column 80 becomes a
  // line break (in quotes, not the first or last character), a line break is written twice.
  void write_plain_or_single_quoted(std::string_view value, bool allow_breaks, bool quoted) {
    if (quoted) {
      write_indicator("'", true, false, false);
    } else if (!whitespace_) {
      put(' ');
    }
    bool spaces = false;
    bool breaks = false;
    for (std::size_t i = 0; i < value.size();) {
      if (is_space(value, i)) {
        const bool inside = !quoted || (i > 0 && i + 1 < value.size());
        if (allow_breaks && !spaces && column_ > kBestWidth && inside && !is_space(value, i + 1)) {
          write_indent();
          i += 1;
        } else {
          write(value, i);
        }
        spaces = true;
      } else if (is_break(value, i)) {
        if (!breaks && value[i] == '\n') put_break();
        write_break(value, i);
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) write_indent();
        if (quoted && value[i] == '\'') put('\'');
        write(value, i);
        indention_ = false;
        spaces = false;
        breaks = false;
      }
    }
    if (quoted) write_indicator("'", false, false, false);
    whitespace_ = false;
    indention_ = false;
  }

  void write_double_quoted(std::string_view value, bool allow_breaks) {
    // go-yaml tests for a byte order mark at the start of the value, not at each character: a
    // value that starts with one has every character escaped.
    const bool starts_with_bom = value.starts_with("\xef\xbb\xbf");
    write_indicator("\"", true, false, false);
    bool spaces = false;
    for (std::size_t i = 0; i < value.size();) {
      if (!is_printable(value, i) || starts_with_bom || is_break(value, i) || value[i] == '"' ||
          value[i] == '\\') {
        const std::size_t w = width(value, i);
        char32_t point = static_cast<unsigned char>(value[i]) & (w == 1   ? 0x7f
                                                                 : w == 2 ? 0x1f
                                                                 : w == 3 ? 0x0f
                                                                          : 0x07);
        for (std::size_t k = 1; k < w; ++k) point = (point << 6) | (byte_at(value, i + k) & 0x3f);
        i += w;
        put('\\');
        write_escape(point);
        spaces = false;
      } else if (is_space(value, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && i > 0 && i + 1 < value.size()) {
          write_indent();
          if (is_space(value, i + 1)) put('\\');
          i += 1;
        } else {
          write(value, i);
        }
        spaces = true;
      } else {
        write(value, i);
        spaces = false;
      }
    }
    write_indicator("\"", false, false, false);
    whitespace_ = false;
    indention_ = false;
  }

  void write_escape(char32_t point) {
    switch (point) {
      case 0x00:
        return put('0');
      case 0x07:
        return put('a');
      case 0x08:
        return put('b');
      case 0x09:
        return put('t');
      case 0x0a:
        return put('n');
      case 0x0b:
        return put('v');
      case 0x0c:
        return put('f');
      case 0x0d:
        return put('r');
      case 0x1b:
        return put('e');
      case 0x22:
        return put('"');
      case 0x5c:
        return put('\\');
      case 0x85:
        return put('N');
      case 0xa0:
        return put('_');
      case 0x2028:
        return put('L');
      case 0x2029:
        return put('P');
      default:
        break;
    }
    int digits = 8;
    if (point <= 0xff) {
      put('x');
      digits = 2;
    } else if (point <= 0xffff) {
      put('u');
      digits = 4;
    } else {
      put('U');
    }
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      put("0123456789ABCDEF"[(point >> shift) & 0xf]);
    }
  }

  void write_literal(std::string_view value) {
    write_indicator("|", true, false, false);
    // Hints: an indentation indicator when the text starts with a space or a newline (which
    // would otherwise set the indentation); how final newlines are kept.
    if (is_space(value, 0) || is_break(value, 0)) {
      write_indicator(std::string(1, static_cast<char>('0' + kBestIndent)), false, false, false);
    }
    const char* chomp = "";
    if (value.empty()) {
      chomp = "-";
    } else {
      std::size_t i = value.size() - 1;
      while ((static_cast<unsigned char>(value[i]) & 0xc0) == 0x80) --i;
      if (!is_break(value, i)) {
        chomp = "-";
      } else if (i == 0) {
        chomp = "+";
      } else {
        --i;
        while ((static_cast<unsigned char>(value[i]) & 0xc0) == 0x80) --i;
        if (is_break(value, i)) chomp = "+";
      }
    }
    if (*chomp != '\0') write_indicator(chomp, false, false, false);
    put_break();
    indention_ = true;
    whitespace_ = true;
    bool breaks = true;
    for (std::size_t i = 0; i < value.size();) {
      if (is_break(value, i)) {
        write_break(value, i);
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) write_indent();
        write(value, i);
        indention_ = false;
        breaks = false;
      }
    }
  }

  std::string out_;
  int indent_ = -1;
  std::vector<int> indents_;
  int column_ = 0;
  bool whitespace_ = true;  // the last character written was whitespace (or nothing was)
  bool indention_ = true;   // the line holds nothing but indentation so far
  Context context_;
};

}  // namespace

std::string write_yaml(const Node& node) {
  Emitter emitter;
  emitter.document(node);
  return emitter.take();
}

std::string write_yaml_stream(const std::vector<Node>& documents) {
  std::string out;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    if (i > 0) out += "---\n";
    out += write_yaml(documents[i]);
  }
  return out;
}

}  // namespace nodrop::manifest
