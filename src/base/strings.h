// Text helpers shared by every module that writes strings for people or machines.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nodrop {

// text as a double-quoted JSON string: '"' and '\' escaped, \n \r \t by name, other control
// characters as \u00XX, bytes that are not UTF-8 as \ufffd (as Go's encoding/json), and what
// json_escaped_for_yaml escapes likewise, so that a YAML reader reads it back. Also how
// Kubernetes' field errors quote values (Go's %q agrees on every printable character).
std::string json_quote(std::string_view text);
// text with each byte that is not part of well-formed UTF-8 replaced by U+FFFD, as Go's
// encoding/json writes it.
std::string valid_utf8(std::string_view text);
// JSON text with the characters inside its strings that a YAML reader would not read as themselves
// (C1 controls, NEL, LS, PS, U+FFFE, U+FFFF; JSON allows them raw) written as \uXXXX escapes,
// which JSON reads the same, so that nodrop's YAML reader reads any JSON a client sends.
// Outside strings nothing changes.
std::string json_escaped_for_yaml(std::string_view json);

// strconv.FormatFloat(value, 'g', -1, 64), as Go's %v writes a float64: the shortest digits that
// read back, in e-notation when the exponent is below -4 or at least 6 (1.5, 123456.5,
// 1.2345675e+06, 1e-05), and +Inf, -Inf, NaN.
std::string go_float_text(double value);

// text for XML or HTML, in element content or a double-quoted attribute: < > & " escaped.
std::string xml_escape(std::string_view text);

// ASCII case-insensitive comparison, as HTTP field names, tokens and Kubernetes' names compare.
bool equals_ignoring_case(std::string_view a, std::string_view b);

// Standard base64 (RFC 4648 §4, with padding), as Secrets' data and kubeconfig's *-data fields
// hold bytes; and whether text is such an encoding.
std::string base64_encode(std::string_view bytes);
bool is_base64(std::string_view text);
// The bytes text encodes; nullopt when it is not such an encoding (is_base64).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace nodrop
