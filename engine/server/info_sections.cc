// INFO's sections (see info_sections.h): Redis 7.0's order, names and layout.
#include "engine/server/info_sections.h"

#include <malloc.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/format/directory_scan.h"
#include "engine/server/memory_config.h"
#include "engine/server/used_memory.h"

namespace strongbox::engine {
namespace {

constexpr std::string_view kSectionOrder[] = {
    "server",  "clients",      "memory",     "persistence",  "stats",   "replication", "cpu",
    "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace"};
// Redis 7.0's default set: everything but commandstats and latencystats.
bool InDefault(std::string_view section) {
  return section != "commandstats" && section != "latencystats";
}

// Redis's bytesToHuman.
std::string Human(uint64_t bytes) {
  auto n = static_cast<double>(bytes);
  if (bytes < 1024) return absl::StrCat(bytes, "B");
  if (n < 1024.0 * 1024) return absl::StrFormat("%.2fK", n / 1024);
  if (n < 1024.0 * 1024 * 1024) return absl::StrFormat("%.2fM", n / (1024 * 1024));
  if (n < 1024.0 * 1024 * 1024 * 1024) return absl::StrFormat("%.2fG", n / (1024.0 * 1024 * 1024));
  return absl::StrFormat("%.2fT", n / (1024.0 * 1024 * 1024 * 1024));
}

uint64_t RssBytes() {
  long pages = 0, rss_pages = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &rss_pages) != 2) rss_pages = 0;
    std::fclose(f);
  }
  return static_cast<uint64_t>(rss_pages) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

std::string ExecutablePath() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

void AppendServer(std::string* out, const InfoInputs& in) {
  struct utsname name {};
  uname(&name);
  int64_t uptime_s = (in.now_ms - in.started_ms) / 1000;
  absl::StrAppend(out, "# Server\r\nredis_version:7.0.0\r\nstrongbox_version:0.1.0\r\n",
                  "redis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\n",
                  "redis_mode:standalone\r\nos:", name.sysname, " ", name.release, " ",
                  name.machine, "\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\n",
                  "multiplexing_api:io_uring\r\natomicvar_api:c11-builtin\r\n");
  absl::StrAppend(out, "gcc_version:", __GNUC__, ".", __GNUC_MINOR__, ".", __GNUC_PATCHLEVEL__,
                  "\r\nprocess_id:", getpid(), "\r\nprocess_supervised:no\r\nrun_id:", in.run_id,
                  "\r\ntcp_port:", in.config.port, "\r\nserver_time_usec:", in.now_ms * 1000,
                  "\r\nuptime_in_seconds:", uptime_s, "\r\nuptime_in_days:", uptime_s / 86400);
  // The server timer ticks every 10 ms: Redis's hz 100. lru_clock is Redis's 24-bit seconds.
  absl::StrAppend(
      out, "\r\nhz:100\r\nconfigured_hz:100\r\nlru_clock:", (in.now_ms / 1000) & ((1 << 24) - 1),
      "\r\nexecutable:", ExecutablePath(), "\r\nconfig_file:\r\nio_threads_active:0\r\n\r\n");
}

void AppendClients(std::string* out, const InfoInputs& in) {
  size_t input_max = 0, output_max = 0;
  for (const auto& [id, c] : in.conns) {
    input_max = std::max(input_max, c->in_len);
    output_max = std::max(output_max, c->unsent_bytes());
  }
  absl::StrAppend(out, "# Clients\r\nconnected_clients:", in.conns.size(),
                  "\r\ncluster_connections:0\r\nmaxclients:", in.config.maxclients,
                  "\r\nclient_recent_max_input_buffer:", input_max,
                  "\r\nclient_recent_max_output_buffer:", output_max,
                  "\r\nblocked_clients:", in.blocked_clients, "\r\ntracking_clients:0\r\n",
                  "clients_waiting_durability:", in.clients_waiting_durability, "\r\n\r\n");
}

std::string Ratio(uint64_t numerator, uint64_t denominator) {
  return absl::StrFormat(
      "%.2f",
      denominator ? static_cast<double>(numerator) / static_cast<double>(denominator) : 0.0);
}

int64_t Difference(uint64_t a, uint64_t b) {
  return static_cast<int64_t>(a) - static_cast<int64_t>(b);
}

