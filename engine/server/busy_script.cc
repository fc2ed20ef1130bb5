// A script past busy-reply-threshold (Redis 7.0): from the Lua hook, about every 100 ms, the
// server polls its ring once without blocking and serves what it safely can. New connections
// are accepted; other clients' commands are answered, not run: -BUSY, except SCRIPT KILL /
// FUNCTION KILL (stop a script that has not written) and SHUTDOWN NOSAVE (exit). Everything
// else that completes — log writes and syncs, timers, signals, input that closes a connection,
// a send after which input could resume — is deferred to the loop, which runs it after the script:
// nothing is flushed, released or freed out of order while a record is open.
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "common/util/ascii.h"
#include "engine/protocol/resp_parser.h"
#include "engine/server/log_line.h"
#include "engine/server/server.h"

namespace strongbox::engine {
namespace {

constexpr std::string_view kBusyScript =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
constexpr std::string_view kBusyFunction =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
constexpr std::string_view kUnkillable =
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
    "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
    "NOSAVE command.";

}  // namespace

bool Server::ServeWhileScriptBusy(bool is_function, bool wrote) {
  busy_.is_function = is_function;
  busy_.wrote = wrote;
  busy_.kill_requested = false;
  ring_.WaitAndDrain(false, [this](OpType type, uint64_t id, int res, uint32_t flags) {
    OnBusyCompletion(type, id, res, flags);
  });
  SubmitSends();  // only what the gate already released, plus the BUSY replies
  return busy_.kill_requested;
}

void Server::OnBusyCompletion(OpType type, uint64_t id, int res, uint32_t flags) {
  if (type == OpType::kAccept) return OnAccept(id, res, flags);
  if (type == OpType::kRecv && res > 0) {
    auto it = conns_.find(id);
    if (it != conns_.end()) {
      Conn& c = *it->second;
      if (c.id != busy_.conn_id) return OnBusyRecv(c, res);
      // The script's own client: its bytes landed after what is being parsed; the loop that
      // runs the script reads them next (and arms the next receive). TLS input is decrypted
      // then: growing c.in now would move the arguments the script runs with.
      c.recv_armed = false;
      (void)TakeReceived(c, static_cast<size_t>(res), /*decrypt=*/false);
      return;
    }
  }
  if (type == OpType::kSend && res >= 0) {
    // Sends go on (the BUSY replies follow them); what may start input waits for the loop.
    auto it = conns_.find(id);
    if (it != conns_.end() && !it->second->session.close_after_reply && !it->second->parse_paused) {
      if (AdvanceSend(*it->second, res)) replies_.QueueSend(*it->second);
      return;
    }
  }
  deferred_.push_back({type, id, res, flags});
}

void Server::OnBusyRecv(Conn& c, int res) {
  c.recv_armed = false;
  if (!TakeReceived(c, static_cast<size_t>(res), /*decrypt=*/true)) {
    deferred_.push_back({OpType::kRecv, c.id, 0, 0});  // the loop closes it, as at end of input
    return;
  }
  // A client that cannot take a command now keeps its input for after the script.
  if (!c.blocked && !c.closing && !c.parse_paused && !c.input_backlog) {
    std::vector<std::string_view> argv;
    size_t pos = c.in_pos;
    while (pos < c.in_len) {
      ParseResult r = ParseCommand({c.in.data() + pos, c.in_len - pos}, limits_, &argv);
      if (r.status != ParseStatus::kOk) break;  // incomplete or bad: the loop deals with it
      pos += r.consumed;
      if (!argv.empty()) AnswerWhileBusy(c, argv);
    }
    CompactInput(c, pos);
  }
  ArmRecv(c);
}

void Server::AnswerWhileBusy(Conn& c, std::span<const std::string_view> argv) {
  auto is = [&](size_t i, std::string_view word) {
    return argv.size() > i && EqualsIgnoreCase(argv[i], word);
  };
  RespWriter reply(&c.out, c.session.protocol_version);
  if (argv.size() == 2 && is(0, "shutdown") && is(1, "nosave")) {
    LogLine("SHUTDOWN NOSAVE while a script is busy: exiting without waiting for it");
    std::fflush(nullptr);
    ::_exit(0);
  }
  bool script_kill = argv.size() == 2 && is(0, "script") && is(1, "kill");
  bool function_kill = argv.size() == 2 && is(0, "function") && is(1, "kill");
  if ((script_kill && busy_.is_function) || (function_kill && !busy_.is_function)) {
    // Redis: SCRIPT KILL does not stop a function, nor FUNCTION KILL a script.
    reply.Error(busy_.is_function ? kBusyFunction : kBusyScript);
  } else if (script_kill || function_kill) {
    if (busy_.wrote) {
      reply.Error(kUnkillable);
    } else {
      busy_.kill_requested = true;
      reply.SimpleString("OK");
    }
  } else {
    reply.Error(busy_.is_function ? kBusyFunction : kBusyScript);
  }
  // Depends on nothing the script does: only on what is already durable.
  TagStateless(c);
}

void Server::RunDeferredCompletions() {
  std::vector<DeferredCompletion> deferred;
  deferred.swap(deferred_);
  for (const DeferredCompletion& d : deferred) {
    if ((d.type == OpType::kRecv || d.type == OpType::kSend) && !conns_.contains(d.id)) continue;
    OnCompletion(d.type, d.id, d.res, d.flags);
  }
}

}  // namespace strongbox::engine
