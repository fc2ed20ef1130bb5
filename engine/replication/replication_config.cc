// The replication flags and their environment variables.
#include "engine/replication/replication_config.h"

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace strongbox::engine {

void AddReplicationFlags(CLI::App& app, ReplicationConfig* c) {
  app.add_option("--replicaof", c->replicaof, "host port: start as a replica of that primary")
      ->expected(2)
      ->envname("STRONGBOX_REPLICAOF");
  struct Text {
    const char* flag;
    std::string* field;
    const char* help;
    const char* env;
  };
  for (const Text& t : {
           Text{"--masteruser", &c->masteruser, "ACL user the replica authenticates as",
                "STRONGBOX_MASTERUSER"},
           Text{"--masterauth", &c->masterauth, "Password the replica authenticates with",
                "STRONGBOX_MASTERAUTH"},
           Text{"--replica-announce-ip", &c->announce_ip,
                "Address (IP or hostname) the primary shows for this replica",
                "STRONGBOX_REPLICA_ANNOUNCE_IP"},
           Text{"--archive-dir", &c->archive_dir,
                "The snapshotter's archive: resync reads old segments there (default "
                "<dir>/archived)",
                "STRONGBOX_ARCHIVE_DIR"},
       }) {
    app.add_option(t.flag, *t.field, t.help)->envname(t.env);
  }
  app.add_option("--replica-read-only", c->replica_read_only,
                 "yes: a replica refuses writes (READONLY)")
      ->envname("STRONGBOX_REPLICA_READ_ONLY");
  app.add_option("--replica-serve-stale-data", c->replica_serve_stale_data,
                 "no: a replica whose link is down refuses reads (MASTERDOWN)")
      ->envname("STRONGBOX_REPLICA_SERVE_STALE_DATA");
  app.add_option("--replica-priority", c->replica_priority, "Reported to Sentinel (INFO)")
      ->envname("STRONGBOX_REPLICA_PRIORITY");
  app.add_option("--replica-announce-port", c->announce_port,
                 "Port the primary shows for this replica (0 = its --port)")
      ->envname("STRONGBOX_REPLICA_ANNOUNCE_PORT")
      ->check(CLI::Range(0, 65535));
  app.add_option("--min-replicas-ack", c->min_replicas_ack,
                 "A reply leaves once durable here and on this many replicas (fsync always)")
      ->envname("STRONGBOX_MIN_REPLICAS_ACK")
      ->check(CLI::Range(0, 64));
  app.add_option("--min-replicas-to-write", c->min_replicas_to_write,
                 "Refuse writes (NOREPLICAS) with fewer good replicas than this")
      ->envname("STRONGBOX_MIN_REPLICAS_TO_WRITE")
      ->check(CLI::Range(0, 64));
  app.add_option("--min-replicas-max-lag", c->min_replicas_max_lag_s,
                 "Seconds since its last ACK for a replica to count as good")
      ->envname("STRONGBOX_MIN_REPLICAS_MAX_LAG")
      ->check(CLI::Range(0, 86400));
}

bool ParseReplicaofDirective(std::string_view value, std::vector<std::string>* replicaof) {
  std::vector<std::string> words =
      absl::StrSplit(absl::string_view(value.data(), value.size()), ' ', absl::SkipEmpty());
  if (words.size() != 2) return false;
  if (absl::AsciiStrToLower(words[0]) == "no" && absl::AsciiStrToLower(words[1]) == "one") {
    replicaof->clear();
    return true;
  }
  int port = 0;
  if (!absl::SimpleAtoi(words[1], &port) || port <= 0 || port > 65535) return false;
  *replicaof = std::move(words);
  return true;
}

}  // namespace strongbox::engine
