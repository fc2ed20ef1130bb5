// maxmemory eviction: the eviction pool's ranking, and the evictor's choices per policy on a
// real keyspace (DEL effects emitted, noeviction refusing).
#include "engine/server/evictor.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/state/state.h"
#include "engine/server/memory_config.h"

namespace strongbox::engine {
namespace {

TEST_CASE("The eviction pool keeps the 16 best candidates and gives the best first") {
  EvictionPool pool;
  for (int i = 0; i < 40; ++i) pool.Offer(static_cast<uint64_t>(i), 0, "k" + std::to_string(i));
  CHECK(pool.size() == EvictionPool::kCapacity);
  pool.Offer(1, 0, "worse-than-all");  // below the lowest kept: not taken
  pool.Offer(39, 0, "k39");            // already pooled: not twice
  CHECK(pool.size() == EvictionPool::kCapacity);
  std::vector<uint64_t> scores;
  while (auto c = pool.TakeBest()) scores.push_back(c->score);
  REQUIRE(scores.size() == EvictionPool::kCapacity);
  CHECK(scores.front() == 39);
  CHECK(scores.back() == 24);
  CHECK(std::is_sorted(scores.rbegin(), scores.rend()));
}

TEST_CASE("Memory parameters parse like Redis's CONFIG SET") {
  MemoryLimits limits;
  std::string error;
  CHECK(SetMaxmemory(&limits, "100mb", &error));
  CHECK(limits.maxmemory_bytes == 100ull << 20);
  CHECK(SetMaxmemory(&limits, "1GB", &error));
  CHECK(limits.maxmemory_bytes == 1ull << 30);
  CHECK_FALSE(SetMaxmemory(&limits, "ten", &error));
  CHECK(error == "argument must be a memory value");
  CHECK(SetMaxmemoryPolicy(&limits, "ALLKEYS-LFU", &error));
  CHECK(limits.policy == EvictionPolicy::kAllKeysLfu);
  CHECK_FALSE(SetMaxmemoryPolicy(&limits, "lru", &error));
  CHECK_FALSE(SetMaxmemorySamples(&limits, "0", &error));
  CHECK(error == "argument must be between 1 and 2147483647 inclusive");
}

// Records the effects and ignores every hook.
class RecordingHooks final : public ServerHooks, public EffectSink {
 public:
  using EffectSink::Emit;
  void Emit(uint8_t, std::span<const std::string_view> argv) override {
    deleted.emplace_back(argv[1]);
  }
  std::string InfoSection(std::string_view) override { return ""; }
  bool read_only() const override { return false; }
  std::string read_only_reason() const override { return ""; }
  bool password_required() const override { return false; }
  size_t connected_clients() const override { return 0; }
  std::string ClientList(const ClientFilter&) const override { return ""; }
  void TouchKey(uint8_t, std::string_view) override {}
  void TouchAll(int) override {}
  void Watch(ClientSession&, uint8_t, std::string_view) override {}
  void UnwatchAll(ClientSession&) override {}
  PubSubRegistry& pubsub() override { return pubsub_; }
  size_t Publish(PubSubKind, std::string_view, std::string_view) override { return 0; }

  std::vector<std::string> deleted;

 private:
  PubSubRegistry pubsub_;
};

// A gauge that reads far over any limit until the evictor's discounts bring it down: the
// evictor frees what it estimates, so the test controls how much by the limit.
struct Fixture {
  state::State state;
  RecordingHooks hooks;
  Evictor evictor;
  UsedMemoryGauge gauge{int64_t{1} << 62};  // never re-read within the test
  MemoryLimits limits;

  bool Run() {
    size_t used = gauge.Read(0);
    limits.maxmemory_bytes = used - 1;  // one byte over: exactly one eviction
    return evictor.FreeMemoryIfNeeded(state, hooks, hooks, limits, gauge, 0, 0);
  }
};

TEST_CASE("noeviction evicts nothing and reports the limit reached") {
  Fixture f;
  f.state.db(0).Upsert("k");
  CHECK_FALSE(f.Run());
  CHECK(f.hooks.deleted.empty());
  CHECK(f.state.db(0).size() == 1);
}

TEST_CASE("volatile-ttl evicts the nearest expiry, and only keys with one") {
  Fixture f;
  f.limits.policy = EvictionPolicy::kVolatileTtl;
  state::Db& db = f.state.db(0);
  db.Upsert("persistent");
  for (int i = 0; i < 10; ++i) {
    std::string key = "ttl" + std::to_string(i);
    db.SetExpiry(key, db.Upsert(key), 1'000'000 + (i == 7 ? 0 : 100 + i));
  }
  REQUIRE(f.Run());
  REQUIRE(f.hooks.deleted.size() == 1);
  CHECK(f.hooks.deleted[0] == "ttl7");
  CHECK(db.FindRaw("ttl7") == nullptr);
  for (int i = 0; i < 9; ++i) f.Run();
  CHECK(db.size() == 1);
  CHECK_FALSE(f.Run());  // only the persistent key is left
  CHECK(db.FindRaw("persistent") != nullptr);
}

TEST_CASE("allkeys-lru evicts the longest idle key first") {
  Fixture f;
  f.limits.policy = EvictionPolicy::kAllKeysLru;
  // A draw picks a bucket, then a node of its chain (Redis's dictGetRandomKey bias): a key sharing
  // a bucket is drawn less often, so 64 draws among 9 keys missed "old" ~3% of runs. 512 draws
  // miss it with probability < 1e-10.
  f.limits.samples = 512;
  state::AccessClock& clock = state::GlobalAccessClock();
  state::AccessClock saved = clock;
  state::Db& db = f.state.db(3);
  clock.lru_clock_s = 100;
  db.Upsert("old");
  clock.lru_clock_s = 200;
  for (int i = 0; i < 8; ++i) db.Upsert("new" + std::to_string(i));
  REQUIRE(f.Run());
  CHECK(f.hooks.deleted == std::vector<std::string>{"old"});
  clock = saved;
}

}  // namespace
}  // namespace strongbox::engine
