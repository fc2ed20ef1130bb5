// Runs commands through Dispatch without a server: a fake ServerHooks (AUTH, read-only, WATCH),
// a sink that records every effect, and one state shared by the clients of a test.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "common/state/state.h"
#include "engine/commands/command.h"
#include "engine/commands/config_params.h"
#include "engine/commands/dispatcher.h"
#include "engine/protocol/resp_writer.h"

namespace strongbox::engine::testing {

class FakeServer final : public ServerHooks {
 public:
  std::string InfoSection(std::string_view) override { return "# Server\r\n\r\n"; }
  bool read_only() const override { return is_read_only; }
  std::string read_only_reason() const override { return "volume full"; }
  bool password_required() const override { return !password.empty(); }
  size_t connected_clients() const override { return 1; }
  std::string ClientList(const ClientFilter&) const override { return ""; }
  void TouchKey(uint8_t db, std::string_view key) override {
    for (auto& [client, wdb, wkey] : watches_) {
      if (wdb == db && wkey == key) client->watch_dirty = true;
    }
  }
  void TouchAll(int db) override {
    for (auto& [client, wdb, wkey] : watches_) {
      if (db < 0 || wdb == db) client->watch_dirty = true;
    }
  }
  void Watch(ClientSession& client, uint8_t db, std::string_view key) override {
    watches_.emplace_back(&client, db, std::string(key));
  }
  void UnwatchAll(ClientSession& client) override {
    std::erase_if(watches_, [&](const auto& w) { return std::get<0>(w) == &client; });
  }
  PubSubRegistry& pubsub() override { return pubsub_registry; }
  size_t Publish(PubSubKind kind, std::string_view channel, std::string_view message) override {
    published.emplace_back(std::string(channel), std::string(message));
    return pubsub_registry.ReceiversOf(kind, channel).size();
  }
  Monitors* monitors() override { return monitors_; }
  // The command layer's parameters, over the monitors a test gave (rows built on first use).
  ConfigRegistry* config_registry() override {
    if (!config_) {
      config_ = std::make_unique<ConfigRegistry>();
      AddCommandConfigParams(*config_, monitors_, nullptr);
    }
    return config_.get();
  }

  bool is_read_only = false;
  std::string password;  // empty: no AUTH needed
  PubSubRegistry pubsub_registry;
  std::vector<std::pair<std::string, std::string>> published;  // (channel, message)
  Monitors* monitors_ = nullptr;  // SLOWLOG/LATENCY state when a test gives one

 private:
  std::vector<std::tuple<ClientSession*, uint8_t, std::string>> watches_;
  std::unique_ptr<ConfigRegistry> config_;
};

struct Effect {
  uint8_t db;
  std::vector<std::string> argv;
  bool operator==(const Effect&) const = default;
};

class RecordingSink final : public EffectSink {
 public:
  using EffectSink::Emit;
  void Emit(uint8_t db, std::span<const std::string_view> argv) override {
    effects.push_back({db, std::vector<std::string>(argv.begin(), argv.end())});
  }
  std::vector<Effect> effects;
};

// One engine (state, server, sink) and as many clients as a test wants.
class Harness {
 public:
  // Dispatches one command for `client` and returns its reply bytes (RESP2 unless HELLO 3).
  std::string Run(ClientSession& client, std::vector<std::string> argv) {
    std::vector<std::string_view> views(argv.begin(), argv.end());
    std::string out;
    RespWriter writer(&out, client.protocol_version);
    CommandContext ctx{views, client, state, writer, sink, server, now_ms};
    Dispatch(ctx);
    return out;
  }
  std::string Run(std::vector<std::string> argv) { return Run(client, std::move(argv)); }

  state::State state;
  FakeServer server;
  RecordingSink sink;
  ClientSession client;
  int64_t now_ms = 1'000'000;
};

}  // namespace strongbox::engine::testing
