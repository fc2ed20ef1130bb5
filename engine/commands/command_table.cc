// The command table: name, arity, flags, key positions, handler. Flags drive behaviour
// centrally: kWrite commands are refused while read-only and their effects become a record.
#include <algorithm>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "engine/commands/command.h"
#include "engine/commands/command_util.h"
#include "engine/commands/handlers.h"

namespace strongbox::engine {
namespace {

namespace h = handlers;
constexpr uint32_t W = kWrite | kDenyOom;
constexpr uint32_t WF = kWrite | kDenyOom | kFast;
constexpr uint32_t WD = kWrite;  // writes that free memory: allowed even when read-only? no:
                                 // every write needs the log, so they are refused as well.
constexpr uint32_t R = kReadonly;
constexpr uint32_t RF = kReadonly | kFast;

void Exec(CommandContext&) {}     // run by the dispatcher
void Discard(CommandContext&) {}  // run by the dispatcher

const CommandSpec kCommands[] = {
    // connection
    {"ping", -1, kFast, 0, 0, 0, h::Ping},
    {"echo", 2, kFast, 0, 0, 0, h::Echo},
    {"hello", -1, kFast | kNoAuth, 0, 0, 0, h::Hello},
    {"auth", -2, kFast | kNoAuth, 0, 0, 0, h::Auth},
    {"select", 2, kFast, 0, 0, 0, h::Select},
    {"quit", -1, kFast | kNoAuth, 0, 0, 0, h::Quit},
    {"client", -2, kAdmin, 0, 0, 0, h::Client},
    // server
    {"info", -1, 0, 0, 0, 0, h::Info},
    {"dbsize", 1, RF, 0, 0, 0, h::Dbsize},
    {"flushdb", -1, kWrite, 0, 0, 0, h::Flushdb},
    {"flushall", -1, kWrite, 0, 0, 0, h::Flushall},
    {"time", 1, kFast, 0, 0, 0, h::Time},
    {"command", -1, 0, 0, 0, 0, h::Command},
    {"config", -2, kAdmin, 0, 0, 0, h::Config},
    // strings
    {"get", 2, RF, 1, 1, 1, h::Get},
    {"set", -3, W, 1, 1, 1, h::Set},
    {"setnx", 3, WF, 1, 1, 1, h::Setnx},
    {"setex", 4, W, 1, 1, 1, h::Setex},
    {"psetex", 4, W, 1, 1, 1, h::Psetex},
    {"getset", 3, WF, 1, 1, 1, h::Getset},
    {"getdel", 2, WF, 1, 1, 1, h::Getdel},
    {"getex", -2, WF, 1, 1, 1, h::Getex},
    {"mget", -2, RF, 1, -1, 1, h::Mget},
    {"mset", -3, W, 1, -1, 2, h::Mset},
    {"msetnx", -3, W, 1, -1, 2, h::Msetnx},
    {"append", 3, WF, 1, 1, 1, h::Append},
    {"strlen", 2, RF, 1, 1, 1, h::Strlen},
    {"incr", 2, WF, 1, 1, 1, h::Incr},
    {"decr", 2, WF, 1, 1, 1, h::Decr},
    {"incrby", 3, WF, 1, 1, 1, h::Incrby},
    {"decrby", 3, WF, 1, 1, 1, h::Decrby},
    {"incrbyfloat", 3, WF, 1, 1, 1, h::Incrbyfloat},
    {"getrange", 4, R, 1, 1, 1, h::Getrange},
    {"substr", 4, R, 1, 1, 1, h::Getrange},
    {"setrange", 4, W, 1, 1, 1, h::Setrange},
    // keys
    {"del", -2, WD, 1, -1, 1, h::Del},
    {"unlink", -2, WD | kFast, 1, -1, 1, h::Del},
    {"exists", -2, RF, 1, -1, 1, h::Exists},
    {"type", 2, RF, 1, 1, 1, h::Type},
    {"rename", 3, WD, 1, 2, 1, h::Rename},
    {"renamenx", 3, WD | kFast, 1, 2, 1, h::Renamenx},
    {"keys", 2, R, 0, 0, 0, h::Keys},
    {"scan", -2, R, 0, 0, 0, h::Scan},
    {"randomkey", 1, R, 0, 0, 0, h::Randomkey},
    {"expire", -3, WD | kFast, 1, 1, 1, h::Expire},
    {"pexpire", -3, WD | kFast, 1, 1, 1, h::Pexpire},
    {"expireat", -3, WD | kFast, 1, 1, 1, h::Expireat},
    {"pexpireat", -3, WD | kFast, 1, 1, 1, h::Pexpireat},
    {"ttl", 2, RF, 1, 1, 1, h::Ttl},
    {"pttl", 2, RF, 1, 1, 1, h::Pttl},
    {"expiretime", 2, RF, 1, 1, 1, h::Expiretime},
    {"pexpiretime", 2, RF, 1, 1, 1, h::Pexpiretime},
    {"persist", 2, WD | kFast, 1, 1, 1, h::Persist},
    // hashes
    {"hset", -4, WF, 1, 1, 1, h::Hset},
    {"hmset", -4, WF, 1, 1, 1, h::Hset},
    {"hsetnx", 4, WF, 1, 1, 1, h::Hsetnx},
    {"hget", 3, RF, 1, 1, 1, h::Hget},
    {"hmget", -3, RF, 1, 1, 1, h::Hmget},
    {"hdel", -3, WD | kFast, 1, 1, 1, h::Hdel},
    {"hexists", 3, RF, 1, 1, 1, h::Hexists},
    {"hlen", 2, RF, 1, 1, 1, h::Hlen},
    {"hgetall", 2, R, 1, 1, 1, h::Hgetall},
    {"hkeys", 2, R, 1, 1, 1, h::Hkeys},
    {"hvals", 2, R, 1, 1, 1, h::Hvals},
    {"hincrby", 4, WF, 1, 1, 1, h::Hincrby},
    {"hincrbyfloat", 4, WF, 1, 1, 1, h::Hincrbyfloat},
    {"hstrlen", 3, RF, 1, 1, 1, h::Hstrlen},
    {"hscan", -3, R, 1, 1, 1, h::Hscan},
    {"hrandfield", -2, R, 1, 1, 1, h::Hrandfield},
    // lists
    {"lpush", -3, WF, 1, 1, 1, h::Lpush},
    {"rpush", -3, WF, 1, 1, 1, h::Rpush},
    {"lpushx", -3, WF, 1, 1, 1, h::Lpushx},
    {"rpushx", -3, WF, 1, 1, 1, h::Rpushx},
    {"lpop", -2, WF, 1, 1, 1, h::Lpop},
    {"rpop", -2, WF, 1, 1, 1, h::Rpop},
    {"llen", 2, RF, 1, 1, 1, h::Llen},
    {"lrange", 4, R, 1, 1, 1, h::Lrange},
    {"lindex", 3, R, 1, 1, 1, h::Lindex},
    {"lset", 4, W, 1, 1, 1, h::Lset},
    {"lrem", 4, WD, 1, 1, 1, h::Lrem},
    {"ltrim", 4, WD, 1, 1, 1, h::Ltrim},
    {"linsert", 5, W, 1, 1, 1, h::Linsert},
    {"lpos", -3, R, 1, 1, 1, h::Lpos},
    {"lmove", 5, W, 1, 2, 1, h::Lmove},
    {"rpoplpush", 3, W, 1, 2, 1, h::Rpoplpush},
    {"blpop", -3, kWrite | kBlocking, 1, -2, 1, h::Blpop},
    {"brpop", -3, kWrite | kBlocking, 1, -2, 1, h::Brpop},
    {"blmove", 6, W | kBlocking, 1, 2, 1, h::Blmove},
    {"brpoplpush", 4, W | kBlocking, 1, 2, 1, h::Brpoplpush},
    {"lmpop", -4, W, 0, 0, 0, h::Lmpop},
    {"blmpop", -5, W | kBlocking, 0, 0, 0, h::Blmpop},
    // sets
    {"sadd", -3, WF, 1, 1, 1, h::Sadd},
    {"srem", -3, WD | kFast, 1, 1, 1, h::Srem},
    {"smembers", 2, R, 1, 1, 1, h::Smembers},
    {"sismember", 3, RF, 1, 1, 1, h::Sismember},
    {"smismember", -3, RF, 1, 1, 1, h::Smismember},
    {"scard", 2, RF, 1, 1, 1, h::Scard},
    {"spop", -2, WD | kFast, 1, 1, 1, h::Spop},
    {"srandmember", -2, R, 1, 1, 1, h::Srandmember},
    {"smove", 4, WF, 1, 2, 1, h::Smove},
    {"sinter", -2, R, 1, -1, 1, h::Sinter},
    {"sunion", -2, R, 1, -1, 1, h::Sunion},
    {"sdiff", -2, R, 1, -1, 1, h::Sdiff},
    {"sinterstore", -3, W, 1, -1, 1, h::Sinterstore},
    {"sunionstore", -3, W, 1, -1, 1, h::Sunionstore},
    {"sdiffstore", -3, W, 1, -1, 1, h::Sdiffstore},
    {"sintercard", -3, R, 0, 0, 0, h::Sintercard},
    {"sscan", -3, R, 1, 1, 1, h::Sscan},
    // sorted sets
    {"zadd", -4, WF, 1, 1, 1, h::Zadd},
    {"zincrby", 4, WF, 1, 1, 1, h::Zincrby},
    {"zrem", -3, WD | kFast, 1, 1, 1, h::Zrem},
    {"zscore", 3, RF, 1, 1, 1, h::Zscore},
    {"zmscore", -3, RF, 1, 1, 1, h::Zmscore},
    {"zcard", 2, RF, 1, 1, 1, h::Zcard},
    {"zcount", 4, RF, 1, 1, 1, h::Zcount},
    {"zlexcount", 4, RF, 1, 1, 1, h::Zlexcount},
    {"zrange", -4, R, 1, 1, 1, h::Zrange},
    {"zrevrange", -4, R, 1, 1, 1, h::Zrevrange},
    {"zrangebyscore", -4, R, 1, 1, 1, h::Zrangebyscore},
    {"zrevrangebyscore", -4, R, 1, 1, 1, h::Zrevrangebyscore},
    {"zrangebylex", -4, R, 1, 1, 1, h::Zrangebylex},
    {"zrevrangebylex", -4, R, 1, 1, 1, h::Zrevrangebylex},
    {"zrank", 3, RF, 1, 1, 1, h::Zrank},
    {"zrevrank", 3, RF, 1, 1, 1, h::Zrevrank},
    {"zpopmin", -2, WD | kFast, 1, 1, 1, h::Zpopmin},
    {"zpopmax", -2, WD | kFast, 1, 1, 1, h::Zpopmax},
    {"bzpopmin", -3, kWrite | kBlocking, 1, -2, 1, h::Bzpopmin},
    {"bzpopmax", -3, kWrite | kBlocking, 1, -2, 1, h::Bzpopmax},
    {"zremrangebyrank", 4, WD, 1, 1, 1, h::Zremrangebyrank},
    {"zremrangebyscore", 4, WD, 1, 1, 1, h::Zremrangebyscore},
    {"zremrangebylex", 4, WD, 1, 1, 1, h::Zremrangebylex},
    {"zrandmember", -2, R, 1, 1, 1, h::Zrandmember},
    {"zscan", -3, R, 1, 1, 1, h::Zscan},
    {"zunion", -3, R, 0, 0, 0, h::Zunion},
    {"zinter", -3, R, 0, 0, 0, h::Zinter},
    {"zdiff", -3, R, 0, 0, 0, h::Zdiff},
    {"zunionstore", -4, W, 1, 1, 1, h::Zunionstore},
    {"zinterstore", -4, W, 1, 1, 1, h::Zinterstore},
    {"zdiffstore", -4, W, 1, 1, 1, h::Zdiffstore},
    {"zrangestore", -5, W, 1, 2, 1, h::Zrangestore},
    // admin surface for tools
    {"copy", -3, W, 1, 2, 1, h::Copy},
    {"object", -2, R, 2, 2, 1, h::Object},
    {"memory", -2, R, 0, 0, 0, h::Memory},
    {"function", -2, kAdmin, 0, 0, 0, h::FlushScripts},
    {"script", -2, kAdmin, 0, 0, 0, h::FlushScripts},
    // transactions
    {"multi", 1, kFast, 0, 0, 0, h::Multi},
    {"exec", 1, 0, 0, 0, 0, Exec},
    {"discard", 1, kFast, 0, 0, 0, Discard},
    {"watch", -2, kFast, 1, -1, 1, h::Watch},
    {"unwatch", 1, kFast, 0, 0, 0, h::Unwatch},
};

}  // namespace

const CommandSpec* FindCommand(std::string_view name) {
  // Hot path: one lookup per command, no allocation (lower-cased into a stack buffer).
  static const auto* index = [] {
    auto* m = new absl::flat_hash_map<std::string, const CommandSpec*>();
    for (const CommandSpec& c : kCommands) (*m)[std::string(c.name)] = &c;
    return m;
  }();
  char lower[32];
  if (name.size() > sizeof(lower)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) {
    lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  }
  auto it = index->find(absl::string_view(lower, name.size()));
  return it == index->end() ? nullptr : it->second;
}

std::span<const CommandSpec> AllCommands() { return kCommands; }

}  // namespace strongbox::engine
