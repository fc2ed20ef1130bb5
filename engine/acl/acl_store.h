// The users of the process (one store, like the one Lua state): the default user, AUTH's
// check, ACL SETUSER applied all-or-nothing, the ACL LOG, and the ACL file's path.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "engine/acl/acl_log.h"
#include "engine/acl/acl_user.h"

namespace strongbox::engine::acl {

using UserMap = std::map<std::string, User, std::less<>>;  // sorted, as ACL USERS lists them

class AclStore {
 public:
  AclStore();

  const User* Find(std::string_view name) const;
  const UserMap& users() const { return users_; }
  // AUTH: the user exists, is on, and is nopass or has this password (compared in constant
  // time over the hashes).
  bool Authenticate(std::string_view name, std::string_view password) const;
  // A new connection is authenticated as default without AUTH: default is on and nopass.
  bool default_open() const;
  // --requirepass: the default user's one password ("" leaves it nopass).
  void SetDefaultPassword(std::string_view password);
  // CONFIG SET requirepass: as Redis 7.0, the default user's passwords become exactly this one
  // ("" makes it nopass).
  void ReplaceDefaultPassword(std::string_view password);
  // ACL SETUSER: "" or the error (Redis 7.0's text); on error the user is unchanged.
  std::string SetUser(std::string_view name, std::span<const std::string_view> rules);
  bool DelUser(std::string_view name);  // never "default"
  // ACL LOAD: the new users replace all; a default user missing from them is reset to open.
  void ReplaceAll(UserMap users);

  AclLog& log() { return log_; }
  const std::string& aclfile() const { return aclfile_; }
  void set_aclfile(std::string path) { aclfile_ = std::move(path); }

 private:
  UserMap users_;
  AclLog log_;
  std::string aclfile_;
};

// Redis's fresh default user: on nopass ~* &* +@all.
User OpenDefaultUser();
// Valid as a user name: no spaces or NUL bytes.
bool ValidUserName(std::string_view name);

AclStore& Acl();

}  // namespace strongbox::engine::acl
