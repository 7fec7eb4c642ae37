// YAML as kubectl writes it: sigs.k8s.io/yaml turns the object into JSON, reads that back with
// go-yaml v2 into Go maps and writes them with go-yaml's emitter (manifest::write_yaml). Two
// things happen on the way that the emitter alone does not do:
//
//   - keys come out in go-yaml's order, which is not byte order: a letter sorts after any other
//     character, and runs of digits compare as numbers (item9 before item10, a_b before aB);
//   - a float that JSON writes without a fraction reads back as an integer (2.0 -> 2), and one
//     too large for 64 bits stays a float in %g form (1e20 -> 1e+20).
//
// Byte for byte what `kubectl get -o yaml` prints for the same object.
#pragma once

#include <string>
#include <string_view>

#include "manifest/node.h"

namespace nodrop::cli {

// yaml.Marshal(object): one document, no leading "---", a final newline.
std::string go_yaml(const manifest::Node& object);

// go-yaml v2's order of two map keys (its keyList.Less for strings).
bool go_yaml_key_less(std::string_view a, std::string_view b);

}  // namespace nodrop::cli
