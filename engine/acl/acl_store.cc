// The user store and AUTH's password check.
#include "engine/acl/acl_store.h"

#include <algorithm>

#include "engine/acl/acl_text.h"

namespace strongbox::engine::acl {

User OpenDefaultUser() {
  User user("default");
  for (std::string_view rule : {"on", "nopass", "~*", "&*", "+@all"}) ApplyRule(user, rule);
  return user;
}

bool ValidUserName(std::string_view name) {
  return std::none_of(name.begin(), name.end(), [](char c) { return c == ' ' || c == '\0'; });
}

AclStore::AclStore() { users_.emplace("default", OpenDefaultUser()); }

const User* AclStore::Find(std::string_view name) const {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : &it->second;
}

namespace {

// Equal strings of equal length, in time that depends only on the length.
bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

bool AclStore::Authenticate(std::string_view name, std::string_view password) const {
  const User* user = Find(name);
  if (user == nullptr || !user->enabled) return false;
  if (user->nopass) return true;
  std::string hash = HashPassword(password);
  bool match = false;
  for (const std::string& want : user->password_hashes) match |= ConstantTimeEqual(hash, want);
  return match;
}

bool AclStore::default_open() const {
  const User* user = Find("default");
  return user->enabled && user->nopass;
}

void AclStore::SetDefaultPassword(std::string_view password) {
  if (password.empty()) return;
  User& user = users_.find("default")->second;
  ApplyRule(user, "resetpass");
  ApplyRule(user, Cat(">", password));
}

void AclStore::ReplaceDefaultPassword(std::string_view password) {
  User& user = users_.find("default")->second;
  ApplyRule(user, "resetpass");
  ApplyRule(user, password.empty() ? std::string("nopass") : Cat(">", password));
}

std::string AclStore::SetUser(std::string_view name, std::span<const std::string_view> rules) {
  MergedRules merged = MergeSelectorRules(rules);
  if (!merged.ok()) return Cat("ERR ", UnmatchedText(UpToNul(merged.unmatched)));
  auto it = users_.find(name);
  User copy = it != users_.end() ? it->second : User(std::string(name));
  for (const std::string& rule : merged.rules) {
    std::string error = ApplyRule(copy, rule);
    if (!error.empty()) {
      return Cat("ERR Error in ACL SETUSER modifier '", UpToNul(rule), "': ", error);
    }
  }
  users_.insert_or_assign(std::string(name), std::move(copy));
  return "";
}

bool AclStore::DelUser(std::string_view name) {
  auto it = users_.find(name);
  if (it == users_.end() || name == "default") return false;
  users_.erase(it);
  return true;
}

void AclStore::ReplaceAll(UserMap users) {
  if (users.find("default") == users.end()) users.emplace("default", OpenDefaultUser());
  users_ = std::move(users);
}

AclStore& Acl() {
  static auto* store = new AclStore();
  return *store;
}

}  // namespace strongbox::engine::acl
