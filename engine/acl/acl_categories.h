// Redis 7.0's ACL categories and the permission units the ACL rules name: every registered
// command, and each subcommand of a container command (CLIENT LIST is "client|list").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/commands/command.h"

namespace strongbox::engine {

namespace acl {

// One bit per category, in the order ACL CAT lists them.
enum Category : uint32_t {
  kCatKeyspace = 1u << 0,
  kCatRead = 1u << 1,
  kCatWrite = 1u << 2,
  kCatSet = 1u << 3,
  kCatSortedset = 1u << 4,
  kCatList = 1u << 5,
  kCatHash = 1u << 6,
  kCatString = 1u << 7,
  kCatBitmap = 1u << 8,
  kCatHyperloglog = 1u << 9,
  kCatGeo = 1u << 10,
  kCatStream = 1u << 11,
  kCatPubsub = 1u << 12,
  kCatAdmin = 1u << 13,
  kCatFast = 1u << 14,
  kCatSlow = 1u << 15,
  kCatBlocking = 1u << 16,
  kCatDangerous = 1u << 17,
  kCatConnection = 1u << 18,
  kCatTransaction = 1u << 19,
  kCatScripting = 1u << 20,
};
inline constexpr size_t kCategoryCount = 21;
// "keyspace", "read", ... indexed by bit position.
extern const std::string_view kCategoryNames[kCategoryCount];
// The bit of a category name (case-insensitive, without '@'); nullopt if unknown.
std::optional<uint32_t> CategoryByName(std::string_view name);

// What a command does to its keys, as Redis 7.0's key specs say (ACCESS reads; INSERT, DELETE,
// UPDATE write): %R~ patterns grant kKeyRead, %W~ kKeyWrite, ~ both.
enum KeyAccess : uint8_t { kKeyRead = 1, kKeyWrite = 2 };

// One thing a rule can allow: a command, or a container's subcommand ("config|get").
struct Unit {
  std::string name;  // full name, lower case
  uint32_t categories = 0;
  uint8_t key_access = 0;
  size_t parent = SIZE_MAX;  // the container's unit for a subcommand
  bool container = false;    // has subcommand units
};

// Every unit, the registry's commands in registration order, each followed by its subcommands.
const std::vector<Unit>& Units();
// Index into Units() of a full name ("get", "client|list"), case-insensitive; nullopt if none.
std::optional<size_t> FindUnit(std::string_view full_name);
// The unit a command line runs: the subcommand's when the container knows it, else the command.
size_t UnitOf(const CommandSpec& spec, std::span<const std::string_view> argv);

}  // namespace acl

// The categories of a command as Redis 7.0 assigns them (COMMAND INFO and ACL CAT report them);
// a command Redis 7.0 lacks gets them from its flags.
uint32_t AclCategoriesOf(const CommandSpec& spec);

}  // namespace strongbox::engine
