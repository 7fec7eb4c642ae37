// The objects of `nodrop apply -f` and `nodrop delete -f`: every file the inputs name
// (manifest_inputs.h; "-" is standard input), checked by the manifest loader (manifest/load.h,
// errors named by file, line, object and field) and, when every file is valid, each object as its
// file wrote it (a JSON tree, `kind: List` unpacked): what kubectl sends and records, not the
// defaulted object nodrop decodes.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "apiserver/resources.h"
#include "base/status.h"
#include "manifest/node.h"

namespace nodrop::cli {

struct AppliedObject {
  manifest::Node object{};  // as written
  const apiserver::Resource* resource = nullptr;
  std::string name{};
  std::string namespace_name{};  // as written; empty when the file names none
  std::string file{};            // "<stdin>" for "-"
};

// Every object of the inputs, in order, or an error when any input could not be read or holds
// an error (each one printed to err first, as `nodrop validate` prints them): nothing of a broken
// set of files is applied.
Result<std::vector<AppliedObject>> read_applied_objects(const std::vector<std::string>& inputs,
                                                        std::ostream& err);

}  // namespace nodrop::cli
