// The store's SQLite persistence on real files: the settings read back (WAL, synchronous=FULL),
// owner-only files, what is written comes back, and every file it refuses is left byte for byte
// as it was. Objects go through a token codec here (the store module has no serialisation); the
// API's JSON codec is tested with the server (server/object_codec_test.cc).
#include "store/sqlite_persistence.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/defaults.h"
#include "sim/sim_loop.h"

namespace nodrop::store {
namespace {

namespace fs = std::filesystem;

api::Pod pod(const std::string& name) {
  api::Pod object;
  object.metadata.name = name;
  object.metadata.namespace_name = "default";
  api::Container container;
  container.name = "app";
  container.image = "demo-app:v1";
  container.command = {"demo-app"};
  object.spec.containers.push_back(container);
  api::set_defaults(object);
  return object;
}

// Each encoded object becomes a token naming a copy kept here: what SQLite stores and returns is
// then checked exactly, without a serialisation module.
class TokenCodec {
 public:
  ObjectCodec codec() {
    return {.encode =
                [this](const api::Object& object) {
                  objects_.push_back(object);
                  return "#" + std::to_string(objects_.size() - 1);
                },
            .decode = [this](std::string_view text) -> Result<api::Object> {
              if (text.size() < 2 || text[0] != '#') return invalid_argument("not a token");
              const std::size_t index = std::stoul(std::string(text.substr(1)));
              if (index >= objects_.size()) return invalid_argument("unknown token");
              return objects_[index];
            }};
  }

 private:
  std::vector<api::Object> objects_;
};

std::string contents(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

class SqlitePersistenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("nodrop-sqlite-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
    path_ = (directory_ / "state.db").string();
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::unique_ptr<SqlitePersistence> open() {
    auto opened = SqlitePersistence::open(path_, codec_.codec());
    EXPECT_TRUE(opened.is_ok()) << opened.status().to_string();
    return opened.is_ok() ? std::move(opened).value() : nullptr;
  }
  // Runs SQL on the file with SQLite itself, as another program would.
  void run_sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* message = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK)
        << (message ? message : "");
    sqlite3_free(message);
    sqlite3_close(db);
  }
  // Opening is refused, with a message containing `why`, and no file of the database changed.
  void expect_refused_untouched(const std::string& why) {
    std::map<std::string, std::string> before;
    for (const char* suffix : {"", "-wal"}) {
      if (fs::exists(path_ + suffix)) before[suffix] = contents(path_ + suffix);
    }
    auto opened = SqlitePersistence::open(path_, codec_.codec());
    ASSERT_FALSE(opened.is_ok());
    EXPECT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(opened.status().message().find(why), std::string::npos) << opened.status().message();
    EXPECT_NE(opened.status().message().find("left it as it is"), std::string::npos);
    for (const auto& [suffix, text] : before) {
      EXPECT_EQ(contents(path_ + suffix), text) << "the file " << path_ << suffix << " changed";
    }
  }

  fs::path directory_;
  std::string path_;
  TokenCodec codec_;
};

TEST_F(SqlitePersistenceTest, UsesWriteAheadLoggingWithEveryCommitSynced) {
  auto persistence = open();
  ASSERT_NE(persistence, nullptr);
  EXPECT_EQ(persistence->journal_mode(), "wal");
  EXPECT_EQ(persistence->synchronous(), 2);  // FULL
  // And so again on a database that exists.
  persistence.reset();
  persistence = open();
  ASSERT_NE(persistence, nullptr);
  EXPECT_EQ(persistence->journal_mode(), "wal");
  EXPECT_EQ(persistence->synchronous(), 2);
}

TEST_F(SqlitePersistenceTest, TheDatabaseAndItsLogAreReadableByTheirOwnerOnly) {
  auto persistence = open();
  ASSERT_NE(persistence, nullptr);
  ASSERT_TRUE(persistence
                  ->write({{1,
                            WatchEventType::kAdded,
                            {"Pod", "default", "a"},
                            std::make_shared<const api::Object>(pod("a"))}})
                  .is_ok());
  for (const char* suffix : {"", "-wal", "-shm"}) {
    ASSERT_TRUE(fs::exists(path_ + suffix)) << suffix;
    EXPECT_EQ(fs::status(path_ + suffix).permissions(),
              fs::perms::owner_read | fs::perms::owner_write)
        << suffix;
  }
}

TEST_F(SqlitePersistenceTest, WhatIsWrittenComesBackAfterReopening) {
  auto persistence = open();
  ASSERT_NE(persistence, nullptr);
  const auto object = [](const std::string& name, const std::string& version) {
    api::Pod made = pod(name);
    made.metadata.resource_version = version;
    return std::make_shared<const api::Object>(made);
  };
  ASSERT_TRUE(persistence
                  ->write({{1, WatchEventType::kAdded, {"Pod", "default", "a"}, object("a", "1")},
                           {2, WatchEventType::kAdded, {"Pod", "default", "b"}, object("b", "2")}})
                  .is_ok());
  ASSERT_TRUE(
      persistence
          ->write({{3, WatchEventType::kModified, {"Pod", "default", "a"}, object("a", "3")},
                   {4, WatchEventType::kDeleted, {"Pod", "default", "b"}, object("b", "2")},
                   {5, WatchEventType::kAdded, {"Pod", "default", "c"}, object("c", "5")},
                   {6, WatchEventType::kDeleted, {"Pod", "default", "c"}, object("c", "5")}})
          .is_ok());
  persistence.reset();
  persistence = open();
  ASSERT_NE(persistence, nullptr);
  auto loaded = persistence->load();
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->resource_version, 6U);
  ASSERT_EQ(loaded->objects.size(), 1U);
  EXPECT_EQ(loaded->objects[0], *object("a", "3"));
}

