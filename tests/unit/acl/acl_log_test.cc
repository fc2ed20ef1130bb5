// ACL LOG grouping as Redis 7.0 does it: the same denial within 60 s of its last occurrence is
// one entry (moved to the front, its time renewed), only the 10 newest entries are candidates,
// and at most 128 entries are kept.
#include "engine/acl/acl_log.h"

#include <catch2/catch.hpp>
#include <string>

namespace strongbox::engine::acl {
namespace {

AclLogEntry Denial(std::string object, std::string info = "id=1") {
  AclLogEntry entry;
  entry.reason = "key";
  entry.context = "toplevel";
  entry.object = std::move(object);
  entry.username = "u";
  entry.client_info = std::move(info);
  return entry;
}

TEST_CASE("a repeated denial is grouped and its time renewed") {
  AclLog log;
  log.Add(Denial("k"), 1'000);
  log.Add(Denial("other"), 2'000);
  log.Add(Denial("k", "id=2"), 61'000);  // exactly 60 s after: still the same entry
  REQUIRE(log.entries().size() == 2);
  CHECK(log.entries()[0].object == "k");
  CHECK(log.entries()[0].count == 2);
  CHECK(log.entries()[0].updated_ms == 61'000);  // age-seconds counts from here
  CHECK(log.entries()[0].client_info == "id=2");
  log.Add(Denial("k"), 121'001);  // more than 60 s after the last one: a new entry
  CHECK(log.entries().size() == 3);
}

TEST_CASE("only the 10 newest entries are grouped with") {
  AclLog log;
  log.Add(Denial("old"), 0);
  for (int i = 0; i < 10; ++i) log.Add(Denial("k" + std::to_string(i)), 1);
  log.Add(Denial("old"), 2);
  CHECK(log.entries().size() == 12);
  log.Add(Denial("k1"), 3);  // the 10th newest: grouped
  CHECK(log.entries().size() == 12);
  CHECK(log.entries()[0].count == 2);
  log.Add(Denial("k0"), 4);  // the 11th newest: a new entry
  CHECK(log.entries().size() == 13);
}

TEST_CASE("the log keeps the 128 newest entries; RESET empties it") {
  AclLog log;
  for (int i = 0; i < 200; ++i) log.Add(Denial("k" + std::to_string(i)), i);
  CHECK(log.entries().size() == AclLog::kEntriesMax);
  CHECK(log.entries().front().object == "k199");
  log.Reset();
  CHECK(log.entries().empty());
}

}  // namespace
}  // namespace strongbox::engine::acl
