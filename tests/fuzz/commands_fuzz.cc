// Fuzzes the command layer: the input decodes into a sequence of commands (names from
// AllCommands(), arguments drawn from edge values, keys of every type and input bytes) run
// through the real Dispatch on a state seeded with one key of every type. After each command:
// the reply is exactly one well-formed RESP value (none while blocked), and the command's
// effects, encoded as a log record, decoded and replayed through ApplyOp into a second state,
// leave it with the same digest. After the input: expiry index and empty collections, and a
// snapshot written and loaded back holds the same digest.
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/format/record_codec.h"
#include "common/state/apply.h"
#include "common/state/snapshot.h"
#include "common/state/state.h"
#include "common/util/ascii.h"
#include "common/util/check.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/dispatcher.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/known_crashes.h"
#include "tests/fuzz/resp_reply.h"
#include "tests/fuzz/state_checks.h"
#include "tests/unit/commands/command_harness.h"

namespace {

namespace engine = strongbox::engine;
namespace format = strongbox::format;
namespace state = strongbox::state;
using strongbox::fuzz::FuzzInput;

// Keys the seed state holds (every type, packed and big encodings, one expiring) and a few
// it does not.
constexpr std::string_view kKeys[] = {"str", "int",    "float", "hash",    "bighash", "list",
                                      "set", "intset", "zset",  "bigzset", "ttl",     "missing",
                                      "dst", "",       "{t}k",  "k\xff",   "stream"};

// Integers at and past every boundary, floats Redis refuses or rounds, globs, range syntax,
// option words.
constexpr std::string_view kEdgeValues[] = {"0",
                                            "1",
                                            "-1",
                                            "2",
                                            "3",
                                            "10",
                                            "-100",
                                            "9223372036854775807",
                                            "-9223372036854775808",
                                            "9223372036854775806",
                                            "-9223372036854775807",
                                            "9223372036854775808",
                                            "-9223372036854775809",
                                            "18446744073709551615",
                                            "18446744073709551616",
                                            "4294967296",
                                            "2147483648",
                                            "-2147483649",
                                            "536870911",
                                            "536870912",
                                            "nan",
                                            "NaN",
                                            "-nan",
                                            "inf",
                                            "-inf",
                                            "+inf",
                                            "infinity",
                                            "1e309",
                                            "-1e309",
                                            "1.7976931348623157e308",
                                            "0.5",
                                            "-0.0",
                                            "1e-320",
                                            "3.0",
                                            "0x10",
                                            " 1",
                                            "1 ",
                                            "01",
                                            "",
                                            std::string_view("\0", 1),
                                            "\xff\xfe",
                                            "(1",
                                            "[a",
                                            "(a",
                                            "-",
                                            "+",
                                            "(",
                                            "[",
                                            "*",
                                            "?",
                                            "[a-z]*",
                                            "[^s]*",
                                            "*a*b",
                                            "h*",
                                            "\\*",
                                            "[",
                                            "*[",
                                            "NX",
                                            "XX",
                                            "GT",
                                            "LT",
                                            "CH",
                                            "INCR",
                                            "EX",
                                            "PX",
                                            "EXAT",
                                            "PXAT",
                                            "KEEPTTL",
                                            "GET",
                                            "COUNT",
                                            "MATCH",
                                            "TYPE",
                                            "BEFORE",
                                            "AFTER",
                                            "LEFT",
                                            "RIGHT",
                                            "REV",
                                            "BYSCORE",
                                            "BYLEX",
                                            "LIMIT",
                                            "WITHSCORES",
                                            "WITHVALUES",
                                            "RANK",
                                            "MAXLEN",
                                            "AGGREGATE",
                                            "SUM",
                                            "MIN",
                                            "MAX",
                                            "WEIGHTS",
                                            "REPLACE",
                                            "DB",
                                            "ASYNC",
                                            "SYNC",
                                            "string",
                                            "hash",
                                            "list",
                                            "set",
                                            "zset",
                                            "ENCODING",
                                            "FREQ",
                                            "IDLETIME",
                                            "REFCOUNT",
                                            "USAGE",
                                            "SAMPLES",
                                            "INFO",
                                            "DOCS",
                                            "GETNAME",
                                            "SETNAME",
                                            "ID",
                                            "LIST",
                                            "KILL",
                                            "NO-EVICT",
                                            "KEYSPACE",
                                            "ALL",
                                            "EVERYTHING",
                                            "default",
                                            "HELP",
                                            "COUNTKEYS",
                                            "GETKEYS",
                                            "15",
                                            "16",
                                            "-16",
                                            "65536"};

// Commands that seed every input: one key of every type, in two databases.
std::vector<std::vector<std::string>> SeedCommands() {
  std::vector<std::vector<std::string>> seed = {
      {"SET", "str", "hello"},
      {"SET", "int", "42"},
      {"SET", "float", "3.5"},
      {"HSET", "hash", "f1", "v1", "f2", "2", "f3", "1.5"},
      {"RPUSH", "list", "a", "b", "c", "1", "2", "a"},
      {"SADD", "set", "a", "b", "c", "1"},
      {"SADD", "intset", "1", "2", "3", "-5"},
      {"ZADD", "zset", "1", "a", "2", "b", "2", "c", "-inf", "m", "inf", "n"},
      {"SET", "ttl", "v", "PX", "1000"},
      {"XADD", "stream", "1-1", "f", "v", "g", "2"},
      {"XADD", "stream", "5-0", "f", "w"},
      {"SELECT", "1"},
      {"SET", "str", "db1"},
      {"SELECT", "0"},
  };
  // One element past the packed size limit makes the big encodings without many elements.
  const std::string long_element(state::kMaxPackedElementBytes + 1, 'x');
  seed.push_back({"HSET", "bighash", "f", "v", "long", long_element});
  seed.push_back({"ZADD", "bigzset", "1", "a", "2.5", long_element, "-3", "b"});
  return seed;
}

// Encodes each command's effects as one record, decodes it and replays it into `replica`,
// the way recovery and the snapshotter see them.
class ReplaySink final : public engine::EffectSink {
 public:
  explicit ReplaySink(state::State& replica) : replica_(replica) {}
  using EffectSink::Emit;
  void Emit(uint8_t db, std::span<const std::string_view> argv) override {
    if (!builder_.open()) builder_.Begin(++lsn_, 1);
    builder_.AddOp(db, argv);
  }
  void Replay() {
    if (!builder_.open()) return;
    builder_.Finish();
    format::RecordView r;
    SB_CHECK(format::DecodeRecord(record_, &r) == format::DecodeResult::kOk &&
                 r.total_bytes == record_.size(),
             "the command's record does not decode");
    absl::Status s =
        format::ForEachOp(r.payload, [&](uint8_t db, std::span<const std::string_view> argv) {
          return state::ApplyOp(replica_, db, argv);
        });
    SB_CHECK(s.ok(), "replaying the command's effects fails: %s", s.ToString().c_str());
    record_.clear();
  }

