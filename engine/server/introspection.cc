// INFO, CONFIG GET and CLIENT LIST texts (see introspection.h).
#include "engine/server/introspection.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace strongbox::engine {
namespace {

void AppendServer(std::string* out, const InfoInputs& in) {
  absl::StrAppend(out, "# Server\r\nredis_version:7.0.0\r\nstrongbox_version:0.1.0\r\n",
                  "redis_mode:standalone\r\nos:Linux\r\narch_bits:64\r\n",
                  "multiplexing_api:io_uring\r\nprocess_id:", getpid(),
                  "\r\ntcp_port:", in.config.port,
                  "\r\nuptime_in_seconds:", (in.now_ms - in.started_ms) / 1000, "\r\n\r\n");
}

void AppendClients(std::string* out, const InfoInputs& in) {
  absl::StrAppend(out, "# Clients\r\nconnected_clients:", in.connected_clients,
                  "\r\nmaxclients:", in.config.maxclients,
                  "\r\nblocked_clients:", in.blocked_clients, "\r\n",
                  "clients_waiting_durability:", in.clients_waiting_durability, "\r\n\r\n");
}

void AppendMemory(std::string* out, const InfoInputs& in) {
  long pages = 0, rss_pages = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &rss_pages) != 2) rss_pages = 0;
    std::fclose(f);
  }
  long rss = rss_pages * sysconf(_SC_PAGESIZE);
  // used_memory is what the allocator handed out (Redis reports its allocator's figure too),
  // so fragmentation shows as the ratio to RSS.
  struct mallinfo2 mi = mallinfo2();
  size_t used = mi.uordblks + mi.hblkhd;
  // A replaced allocator (sanitizers, jemalloc/tcmalloc preloads) leaves glibc's counters at
  // zero: report RSS then rather than a misleading 0.
  if (used == 0) used = static_cast<size_t>(rss);
  double fragmentation = used ? static_cast<double>(rss) / static_cast<double>(used) : 0;
  absl::StrAppend(out, "# Memory\r\nused_memory:", used, "\r\nused_memory_rss:", rss,
                  "\r\nmem_fragmentation_ratio:", absl::StrFormat("%.2f", fragmentation),
                  "\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction",
                  "\r\nlazyfree_pending_objects:", in.lazyfree_pending_objects, "\r\n\r\n");
}

// Snapshot state as Redis names it (the snapshotter writes the snapshots; see
// durability/snapshot_requests.h).
std::string BgsaveInfo(const BackgroundSaveStatus& b) {
  return absl::StrCat("rdb_changes_since_last_save:", b.changes_since_last_save,
                      "\r\nrdb_bgsave_in_progress:", b.bgsave_in_progress ? 1 : 0,
                      "\r\nrdb_last_save_time:", b.last_save_time_s,
                      "\r\nrdb_last_bgsave_status:", b.last_bgsave_ok ? "ok" : "err",
                      "\r\naof_rewrite_in_progress:", b.aof_rewrite_in_progress ? 1 : 0, "\r\n");
}

void AppendPersistence(std::string* out, const InfoInputs& in) {
  const DurableLog& log = in.log;
  double avg_ms = in.fsyncs ? in.fsync_seconds_total * 1000 / static_cast<double>(in.fsyncs) : 0;
  absl::StrAppend(out, "# Persistence\r\nloading:0\r\naof_enabled:1\r\n", BgsaveInfo(in.bgsave),
                  "fsync_policy:", in.config.fsync, "\r\nlsn_assigned:", log.lsn_assigned(),
                  "\r\nlsn_durable:", log.lsn_durable(), "\r\nlsn_sealed:", log.lsn_sealed(),
                  "\r\nlog_bytes_written:", log.bytes_written(),
                  "\r\nlog_records_written:", log.records_written(),
                  "\r\nsegments_sealed:", log.segments_sealed(), "\r\nfsyncs:", in.fsyncs,
                  "\r\nfsync_avg_ms:", avg_ms, "\r\nactive_segment:", log.active_path(),
                  "\r\nread_only:", log.accepting_writes() ? 0 : 1, "\r\n\r\n");
}

