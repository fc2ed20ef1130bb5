// The server's rows of the CONFIG table (config_registry.h), the --config file's runtime
// directives applied at start, and CONFIG REWRITE. A parameter the server gains is one row in
// AddServerConfigParams; a fact the engine cannot change (databases, appendonly) is an
// immutable row, so tools reading it learn the truth.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/acl/acl_store.h"
#include "engine/commands/config_params.h"
#include "engine/server/log_line.h"
#include "engine/server/server.h"

namespace strongbox::engine {
namespace {

std::string Text(int64_t v) { return std::to_string(v); }

// A row whose value never changes while running.
ConfigParam Fixed(std::string name, std::string value, bool rewritable = false) {
  ConfigParam p;
  p.name = std::move(name);
  p.get = [value] { return value; };
  p.default_value = value;
  p.rewritable = rewritable;
  return p;
}

ConfigParam Row(std::string name, ConfigType type, std::string default_value,
                std::function<std::string()> get,
                std::function<std::string(std::string_view)> set) {
  ConfigParam p;
  p.name = std::move(name);
  p.type = type;
  p.default_value = std::move(default_value);
  p.get = std::move(get);
  p.set = std::move(set);
  return p;
}

// Writes path durably: a temporary file beside it, fsync, rename over it, fsync the directory.
std::string WriteFileDurably(const std::string& path, const std::string& text) {
  std::string tmp = path + ".rewrite.tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::StrCat("cannot create ", tmp, ": ", std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  bool ok = done == text.size() && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return absl::StrCat("cannot write ", path, ": ", why);
  }
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return "";
}

}  // namespace

void Server::AddServerConfigParams() {
  ConfigRegistry& r = config_registry_;
  const EngineConfig defaults;
  EngineConfig& c = config_;
  // Where clients connect and where the data lives: fixed once listening.
  r.Add(Row("port", ConfigType::kInt, Text(defaults.port), [&c] { return Text(c.port); }, {}));
  r.Add(Row("bind", ConfigType::kString, defaults.bind, [&c] { return c.bind; }, {}));
  r.Add(Row("dir", ConfigType::kString, defaults.dir, [&c] { return c.dir; }, {}));
  ConfigParam fsync =
      Row("appendfsync", ConfigType::kEnum, "always",
          [&c] { return std::string(c.fsync_mode == FsyncMode::kAlways ? "always" : "everysec"); },
          {});  // the reply gate holds replies by this mode from the start
  fsync.enum_values = {"always", "everysec"};
  r.Add(std::move(fsync));
  // The default ACL user's password (as Redis 7.0): takes effect for the next AUTH and accept.
  r.Add(Row(
      "requirepass", ConfigType::kString, "", [&c] { return c.requirepass; },
      [&c](std::string_view v) {
        c.requirepass = std::string(v);
        acl::Acl().ReplaceDefaultPassword(v);
        return std::string();
      }));
  ConfigParam maxclients = Row(
      "maxclients", ConfigType::kInt, Text(defaults.maxclients),
      [&c] { return Text(c.maxclients); },
      [&c](std::string_view v) {
        c.maxclients = std::stoi(std::string(v));
        return std::string();
      });
  maxclients.min = 1;
  maxclients.max = 1'000'000;
  r.Add(std::move(maxclients));
  ConfigParam bulk = Row(
      "proto-max-bulk-len", ConfigType::kMemory, Text(defaults.bulk_bytes_max),
      [&c] { return Text(c.bulk_bytes_max); },
      [this](std::string_view v) {
        config_.bulk_bytes_max = limits_.bulk_bytes_max = *ParseMemoryValue(v);
        return std::string();
      });
  bulk.min = 1024;
  bulk.max = int64_t{UINT32_MAX};  // a value must fit a node (32-bit sizes)
  r.Add(std::move(bulk));
  ConfigParam query = Row(
      "client-query-buffer-limit", ConfigType::kMemory, Text(defaults.query_buffer_bytes_max),
      [&c] { return Text(c.query_buffer_bytes_max); },
      [&c](std::string_view v) {
        c.query_buffer_bytes_max = *ParseMemoryValue(v);
        return std::string();
      });
  query.min = 1 << 20;
  r.Add(std::move(query));
  r.Add(Row(
      "client-output-buffer-limit", ConfigType::kSpecial, defaults.output_limits.ToConfigText(),
      [&c] { return c.output_limits.ToConfigText(); },
      [&c](std::string_view v) {
        std::string error;
        c.output_limits.Set(v, &error);
        return error;
      }));
  AddMemoryConfigParams(r);
  AddTlsConfigParams(r, c.tls);
  AddReplicationConfigParams(r);
  // Facts: the command log is always on (appendonly yes) and snapshots are the snapshotter's
  // (save ""), 16 databases, no idle timeout, no cluster.
  r.Add(Fixed("appendonly", "yes"));
  r.Add(Fixed("save", ""));
  r.Add(Fixed("databases", "16"));
  r.Add(Fixed("timeout", "0"));
  r.Add(Fixed("cluster-enabled", "no"));
  AddCommandConfigParams(r, &monitors_, &keyspace_events_);
}

// maxmemory, maxmemory-policy, maxmemory-samples: the evictor reads them at the next write.
void Server::AddMemoryConfigParams(ConfigRegistry& r) {
  MemoryLimits& m = config_.memory;
  const MemoryLimits defaults;
  auto setter = [&m](bool (*set)(MemoryLimits*, std::string_view, std::string*)) {
    return [&m, set](std::string_view v) {
      std::string error;
      set(&m, v, &error);
      state::GlobalAccessClock().lfu = IsLfu(m.policy);
      return error;
    };
  };
  r.Add(Row(
      "maxmemory", ConfigType::kString, Text(static_cast<int64_t>(defaults.maxmemory_bytes)),
      [&m] { return Text(static_cast<int64_t>(m.maxmemory_bytes)); }, setter(SetMaxmemory)));
  r.Add(Row(
      "maxmemory-policy", ConfigType::kString, std::string(PolicyName(defaults.policy)),
      [&m] { return std::string(PolicyName(m.policy)); }, setter(SetMaxmemoryPolicy)));
  r.Add(Row(
      "maxmemory-samples", ConfigType::kString, Text(defaults.samples),
      [&m] { return Text(m.samples); }, setter(SetMaxmemorySamples)));
}

absl::Status Server::ApplyConfigFileSettings() {
  for (const auto& [name, value] : config_.config_file_settings) {
    const ConfigParam* p = config_registry_.Find(name);
    if (p == nullptr || !p->set) {
      if (p == nullptr || p->get() != value) {
        LogLine(absl::StrCat("config file ", config_.config_file, ": '", name,
                             "' ignored (not a parameter Strongbox can set)"));
      }
      continue;
    }
    std::string_view pair[] = {name, value};
    std::string error = config_registry_.Set(pair);
    if (!error.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("config file ", config_.config_file, ": ", error));
    }
  }
  return absl::OkStatus();
}

std::string Server::ConfigRewrite() {
  if (config_.config_file.empty()) return "ERR The server is running without a config file";
  std::ifstream in(config_.config_file);
  std::stringstream old_text;
  if (in) old_text << in.rdbuf();  // a file removed since start is written anew, as Redis
  std::string why =
      WriteFileDurably(config_.config_file, config_registry_.RewriteText(old_text.str()));
  if (why.empty()) return "";
  LogLine("CONFIG REWRITE failed: " + why);
  return "ERR Rewriting config file: " + why;
}

}  // namespace strongbox::engine
