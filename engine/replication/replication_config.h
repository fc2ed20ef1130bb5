// The engine's replication flags (--replicaof, --masterauth, ...), part of EngineConfig.
#pragma once

#include <string>
#include <string_view>
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
  // Synchronous replication: a reply leaves once its LSN is durable here and acknowledged
  // (durable) by this many replicas (--fsync always only).
  int min_replicas_ack = 0;
  // Redis's min-replicas-to-write / min-replicas-max-lag: writes are refused (NOREPLICAS) with
  // fewer online replicas whose last ACK is at most max-lag seconds old.
  int min_replicas_to_write = 0;
  int min_replicas_max_lag_s = 10;
  // What a replica tells its primary to show as its address (INFO slaveN, ROLE, Sentinel's
  // view) instead of the connection's source and --port: an address reachable from outside a
  // NAT (a compose service name, a k8s pod's DNS name). "" / 0: not announced.
  std::string announce_ip;
  int announce_port = 0;
};

void AddReplicationFlags(CLI::App& app, ReplicationConfig* config);

// The value of a config file's `replicaof` (or `slaveof`) directive: "<host> <port>" sets
// *replicaof, "no one" clears it (as Redis 7.0); false for anything else.
bool ParseReplicaofDirective(std::string_view value, std::vector<std::string>* replicaof);

}  // namespace strongbox::engine
