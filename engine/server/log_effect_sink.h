// Effects of the command being executed go straight into the log's pending record.
#pragma once

#include "engine/commands/command.h"
#include "engine/durability/durable_log.h"

namespace strongbox::engine {

class LogEffectSink final : public EffectSink {
 public:
  explicit LogEffectSink(DurableLog& log) : log_(log) {}
  void Emit(uint8_t db, std::span<const std::string_view> argv) override {
    log_.builder().AddOp(db, argv);
  }

 private:
  DurableLog& log_;
};

}  // namespace strongbox::engine
