// Histories: the PSYNC continuation rule and promotion.
#include "engine/replication/history.h"

#include <catch2/catch.hpp>

using namespace strongbox;
using namespace strongbox::engine::replication;

TEST_CASE("a replica of the same history continues when the primary has its next LSN") {
  format::DatasetId dataset{1, 2, 3};
  History h = InitialHistory(dataset);
  REQUIRE(h.id.size() == kHistoryIdChars);
  CHECK(CanContinue(h, h.id, 1, 0));
  CHECK(CanContinue(h, h.id, 11, 10));
  CHECK(CanContinue(h, h.id, 5, 10));
  CHECK(!CanContinue(h, h.id, 12, 10));  // ahead of the primary
  CHECK(!CanContinue(h, h.id, 0, 10));
  CHECK(!CanContinue(h, std::string(40, 'f'), 5, 10));
  CHECK(!CanContinue(h, "?", 5, 10));
}

TEST_CASE("after a promotion only replicas that did not pass the switch point continue") {
  format::DatasetId dataset{9};
  History old = InitialHistory(dataset);
  History promoted = NewTerm(old, 100);
  CHECK(promoted.id != old.id);
  CHECK(promoted.id.substr(0, 32) == old.id.substr(0, 32));  // same data set
  CHECK(promoted.previous_id == old.id);
  CHECK(CanContinue(promoted, old.id, 101, 150));  // the log is a prefix
  CHECK(CanContinue(promoted, old.id, 50, 150));
  CHECK(!CanContinue(promoted, old.id, 102, 150));  // went past: diverged
  CHECK(CanContinue(promoted, promoted.id, 140, 150));
  format::DatasetId parsed{};
  REQUIRE(DatasetOfHistory(promoted.id, &parsed));
  CHECK(parsed == dataset);
  CHECK(!DatasetOfHistory("xyz", &parsed));
}

TEST_CASE("a replica follows its primary's new history") {
  History h = InitialHistory(format::DatasetId{4});
  History followed = Follow(h, std::string(40, 'b'), 77);
  CHECK(followed.id == std::string(40, 'b'));
  CHECK(followed.previous_id == h.id);
  CHECK(followed.previous_lsn_last == 77);
  CHECK(Follow(h, h.id, 5).previous_id.empty());
}
