// How the store's objects are kept in its database: the JSON the Kubernetes API serves for them
// (manifest/encode.h, manifest/writer.h), read back with the manifest reader. A row of the
// database is then what `kubectl get -o json` shows of the object, system fields and status
// included; times keep the API's precision (seconds; microseconds for an Event's eventTime).
#pragma once

#include "store/sqlite_persistence.h"

namespace nodrop::server {

store::ObjectCodec api_json_codec();

}  // namespace nodrop::server
