#include "server/object_codec.h"

#include <string>

#include "manifest/decode.h"
#include "manifest/encode.h"
#include "manifest/writer.h"
#include "manifest/yaml_reader.h"

namespace nodrop::server {

store::ObjectCodec api_json_codec() {
  return {.encode =
              [](const api::Object& object) {
                return manifest::write_json(manifest::encode_object(object));
              },
          .decode = [](std::string_view text) -> Result<api::Object> {
            manifest::YamlDocuments documents = manifest::read_yaml_stream(std::string(text));
            if (!documents) return documents.error().status();
            if (documents->size() != 1) {
              return invalid_argument("not one object: " + std::to_string(documents->size()) +
                                      " documents");
            }
            manifest::DecodeResult decoded = manifest::decode_object(
                documents->front().root, nullptr, manifest::SourceLines::kSkip);
            if (!decoded.errors.empty()) {
              return invalid_argument(decoded.errors.front().to_string());
            }
            if (!decoded.object) {
              return invalid_argument("not an object of a kind nodrop runs: " + decoded.kind);
            }
            // Warnings (fields this nodrop does not know, written by a newer one) are dropped, as
            // the API server drops unknown fields.
            return std::move(*decoded.object);
          }};
}

}  // namespace nodrop::server
