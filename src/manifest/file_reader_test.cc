#include "manifest/file_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <streambuf>

namespace nodrop::manifest {
namespace {

namespace fs = std::filesystem;

// A directory of its own for each test, removed after it.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    path_ = fs::temp_directory_path() /
            ("nodrop-file-reader-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDirectory() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// An endless stream of zeros, as /dev/zero is, that counts the bytes taken from it.
class Zeros : public std::streambuf {
 public:
  std::size_t taken() const { return taken_; }

 protected:
  std::streamsize xsgetn(char* out, std::streamsize count) override {
    std::fill(out, out + count, '\0');
    taken_ += static_cast<std::size_t>(count);
    return count;
  }
  int_type underflow() override {
    setg(buffer_, buffer_, buffer_ + 1);
    return 0;
  }

 private:
  char buffer_[1] = {'\0'};
  std::size_t taken_ = 0;
};

TEST(FileReader, ReadsAFileWhole) {
  const ScratchDirectory directory;
  const fs::path file = directory.path() / "a.yaml";
  std::ofstream(file) << "kind: Pod\n";
  Result<std::string> text = read_manifest_file(file.string());
  ASSERT_TRUE(text.is_ok()) << text.status().to_string();
  EXPECT_EQ(*text, "kind: Pod\n");
}

TEST(FileReader, ALargerRegularFileIsRefusedByItsSize) {
  const ScratchDirectory directory;
  const fs::path file = directory.path() / "large.yaml";
  std::ofstream{file};
  fs::resize_file(file, 100 * 1024 * 1024);  // sparse: 100 MB that take no disk
  Result<std::string> text = read_manifest_file(file.string());
  ASSERT_FALSE(text.is_ok());
  EXPECT_EQ(text.status().message(), "file is larger than 64 MiB");
}

TEST(FileReader, AnEndlessStreamIsRefusedOneBytePastTheBound) {
  Zeros zeros;
  std::istream stream(&zeros);
  Result<std::string> text = read_manifest_stream(stream);
  ASSERT_FALSE(text.is_ok());
  EXPECT_EQ(text.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(text.status().message(), "file is larger than 64 MiB");
  EXPECT_LE(zeros.taken(), kMaxManifestBytes + 1);
}

TEST(FileReader, DevZeroIsRefused) {
  Result<std::string> text = read_manifest_file("/dev/zero");
  ASSERT_FALSE(text.is_ok());
  EXPECT_EQ(text.status().message(), "file is larger than 64 MiB");
}

TEST(FileReader, AFileOfExactlyTheBoundIsRead) {
  const ScratchDirectory directory;
  const fs::path file = directory.path() / "bound.yaml";
  std::ofstream{file};
  fs::resize_file(file, kMaxManifestBytes);
  Result<std::string> text = read_manifest_file(file.string());
  ASSERT_TRUE(text.is_ok()) << text.status().to_string();
  EXPECT_EQ(text->size(), kMaxManifestBytes);
}

TEST(FileReader, DirectoriesAndMissingFilesAreNamedAsSuch) {
  const ScratchDirectory directory;
  EXPECT_EQ(read_manifest_file(directory.path().string()).status().message(), "is a directory");
  EXPECT_EQ(read_manifest_file((directory.path() / "missing.yaml").string()).status().message(),
            "cannot open the file");
}

}  // namespace
}  // namespace nodrop::manifest