void AppendStats(std::string* out, const InfoInputs& in) {
  absl::StrAppend(out, "# Stats\r\ntotal_connections_received:", in.counters.connections_received,
                  "\r\ntotal_commands_processed:", in.counters.commands_processed,
                  "\r\nrejected_connections:", in.counters.rejected_connections,
                  "\r\nexpired_keys:", in.counters.expired_keys,
                  "\r\npubsub_channels:", in.pubsub.NameCount(PubSubKind::kChannel),
                  "\r\npubsub_patterns:", in.pubsub.NameCount(PubSubKind::kPattern),
                  "\r\npubsubshard_channels:", in.pubsub.NameCount(PubSubKind::kShard),
                  "\r\nlazyfreed_objects:", in.lazyfreed_objects, "\r\n\r\n");
}

}  // namespace

std::string InfoText(std::string_view section, const InfoInputs& in) {
  bool all = section.empty() || section == "all" || section == "everything" || section == "default";
  auto want = [&](std::string_view s) { return all || section == s; };
  std::string out;
  if (want("server")) AppendServer(&out, in);
  if (want("clients")) AppendClients(&out, in);
  if (want("memory")) AppendMemory(&out, in);
  if (want("persistence")) AppendPersistence(&out, in);
  if (want("stats")) AppendStats(&out, in);
  return out;
}

bool ServerConfigGet(const EngineConfig& config, std::string_view name, std::string* value) {
  if (name == "port") {
    *value = std::to_string(config.port);
  } else if (name == "bind") {
    *value = config.bind;
  } else if (name == "requirepass") {
    *value = config.requirepass.empty() ? "" : "(set)";
  } else if (name == "maxclients") {
    *value = std::to_string(config.maxclients);
  } else if (name == "proto-max-bulk-len") {
    *value = std::to_string(config.bulk_bytes_max);
  } else if (name == "client-query-buffer-limit") {
    *value = std::to_string(config.query_buffer_bytes_max);
  } else if (name == "dir") {
    *value = config.dir;
  } else if (name == "client-output-buffer-limit") {
    *value = config.output_limits.ToConfigText();
  } else if (name == "appendfsync") {
    *value = config.fsync_mode == FsyncMode::kAlways ? "always" : "everysec";
  } else {
    return false;
  }
  return true;
}

namespace {

// Redis's flag letters for what Strongbox has: P pubsub, x MULTI, b blocked, e no-evict.
std::string ClientFlags(const Conn& c) {
  std::string flags;
  if (c.session.subscriptions > 0) flags += 'P';
  if (c.session.in_multi) flags += 'x';
  if (c.blocked) flags += 'b';
  if (c.session.no_evict) flags += 'e';
  return flags.empty() ? "N" : flags;
}

void AppendClientLine(std::string* out, const Conn& c, const PubSubRegistry& pubsub,
                      int64_t now_ms) {
  const ClientSession& s = c.session;
  int64_t multi = s.in_multi ? static_cast<int64_t>(s.multi_queue.size()) : -1;
  absl::StrAppend(out, "id=", c.id, " addr=", s.address, " laddr=", s.local_address, " fd=", c.fd,
                  " name=", s.name, " age=", (now_ms - s.created_ms) / 1000,
                  " idle=", (now_ms - s.last_command_ms) / 1000, " flags=", ClientFlags(c),
                  " db=", s.db, " sub=", pubsub.CountOf(PubSubKind::kChannel, c.id));
  absl::StrAppend(out, " psub=", pubsub.CountOf(PubSubKind::kPattern, c.id),
                  " ssub=", pubsub.CountOf(PubSubKind::kShard, c.id), " multi=", multi,
                  " qbuf=", c.in_len, " qbuf-free=", c.in.size() - c.in_len,
                  " argv-mem=0 multi-mem=0", " rbs=", c.in.size(), " rbp=", c.in_len,
                  " obl=0 oll=0 omem=", c.unsent_bytes());
  absl::StrAppend(out, " tot-mem=", c.in.size() + c.unsent_bytes(),
                  " events=", c.unsent_bytes() > 0 ? "rw" : "r", " cmd=", s.last_command,
                  " user=default redir=-1 resp=", s.protocol_version, "\n");
}

}  // namespace

std::string ClientListText(const ConnMap& conns, const PubSubRegistry& pubsub,
                           const ClientFilter& filter, int64_t now_ms) {
  std::vector<const Conn*> listed;
  for (const auto& [id, c] : conns) {
    if (!c->closing && Matches(filter, c->session)) listed.push_back(c.get());
  }
  // Redis lists its clients in the order they connected.
  std::sort(listed.begin(), listed.end(),
            [](const Conn* a, const Conn* b) { return a->id < b->id; });
  std::string out;
  for (const Conn* c : listed) AppendClientLine(&out, *c, pubsub, now_ms);
  return out;
}

}  // namespace strongbox::engine
