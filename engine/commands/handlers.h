// Every command handler, registered in command_table.cc. One file per family implements them.
#pragma once

#include "engine/commands/command.h"

namespace strongbox::engine::handlers {

// connection_commands.cc
void Ping(CommandContext&);
void Echo(CommandContext&);
void Hello(CommandContext&);
void Auth(CommandContext&);
void Select(CommandContext&);
void Quit(CommandContext&);
void Client(CommandContext&);
// server_commands.cc
void Info(CommandContext&);
void Dbsize(CommandContext&);
void Flushdb(CommandContext&);
void Flushall(CommandContext&);
void Time(CommandContext&);
void Command(CommandContext&);
void Config(CommandContext&);
// string_commands.cc
void Get(CommandContext&);
void Set(CommandContext&);
void Setnx(CommandContext&);
void Setex(CommandContext&);
void Psetex(CommandContext&);
void Getset(CommandContext&);
void Getdel(CommandContext&);
void Getex(CommandContext&);
void Mget(CommandContext&);
void Mset(CommandContext&);
void Msetnx(CommandContext&);
void Append(CommandContext&);
void Strlen(CommandContext&);
void Incr(CommandContext&);
void Decr(CommandContext&);
void Incrby(CommandContext&);
void Decrby(CommandContext&);
void Incrbyfloat(CommandContext&);
void Getrange(CommandContext&);
void Setrange(CommandContext&);
// key_commands.cc
void Del(CommandContext&);
void Exists(CommandContext&);
void Type(CommandContext&);
void Rename(CommandContext&);
void Renamenx(CommandContext&);
void Keys(CommandContext&);
void Scan(CommandContext&);
void Randomkey(CommandContext&);
void Expire(CommandContext&);
void Pexpire(CommandContext&);
void Expireat(CommandContext&);
void Pexpireat(CommandContext&);
void Ttl(CommandContext&);
void Pttl(CommandContext&);
void Expiretime(CommandContext&);
void Pexpiretime(CommandContext&);
void Persist(CommandContext&);
// hash_commands.cc
void Hset(CommandContext&);
void Hsetnx(CommandContext&);
void Hget(CommandContext&);
void Hmget(CommandContext&);
void Hdel(CommandContext&);
void Hexists(CommandContext&);
void Hlen(CommandContext&);
void Hgetall(CommandContext&);
void Hkeys(CommandContext&);
void Hvals(CommandContext&);
void Hincrby(CommandContext&);
void Hincrbyfloat(CommandContext&);
void Hstrlen(CommandContext&);
void Hscan(CommandContext&);
void Hrandfield(CommandContext&);
// transaction_commands.cc (MULTI/EXEC/DISCARD are run by the dispatcher itself)
void Multi(CommandContext&);
void Watch(CommandContext&);
void Unwatch(CommandContext&);

}  // namespace strongbox::engine::handlers