// Redis's mem_clients_normal: the connections' input and output buffers.
uint64_t ClientsBytes(const InfoInputs& in) {
  uint64_t bytes = 0;
  for (const auto& [id, c] : in.conns) bytes += c->in.size() + c->unsent_bytes();
  return bytes;
}

// Redis's split of used_memory: the server's own (start-up, clients, the key tables' buckets)
// and the data set's (the rest).
void AppendMemoryUse(std::string* out, const InfoInputs& in, uint64_t used) {
  uint64_t peak = std::max(in.used_memory_peak, used);
  uint64_t clients_bytes = ClientsBytes(in);
  uint64_t tables_bytes = 0;
  for (int i = 0; i < state::kDatabaseCount; ++i) tables_bytes += in.state.db(i).table_bytes();
  uint64_t overhead = in.used_memory_startup + clients_bytes + tables_bytes;
  uint64_t dataset = used - std::min(used, overhead);
  uint64_t net = used - std::min(used, in.used_memory_startup);
  absl::StrAppend(
      out, "# Memory\r\nused_memory:", used, "\r\nused_memory_human:", Human(used),
      "\r\nused_memory_rss:", RssBytes(), "\r\nused_memory_rss_human:", Human(RssBytes()),
      "\r\nused_memory_peak:", peak, "\r\nused_memory_peak_human:", Human(peak),
      "\r\nused_memory_peak_perc:", absl::StrFormat("%.2f%%", peak ? 100.0 * used / peak : 0));
  absl::StrAppend(out, "\r\nused_memory_overhead:", overhead,
                  "\r\nused_memory_startup:", in.used_memory_startup,
                  "\r\nused_memory_dataset:", dataset, "\r\nused_memory_dataset_perc:",
                  absl::StrFormat("%.2f%%", net ? 100.0 * dataset / net : 0), "\r\n");
}

// glibc's malloc in Redis's allocator_* terms: allocated = in use, active = obtained from the
// system (heap + mmapped), resident = RSS.
void AppendAllocator(std::string* out, const InfoInputs& in, uint64_t used, uint64_t rss) {
  struct mallinfo2 mi = mallinfo2();
  uint64_t active = std::max<uint64_t>(mi.arena + mi.hblkhd, used);
  absl::StrAppend(out, "allocator_allocated:", used, "\r\nallocator_active:", active,
                  "\r\nallocator_resident:", rss, "\r\n");
  uint64_t system =
      static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  absl::StrAppend(out, "total_system_memory:", system,
                  "\r\ntotal_system_memory_human:", Human(system),
                  "\r\nmaxmemory:", in.config.memory.maxmemory_bytes,
                  "\r\nmaxmemory_human:", Human(in.config.memory.maxmemory_bytes),
                  "\r\nmaxmemory_policy:", std::string(PolicyName(in.config.memory.policy)),
                  "\r\nallocator_frag_ratio:", Ratio(active, used),
                  "\r\nallocator_frag_bytes:", Difference(active, used),
                  "\r\nallocator_rss_ratio:", Ratio(rss, active),
                  "\r\nallocator_rss_bytes:", Difference(rss, active),
                  "\r\nrss_overhead_ratio:", Ratio(rss, rss), "\r\nrss_overhead_bytes:0",
                  "\r\nmem_fragmentation_ratio:", Ratio(rss, used),
                  "\r\nmem_fragmentation_bytes:", Difference(rss, used), "\r\n");
}

void AppendMemory(std::string* out, const InfoInputs& in) {
  uint64_t used = UsedMemoryBytes(), rss = RssBytes();
  AppendMemoryUse(out, in, used);
  AppendAllocator(out, in, used, rss);
  uint64_t clients_bytes = ClientsBytes(in);
  absl::StrAppend(
      out, "number_of_libraries:", in.state.libraries().size(),
      "\r\nmem_not_counted_for_evict:0\r\nmem_replication_backlog:0\r\n",
      "mem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\nmem_clients_normal:",
      clients_bytes, "\r\nmem_cluster_links:0\r\nmem_aof_buffer:", in.log.pending_bytes(),
      "\r\nmem_allocator:", AllocatorName(), "\r\n",
      "active_defrag_running:0\r\nlazyfree_pending_objects:", in.lazyfree_pending_objects,
      "\r\nlazyfreed_objects:", in.lazyfreed_objects, "\r\n\r\n");
}

