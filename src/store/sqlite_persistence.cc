#include "store/sqlite_persistence.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace nodrop::store {
namespace {

namespace fs = std::filesystem;

// What every SQLite database file starts with (the file format's header string).
constexpr std::array<char, 16> kHeader = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                          'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};

constexpr const char* kSchema = R"sql(
CREATE TABLE objects (
  kind TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  resource_version INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (kind, namespace, name)
) WITHOUT ROWID;
CREATE TABLE counters (
  name TEXT NOT NULL PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('resourceVersion', 0);
)sql";

Status refused(const std::string& path, const std::string& why) {
  return Status(StatusCode::kFailedPrecondition,
                fmt::format("the database {} {}; nodrop left it as it is (move it away, or restore "
                            "a copy, to start; or run with another --data-dir)",
                            path, why));
}

// A statement and its cleanup, for the statements run once.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    status_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return status_ == SQLITE_OK; }
  int step() { return sqlite3_step(stmt_); }
  sqlite3_stmt* get() { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int status_ = SQLITE_OK;
};

// The first column of the first row of a query, as text; nullopt when it fails or has no row.
std::optional<std::string> query_text(sqlite3* db, const char* sql) {
  Statement statement(db, sql);
  if (!statement.ok() || statement.step() != SQLITE_ROW) return std::nullopt;
  const unsigned char* text = sqlite3_column_text(statement.get(), 0);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
}

std::optional<std::int64_t> query_integer(sqlite3* db, const char* sql) {
  Statement statement(db, sql);
  if (!statement.ok() || statement.step() != SQLITE_ROW) return std::nullopt;
  return sqlite3_column_int64(statement.get(), 0);
}

bool execute(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

// Whether the file is empty or starts as a SQLite database does, read before SQLite opens it.
bool looks_like_sqlite(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::array<char, kHeader.size()> start{};
  file.read(start.data(), start.size());
  if (file.gcount() == 0) return true;  // empty: a database not yet written
  return file.gcount() == static_cast<std::streamsize>(start.size()) && start == kHeader;
}

}  // namespace

Result<std::unique_ptr<SqlitePersistence>> SqlitePersistence::open(const std::string& path,
                                                                   ObjectCodec codec) {
  std::error_code error;
  const bool exists = fs::exists(path, error);
  if (exists && !fs::is_regular_file(path, error)) {
    return refused(path, "is not a regular file");
  }
  if (exists && !looks_like_sqlite(path)) {
    return refused(path, "is not a SQLite database (it does not start with SQLite's header)");
  }
  if (!exists) {
    // Made empty and owner-only before SQLite writes a byte; its -wal and -shm files take the
    // same permissions.
    std::ofstream made(path, std::ios::binary);
    if (!made) return io_error(fmt::format("cannot make {}", path));
  }
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace,
                  error);
  if (error) return io_error(fmt::format("cannot restrict {}: {}", path, error.message()));

