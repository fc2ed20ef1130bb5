// PrimaryFeeds: attaching replicas, the per-turn pump, acknowledgements.
#include "engine/replication/primary_feeds.h"

#include <algorithm>
#include <functional>

#include "absl/strings/str_cat.h"
#include "engine/replication/replication_protocol.h"

namespace strongbox::engine::replication {

namespace {

constexpr size_t kWindowBytes = 1u << 20;   // unsent output above this: the peer waits
constexpr size_t kChunkBytes = 256u << 10;  // read per peer per turn
constexpr int64_t kPingEveryMs = 1000;

}  // namespace

absl::Status PrimaryFeeds::Attach(uint64_t conn_id, std::string ip, int listening_port,
                                  uint64_t next_lsn, const std::string& snapshot_path,
                                  int64_t now_ms, bool pending) {
  auto peer = std::make_unique<ReplicaPeer>();
  peer->conn_id = conn_id;
  peer->ip = std::move(ip);
  peer->listening_port = listening_port;
  peer->ack_lsn = next_lsn - 1;
  peer->ack_ms = now_ms;
  peer->last_send_ms = now_ms;
  peer->cursor = std::make_unique<SegmentCursor>(fs_, dir_, archive_dir_, next_lsn);
  peer->snapshot_lsn = next_lsn - 1;
  if (pending) {
    peer->pending_snapshot = snapshot_path;
  } else if (!snapshot_path.empty()) {
    if (auto s = OpenSnapshot(*peer, snapshot_path); !s.ok()) return s;
  }
  std::erase_if(peers_, [&](const auto& p) { return p->conn_id == conn_id; });
  peers_.push_back(std::move(peer));
  return absl::OkStatus();
}

absl::Status PrimaryFeeds::OpenSnapshot(ReplicaPeer& peer, const std::string& path) {
  auto file = fs_.Open(path, io::FileSystem::OpenMode::kRead);
  if (!file.ok()) return file.status();
  auto size = (*file)->Size();
  if (!size.ok()) return size.status();
  peer.snapshot = std::move(*file);
  peer.snapshot_bytes = *size;
  return absl::OkStatus();
}

void PrimaryFeeds::SnapshotWritten(const std::string& path, bool ok) {
  for (auto& p : peers_) {
    if (p->pending_snapshot != path) continue;
    p->pending_snapshot.clear();
    p->snapshot_failed = !ok || !OpenSnapshot(*p, path).ok();
  }
}

void PrimaryFeeds::Ack(uint64_t conn_id, uint64_t lsn, int64_t now_ms) {
  for (auto& p : peers_) {
    if (p->conn_id != conn_id) continue;
    p->ack_lsn = std::max(p->ack_lsn, lsn);
    p->ack_ms = now_ms;
  }
}

const ReplicaPeer* PrimaryFeeds::Find(uint64_t conn_id) const {
  for (const auto& p : peers_) {
    if (p->conn_id == conn_id) return p.get();
  }
  return nullptr;
}

bool PrimaryFeeds::Feed(ReplicaPeer& peer, Conn& c, uint64_t lsn_durable, int64_t now_ms) {
  size_t before = c.out.size();
  if (peer.snapshot_failed) return false;
  if (!peer.pending_snapshot.empty() ||
      (peer.snapshot != nullptr && peer.snapshot_lsn > lsn_durable)) {
    // Still being written, or not durable yet: only the heartbeat below.
  } else if (peer.snapshot != nullptr) {
    if (peer.snapshot_offset == 0) c.out += BulkHeader(peer.snapshot_bytes);
    uint64_t left = peer.snapshot_bytes - peer.snapshot_offset;
    if (left > 0) {
      auto chunk =
          peer.snapshot->ReadAt(peer.snapshot_offset, std::min<uint64_t>(left, kChunkBytes));
      if (!chunk.ok() || chunk->empty()) return false;
      c.out += *chunk;
      peer.snapshot_offset += chunk->size();
    }
    if (peer.snapshot_offset == peer.snapshot_bytes) {
      c.out += "\r\n";
      peer.snapshot.reset();
    }
  } else {
    std::string records;
    auto n = peer.cursor->Read(lsn_durable, kChunkBytes, &records);
    if (!n.ok()) return false;
    if (*n > 0) c.out += absl::StrCat(BulkHeader(records.size()), records, "\r\n");
  }
  if (c.out.size() == before && now_ms - peer.last_send_ms >= kPingEveryMs) c.out += kPingLine;
  if (c.out.size() != before) peer.last_send_ms = now_ms;
  return true;
}

void PrimaryFeeds::Pump(ConnMap& conns, uint64_t lsn_durable, int64_t now_ms,
                        const std::function<void(Conn&)>& sendable,
                        const std::function<void(Conn&)>& close) {
  std::vector<uint64_t> gone;
  for (auto& peer : peers_) {
    auto it = conns.find(peer->conn_id);
    if (it == conns.end() || it->second->closing) {
      gone.push_back(peer->conn_id);
      continue;
    }
    Conn& c = *it->second;
    if (c.unsent_bytes() >= kWindowBytes) continue;
    size_t before = c.out.size();
    if (!Feed(*peer, c, lsn_durable, now_ms)) {
      gone.push_back(peer->conn_id);
      close(c);
      continue;
    }
    if (c.out.size() != before) sendable(c);
  }
  std::erase_if(peers_, [&](const auto& p) {
    return std::find(gone.begin(), gone.end(), p->conn_id) != gone.end();
  });
}

std::vector<uint64_t> PrimaryFeeds::DropAll() {
  std::vector<uint64_t> ids;
  for (const auto& p : peers_) ids.push_back(p->conn_id);
  peers_.clear();
  return ids;
}

int PrimaryFeeds::CountAcked(uint64_t lsn) const {
  int n = 0;
  for (const auto& p : peers_) n += p->online() && p->ack_lsn >= lsn ? 1 : 0;
  return n;
}

uint64_t PrimaryFeeds::AckedByAtLeast(int n) const {
  std::vector<uint64_t> acks;
  for (const auto& p : peers_) {
    if (p->online()) acks.push_back(p->ack_lsn);
  }
  if (n <= 0 || static_cast<size_t>(n) > acks.size()) return 0;
  std::nth_element(acks.begin(), acks.begin() + (n - 1), acks.end(), std::greater<>());
  return acks[n - 1];
}

int PrimaryFeeds::CountGood(int64_t now_ms, int64_t max_lag_s) const {
  int n = 0;
  for (const auto& p : peers_) n += p->online() && now_ms - p->ack_ms <= max_lag_s * 1000 ? 1 : 0;
  return n;
}

std::vector<PeerInfo> PrimaryFeeds::Peers(int64_t now_ms) const {
  std::vector<PeerInfo> out;
  for (const auto& p : peers_) {
    out.push_back(PeerInfo{p->ip, p->listening_port, p->online(), p->ack_lsn,
                           std::max<int64_t>(0, (now_ms - p->ack_ms) / 1000)});
  }
  return out;
}

}  // namespace strongbox::engine::replication
