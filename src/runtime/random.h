// Port: randomness is passed in, never global, so a simulated run is repeatable from its seed.
#pragma once

#include <cstdint>

namespace nodrop::runtime {

__extension__ using Uint128 = unsigned __int128;

class Random {
 public:
  virtual ~Random() = default;
  virtual std::uint64_t next_u64() = 0;

  // Uniform in [0, bound); bound must be > 0. Lemire's multiply-shift, bias below 2^-32 for the
  // bounds nodrop uses (endpoint counts, jitter in milliseconds).
  std::uint64_t uniform(std::uint64_t bound) {
    return static_cast<std::uint64_t>((static_cast<Uint128>(next_u64()) * bound) >> 64);
  }
  // Uniform in [0, 1).
  double uniform_unit() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
};

// One step of splitmix64: advances state and returns a well-mixed 64-bit value.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace nodrop::runtime
