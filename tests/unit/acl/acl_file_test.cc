// The ACL file: parsed all-or-nothing with errors naming the line, and replaced durably, so a
// failed write or a power cut at any step leaves the old file or the new one, whole.
#include "engine/acl/acl_file.h"

#include <catch2/catch.hpp>
#include <string>

#include "common/io/fault_file_system.h"

namespace strongbox::engine::acl {
namespace {

constexpr char kPath[] = "/etc/users.acl";

TEST_CASE("an ACL file round-trips through ACL SAVE's format") {
  auto users = ParseAclFile(
      "user alice on >pw ~k* &ch +get\n# comment\n\nuser default on nopass "
      "~* &* +@all\n",
      kPath);
  REQUIRE(users.ok());
  CHECK(users->size() == 2);
  std::string text = FormatAclFile(*users);
  auto again = ParseAclFile(text, kPath);
  REQUIRE(again.ok());
  CHECK(FormatAclFile(*again) == text);
  CHECK(text.find("user alice on #") == 0);
}

TEST_CASE("a bad ACL file is refused whole, naming every bad line") {
  auto users = ParseAclFile("user ok on\nuzer x\nuser b +nosuch\nuser ok off\n", kPath);
  REQUIRE_FALSE(users.ok());
  std::string message(users.status().message());
  CHECK(message ==  // what redis-server 7.0 answered for the same file
        "/etc/users.acl:2 should start with user keyword followed by the username. "
        "/etc/users.acl:3: Error in applying operation '+nosuch': Unknown command or category "
        "name in ACL. WARNING: Duplicate user 'ok' found on line 4. WARNING: ACL errors "
        "detected, no change to the previously active ACL rules was performed");
}

TEST_CASE("selectors in an ACL file: spaces inside them, round trip through ACL SAVE") {
  auto users = ParseAclFile("user a on nopass (+get    ~x*)  (  +set ~y* ) ~a*\n", kPath);
  REQUIRE(users.ok());
  std::string text = FormatAclFile(*users);
  CHECK(text ==  // redis-server 7.0's ACL LIST for the same line
        "user a on nopass ~a* resetchannels -@all (~x* resetchannels -@all +get) (~y* "
        "resetchannels -@all +set)\n");
  auto again = ParseAclFile(text, kPath);
  REQUIRE(again.ok());
  CHECK(FormatAclFile(*again) == text);
}

// What ACL LOAD answers for a file whose second line is `line` (redis-server 7.0.15's words,
// without its final WARNING).
std::string LoadError(const std::string& line) {
  auto users = ParseAclFile("user default on nopass ~* &* +@all\n" + line + "\n", "f");
  REQUIRE_FALSE(users.ok());
  std::string message(users.status().message());
  return message.substr(0, message.find("WARNING: ACL errors"));
}

TEST_CASE("ACL file errors: unknown names with their rule, the first other error alone") {
  CHECK(LoadError("user a on foo") == "f:2: Syntax error. ");
  CHECK(LoadError("user a (>pw)") == "f:2: Syntax error. ");
  CHECK(LoadError("user a (+get) <x") ==
        "f:2: The password you are trying to remove from the user does not exist. ");
  CHECK(LoadError("user a on foo +nosuch") ==
        "f:2: Syntax error. f:2: Error in applying operation '+nosuch': Unknown command or "
        "category name in ACL. ");
  CHECK(LoadError("user a (+nosuch) (foo) (bar) +nosuch2") ==
        "f:2: Error in applying operation '(+nosuch)': Unknown command or category name in ACL. "
        "f:2: Syntax error. f:2: Error in applying operation '+nosuch2': Unknown command or "
        "category name in ACL. ");
  // redis-server 7.0.15 crashes on this line; the words are those of its ACL SETUSER
  CHECK(LoadError("user a on (+get ~a") ==
        "f:2: Unmatched parenthesis in acl selector starting at '(+get'. ");
}

TEST_CASE("a failed ACL write leaves the old file intact") {
  io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/etc").ok());
  REQUIRE(WriteAclFileDurably(fs, kPath, "user old on nopass\n").ok());
  for (auto op : {io::FaultFileSystem::Op::kWrite, io::FaultFileSystem::Op::kFsync,
                  io::FaultFileSystem::Op::kRename}) {
    fs.FailNth(op, 1, absl::InternalError("injected"));
    CHECK_FALSE(WriteAclFileDurably(fs, kPath, "user new on nopass\n").ok());
    CHECK(fs.Contents(kPath) == "user old on nopass\n");
  }
}

TEST_CASE("a power cut at any step of ACL SAVE leaves the old file or the new one") {
  const std::string old_text = "user old on nopass\n", new_text = "user new on nopass\n";
  for (int ops = 0; ops < 12; ++ops) {
    io::FaultFileSystem fs;
    REQUIRE(fs.CreateDir("/etc").ok());
    REQUIRE(WriteAclFileDurably(fs, kPath, old_text).ok());
    REQUIRE(fs.FsyncDir("/").ok());
    fs.CrashAfterMutatingOps(ops);
    bool saved = WriteAclFileDurably(fs, kPath, new_text).ok();
    fs.SimulatePowerLoss();
    auto contents = fs.Contents(kPath);
    INFO("crash after " << ops << " operations");
    REQUIRE(contents.has_value());
    CHECK((*contents == old_text || *contents == new_text));
    if (saved) CHECK(*contents == new_text);  // a reported success survives the cut
  }
}

}  // namespace
}  // namespace strongbox::engine::acl