// Redis's fields for a server that never forks and has AOF on, then Strongbox's own: the log
// is the AOF, the newest snapshot the RDB file.
void AppendPersistence(std::string* out, const InfoInputs& in) {
  const DurableLog& log = in.log;
  int64_t last_save_s = in.snapshot.found ? in.snapshot.mtime_s : in.started_ms / 1000;
  uint64_t changes = log.lsn_assigned() - std::min(log.lsn_assigned(), in.snapshot.lsn);
  absl::StrAppend(out, "# Persistence\r\nloading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\n",
                  "current_cow_size:0\r\ncurrent_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\n",
                  "current_save_keys_processed:0\r\ncurrent_save_keys_total:0\r\n",
                  "rdb_changes_since_last_save:", changes,
                  "\r\nrdb_bgsave_in_progress:", in.bgsave.bgsave_in_progress ? 1 : 0,
                  "\r\nrdb_last_save_time:", last_save_s,
                  "\r\nrdb_last_bgsave_status:", in.bgsave.last_bgsave_ok ? "ok" : "err", "\r\n");
  absl::StrAppend(out, "rdb_last_bgsave_time_sec:-1\r\nrdb_current_bgsave_time_sec:-1\r\n",
                  "rdb_saves:0\r\nrdb_last_cow_size:0\r\nrdb_last_load_keys_expired:0\r\n",
                  "rdb_last_load_keys_loaded:", in.keys_loaded, "\r\naof_enabled:1\r\n",
                  "aof_rewrite_in_progress:", in.bgsave.aof_rewrite_in_progress ? 1 : 0,
                  "\r\naof_rewrite_scheduled:0\r\n",
                  "aof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\n",
                  "aof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\n",
                  "aof_rewrites_consecutive_failures:0\r\naof_last_write_status:",
                  log.accepting_writes() ? "ok" : "err", "\r\naof_last_cow_size:0\r\n",
                  "module_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n");
  double avg_ms = in.fsyncs ? in.fsync_seconds_total * 1000 / static_cast<double>(in.fsyncs) : 0;
  absl::StrAppend(out, "fsync_policy:", in.config.fsync, "\r\nlsn_assigned:", log.lsn_assigned(),
                  "\r\nlsn_durable:", log.lsn_durable(), "\r\nlsn_sealed:", log.lsn_sealed(),
                  "\r\nlsn_snapshot:", in.snapshot.lsn,
                  "\r\nlog_bytes_written:", log.bytes_written(),
                  "\r\nlog_records_written:", log.records_written(),
                  "\r\nsegments_sealed:", log.segments_sealed(), "\r\nfsyncs:", in.fsyncs,
                  "\r\nfsync_avg_ms:", avg_ms, "\r\nactive_segment:", log.active_path(),
                  "\r\nread_only:", log.accepting_writes() ? 0 : 1, "\r\n\r\n");
}

void AppendStats(std::string* out, const InfoInputs& in) {
  const ServerCounters& n = in.counters;
  absl::StrAppend(out, "# Stats\r\ntotal_connections_received:", n.connections_received,
                  "\r\ntotal_commands_processed:", n.commands_processed,
                  "\r\ninstantaneous_ops_per_sec:", in.rates.ops_per_sec(),
                  "\r\ntotal_net_input_bytes:", n.net_input_bytes,
                  "\r\ntotal_net_output_bytes:", n.net_output_bytes,
                  "\r\ntotal_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:0",
                  "\r\ninstantaneous_input_kbps:", absl::StrFormat("%.2f", in.rates.input_kbps()),
                  "\r\ninstantaneous_output_kbps:", absl::StrFormat("%.2f", in.rates.output_kbps()),
                  "\r\ninstantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.00",
                  "\r\nrejected_connections:", n.rejected_connections,
                  "\r\nsync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\nexpired_keys:",
                  n.expired_keys, "\r\n");
  absl::StrAppend(
      out, "evicted_keys:", in.counters.evicted_keys,
      "\r\nevicted_clients:0\r\ntotal_eviction_exceeded_time:0\r\n",
      "current_eviction_exceeded_time:0\r\nkeyspace_hits:", in.stats.keyspace_hits(),
      "\r\nkeyspace_misses:", in.stats.keyspace_misses(),
      "\r\npubsub_channels:", in.pubsub.NameCount(PubSubKind::kChannel),
      "\r\npubsub_patterns:", in.pubsub.NameCount(PubSubKind::kPattern),
      "\r\npubsubshard_channels:", in.pubsub.NameCount(PubSubKind::kShard),
      "\r\nlatest_fork_usec:0\r\ntotal_forks:0\r\nmigrate_cached_sockets:0\r\n",
      "slave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\n",
      "active_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\n");
  absl::StrAppend(
      out, "total_active_defrag_time:0\r\ncurrent_active_defrag_time:0\r\n",
      "tracking_total_keys:0\r\ntracking_total_items:0\r\ntracking_total_prefixes:0",
      "\r\nunexpected_error_replies:0\r\ntotal_error_replies:", in.stats.total_error_replies(),
      "\r\ndump_payload_sanitizations:0", "\r\ntotal_reads_processed:", n.reads_processed,
      "\r\ntotal_writes_processed:", n.writes_processed,
      "\r\nio_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\n\r\n");
}

