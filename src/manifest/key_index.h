// The keys of one mapping being read, so that finding a duplicate key costs one hash lookup
// instead of a comparison with every earlier key (a mapping of 200,000 keys took 37 s).
//
// The index holds positions of entries, not keys: the caller keeps the entries and says which key
// is at a position. 4 bytes a slot, at most half of the slots used, where an
// std::unordered_set<std::string> would keep a second copy of every key in a heap node of its own.
// Mappings of fewer than kLinearBelow keys, nearly all of them, are scanned without a table.
//
// Bound: the hash is not keyed, so a crafted file could make its keys collide and each lookup walk
// every earlier key. Every slot looked at is counted; once a mapping has looked at more than
// kProbesPerKey slots per insertion (plus kSpareProbes), lookups answer kTooManyCollisions and the
// reader refuses the file. Keys that were not crafted look at about two slots each.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace nodrop::manifest {

template <typename Hash = std::hash<std::string_view>>
class KeyIndex {
 public:
  enum class Outcome { kAdded, kFound, kTooManyCollisions };
  struct Lookup {
    Outcome outcome = Outcome::kAdded;
    std::uint32_t earlier = 0;  // kFound: the position of the entry with the same key
  };
  static constexpr std::size_t kProbesPerKey = 16;
  static constexpr std::uint32_t kLinearBelow = 8;
  static constexpr std::size_t kSpareProbes = 1024;  // so small tables' chance runs never count

  // Looks key up among the entries at positions [0, count); when it is not there, records it at
  // position count (the caller then adds that entry). key_at(position) is the key of the entry at
  // a recorded position. Calls come with count 0, 1, 2, ... as entries are added.
  template <typename KeyAt>
  Lookup find_or_add(std::string_view key, std::uint32_t count, const KeyAt& key_at) {
    if (count < kLinearBelow) {
      for (std::uint32_t position = 0; position < count; ++position) {
        if (key_at(position) == key) return {Outcome::kFound, position};
      }
      return {};
    }
    if (slots_.size() < 2 * (std::size_t{count} + 1)) {
      // Grows to a quarter full, so that growing happens for one key in (about) every count.
      slots_.assign(std::bit_ceil(4 * (std::size_t{count} + 1)), kEmpty);
      for (std::uint32_t position = 0; position < count; ++position) {
        // Not kFound: the keys were distinct when they were added.
        const Lookup added = insert(key_at(position), position, key_at);
        if (added.outcome != Outcome::kAdded) return {Outcome::kTooManyCollisions};
      }
    }
    return insert(key, count, key_at);
  }

 private:
  static constexpr std::uint32_t kEmpty = UINT32_MAX;

  template <typename KeyAt>
  Lookup insert(std::string_view key, std::uint32_t position, const KeyAt& key_at) {
    const std::size_t mask = slots_.size() - 1;
    ++insertions_;
    for (std::size_t slot = Hash{}(key)&mask;; slot = (slot + 1) & mask) {
      if (++probes_ > kProbesPerKey * insertions_ + kSpareProbes) {
        return {Outcome::kTooManyCollisions};
      }
      if (slots_[slot] == kEmpty) {
        slots_[slot] = position;
        return {};
      }
      if (key_at(slots_[slot]) == key) return {Outcome::kFound, slots_[slot]};
    }
  }

  std::vector<std::uint32_t> slots_;  // positions; a power of two of them
  // Every insertion, growing included (at most three per key over a mapping's life), and every
  // slot looked at.
  std::size_t insertions_ = 0;
  std::size_t probes_ = 0;
};

}  // namespace nodrop::manifest
