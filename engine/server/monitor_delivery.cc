// MONITOR delivery: once a command has run, its line goes to every monitoring connection and
// leaves like a Pub/Sub message (ReleaseDeliveries: in order, behind earlier replies). Admin
// commands (CONFIG, DEBUG, ...) and unknown ones are not shown, as in Redis.
#include <sys/time.h>

#include <algorithm>

#include "engine/commands/command_registry.h"
#include "engine/commands/monitor_feed.h"
#include "engine/server/server.h"

namespace strongbox::engine {

void Server::FeedMonitors(const Conn& c, std::span<const std::string_view> argv) {
  const CommandSpec* spec = FindCommand(argv[0]);
  if (spec == nullptr || (spec->flags & kAdmin)) return;
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  int64_t now_us = static_cast<int64_t>(tv.tv_sec) * 1'000'000 + tv.tv_usec;
  std::string line = MonitorLine(now_us, c.session.db, c.session.address, argv);
  std::erase_if(monitor_ids_, [&](uint64_t id) {
    auto it = conns_.find(id);
    if (it == conns_.end() || it->second->closing) return true;  // gone: forget it
    if (id == c.id) return false;  // a monitor's own commands are not echoed to it
    RespWriter w(&it->second->out, it->second->session.protocol_version);
    w.SimpleString(line);
    delivered_to_.push_back(id);
    return false;
  });
}

}  // namespace strongbox::engine
