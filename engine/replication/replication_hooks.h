// What the replication commands (REPLICAOF, ROLE, REPLCONF, PSYNC, WAIT, WAITAOF) ask of the
// server: the engine's Replication implements it (replication.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace strongbox::engine {

class RespWriter;
struct ClientSession;

class ReplicationHooks {
 public:
  virtual ~ReplicationHooks() = default;
  // REPLICAOF host port: follow that primary ("" = done, else Redis's reply line, e.g. "+OK
  // Already connected to specified master" or an error).
  virtual std::string ReplicaOf(std::string_view host, int port) = 0;
  // REPLICAOF NO ONE: become a primary with a new history.
  virtual void PromoteToPrimary() = 0;
  virtual bool is_replica() const = 0;
  // Writes refused: a replica with replica-read-only.
  virtual bool refuses_writes() const = 0;
  // Reads refused: link down, replica-serve-stale-data no.
  virtual bool refuses_stale_reads() const = 0;
  // min-replicas-to-write / --min-replicas-ack: enough replicas acknowledged recently for a
  // write to be accepted.
  virtual bool enough_good_replicas() const = 0;
  virtual void WriteRole(RespWriter& reply) = 0;
  // REPLCONF's subcommands; writes the reply (none for ACK).
  virtual void Replconf(ClientSession& client, std::span<const std::string_view> argv,
                        RespWriter& reply) = 0;
  // PSYNC: answers and turns the connection into a replica link.
  virtual void Psync(ClientSession& client, std::string_view history_id, uint64_t next_lsn,
                     RespWriter& reply) = 0;
  // WAIT (numlocal < 0) and WAITAOF: answers now or parks the client until enough acks or the
  // timeout (0 = forever).
  virtual void Wait(ClientSession& client, int64_t numlocal, int64_t numreplicas,
                    int64_t timeout_ms, RespWriter& reply) = 0;
};

}  // namespace strongbox::engine
