// One client connection: its socket, input buffer, replies (held until durable, then sent) and
// the command session. Owned by the server's connection map; never moves once created.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/commands/command.h"
#include "engine/server/tls_session.h"

namespace strongbox::engine {

struct Conn {
  uint64_t id = 0;
  int fd = -1;
  ClientSession session;
  std::string in;  // received bytes; [0, in_len) valid
  size_t in_len = 0;
  size_t in_pos = 0;  // parsed up to here (compacted away once no receive is in flight)
  // Replies not yet handed to the kernel. The prefix [0, out_sendable) may leave now; the rest
  // waits in `holds`, in order (see reply_gate.h).
  std::string out;
  size_t out_sendable = 0;
  struct Held {
    uint64_t lsn;             // the LSN its bytes depend on
    size_t end;               // end offset in out
    bool waits_for_replicas;  // released by --min-replicas-ack's LSN, else by local durability
  };
  std::deque<Held> holds;
  uint64_t lsn_released = 0;  // highest LSN tag of the bytes made sendable
  std::string sending;        // bytes of the send in flight (stable for io_uring)
  size_t sending_off = 0;
  bool recv_armed = false;
  bool send_armed = false;
  bool closing = false;
  bool queued_for_send = false;
  bool in_held_list = false;
  bool parse_paused = false;  // output too large: stop reading until it drains
  bool blocked = false;       // parked by a blocking command; input waits in `in`
  bool paused = false;        // its next command waits for CLIENT PAUSE to end
  // Its turn's share of commands ran with more parsed input left: it goes on next turn (in the
  // server's backlog), after every other connection's completions.
  bool input_backlog = false;
  std::vector<std::string> blocked_argv;
  int64_t pubsub_soft_limit_since_ms = 0;  // when its output went above the soft limit; 0 = not
  // Accepted on the TLS port: receives land in its buffer and are decrypted into `in`;
  // `sending` holds ciphertext (tls_io.cc).
  std::unique_ptr<TlsSession> tls;

  // Output not yet taken by the kernel: what the output buffer limits measure.
  // (sending_off is only reset by the next send: past a finished one it may exceed sending.)
  size_t unsent_bytes() const {
    return out.size() + (sending_off < sending.size() ? sending.size() - sending_off : 0);
  }

  bool has_unsent_replies() const { return out_sendable > 0 || !holds.empty(); }
};

using ConnMap = absl::flat_hash_map<uint64_t, std::unique_ptr<Conn>>;

}  // namespace strongbox::engine
