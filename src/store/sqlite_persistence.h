// The store's persistence in SQLite (what etcd is to Kubernetes, and SQLite to k3s): one database
// file in the data dir, in write-ahead-log mode. The only place SQLite is used; its header stays
// in sqlite_persistence.cc.
//
// Schema (version kSchemaVersion, in PRAGMA user_version; PRAGMA application_id marks the file
// as nodrop's):
//   objects(kind, namespace, name, resource_version, data)  one row per object, data its JSON as
//                                                           the API serves it (the codec's)
//   counters(name, value)                                   'resourceVersion': the store's counter
//
// Durability (what each setting promises is in docs/durability.md):
//   - journal_mode=WAL: a commit appends its pages to the -wal file; a crash at any point leaves
//     the last commit whole or absent (each frame is checksummed; recovery stops at the first
//     frame that does not check out);
//   - synchronous=FULL: the WAL is synced (fsync) at every commit, before write() returns, so
//     a commit survives an OS crash or a power loss as well as a kill of nodrop, as far as the
//     disk keeps what it acknowledged;
//   - both are read back after they are set, and open() refuses a connection that did not take
//     them (a file system without the shared memory WAL needs, for example).
//
// open() never changes a file it refuses: not a SQLite file (checked on its first bytes before
// SQLite reads it), not nodrop's, of a newer schema, or failing SQLite's quick_check; a refused
// file is closed without the checkpoint SQLite would otherwise run on close. The file is made
// readable by its owner only before anything is written to it; SQLite gives its -wal and -shm
// files the same permissions.
//
// Threading: load() and write() are not called at the same time (the store calls write() from one
// thread at a time); the accessors are for tests, between writes.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "store/persistence.h"

struct sqlite3;
struct sqlite3_stmt;

namespace nodrop::store {

// How objects become rows and back: the API's JSON (server/object_codec.h), kept out of the store
// so that the store needs no serialisation module.
struct ObjectCodec {
  std::function<std::string(const api::Object&)> encode{};
  std::function<Result<api::Object>(std::string_view text)> decode{};
};

class SqlitePersistence final : public Persistence {
 public:
  static constexpr int kSchemaVersion = 1;
  static constexpr int kApplicationId = 0x6e64726f;  // "ndro"
  static constexpr int kBusyTimeoutMs = 5000;        // another reader's lock (the sqlite3 CLI)

  // Opens the database at path, making it if there is no file. Errors: kFailedPrecondition for a
  // file it refuses (the message says why and that the file was left as it is), kIoError when it
  // cannot be opened or set up.
  static Result<std::unique_ptr<SqlitePersistence>> open(const std::string& path,
                                                         ObjectCodec codec);
  ~SqlitePersistence() override;
  SqlitePersistence(const SqlitePersistence&) = delete;
  SqlitePersistence& operator=(const SqlitePersistence&) = delete;

  Result<StoredState> load() override;
  Status write(const std::vector<Commit>& batch) override;

  // The settings as the connection reports them: "wal", and 2 (FULL).
  std::string journal_mode() const;
  int synchronous() const;
  const std::string& path() const { return path_; }

 private:
  SqlitePersistence(std::string path, ObjectCodec codec, sqlite3* db)
      : path_(std::move(path)), codec_(std::move(codec)), db_(db) {}
  Status prepare_statements();
  Status error(const std::string& doing) const;  // kIoError with SQLite's message

  std::string path_;
  ObjectCodec codec_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* upsert_ = nullptr;
  sqlite3_stmt* remove_ = nullptr;
  sqlite3_stmt* set_counter_ = nullptr;
};

}  // namespace nodrop::store
