// What OBJECT, MEMORY USAGE and DEBUG OBJECT say about a value (admin_commands.cc).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/state/state.h"

namespace strongbox::engine {

// The encoding name Redis would report for the value's representation.
std::string_view ObjectEncoding(const state::Entry& e);
// Bytes the entry takes: its node, its table slot and what its value holds on the heap.
int64_t ObjectMemoryUsage(const state::Entry& e);

}  // namespace strongbox::engine
