// The replica's connection to its primary, on its own thread: connect, handshake (AUTH,
// REPLCONF, PSYNC), receive the snapshot of a full resync (written to a file and loaded into a
// new State here, off the loop) and the records after it, checking each record's checksum and
// LSN. What it receives goes to the loop as events through a bounded queue and an eventfd; the
// loop applies and logs them (the one writer of state and log) and reports its durable LSN
// back, which this thread sends as REPLCONF ACK.
//
// Why a thread and not the io_uring loop: the link is one sequential conversation (handshake,
// then a stream) with a blocking snapshot load in it; on a thread it reads as a sequence, the
// load never stalls the loop, and the queue's byte bound turns a slow loop into TCP
// back-pressure on the primary.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/format/dataset_id.h"
#include "common/io/file_system.h"
#include "common/state/state.h"
#include "engine/replication/link_socket.h"

namespace strongbox::engine::replication {

struct LinkOptions {
  std::string host;
  int port = 0;
  std::string masteruser;
  std::string masterauth;
  int listening_port = 0;              // REPLCONF listening-port (the announced port when set)
  std::string announce_ip;             // REPLCONF ip-address when not empty
  std::string sync_dir;                // where the snapshot of a full resync is received
  int64_t timeout_ms = 60'000;         // no byte from the primary for this long: the link is down
  int64_t connect_timeout_ms = 5'000;  // TCP connect and TLS handshake
  SSL_CTX* tls_ctx = nullptr;  // --tls-replication yes: a client context (the link holds a ref)
};

struct LinkEvent {
  enum Kind { kContinue, kFullSync, kRecords, kDown } kind = kRecords;
  std::string history_id;               // kContinue, kFullSync
  uint64_t lsn = 0;                     // kFullSync: snapshot LSN; kRecords: last LSN
  std::string snapshot_path;            // kFullSync ("" = empty state)
  std::unique_ptr<state::State> state;  // kFullSync
  std::string bytes;                    // kRecords: whole records; kDown: why
  uint64_t records = 0;
};

class ReplicaLink {
 public:
  // `history_id` and `next_lsn`: where the replica's own log stands.
  // `notify_fd`: an eventfd the loop reads (not owned), written when events wait.
  ReplicaLink(io::FileSystem& fs, LinkOptions options, std::string history_id, uint64_t next_lsn,
              int notify_fd);
  ~ReplicaLink();  // stops and joins
  void Start();
  // Asks the thread to end without waiting: every socket wait, the retry pause and a full queue
  // give way at once; a snapshot being loaded finishes its load first. finished() says when the
  // destructor will not wait.
  void RequestStop();
  bool finished() const { return finished_.load(); }

  // Loop side.
  std::deque<LinkEvent> TakeEvents();
  void ReportDurable(uint64_t lsn);

  bool link_up() const { return link_up_.load(); }
  bool sync_in_progress() const { return syncing_.load(); }
  int64_t last_io_ms() const { return last_io_ms_.load(); }
  const LinkOptions& options() const { return options_; }
  uint64_t full_syncs() const { return full_syncs_.load(); }
  uint64_t partial_syncs() const { return partial_syncs_.load(); }

 private:
  void Run();
  // One connection's life; returns why it ended.
  absl::Status Session();
  absl::Status Handshake();
  absl::Status ReceiveSnapshot(const std::string& history_id, uint64_t lsn);
  absl::Status Stream();
  // Each waits for bytes (sending ACKs meanwhile) up to the timeout.
  absl::Status Fill();
  absl::Status ReadLine(std::string* line);
  absl::Status ReadBytes(size_t n, std::string* out);
  absl::Status SendCommand(std::initializer_list<std::string_view> argv);
  absl::Status MaybeSendAck(bool force);
  void Push(LinkEvent event);
  void SleepUnlessStopped(int64_t ms);

  io::FileSystem& fs_;
  LinkOptions options_;
  std::string history_id_;  // this thread's view: updated as the primary answers
  uint64_t next_lsn_;
  int event_fd_ = -1;  // thread → loop: events queued (the loop's)
  int wake_fd_ = -1;   // loop → thread: a new durable LSN to ACK, or stop
  std::atomic<bool> stop_{false};
  LinkSocket sock_;  // after wake_fd_ and stop_, which it watches
  std::string buf_;
  size_t buf_pos_ = 0;
  uint64_t acked_ = 0;
  int64_t last_ack_ms_ = 0;

  std::mutex mu_;
  std::condition_variable room_;
  std::deque<LinkEvent> events_;
  size_t queued_bytes_ = 0;

  std::atomic<bool> finished_{false};
  std::atomic<bool> link_up_{false};
  std::atomic<bool> syncing_{false};
  std::atomic<int64_t> last_io_ms_{0};
  std::atomic<uint64_t> durable_{0};
  std::atomic<uint64_t> full_syncs_{0};
  std::atomic<uint64_t> partial_syncs_{0};
  std::thread thread_;
};

}  // namespace strongbox::engine::replication
