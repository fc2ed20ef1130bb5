// Redis 7.0's category table, its key-access table, and the permission units built from the
// registry.
#include "engine/acl/acl_categories.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "common/util/ascii.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"

namespace strongbox::engine {
namespace acl {

const std::string_view kCategoryNames[kCategoryCount] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};

std::optional<uint32_t> CategoryByName(std::string_view name) {
  std::string lower = ToLower(name);
  for (size_t i = 0; i < kCategoryCount; ++i) {
    if (kCategoryNames[i] == lower) return 1u << i;
  }
  return std::nullopt;
}

namespace {

struct KnownCommand {
  std::string_view name;
  uint32_t categories;
  uint8_t key_access;
};

// What redis-server 7.0 reports (COMMAND INFO: ACL categories, key-spec flags) for the commands
// the engine registers and their subcommands.
constexpr KnownCommand kKnown[] = {
    {"acl", kCatSlow, 0},
    {"acl|cat", kCatSlow, 0},
    {"acl|deluser", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"acl|dryrun", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"acl|genpass", kCatSlow, 0},
    {"acl|getuser", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"acl|help", kCatSlow, 0},
    {"acl|list", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"acl|load", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"acl|log", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"acl|save", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"acl|setuser", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"acl|users", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"acl|whoami", kCatSlow, 0},
    {"append", kCatWrite | kCatString | kCatFast, kKeyWrite},
    {"auth", kCatFast | kCatConnection, 0},
    {"bitcount", kCatRead | kCatBitmap | kCatSlow, kKeyRead},
    {"bitfield", kCatWrite | kCatBitmap | kCatSlow, kKeyRead | kKeyWrite},
    {"bitfield_ro", kCatRead | kCatBitmap | kCatFast, kKeyRead},
    {"bitop", kCatWrite | kCatBitmap | kCatSlow, kKeyRead | kKeyWrite},
    {"bitpos", kCatRead | kCatBitmap | kCatSlow, kKeyRead},
    {"blmove", kCatWrite | kCatList | kCatSlow | kCatBlocking, kKeyRead | kKeyWrite},
    {"blmpop", kCatWrite | kCatList | kCatSlow | kCatBlocking, kKeyRead | kKeyWrite},
    {"blpop", kCatWrite | kCatList | kCatSlow | kCatBlocking, kKeyRead | kKeyWrite},
    {"brpop", kCatWrite | kCatList | kCatSlow | kCatBlocking, kKeyRead | kKeyWrite},
    {"brpoplpush", kCatWrite | kCatList | kCatSlow | kCatBlocking, kKeyRead | kKeyWrite},
    {"bzmpop", kCatWrite | kCatSortedset | kCatSlow | kCatBlocking, kKeyRead | kKeyWrite},
    {"bzpopmax", kCatWrite | kCatSortedset | kCatFast | kCatBlocking, kKeyRead | kKeyWrite},
    {"bzpopmin", kCatWrite | kCatSortedset | kCatFast | kCatBlocking, kKeyRead | kKeyWrite},
    {"client", kCatSlow, 0},
    {"client|caching", kCatSlow | kCatConnection, 0},
    {"client|getname", kCatSlow | kCatConnection, 0},
    {"client|getredir", kCatSlow | kCatConnection, 0},
    {"client|help", kCatSlow | kCatConnection, 0},
    {"client|id", kCatSlow | kCatConnection, 0},
    {"client|info", kCatSlow | kCatConnection, 0},
    {"client|kill", kCatAdmin | kCatSlow | kCatDangerous | kCatConnection, 0},
    {"client|list", kCatAdmin | kCatSlow | kCatDangerous | kCatConnection, 0},
    {"client|no-evict", kCatAdmin | kCatSlow | kCatDangerous | kCatConnection, 0},
    {"client|pause", kCatAdmin | kCatSlow | kCatDangerous | kCatConnection, 0},
    {"client|reply", kCatSlow | kCatConnection, 0},
    {"client|setname", kCatSlow | kCatConnection, 0},
    {"client|tracking", kCatSlow | kCatConnection, 0},
    {"client|trackinginfo", kCatSlow | kCatConnection, 0},
    {"client|unblock", kCatAdmin | kCatSlow | kCatDangerous | kCatConnection, 0},
    {"client|unpause", kCatAdmin | kCatSlow | kCatDangerous | kCatConnection, 0},
    {"command", kCatSlow | kCatConnection, 0},
    {"command|count", kCatSlow | kCatConnection, 0},
    {"command|docs", kCatSlow | kCatConnection, 0},
    {"command|getkeys", kCatSlow | kCatConnection, 0},
    {"command|getkeysandflags", kCatSlow | kCatConnection, 0},
    {"command|help", kCatSlow | kCatConnection, 0},
    {"command|info", kCatSlow | kCatConnection, 0},
    {"command|list", kCatSlow | kCatConnection, 0},
    {"config", kCatSlow, 0},
    {"config|get", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"config|help", kCatSlow, 0},
    {"config|resetstat", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"config|rewrite", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"config|set", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"copy", kCatKeyspace | kCatWrite | kCatSlow, kKeyRead | kKeyWrite},
    {"dbsize", kCatKeyspace | kCatRead | kCatFast, 0},
    {"decr", kCatWrite | kCatString | kCatFast, kKeyRead | kKeyWrite},
    {"decrby", kCatWrite | kCatString | kCatFast, kKeyRead | kKeyWrite},
    {"del", kCatKeyspace | kCatWrite | kCatSlow, kKeyWrite},
    {"dump", kCatKeyspace | kCatRead | kCatSlow, kKeyRead},
    {"discard", kCatFast | kCatTransaction, 0},
    {"echo", kCatFast | kCatConnection, 0},
    {"eval", kCatSlow | kCatScripting, kKeyRead | kKeyWrite},
    {"eval_ro", kCatSlow | kCatScripting, kKeyRead},
    {"evalsha", kCatSlow | kCatScripting, kKeyRead | kKeyWrite},
    {"evalsha_ro", kCatSlow | kCatScripting, kKeyRead},
    {"exec", kCatSlow | kCatTransaction, 0},
    {"exists", kCatKeyspace | kCatRead | kCatFast, 0},
    {"expire", kCatKeyspace | kCatWrite | kCatFast, kKeyWrite},
    {"expireat", kCatKeyspace | kCatWrite | kCatFast, kKeyWrite},
    {"expiretime", kCatKeyspace | kCatRead | kCatFast, kKeyRead},
    {"fcall", kCatSlow | kCatScripting, kKeyRead | kKeyWrite},
    {"fcall_ro", kCatSlow | kCatScripting, kKeyRead},
    {"flushall", kCatKeyspace | kCatWrite | kCatSlow | kCatDangerous, 0},
    {"flushdb", kCatKeyspace | kCatWrite | kCatSlow | kCatDangerous, 0},
    {"function", kCatSlow, 0},
    {"function|delete", kCatWrite | kCatSlow | kCatScripting, 0},
    {"function|dump", kCatSlow | kCatScripting, 0},
    {"function|flush", kCatWrite | kCatSlow | kCatScripting, 0},
    {"function|help", kCatSlow | kCatScripting, 0},
    {"function|kill", kCatSlow | kCatScripting, 0},
    {"function|list", kCatSlow | kCatScripting, 0},
    {"function|load", kCatWrite | kCatSlow | kCatScripting, 0},
    {"function|restore", kCatWrite | kCatSlow | kCatScripting, 0},
    {"function|stats", kCatSlow | kCatScripting, 0},
    {"geoadd", kCatWrite | kCatGeo | kCatSlow, kKeyWrite},
    {"geodist", kCatRead | kCatGeo | kCatSlow, kKeyRead},
    {"geohash", kCatRead | kCatGeo | kCatSlow, kKeyRead},
    {"geopos", kCatRead | kCatGeo | kCatSlow, kKeyRead},
    {"georadius", kCatWrite | kCatGeo | kCatSlow, kKeyRead | kKeyWrite},
    {"georadius_ro", kCatRead | kCatGeo | kCatSlow, kKeyRead},
    {"georadiusbymember", kCatWrite | kCatGeo | kCatSlow, kKeyRead | kKeyWrite},
    {"georadiusbymember_ro", kCatRead | kCatGeo | kCatSlow, kKeyRead},
    {"geosearch", kCatRead | kCatGeo | kCatSlow, kKeyRead},
    {"geosearchstore", kCatWrite | kCatGeo | kCatSlow, kKeyRead | kKeyWrite},
    {"get", kCatRead | kCatString | kCatFast, kKeyRead},
    {"getbit", kCatRead | kCatBitmap | kCatFast, kKeyRead},
    {"getdel", kCatWrite | kCatString | kCatFast, kKeyRead | kKeyWrite},
    {"getex", kCatWrite | kCatString | kCatFast, kKeyRead | kKeyWrite},
    {"getrange", kCatRead | kCatString | kCatSlow, kKeyRead},
    {"getset", kCatWrite | kCatString | kCatFast, kKeyRead | kKeyWrite},
    {"hdel", kCatWrite | kCatHash | kCatFast, kKeyWrite},
    {"hello", kCatFast | kCatConnection, 0},
    {"hexists", kCatRead | kCatHash | kCatFast, 0},
    {"hget", kCatRead | kCatHash | kCatFast, kKeyRead},
    {"hgetall", kCatRead | kCatHash | kCatSlow, kKeyRead},
    {"hincrby", kCatWrite | kCatHash | kCatFast, kKeyRead | kKeyWrite},
    {"hincrbyfloat", kCatWrite | kCatHash | kCatFast, kKeyRead | kKeyWrite},
    {"hkeys", kCatRead | kCatHash | kCatSlow, kKeyRead},
    {"hlen", kCatRead | kCatHash | kCatFast, 0},
    {"hmget", kCatRead | kCatHash | kCatFast, kKeyRead},
    {"hmset", kCatWrite | kCatHash | kCatFast, kKeyWrite},
    {"hrandfield", kCatRead | kCatHash | kCatSlow, kKeyRead},
    {"hscan", kCatRead | kCatHash | kCatSlow, kKeyRead},
    {"hset", kCatWrite | kCatHash | kCatFast, kKeyWrite},
    {"hsetnx", kCatWrite | kCatHash | kCatFast, kKeyWrite},
    {"hstrlen", kCatRead | kCatHash | kCatFast, 0},
    {"hvals", kCatRead | kCatHash | kCatSlow, kKeyRead},
    {"incr", kCatWrite | kCatString | kCatFast, kKeyRead | kKeyWrite},
    {"incrby", kCatWrite | kCatString | kCatFast, kKeyRead | kKeyWrite},
    {"incrbyfloat", kCatWrite | kCatString | kCatFast, kKeyRead | kKeyWrite},
    {"info", kCatSlow | kCatDangerous, 0},
    {"keys", kCatKeyspace | kCatRead | kCatSlow | kCatDangerous, 0},
    {"lastsave", kCatAdmin | kCatFast | kCatDangerous, 0},
    {"latency", kCatSlow, 0},
    {"latency|doctor", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"latency|graph", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"latency|help", kCatSlow, 0},
    {"latency|histogram", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"latency|history", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"latency|latest", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"latency|reset", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"lcs", kCatRead | kCatString | kCatSlow, kKeyRead},
    {"lindex", kCatRead | kCatList | kCatSlow, kKeyRead},
    {"linsert", kCatWrite | kCatList | kCatSlow, kKeyWrite},
    {"llen", kCatRead | kCatList | kCatFast, 0},
    {"lmove", kCatWrite | kCatList | kCatSlow, kKeyRead | kKeyWrite},
    {"lmpop", kCatWrite | kCatList | kCatSlow, kKeyRead | kKeyWrite},
    {"lpop", kCatWrite | kCatList | kCatFast, kKeyRead | kKeyWrite},
    {"lpos", kCatRead | kCatList | kCatSlow, kKeyRead},
    {"lpush", kCatWrite | kCatList | kCatFast, kKeyWrite},
    {"lpushx", kCatWrite | kCatList | kCatFast, kKeyWrite},
    {"lrange", kCatRead | kCatList | kCatSlow, kKeyRead},
    {"lrem", kCatWrite | kCatList | kCatSlow, kKeyWrite},
    {"lset", kCatWrite | kCatList | kCatSlow, kKeyWrite},
    {"ltrim", kCatWrite | kCatList | kCatSlow, kKeyWrite},
    {"memory", kCatSlow, 0},
    {"memory|doctor", kCatSlow, 0},
    {"memory|help", kCatSlow, 0},
    {"memory|malloc-stats", kCatSlow, 0},
    {"memory|purge", kCatSlow, 0},
    {"memory|stats", kCatSlow, 0},
    {"memory|usage", kCatRead | kCatSlow, 0},
    {"mget", kCatRead | kCatString | kCatFast, kKeyRead},
    {"move", kCatKeyspace | kCatWrite | kCatFast, kKeyRead | kKeyWrite},
    {"mset", kCatWrite | kCatString | kCatSlow, kKeyWrite},
    {"msetnx", kCatWrite | kCatString | kCatSlow, kKeyWrite},
    {"multi", kCatFast | kCatTransaction, 0},
    {"object", kCatSlow, 0},
    {"object|encoding", kCatKeyspace | kCatRead | kCatSlow, 0},
    {"object|freq", kCatKeyspace | kCatRead | kCatSlow, 0},
    {"object|help", kCatKeyspace | kCatSlow, 0},
    {"object|idletime", kCatKeyspace | kCatRead | kCatSlow, 0},
    {"object|refcount", kCatKeyspace | kCatRead | kCatSlow, 0},
    {"persist", kCatKeyspace | kCatWrite | kCatFast, kKeyWrite},
    {"pexpire", kCatKeyspace | kCatWrite | kCatFast, kKeyWrite},
    {"pexpireat", kCatKeyspace | kCatWrite | kCatFast, kKeyWrite},
    {"pexpiretime", kCatKeyspace | kCatRead | kCatFast, kKeyRead},
    {"pfadd", kCatWrite | kCatHyperloglog | kCatFast, kKeyWrite},
    {"pfcount", kCatRead | kCatHyperloglog | kCatSlow, kKeyRead},
    {"pfmerge", kCatWrite | kCatHyperloglog | kCatSlow, kKeyRead | kKeyWrite},
    {"ping", kCatFast | kCatConnection, 0},
    {"psetex", kCatWrite | kCatString | kCatSlow, kKeyWrite},
    {"psubscribe", kCatPubsub | kCatSlow, 0},
    {"psync", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"pttl", kCatKeyspace | kCatRead | kCatFast, kKeyRead},
    {"publish", kCatPubsub | kCatFast, 0},
    {"pubsub", kCatSlow, 0},
    {"pubsub|channels", kCatPubsub | kCatSlow, 0},
    {"pubsub|help", kCatSlow, 0},
    {"pubsub|numpat", kCatPubsub | kCatSlow, 0},
    {"pubsub|numsub", kCatPubsub | kCatSlow, 0},
    {"pubsub|shardchannels", kCatPubsub | kCatSlow, 0},
    {"pubsub|shardnumsub", kCatPubsub | kCatSlow, 0},
    {"punsubscribe", kCatPubsub | kCatSlow, 0},
    {"quit", kCatFast | kCatConnection, 0},
    {"randomkey", kCatKeyspace | kCatRead | kCatSlow, 0},
    {"rename", kCatKeyspace | kCatWrite | kCatSlow, kKeyRead | kKeyWrite},
    {"renamenx", kCatKeyspace | kCatWrite | kCatFast, kKeyRead | kKeyWrite},
    {"replconf", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"replicaof", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"reset", kCatFast | kCatConnection, 0},
    {"restore", kCatKeyspace | kCatWrite | kCatSlow | kCatDangerous, kKeyWrite},
    {"role", kCatAdmin | kCatFast | kCatDangerous, 0},
    {"rpop", kCatWrite | kCatList | kCatFast, kKeyRead | kKeyWrite},
    {"rpoplpush", kCatWrite | kCatList | kCatSlow, kKeyRead | kKeyWrite},
    {"rpush", kCatWrite | kCatList | kCatFast, kKeyWrite},
    {"rpushx", kCatWrite | kCatList | kCatFast, kKeyWrite},
    {"sadd", kCatWrite | kCatSet | kCatFast, kKeyWrite},
    {"save", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"scan", kCatKeyspace | kCatRead | kCatSlow, 0},
    {"scard", kCatRead | kCatSet | kCatFast, 0},
    {"script", kCatSlow, 0},
    {"script|debug", kCatSlow | kCatScripting, 0},
    {"script|exists", kCatSlow | kCatScripting, 0},
    {"script|flush", kCatSlow | kCatScripting, 0},
    {"script|help", kCatSlow | kCatScripting, 0},
    {"script|kill", kCatSlow | kCatScripting, 0},
    {"script|load", kCatSlow | kCatScripting, 0},
    {"sdiff", kCatRead | kCatSet | kCatSlow, kKeyRead},
    {"sdiffstore", kCatWrite | kCatSet | kCatSlow, kKeyRead | kKeyWrite},
    {"select", kCatFast | kCatConnection, 0},
    {"set", kCatWrite | kCatString | kCatSlow, kKeyRead | kKeyWrite},
    {"setbit", kCatWrite | kCatBitmap | kCatSlow, kKeyRead | kKeyWrite},
    {"setex", kCatWrite | kCatString | kCatSlow, kKeyWrite},
    {"setnx", kCatWrite | kCatString | kCatFast, kKeyWrite},
    {"setrange", kCatWrite | kCatString | kCatSlow, kKeyWrite},
    {"shutdown", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"sinter", kCatRead | kCatSet | kCatSlow, kKeyRead},
    {"sintercard", kCatRead | kCatSet | kCatSlow, kKeyRead},
    {"sinterstore", kCatWrite | kCatSet | kCatSlow, kKeyRead | kKeyWrite},
    {"sismember", kCatRead | kCatSet | kCatFast, 0},
    {"slaveof", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"slowlog", kCatSlow, 0},
    {"slowlog|get", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"slowlog|help", kCatSlow, 0},
    {"slowlog|len", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"slowlog|reset", kCatAdmin | kCatSlow | kCatDangerous, 0},
    {"smembers", kCatRead | kCatSet | kCatSlow, kKeyRead},
    {"smismember", kCatRead | kCatSet | kCatFast, kKeyRead},
    {"smove", kCatWrite | kCatSet | kCatFast, kKeyRead | kKeyWrite},
    {"sort", kCatWrite | kCatSet | kCatSortedset | kCatList | kCatSlow | kCatDangerous,
     kKeyRead | kKeyWrite},
    {"sort_ro", kCatRead | kCatSet | kCatSortedset | kCatList | kCatSlow | kCatDangerous, kKeyRead},
    {"spop", kCatWrite | kCatSet | kCatFast, kKeyRead | kKeyWrite},
    {"spublish", kCatPubsub | kCatFast, 0},
    {"srandmember", kCatRead | kCatSet | kCatSlow, kKeyRead},
    {"srem", kCatWrite | kCatSet | kCatFast, kKeyWrite},
    {"sscan", kCatRead | kCatSet | kCatSlow, kKeyRead},
    {"ssubscribe", kCatPubsub | kCatSlow, 0},
    {"strlen", kCatRead | kCatString | kCatFast, 0},
    {"subscribe", kCatPubsub | kCatSlow, 0},
    {"substr", kCatRead | kCatString | kCatSlow, kKeyRead},
    {"sunion", kCatRead | kCatSet | kCatSlow, kKeyRead},
    {"sunionstore", kCatWrite | kCatSet | kCatSlow, kKeyRead | kKeyWrite},
    {"sunsubscribe", kCatPubsub | kCatSlow, 0},
    {"swapdb", kCatKeyspace | kCatWrite | kCatFast | kCatDangerous, 0},
    {"time", kCatFast, 0},
    {"touch", kCatKeyspace | kCatRead | kCatFast, kKeyRead},
    {"ttl", kCatKeyspace | kCatRead | kCatFast, kKeyRead},
    {"type", kCatKeyspace | kCatRead | kCatFast, 0},
    {"unlink", kCatKeyspace | kCatWrite | kCatFast, kKeyWrite},
    {"unsubscribe", kCatPubsub | kCatSlow, 0},
    {"unwatch", kCatFast | kCatTransaction, 0},
    {"wait", kCatSlow | kCatConnection, 0},
    {"watch", kCatFast | kCatTransaction, 0},
    {"xack", kCatWrite | kCatStream | kCatFast, kKeyWrite},
    {"xadd", kCatWrite | kCatStream | kCatFast, kKeyWrite},
    {"xautoclaim", kCatWrite | kCatStream | kCatFast, kKeyWrite},
    {"xclaim", kCatWrite | kCatStream | kCatFast, kKeyWrite},
    {"xdel", kCatWrite | kCatStream | kCatFast, kKeyWrite},
    {"xgroup", kCatSlow, 0},
    {"xgroup|create", kCatWrite | kCatStream | kCatSlow, kKeyWrite},
    {"xgroup|createconsumer", kCatWrite | kCatStream | kCatSlow, kKeyWrite},
    {"xgroup|delconsumer", kCatWrite | kCatStream | kCatSlow, kKeyWrite},
    {"xgroup|destroy", kCatWrite | kCatStream | kCatSlow, kKeyWrite},
    {"xgroup|help", kCatStream | kCatSlow, 0},
    {"xgroup|setid", kCatWrite | kCatStream | kCatSlow, kKeyWrite},
    {"xinfo", kCatSlow, 0},
    {"xinfo|consumers", kCatRead | kCatStream | kCatSlow, kKeyRead},
    {"xinfo|groups", kCatRead | kCatStream | kCatSlow, kKeyRead},
    {"xinfo|help", kCatStream | kCatSlow, 0},
    {"xinfo|stream", kCatRead | kCatStream | kCatSlow, kKeyRead},
    {"xlen", kCatRead | kCatStream | kCatFast, 0},
    {"xpending", kCatRead | kCatStream | kCatSlow, kKeyRead},
    {"xrange", kCatRead | kCatStream | kCatSlow, kKeyRead},
    {"xread", kCatRead | kCatStream | kCatSlow | kCatBlocking, kKeyRead},
    {"xreadgroup", kCatWrite | kCatStream | kCatSlow | kCatBlocking, kKeyRead},
    {"xrevrange", kCatRead | kCatStream | kCatSlow, kKeyRead},
    {"xsetid", kCatWrite | kCatStream | kCatFast, kKeyWrite},
    {"xtrim", kCatWrite | kCatStream | kCatSlow, kKeyWrite},
    {"zadd", kCatWrite | kCatSortedset | kCatFast, kKeyWrite},
    {"zcard", kCatRead | kCatSortedset | kCatFast, 0},
    {"zcount", kCatRead | kCatSortedset | kCatFast, kKeyRead},
    {"zdiff", kCatRead | kCatSortedset | kCatSlow, kKeyRead},
    {"zdiffstore", kCatWrite | kCatSortedset | kCatSlow, kKeyRead | kKeyWrite},
    {"zincrby", kCatWrite | kCatSortedset | kCatFast, kKeyRead | kKeyWrite},
    {"zinter", kCatRead | kCatSortedset | kCatSlow, kKeyRead},
    {"zintercard", kCatRead | kCatSortedset | kCatSlow, kKeyRead},
    {"zinterstore", kCatWrite | kCatSortedset | kCatSlow, kKeyRead | kKeyWrite},
    {"zlexcount", kCatRead | kCatSortedset | kCatFast, kKeyRead},
    {"zmpop", kCatWrite | kCatSortedset | kCatSlow, kKeyRead | kKeyWrite},
    {"zmscore", kCatRead | kCatSortedset | kCatFast, kKeyRead},
    {"zpopmax", kCatWrite | kCatSortedset | kCatFast, kKeyRead | kKeyWrite},
    {"zpopmin", kCatWrite | kCatSortedset | kCatFast, kKeyRead | kKeyWrite},
    {"zrandmember", kCatRead | kCatSortedset | kCatSlow, kKeyRead},
    {"zrange", kCatRead | kCatSortedset | kCatSlow, kKeyRead},
    {"zrangebylex", kCatRead | kCatSortedset | kCatSlow, kKeyRead},
    {"zrangebyscore", kCatRead | kCatSortedset | kCatSlow, kKeyRead},
    {"zrangestore", kCatWrite | kCatSortedset | kCatSlow, kKeyRead | kKeyWrite},
    {"zrank", kCatRead | kCatSortedset | kCatFast, kKeyRead},
    {"zrem", kCatWrite | kCatSortedset | kCatFast, kKeyWrite},
    {"zremrangebylex", kCatWrite | kCatSortedset | kCatSlow, kKeyWrite},
    {"zremrangebyrank", kCatWrite | kCatSortedset | kCatSlow, kKeyWrite},
    {"zremrangebyscore", kCatWrite | kCatSortedset | kCatSlow, kKeyWrite},
    {"zrevrange", kCatRead | kCatSortedset | kCatSlow, kKeyRead},
    {"zrevrangebylex", kCatRead | kCatSortedset | kCatSlow, kKeyRead},
    {"zrevrangebyscore", kCatRead | kCatSortedset | kCatSlow, kKeyRead},
    {"zrevrank", kCatRead | kCatSortedset | kCatFast, kKeyRead},
    {"zscan", kCatRead | kCatSortedset | kCatSlow, kKeyRead},
    {"zscore", kCatRead | kCatSortedset | kCatFast, kKeyRead},
    {"zunion", kCatRead | kCatSortedset | kCatSlow, kKeyRead},
    {"zunionstore", kCatWrite | kCatSortedset | kCatSlow, kKeyRead | kKeyWrite},
};

const KnownCommand* Known(std::string_view name) {
  static const auto* index = [] {
    auto* m = new absl::flat_hash_map<std::string, const KnownCommand*>();
    for (const KnownCommand& k : kKnown) m->emplace(std::string(k.name), &k);
    return m;
  }();
  auto it = index->find(std::string(name));
  return it == index->end() ? nullptr : it->second;
}

// A command Redis 7.0 does not have: its categories follow from its flags, as Redis derives
// the flag-based ones.
uint32_t CategoriesFromFlags(uint32_t flags) {
  uint32_t c = (flags & kFast) ? kCatFast : kCatSlow;
  if (flags & kWrite) c |= kCatWrite;
  if (flags & kReadonly) c |= kCatRead;
  if (flags & kAdmin) c |= kCatAdmin | kCatDangerous;
  if (flags & kMayBlock) c |= kCatBlocking;
  return c;
}

void AddCommandUnits(const CommandSpec& spec, std::vector<Unit>* units) {
  Unit unit;
  unit.name = std::string(spec.name);
  unit.categories = AclCategoriesOf(spec);
  const KnownCommand* known = Known(spec.name);
  uint8_t by_flags = (spec.flags & kWrite) ? uint8_t{kKeyWrite} : uint8_t{kKeyRead};
  unit.key_access = known != nullptr ? known->key_access : by_flags;
  size_t parent = units->size();
  units->push_back(unit);
  std::string prefix = unit.name + "|";
  for (const KnownCommand& k : kKnown) {
    if (k.name.substr(0, prefix.size()) != prefix) continue;
    (*units)[parent].container = true;
    units->push_back(Unit{std::string(k.name), k.categories, k.key_access, parent, false});
  }
}

struct UnitTable {
  std::vector<Unit> units;
  absl::flat_hash_map<std::string, size_t> index;
  std::vector<size_t> unit_of_spec;  // by position in AllCommands(): no lookup per command
};

const UnitTable& Table() {
  static const UnitTable* table = [] {
    auto* t = new UnitTable();
    for (const CommandSpec& spec : AllCommands()) {
      t->unit_of_spec.push_back(t->units.size());
      AddCommandUnits(spec, &t->units);
    }
    for (size_t i = 0; i < t->units.size(); ++i) t->index.emplace(t->units[i].name, i);
    return t;
  }();
  return *table;
}

}  // namespace

const std::vector<Unit>& Units() { return Table().units; }

std::optional<size_t> FindUnit(std::string_view full_name) {
  std::string lower = ToLower(full_name);
  auto it = Table().index.find(lower);
  if (it == Table().index.end()) return std::nullopt;
  return it->second;
}

size_t UnitOf(const CommandSpec& spec, std::span<const std::string_view> argv) {
  std::span<const CommandSpec> all = AllCommands();
  bool registered = &spec >= all.data() && &spec < all.data() + all.size();
  size_t unit = registered ? Table().unit_of_spec[static_cast<size_t>(&spec - all.data())]
                           : *FindUnit(spec.name);
  if (!Units()[unit].container || argv.size() < 2) return unit;
  std::string full = std::string(spec.name) + "|" + std::string(argv[1]);
  return FindUnit(full).value_or(unit);
}

}  // namespace acl

uint32_t AclCategoriesOf(const CommandSpec& spec) {
  const acl::KnownCommand* known = acl::Known(spec.name);
  return known != nullptr ? known->categories : acl::CategoriesFromFlags(spec.flags);
}

}  // namespace strongbox::engine
