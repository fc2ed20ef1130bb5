// Stub: the categories the flags imply (@write, @read, @fast/@slow, @admin + @dangerous,
// @blocking). The per-family ones (@string, @list...) come with engine/acl/.
#include "engine/commands/acl_categories.h"

namespace strongbox::engine {

std::vector<std::string_view> AclCategoriesOf(const CommandSpec& spec) {
  std::vector<std::string_view> out;
  if (spec.flags & kWrite) out.push_back("@write");
  if (spec.flags & kReadonly) out.push_back("@read");
  out.push_back((spec.flags & kFast) ? "@fast" : "@slow");
  if (spec.flags & kAdmin) {
    out.push_back("@admin");
    out.push_back("@dangerous");
  }
  if (spec.flags & kMayBlock) out.push_back("@blocking");
  return out;
}

}  // namespace strongbox::engine
