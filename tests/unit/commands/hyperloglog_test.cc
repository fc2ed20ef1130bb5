// The HLL representation on its own: the empty value's bytes, how a sparse register update
// splits and re-merges opcodes, promotion to dense, corruption, and the estimator's accuracy.
// Byte-for-byte agreement with Redis is the integration tests' (tests/integration/types).
#include "engine/commands/hyperloglog.h"

#include <catch2/catch.hpp>
#include <string>

namespace strongbox::engine::testing {
namespace {

std::string Body(const std::string& hll) { return hll.substr(hll::kHeaderBytes); }

TEST_CASE("an empty HLL is sparse: one XZERO run of 16384 registers") {
  std::string h = hll::NewSparse();
  CHECK(h.substr(0, 5) == std::string("HYLL\x01", 5));
  CHECK(Body(h) == "\x7f\xff");
  CHECK(hll::LooksValid(h));
  CHECK(hll::Count(h) == 0u);  // the cache (0) is valid
}

TEST_CASE("a sparse update splits the run around a VAL and merges equal neighbours") {
  std::string h = hll::NewSparse();
  REQUIRE(hll::SetRegister(h, 100, 3) == 1);
  // XZERO(100) VAL(3,1) XZERO(16283)
  CHECK(Body(h) == "\x40\x63\x88\x7f\x9a");
  CHECK(hll::SetRegister(h, 100, 2) == 0);  // not higher: nothing changes
  REQUIRE(hll::SetRegister(h, 101, 3) == 1);
  // the two VAL(3,1) become VAL(3,2)
  CHECK(Body(h) == "\x40\x63\x89\x7f\x99");
  CHECK((static_cast<uint8_t>(h[15]) & 0x80) != 0);  // cache marked stale
}

TEST_CASE("a count above 32 or a full sparse budget promotes to dense") {
  std::string h = hll::NewSparse();
  REQUIRE(hll::SetRegister(h, 5, 2) == 1);
  REQUIRE(hll::SetRegister(h, 7, 40) == 1);
  CHECK(hll::IsDense(h));
  CHECK(h.size() == hll::kDenseBytes);
  hll::Registers max{};
  REQUIRE(hll::MergeInto(h, max));
  CHECK(max[5] == 2);
  CHECK(max[7] == 40);
  CHECK(max[6] == 0);

  std::string s = hll::NewSparse();
  for (int i = 0; i < hll::kRegisters && !hll::IsDense(s); i += 3)
    hll::SetRegister(s, i, 1 + i % 32);
  CHECK(hll::IsDense(s));
}

TEST_CASE("runs that do not cover exactly 16384 registers are corrupt") {
  std::string h = hll::NewSparse();
  std::string short_run = h.substr(0, 16) + "\x7f\xfe";
  std::string past_end = h + "\x83";
  hll::Registers max{};
  for (const std::string& bad : {short_run, past_end}) {
    CHECK_FALSE(hll::MergeInto(bad, max));
    std::string copy = bad;
    CHECK_FALSE(hll::ToDense(copy));
    copy[15] = static_cast<char>(0x80);
    CHECK_FALSE(hll::Count(copy).has_value());
  }
  CHECK_FALSE(hll::LooksValid("HYLL"));
  CHECK_FALSE(hll::LooksValid(std::string("HYLL\x00", 5) + std::string(11, '\0')));  // dense size
}

TEST_CASE("the estimate is within 2% from 1k to 200k elements") {
  std::string h = hll::NewSparse();
  int added = 0;
  for (int target : {1000, 10000, 200000}) {
    for (; added < target; ++added) REQUIRE(hll::Add(h, "element:" + std::to_string(added)) >= 0);
    h[15] = static_cast<char>(h[15] | 0x80);
    auto count = hll::Count(h);
    REQUIRE(count.has_value());
    CHECK(static_cast<double>(*count) == Approx(target).epsilon(0.02));
  }
}

}  // namespace
}  // namespace strongbox::engine::testing