TEST_F(SqlitePersistenceTest, AStoreOnItComesBackWholeWithItsCounter) {
  sim::SimLoop loop;
  sim::SeededRandom random(3);
  auto persistence = open();
  ASSERT_NE(persistence, nullptr);
  std::vector<ObjectPtr> kept;
  {
    Store store(loop, random, {.persistence = persistence.get()});
    ASSERT_TRUE(store.load().is_ok());
    for (const char* name : {"a", "b", "c"}) ASSERT_TRUE(store.create(pod(name)).is_ok());
    ASSERT_TRUE(store.remove({"Pod", "default", "b"}).is_ok());  // unbound: removed at once
    kept = store.list({.kind = "Pod"})->items;
    EXPECT_EQ(store.resource_version(), 4U);
  }
  persistence.reset();
  persistence = open();
  ASSERT_NE(persistence, nullptr);
  Store store(loop, random, {.persistence = persistence.get()});
  ASSERT_TRUE(store.load().is_ok());
  EXPECT_EQ(store.resource_version(), 4U);
  const auto listed = store.list({.kind = "Pod"})->items;
  ASSERT_EQ(listed.size(), kept.size());
  for (std::size_t i = 0; i < listed.size(); ++i) EXPECT_EQ(*listed[i], *kept[i]);
  auto created = store.create(pod("d"));
  ASSERT_TRUE(created.is_ok());
  EXPECT_EQ(api::metadata_of(**created).resource_version, "5");
}

TEST_F(SqlitePersistenceTest, RefusesADatabaseOfANewerSchemaAndLeavesItAsItIs) {
  open().reset();
  run_sql("PRAGMA user_version = 2");
  expect_refused_untouched(
      "was written by a newer nodrop (schema version 2; this nodrop reads up "
      "to 1)");
}

TEST_F(SqlitePersistenceTest, RefusesAFileThatIsNotSqliteAndLeavesItAsItIs) {
  std::ofstream(path_) << "apiVersion: v1\nkind: Pod\n";
  expect_refused_untouched("is not a SQLite database");
}

TEST_F(SqlitePersistenceTest, RefusesAnotherProgramsDatabaseAndLeavesItAsItIs) {
  run_sql("CREATE TABLE notes (text TEXT)");
  expect_refused_untouched("is not nodrop's");
}

TEST_F(SqlitePersistenceTest, RefusesACorruptedDatabaseAndLeavesItAsItIs) {
  auto persistence = open();
  ASSERT_NE(persistence, nullptr);
  std::vector<Commit> batch;
  for (int i = 0; i < 200; ++i) {
    const std::string name = "pod-" + std::to_string(i);
    batch.push_back({static_cast<ResourceVersion>(i + 1),
                     WatchEventType::kAdded,
                     {"Pod", "default", name},
                     std::make_shared<const api::Object>(pod(name))});
  }
  ASSERT_TRUE(persistence->write(batch).is_ok());
  persistence.reset();  // the last connection's close moves the log into the database
  ASSERT_FALSE(fs::exists(path_ + "-wal"));
  // Garbage over the second page, a b-tree page of the tables.
  std::string bytes = contents(path_);
  ASSERT_GT(bytes.size(), 3 * 4096U);
  for (std::size_t i = 4096; i < 4096 + 512; ++i) bytes[i] = static_cast<char>(0x5a);
  std::ofstream(path_, std::ios::binary | std::ios::trunc) << bytes;
  expect_refused_untouched("corrupt");
}

}  // namespace
}  // namespace nodrop::store
