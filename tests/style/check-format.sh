#!/usr/bin/env bash
# One mechanical style, enforced by a tool: every C++ file of the project is as clang-format
# writes it (.clang-format at the root). Fix with `make format`.
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(git ls-files '*.h' '*.cc' 2>/dev/null || find src tests examples bench -name '*.h' -o -name '*.cc')
if ((${#files[@]} == 0)); then
  echo "check-format: no C++ files found" >&2
  exit 1
fi
clang-format --dry-run -Werror "${files[@]}"
echo "check-format: ${#files[@]} files formatted"
