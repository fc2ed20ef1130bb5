// Helpers for the RDB codec tests: hex payloads, a state built through effects, and the
// snapshot's canonical encoding of a key as the comparison of two values.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "common/rdb/rdb_value.h"
#include "common/state/apply.h"
#include "common/state/snapshot.h"

namespace strongbox::rdb::testing {

inline std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

inline void Run(state::State& st, std::initializer_list<std::string_view> argv) {
  std::vector<std::string_view> v(argv);
  REQUIRE(state::ApplyOp(st, 0, v).ok());
}

// The canonical bytes of `key` in database 0, or "" when absent.
inline std::string Canonical(const state::State& st, std::string_view key) {
  const state::Entry* e = const_cast<state::State&>(st).db(0).FindRaw(key);
  if (e == nullptr) return "";
  std::string out;
  state::EncodeEntry(0, key, *e, &out);
  return out;
}

// Applies a decoded value's effects to a fresh state under `key`.
inline state::State Materialize(std::string_view key, const Value& v, int64_t expire_at_ms = 0) {
  state::State st;
  ForEachEffect(key, v, expire_at_ms, [&](std::span<const std::string_view> argv) {
    REQUIRE(state::ApplyOp(st, 0, argv).ok());
  });
  return st;
}

}  // namespace strongbox::rdb::testing
