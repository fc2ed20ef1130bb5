// The primary's side of every replica link: which connections are replicas, what each has
// acknowledged, and the pump that moves their stream forward (the snapshot of a full resync,
// then records read from the segments) a bounded amount per loop turn, only while the
// connection's unsent output is under a window — a slow replica costs a file position, never
// the loop's time or memory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/io/file_system.h"
#include "engine/replication/segment_cursor.h"
#include "engine/server/connection.h"

namespace strongbox::engine::replication {

struct ReplicaPeer {
  uint64_t conn_id = 0;
  std::string ip;
  int listening_port = 0;
  uint64_t ack_lsn = 0;
  int64_t ack_ms = 0;
  int64_t last_send_ms = 0;
  // Full resync: the snapshot file's bytes go first ("send_bulk"), then the records. A snapshot
  // of state not durable yet waits until it is (the replica never holds what could be lost).
  std::unique_ptr<io::File> snapshot;
  // A snapshot still being written (sync_snapshot.h): the peer gets heartbeats until it exists.
  std::string pending_snapshot;
  bool snapshot_failed = false;  // it could not be written: the peer is closed and resyncs
  uint64_t snapshot_lsn = 0;
  uint64_t snapshot_offset = 0;
  uint64_t snapshot_bytes = 0;
  std::unique_ptr<SegmentCursor> cursor;
  bool online() const { return snapshot == nullptr && pending_snapshot.empty(); }
};

struct PeerInfo {
  std::string ip;
  int port = 0;
  bool online = false;
  uint64_t ack_lsn = 0;
  int64_t lag_s = 0;
};

class PrimaryFeeds {
 public:
  PrimaryFeeds(io::FileSystem& fs, std::string dir, std::string archive_dir)
      : fs_(fs), dir_(std::move(dir)), archive_dir_(std::move(archive_dir)) {}

  // The connection answered PSYNC: from now on it receives `snapshot_path`'s bytes (if not
  // empty; one bulk) and then records from next_lsn. ip and port as REPLCONF told them.
  // `pending`: the snapshot is still being written; SnapshotWritten says when it is.
  absl::Status Attach(uint64_t conn_id, std::string ip, int listening_port, uint64_t next_lsn,
                      const std::string& snapshot_path, int64_t now_ms, bool pending = false);
  // The pending snapshot at `path` is complete (`ok`) or could not be written.
  void SnapshotWritten(const std::string& path, bool ok);
  void Ack(uint64_t conn_id, uint64_t lsn, int64_t now_ms);
  bool IsPeer(uint64_t conn_id) const { return Find(conn_id) != nullptr; }

  // Appends each peer's next bytes to its connection's output; `sendable` makes them leave.
  // Peers whose connection is gone are dropped; a peer whose records are gone (or damaged) is
  // closed through `close` (it reconnects and resyncs).
  void Pump(ConnMap& conns, uint64_t lsn_durable, int64_t now_ms,
            const std::function<void(Conn&)>& sendable, const std::function<void(Conn&)>& close);
  // Drops every peer (their connections are closed by the caller).
  std::vector<uint64_t> DropAll();

  // Peers online whose acknowledged LSN reaches `lsn`.
  int CountAcked(uint64_t lsn) const;
  // The highest LSN that at least `n` online peers acknowledged (0 if fewer peers).
  uint64_t AckedByAtLeast(int n) const;
  // Online peers whose last ACK is at most `max_lag_s` seconds old.
  int CountGood(int64_t now_ms, int64_t max_lag_s) const;
  std::vector<PeerInfo> Peers(int64_t now_ms) const;

 private:
  const ReplicaPeer* Find(uint64_t conn_id) const;
  absl::Status OpenSnapshot(ReplicaPeer& peer, const std::string& path);
  // Moves one peer forward; false when it must be closed.
  bool Feed(ReplicaPeer& peer, Conn& c, uint64_t lsn_durable, int64_t now_ms);

  io::FileSystem& fs_;
  std::string dir_;
  std::string archive_dir_;
  std::vector<std::unique_ptr<ReplicaPeer>> peers_;
};

}  // namespace strongbox::engine::replication
