// The ACL file (Redis's syntax: one "user <name> <rule>..." per line): parsed all-or-nothing
// with errors naming the line, and written durably (temp file, fsync, rename, directory
// fsync), so a power cut leaves the old file or the new one, never a torn or missing one.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/io/file_system.h"
#include "engine/acl/acl_store.h"

namespace strongbox::engine::acl {

// The users the text declares; on error the message names "<path>:<line>: <reason>" for every
// bad line, as Redis 7.0's ACL LOAD does.
absl::StatusOr<UserMap> ParseAclFile(std::string_view text, std::string_view path);
// Every user, one line each (ACL SAVE).
std::string FormatAclFile(const UserMap& users);

absl::StatusOr<std::string> ReadAclFile(io::FileSystem& fs, const std::string& path);
absl::Status WriteAclFileDurably(io::FileSystem& fs, const std::string& path,
                                 std::string_view contents);

// ACL LOAD / --aclfile at start: reads and parses the store's file and replaces its users.
absl::Status LoadAclFile(io::FileSystem& fs, AclStore& store);

}  // namespace strongbox::engine::acl
