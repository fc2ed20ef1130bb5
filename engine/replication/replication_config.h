// The engine's replication flags (--replicaof, --masterauth, ...), part of EngineConfig.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace strongbox::engine {

struct ReplicationConfig {
  std::vector<std::string> replicaof;  // host port: start as a replica of it
  std::string masteruser;
  std::string masterauth;
  bool replica_read_only = true;
  bool replica_serve_stale_data = true;
  int replica_priority = 100;
  std::string archive_dir;  // where the snapshotter archives (default <dir>/archived)
};

void AddReplicationFlags(CLI::App& app, ReplicationConfig* config);

}  // namespace strongbox::engine
