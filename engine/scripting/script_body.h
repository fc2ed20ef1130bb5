// What EVAL and SCRIPT LOAD learn from a script's text before Lua sees it: its SHA1 (the cache
// key EVALSHA names) and the Redis 7.0 shebang line ("#!lua flags=no-writes").
#pragma once

#include <string>
#include <string_view>

namespace strongbox::scripting {

// Lower-case hex SHA1 of `data` (redis.sha1hex, script names).
std::string Sha1Hex(std::string_view data);
std::string Sha256Hex(std::string_view data);  // ACL password hashes (engine/acl/)
std::string HexLower(std::string_view bytes);

struct ScriptFlags {
  bool no_writes = false;  // "#!lua flags=no-writes": write commands are refused
  // A shebang declares the flags: Redis then refuses a writable script before it runs (MISCONF,
  // NOREPLICAS...), where an old-style script fails only at its first write.
  bool shebang = false;
};

// Reads the shebang if `body` starts with "#!". On success fills *flags and *code (the text Lua
// compiles: the shebang line blanked, so line numbers stay those of the body); on failure
// returns false with Redis's error text in *error.
bool ParseScriptBody(std::string_view body, ScriptFlags* flags, std::string_view* code,
                     std::string* error);

}  // namespace strongbox::scripting