// The replication section is engine/replication/'s when it runs; else a standalone master
// without replicas. The replication offset is the durable LSN.
void AppendReplication(std::string* out, const InfoInputs& in) {
  if (!in.replication_section.empty()) return absl::StrAppend(out, in.replication_section, "\r\n");
  absl::StrAppend(out, "# Replication\r\nrole:master\r\nconnected_slaves:0\r\n",
                  "master_failover_state:no-failover\r\nmaster_replid:", in.master_replid,
                  "\r\nmaster_replid2:0000000000000000000000000000000000000000",
                  "\r\nmaster_repl_offset:", in.log.lsn_durable(),
                  "\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n",
                  "repl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\n",
                  "repl_backlog_histlen:0\r\n\r\n");
}

std::string Seconds(const timeval& tv) {
  return absl::StrFormat("%d.%06d", static_cast<int64_t>(tv.tv_sec),
                         static_cast<int64_t>(tv.tv_usec));
}

void AppendCpu(std::string* out, const InfoInputs&) {
  struct rusage self {
  }, children{}, thread{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  getrusage(RUSAGE_THREAD, &thread);  // the event loop's thread: INFO runs on it
  absl::StrAppend(out, "# CPU\r\nused_cpu_sys:", Seconds(self.ru_stime),
                  "\r\nused_cpu_user:", Seconds(self.ru_utime),
                  "\r\nused_cpu_sys_children:", Seconds(children.ru_stime),
                  "\r\nused_cpu_user_children:", Seconds(children.ru_utime),
                  "\r\nused_cpu_sys_main_thread:", Seconds(thread.ru_stime),
                  "\r\nused_cpu_user_main_thread:", Seconds(thread.ru_utime), "\r\n\r\n");
}

void AppendModules(std::string* out, const InfoInputs&) { out->append("# Modules\r\n\r\n"); }

void AppendCommandstats(std::string* out, const InfoInputs& in) {
  out->append("# Commandstats\r\n");
  for (const auto& [name, s] : in.stats.commands()) {
    double per_call = s.calls ? static_cast<double>(s.usec) / static_cast<double>(s.calls) : 0;
    absl::StrAppend(out, "cmdstat_", name, ":calls=", s.calls, ",usec=", s.usec,
                    ",usec_per_call=", absl::StrFormat("%.2f", per_call),
                    ",rejected_calls=", s.rejected_calls, ",failed_calls=", s.failed_calls, "\r\n");
  }
  out->append("\r\n");
}

void AppendErrorstats(std::string* out, const InfoInputs& in) {
  out->append("# Errorstats\r\n");
  for (const auto& [code, count] : in.stats.errors()) {
    absl::StrAppend(out, "errorstat_", code, ":count=", count, "\r\n");
  }
  out->append("\r\n");
}

void AppendLatencystats(std::string* out, const InfoInputs& in) {
  out->append("# Latencystats\r\n");
  for (const auto& [name, s] : in.stats.commands()) {
    if (s.latency.count() == 0) continue;  // only rejected: Redis prints no line either
    absl::StrAppend(out, "latency_percentiles_usec_", name, ":",
                    absl::StrFormat("p50=%.3f,p99=%.3f,p99.9=%.3f", s.latency.Percentile(50),
                                    s.latency.Percentile(99), s.latency.Percentile(99.9)),
                    "\r\n");
  }
  out->append("\r\n");
}

void AppendCluster(std::string* out, const InfoInputs&) {
  out->append("# Cluster\r\ncluster_enabled:0\r\n\r\n");
}

// Redis estimates avg_ttl from the expiry cycle's samples; the expiry index gives it exactly,
// walking at most kTtlWalkMax keys per database so INFO stays cheap.
constexpr size_t kTtlWalkMax = 100'000;
int64_t AverageTtlMs(const state::Db& db, int64_t now_ms) {
  int64_t sum_ms = 0, n = 0;
  for (const auto& [expire_at_ms, key] : db.expiry_index()) {
    if (static_cast<size_t>(n) == kTtlWalkMax) break;
    sum_ms += std::max<int64_t>(0, expire_at_ms - now_ms);
    ++n;
  }
  return n ? sum_ms / n : 0;
}

void AppendKeyspace(std::string* out, const InfoInputs& in) {
  out->append("# Keyspace\r\n");
  for (int i = 0; i < state::kDatabaseCount; ++i) {
    const state::Db& db = in.state.db(i);
    if (db.size() == 0) continue;
    absl::StrAppend(out, "db", i, ":keys=", db.size(), ",expires=", db.expires(),
                    ",avg_ttl=", AverageTtlMs(db, in.now_ms), "\r\n");
  }
  out->append("\r\n");
}

using SectionWriter = void (*)(std::string*, const InfoInputs&);
SectionWriter WriterOf(std::string_view section) {
  static constexpr SectionWriter kWriters[] = {
      AppendServer,       AppendClients, AppendMemory,  AppendPersistence,  AppendStats,
      AppendReplication,  AppendCpu,     AppendModules, AppendCommandstats, AppendErrorstats,
      AppendLatencystats, AppendCluster, AppendKeyspace};
  for (size_t i = 0; i < std::size(kSectionOrder); ++i) {
    if (kSectionOrder[i] == section) return kWriters[i];
  }
  return nullptr;
}

}  // namespace

