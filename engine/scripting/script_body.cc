// SHA1 through OpenSSL's EVP interface, and the shebang grammar of Redis 7.0 scripts.
#include "engine/scripting/script_body.h"

#include <openssl/evp.h>

namespace strongbox::scripting {

std::string HexLower(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0xf]);
  }
  return hex;
}

namespace {

std::string DigestHex(std::string_view data, const EVP_MD* type) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_bytes = 0;
  EVP_Digest(data.data(), data.size(), digest, &digest_bytes, type, nullptr);
  return HexLower(std::string_view(reinterpret_cast<const char*>(digest), digest_bytes));
}

}  // namespace

std::string Sha1Hex(std::string_view data) { return DigestHex(data, EVP_sha1()); }
std::string Sha256Hex(std::string_view data) { return DigestHex(data, EVP_sha256()); }

namespace {

// One "flags=a,b" value: the only flag that changes anything here is no-writes; the others
// Redis 7.0 knows are accepted (they concern OOM, cluster and replicas).
bool ParseFlagList(std::string_view list, ScriptFlags* flags, std::string* error) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view flag = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (flag == "no-writes") {
      flags->no_writes = true;
    } else if (flag != "allow-oom" && flag != "allow-stale" && flag != "no-cluster" &&
               flag != "allow-cross-slot-keys") {
      *error = "ERR Unexpected flag in script shebang: " + std::string(flag);
      return false;
    }
  }
  return true;
}

}  // namespace

bool ParseScriptBody(std::string_view body, ScriptFlags* flags, std::string_view* code,
                     std::string* error) {
  *flags = ScriptFlags{};
  *code = body;
  if (body.substr(0, 2) != "#!") return true;
  flags->shebang = true;
  size_t eol = body.find('\n');
  std::string_view line = body.substr(2, eol == std::string_view::npos ? body.size() : eol - 2);
  *code = eol == std::string_view::npos ? std::string_view() : body.substr(eol);
  size_t space = line.find(' ');
  std::string_view engine = line.substr(0, space);
  if (engine != "lua") {
    *error = "ERR Unexpected engine in script shebang: #!" + std::string(line);
    return false;
  }
  std::string_view rest = space == std::string_view::npos ? "" : line.substr(space + 1);
  while (!rest.empty()) {
    size_t next = rest.find(' ');
    std::string_view part = rest.substr(0, next);
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    if (part.empty()) continue;
    if (part.substr(0, 6) != "flags=") {
      *error = "ERR Unknown lua shebang option: " + std::string(part);
      return false;
    }
    if (!ParseFlagList(part.substr(6), flags, error)) return false;
  }
  return true;
}

}  // namespace strongbox::scripting