  sqlite3* db = nullptr;
  const int opened =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nullptr);
  if (opened != SQLITE_OK) {
    const std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(opened);
    sqlite3_close(db);
    return io_error(fmt::format("cannot open the database {}: {}", path, message));
  }
  std::unique_ptr<SqlitePersistence> persistence(new SqlitePersistence(path, std::move(codec), db));
  // Until the file is accepted, closing it must not write to it (SQLite checkpoints the WAL into
  // the database when its last connection closes).
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);

  // Read only, until the file is known to be nodrop's, of a schema this nodrop reads, and whole.
  const std::optional<std::int64_t> application_id = query_integer(db, "PRAGMA application_id");
  const std::optional<std::int64_t> schema = query_integer(db, "PRAGMA user_version");
  const std::optional<std::int64_t> tables =
      query_integer(db, "SELECT count(*) FROM sqlite_schema");
  if (!application_id || !schema || !tables) {
    return refused(path, fmt::format("cannot be read: {}", sqlite3_errmsg(db)));
  }
  const bool fresh = *application_id == 0 && *schema == 0 && *tables == 0;
  if (!fresh) {
    if (*application_id != kApplicationId) {
      return refused(path, fmt::format("is not nodrop's (its application id is {:#x}, not {:#x})",
                                       *application_id, kApplicationId));
    }
    if (*schema > kSchemaVersion) {
      return refused(path,
                     fmt::format("was written by a newer nodrop (schema version {}; this nodrop "
                                 "reads up to {})",
                                 *schema, kSchemaVersion));
    }
    if (*schema < 1) return refused(path, fmt::format("has no schema version ({})", *schema));
    Statement check(db, "PRAGMA quick_check");
    if (!check.ok()) return refused(path, fmt::format("is corrupt: {}", sqlite3_errmsg(db)));
    const int stepped = check.step();
    const unsigned char* verdict =
        stepped == SQLITE_ROW ? sqlite3_column_text(check.get(), 0) : nullptr;
    if (verdict == nullptr) {
      return refused(path, fmt::format("is corrupt: {}", sqlite3_errmsg(db)));
    }
    if (std::strcmp(reinterpret_cast<const char*>(verdict), "ok") != 0) {
      return refused(path, fmt::format("is corrupt (SQLite's quick_check: {})",
                                       reinterpret_cast<const char*>(verdict)));
    }
  }

  // Accepted: from here on the file is nodrop's to write.
  if (query_text(db, "PRAGMA journal_mode=WAL").value_or("") != "wal") {
    return io_error(fmt::format("the database {} cannot use write-ahead logging: {}", path,
                                sqlite3_errmsg(db)));
  }
  if (!execute(db, "PRAGMA synchronous=FULL") || persistence->synchronous() != 2) {
    return io_error(fmt::format("the database {} cannot sync every commit (synchronous=FULL): {}",
                                path, sqlite3_errmsg(db)));
  }
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);
  if (fresh) {
    const std::string setup =
        fmt::format("BEGIN IMMEDIATE; PRAGMA application_id={}; PRAGMA user_version={}; {} COMMIT;",
                    kApplicationId, kSchemaVersion, kSchema);
    if (!execute(db, setup.c_str())) {
      const Status failed = persistence->error("making the schema");
      execute(db, "ROLLBACK");
      return failed;
    }
  }
  if (Status prepared = persistence->prepare_statements(); !prepared.is_ok()) return prepared;
  // The -wal and -shm files, if SQLite made them, are owner-only like the database.
  for (const char* suffix : {"-wal", "-shm"}) {
    if (fs::exists(path + suffix, error)) {
      fs::permissions(path + suffix, fs::perms::owner_read | fs::perms::owner_write,
                      fs::perm_options::replace, error);
    }
  }
  return persistence;
}

SqlitePersistence::~SqlitePersistence() {
  sqlite3_finalize(upsert_);
  sqlite3_finalize(remove_);
  sqlite3_finalize(set_counter_);
  sqlite3_close(db_);
}

Status SqlitePersistence::prepare_statements() {
  const auto prepare = [&](const char* sql, sqlite3_stmt** statement) {
    return sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, statement, nullptr) ==
           SQLITE_OK;
  };
  if (!prepare("INSERT OR REPLACE INTO objects (kind, namespace, name, resource_version, data) "
               "VALUES (?1, ?2, ?3, ?4, ?5)",
               &upsert_) ||
      !prepare("DELETE FROM objects WHERE kind = ?1 AND namespace = ?2 AND name = ?3", &remove_) ||
      !prepare("UPDATE counters SET value = ?1 WHERE name = 'resourceVersion'", &set_counter_)) {
    return error("preparing its statements");
  }
  return Status::ok();
}

Status SqlitePersistence::error(const std::string& doing) const {
  return io_error(fmt::format("the database {}: {}: {}", path_, doing, sqlite3_errmsg(db_)));
}