 private:
  state::State& replica_;
  std::string record_;
  format::RecordBuilder builder_{&record_};
  uint64_t lsn_ = 0;
};

// STRONGBOX_FUZZ_TRACE=1 prints each command as it runs (what a crasher's README line needs).
bool Tracing() {
  static const bool on = std::getenv("STRONGBOX_FUZZ_TRACE") != nullptr;
  return on;
}

void Trace(int client, std::span<const std::string_view> argv) {
  std::string line = "client " + std::to_string(client) + ":";
  for (std::string_view a : argv) {
    line += " \"";
    for (char ch : a.substr(0, 200)) {
      auto u = static_cast<unsigned char>(ch);
      if (u >= 0x20 && u < 0x7f && ch != '"' && ch != '\\') {
        line += ch;
      } else {
        char hex[8];
        std::snprintf(hex, sizeof(hex), "\\x%02x", u);
        line += hex;
      }
    }
    if (a.size() > 200) line += "...";
    line += "\"";
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

// One reply per command, except the (un)subscribe family: Redis answers one array per channel
// (an error or QUEUED is still one), and one per current subscription when none is named.
bool RepliesOk(std::span<const std::string_view> argv, size_t values) {
  static constexpr std::string_view kPerChannel[] = {"subscribe",    "unsubscribe", "psubscribe",
                                                     "punsubscribe", "ssubscribe",  "sunsubscribe"};
  bool per_channel =
      std::any_of(std::begin(kPerChannel), std::end(kPerChannel),
                  [&](std::string_view n) { return strongbox::EqualsIgnoreCase(n, argv[0]); });
  // A SHUTDOWN that goes ahead answers nothing: the server closes the connection and exits.
  if (strongbox::EqualsIgnoreCase(argv[0], "shutdown")) return values <= 1;
  if (!per_channel || values == 1) return values == 1;
  return argv.size() == 1 ? values >= 1 : values == argv.size() - 1;
}

struct Engine {
  state::State primary;
  state::State replica;
  engine::testing::FakeServer server;
  ReplaySink sink{replica};
  engine::ClientSession clients[2];
  int64_t now_ms = 1'700'000'000'000;

  // Runs one command for client `c` and checks reply and replay.
  void Run(int c, std::span<const std::string_view> argv) {
    if (Tracing()) Trace(c, argv);
    engine::ClientSession& client = clients[c];
    std::string reply;
    engine::RespWriter writer(&reply, client.protocol_version);
    engine::CommandContext ctx{argv, client, primary, writer, sink, server, now_ms};
    engine::Dispatch(ctx);
    size_t values = strongbox::fuzz::CountRespValues(reply);
    if (client.block.active) {
      SB_CHECK(values == 0, "a blocked command replied");
      client.block = {};  // the server would time it out: a null reply, nothing changed
    } else {
      SB_CHECK(RepliesOk(argv, values), "'%.*s' wrote %zu RESP values: %.200s", int(argv[0].size()),
               argv[0].data(), values, reply.c_str());
    }
    sink.Replay();
    SB_CHECK(state::StateDigest(primary) == state::StateDigest(replica),
             "'%.*s': replayed effects give another state", int(argv[0].size()), argv[0].data());
  }
};

std::string_view CommandName(uint8_t b) {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& spec : engine::AllCommands()) v.push_back(spec.name);
    return v;
  }();
  return names[b % names.size()];
}

int Arity(std::string_view name) { return engine::FindCommand(name)->arity; }

// One argument: a key, an edge value, a small integer, raw input bytes or a command name.
std::string_view Argument(FuzzInput& in) {
  uint8_t t = in.Byte();
  if (t < 0x30) return kKeys[t % std::size(kKeys)];
  if (t < 0x80) return kEdgeValues[in.Byte() % std::size(kEdgeValues)];
  if (t < 0xa0) {
    static const std::vector<std::string> ints = [] {
      std::vector<std::string> v;
      for (int i = -8; i < 24; ++i) v.push_back(std::to_string(i));
      return v;
    }();
    return ints[t - 0x80];
  }
  if (t < 0xe8) return in.Bytes(in.Byte() % 80);
  return CommandName(in.Byte());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::vector<std::string>> seed = SeedCommands();
  Engine eng;
  for (const auto& cmd : seed) {
    std::vector<std::string_view> argv(cmd.begin(), cmd.end());
    eng.Run(0, argv);
  }
  FuzzInput in(std::string_view(reinterpret_cast<const char*>(data), size));
  int client = 0;
  for (int n = 0; n < 64 && !in.empty(); ++n) {
    uint8_t op = in.Byte();
    if (op >= 0xf8) {  // not a command: the clock moves or the other client speaks
      constexpr int64_t kSteps[] = {1, 999, 1000, 60'000, 3'600'000, int64_t{1} << 40, 0};
      if (op == 0xff) {
        client ^= 1;
      } else {
        eng.now_ms += kSteps[op - 0xf8];
        if (Tracing()) std::fprintf(stderr, "clock +%lld ms\n", (long long)kSteps[op - 0xf8]);
      }
      continue;
    }
    std::vector<std::string_view> argv = {CommandName(op)};
    uint8_t c = in.Byte();
    int arity = Arity(argv[0]);
    size_t argc =
        (c & 0x80) ? c & 7 : static_cast<size_t>(std::abs(arity) - 1) + (arity < 0 ? c & 3 : 0);
    for (size_t i = 0; i < argc && i < 12; ++i) argv.push_back(Argument(in));
    if (strongbox::fuzz::SkipKnownCrashCommand(argv)) continue;
    eng.Run(client, argv);
  }
  strongbox::fuzz::CheckKeyspace(eng.primary);
  strongbox::fuzz::CheckSnapshotRoundTrip(eng.primary);
  return 0;
}