uint64_t UsedMemoryBytes() {
  // What the allocator handed out (Redis reports its allocator's figure too, and maxmemory is
  // measured against it), so fragmentation shows as the ratio to RSS.
  uint64_t used = ReadAllocatedBytes();
  return used != 0 ? used : RssBytes();
}

SnapshotInfo NewestSnapshot(io::FileSystem& fs, const std::string& dir) {
  SnapshotInfo info;
  auto listing = format::ScanDirectory(fs, dir);
  if (!listing.ok() || listing->snapshots.empty()) return info;
  const format::ParsedName& newest = listing->snapshots.back();
  struct stat st {};
  if (::stat((dir + "/" + newest.name).c_str(), &st) != 0) return info;
  info.found = true;
  info.lsn = newest.lsn_last;
  info.mtime_s = st.st_mtime;
  return info;
}

std::string ReplicationId(const format::DatasetId& dataset) {
  // The id's 32 hex digits, then 8 of its FNV-1a hash to reach Redis's 40.
  uint32_t hash = 2166136261u;
  for (uint8_t byte : dataset) hash = (hash ^ byte) * 16777619u;
  return absl::StrCat(format::DatasetIdHex(dataset), absl::Hex(hash, absl::kZeroPad8));
}

std::string RandomRunId() {
  std::random_device random;
  std::string id;
  for (int i = 0; i < 5; ++i) absl::StrAppend(&id, absl::Hex(random(), absl::kZeroPad8));
  return id;
}

std::vector<std::string_view> SelectInfoSections(const std::vector<std::string>& args) {
  bool everything = false, defaults = args.empty();
  std::vector<std::string_view> named;
  for (const std::string& a : args) {
    if (a == "all" || a == "everything")
      everything = true;
    else if (a == "default")
      defaults = true;
    else
      named.push_back(a);
  }
  std::vector<std::string_view> selected;
  for (std::string_view s : kSectionOrder) {
    bool want = everything || (defaults && InDefault(s)) ||
                std::find(named.begin(), named.end(), s) != named.end();
    if (want) selected.push_back(s);
  }
  return selected;
}

std::string InfoText(const std::vector<std::string>& args, const InfoInputs& in) {
  std::string out;
  for (std::string_view section : SelectInfoSections(args)) WriterOf(section)(&out, in);
  return out;
}

}  // namespace strongbox::engine