std::string SqlitePersistence::journal_mode() const {
  return query_text(db_, "PRAGMA journal_mode").value_or("");
}

int SqlitePersistence::synchronous() const {
  return static_cast<int>(query_integer(db_, "PRAGMA synchronous").value_or(-1));
}

Result<StoredState> SqlitePersistence::load() {
  StoredState state;
  const std::optional<std::int64_t> counter =
      query_integer(db_, "SELECT value FROM counters WHERE name = 'resourceVersion'");
  if (!counter || *counter < 0) return error("reading the resourceVersion counter");
  state.resource_version = static_cast<ResourceVersion>(*counter);
  Statement rows(db_, "SELECT kind, namespace, name, data FROM objects");
  if (!rows.ok()) return error("reading the objects");
  int stepped = SQLITE_ROW;
  while ((stepped = rows.step()) == SQLITE_ROW) {
    const auto column = [&](int index) {
      const unsigned char* text = sqlite3_column_text(rows.get(), index);
      return std::string_view(text == nullptr ? "" : reinterpret_cast<const char*>(text),
                              static_cast<std::size_t>(sqlite3_column_bytes(rows.get(), index)));
    };
    const ObjectKey key{std::string(column(0)), std::string(column(1)), std::string(column(2))};
    Result<api::Object> object = codec_.decode(column(3));
    if (!object) {
      return Status(StatusCode::kFailedPrecondition,
                    fmt::format("the database {}: {} does not decode: {}", path_, key.to_string(),
                                object.status().message()));
    }
    if (key_of(*object) != key) {
      return Status(StatusCode::kFailedPrecondition,
                    fmt::format("the database {}: the row of {} holds {}", path_, key.to_string(),
                                key_of(*object).to_string()));
    }
    state.objects.push_back(std::move(object).value());
  }
  if (stepped != SQLITE_DONE) return error("reading the objects");
  return state;
}

Status SqlitePersistence::write(const std::vector<Commit>& batch) {
  if (!execute(db_, "BEGIN IMMEDIATE")) return error("beginning a transaction");
  const auto fail = [&](const std::string& doing) {
    const Status failed = error(doing);
    execute(db_, "ROLLBACK");
    return failed;
  };
  const auto bind_key = [](sqlite3_stmt* statement, const ObjectKey& key) {
    sqlite3_bind_text(statement, 1, key.kind.data(), static_cast<int>(key.kind.size()),
                      SQLITE_STATIC);
    sqlite3_bind_text(statement, 2, key.namespace_name.data(),
                      static_cast<int>(key.namespace_name.size()), SQLITE_STATIC);
    sqlite3_bind_text(statement, 3, key.name.data(), static_cast<int>(key.name.size()),
                      SQLITE_STATIC);
  };
  const auto run = [](sqlite3_stmt* statement) {
    const int stepped = sqlite3_step(statement);
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    return stepped == SQLITE_DONE;
  };
  for (const Commit& commit : batch) {
    if (commit.type == WatchEventType::kDeleted) {
      bind_key(remove_, commit.key);
      if (!run(remove_)) return fail("removing " + commit.key.to_string());
      continue;
    }
    const std::string data = codec_.encode(*commit.object);
    bind_key(upsert_, commit.key);
    sqlite3_bind_int64(upsert_, 4, static_cast<sqlite3_int64>(commit.resource_version));
    sqlite3_bind_text(upsert_, 5, data.data(), static_cast<int>(data.size()), SQLITE_STATIC);
    if (!run(upsert_)) return fail("writing " + commit.key.to_string());
  }
  sqlite3_bind_int64(set_counter_, 1, static_cast<sqlite3_int64>(batch.back().resource_version));
  if (!run(set_counter_)) return fail("writing the resourceVersion counter");
  if (!execute(db_, "COMMIT")) return fail("committing");
  return Status::ok();
}

}  // namespace nodrop::store
