// Where library code sends its log lines: each binary passes its own stderr writer.
#pragma once

#include <functional>
#include <string>

namespace strongbox {

using LogFn = std::function<void(const std::string&)>;

}  // namespace strongbox
