#include "manifest/key_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nodrop::manifest {
namespace {

// Adds keys in order as a mapping would; the outcome of each.
template <typename Index>
std::vector<typename Index::Outcome> add_all(Index& index, const std::vector<std::string>& keys) {
  std::vector<std::string> added;
  std::vector<typename Index::Outcome> outcomes;
  for (const std::string& key : keys) {
    const auto lookup = index.find_or_add(
        key, static_cast<std::uint32_t>(added.size()),
        [&](std::uint32_t position) -> std::string_view { return added[position]; });
    outcomes.push_back(lookup.outcome);
    if (lookup.outcome == Index::Outcome::kAdded) added.push_back(key);
  }
  return outcomes;
}

TEST(KeyIndex, FindsTheEarlierPositionOfADuplicateInSmallAndLargeMappings) {
  for (const std::uint32_t size : {3U, 8U, 100'000U}) {
    KeyIndex<> index;
    std::vector<std::string> keys;
    for (std::uint32_t key = 0; key < size; ++key) keys.push_back("key-" + std::to_string(key));
    for (const auto outcome : add_all(index, keys)) ASSERT_EQ(outcome, KeyIndex<>::Outcome::kAdded);
    const auto lookup = index.find_or_add(
        "key-2", size, [&](std::uint32_t position) -> std::string_view { return keys[position]; });
    EXPECT_EQ(lookup.outcome, KeyIndex<>::Outcome::kFound) << size;
    EXPECT_EQ(lookup.earlier, 2U) << size;
  }
}

// Every key in the same slot: what a crafted file would aim for.
struct CollidingHash {
  std::size_t operator()(std::string_view /*key*/) const { return 0; }
};

TEST(KeyIndex, CollidingKeysAreRefusedOnceTheyCostMoreThanTheProbeBound) {
  using Index = KeyIndex<CollidingHash>;
  Index index;
  std::vector<std::string> keys;
  for (int key = 0; key < 1'000; ++key) keys.push_back(std::to_string(key));
  const std::vector<Index::Outcome> outcomes = add_all(index, keys);
  // Each key walks past every earlier one: the n-th insertion pushes the count to about n^2 / 2,
  // past 16 n + 1024 after about 60 keys, and the index says so instead of going on.
  std::size_t added = 0;
  while (added < outcomes.size() && outcomes[added] == Index::Outcome::kAdded) ++added;
  EXPECT_GT(added, 8U);
  EXPECT_LT(added, 100U);
  EXPECT_EQ(outcomes[added], Index::Outcome::kTooManyCollisions);
}

}  // namespace
}  // namespace nodrop::manifest
