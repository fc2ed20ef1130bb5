// SORT and SORT_RO with Redis 7.0's semantics. Elements are copied out of the source before
// anything is written, so STORE onto the sorted key itself is safe; STORE is logged as a DEL of
// the destination and one RPUSH of the result (an empty result leaves no key).
#include "engine/commands/sort_command.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/commands/command_util.h"

namespace strongbox::engine {
namespace {

struct SortOptions {
  std::optional<std::string_view> by;  // a pattern holding '*'
  bool dontsort = false;               // BY a pattern without '*' (BY nosort)
  bool desc = false;
  bool alpha = false;
  int64_t limit_start = 0;
  int64_t limit_count = -1;
  std::optional<std::string_view> store;
  std::vector<std::string_view> gets;
};

bool ParseSortOptions(CommandContext& ctx, bool readonly, SortOptions* o) {
  for (size_t j = 2; j < ctx.argv.size(); ++j) {
    std::string_view arg = ctx.argv[j];
    size_t left = ctx.argv.size() - j - 1;
    if (EqualsIgnoreCase(arg, "asc")) {
      o->desc = false;
    } else if (EqualsIgnoreCase(arg, "desc")) {
      o->desc = true;
    } else if (EqualsIgnoreCase(arg, "alpha")) {
      o->alpha = true;
    } else if (EqualsIgnoreCase(arg, "limit") && left >= 2) {
      auto start = ParseInt(ctx.argv[j + 1]), count = ParseInt(ctx.argv[j + 2]);
      if (!start || !count) {
        ctx.reply.Error(kErrNotInteger);
        return false;
      }
      o->limit_start = *start;
      o->limit_count = *count;
      j += 2;
    } else if (!readonly && EqualsIgnoreCase(arg, "store") && left >= 1) {
      o->store = ctx.argv[++j];
    } else if (EqualsIgnoreCase(arg, "by") && left >= 1) {
      o->by = ctx.argv[++j];
      o->dontsort = o->by->find('*') == std::string_view::npos;
    } else if (EqualsIgnoreCase(arg, "get") && left >= 1) {
      o->gets.push_back(ctx.argv[++j]);
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' takes the
// element and "->field" after it reads a hash field. Only a string (or the field) is a value.
std::optional<std::string_view> ByPattern(CommandContext& ctx, std::string_view pattern,
                                          std::string_view element) {
  if (pattern == "#") return element;
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  size_t key_end = pattern.size();
  std::optional<std::string_view> field;
  size_t arrow = pattern.find("->", star + 1);
  if (arrow != std::string_view::npos && arrow + 2 < pattern.size()) {
    field = pattern.substr(arrow + 2);
    key_end = arrow;
  }
  std::string key(pattern.substr(0, star));
  key.append(element);
  key.append(pattern.substr(star + 1, key_end - star - 1));
  const state::Entry* e = LookupRead(ctx, key);
  if (e == nullptr) return std::nullopt;
  if (field) return e->hash() ? e->hash()->Get(*field) : std::nullopt;
  return e->str();
}

// The elements in their natural order: a list's, a sorted set's by score (both reversed by
// DESC, which Redis applies there when nothing is sorted), a set's iteration order.
std::vector<std::string> LoadElements(const state::Entry* e, bool desc) {
  std::vector<std::string> out;
  if (e == nullptr) return out;
  if (const auto* l = e->list()) {
    for (size_t i = 0; i < l->size(); ++i) out.emplace_back((*l)[i]);
  } else if (const auto* z = e->zset()) {
    z->Walk(false, [&](double, std::string_view m) {
      out.emplace_back(m);
      return true;
    });
  } else {
    for (const auto& m : *e->set()) out.push_back(m);
  }
  if (desc && e->set() == nullptr) std::reverse(out.begin(), out.end());
  return out;
}

struct SortItem {
  std::string value;
  double score = 0;                // numeric sort
  std::optional<std::string> cmp;  // ALPHA with BY: the value read through the pattern
};

// Redis parses scores with strtod: leading spaces, hex and inf are fine, trailing bytes, NaN
// and out-of-range values are not.
bool SortScore(std::string_view text, double* score) {
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  *score = std::strtod(copy.c_str(), &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*score);
}

int Compare(const SortItem& a, const SortItem& b, const SortOptions& o) {
  if (!o.alpha) {
    if (a.score != b.score) return a.score < b.score ? -1 : 1;
    return a.value.compare(b.value);  // equal scores: a deterministic order, as Redis
  }
  if (!o.by) return a.value.compare(b.value);
  if (!a.cmp || !b.cmp) return a.cmp == b.cmp ? 0 : (a.cmp ? 1 : -1);
  return a.cmp->compare(*b.cmp);
}

// Sorts `items` as SORT's options say; false when a score is not a number.
bool SortItems(CommandContext& ctx, const SortOptions& o, std::vector<SortItem>* items) {
  bool scores_ok = true;
  for (SortItem& it : *items) {
    std::optional<std::string_view> by = it.value;
    if (o.by) by = ByPattern(ctx, *o.by, it.value);
    if (!by) continue;  // a missing BY value sorts as 0 (or first, with ALPHA)
    if (o.alpha) {
      if (o.by) it.cmp = std::string(*by);
    } else if (!SortScore(*by, &it.score)) {
      scores_ok = false;
    }
  }
  std::stable_sort(items->begin(), items->end(), [&](const SortItem& a, const SortItem& b) {
    int c = Compare(a, b, o);
    return o.desc ? c > 0 : c < 0;
  });
  return scores_ok;
}

// Redis's LIMIT clamping: the output is [*start, *end] of the `n` elements (possibly empty).
void SortRange(const SortOptions& o, int64_t n, int64_t* start, int64_t* end) {
  *start = std::min(std::max<int64_t>(o.limit_start, 0), n);
  int64_t count = std::min(std::max<int64_t>(o.limit_count, -1), n);
  *end = count < 0 ? n - 1 : *start + count - 1;
  if (*start >= n) {
    *start = n - 1;
    *end = n - 2;
  }
  if (*end >= n) *end = n - 1;
}

// The values SORT outputs: the element, or one per GET (nullopt where the pattern finds none).
std::vector<std::optional<std::string>> Output(CommandContext& ctx, const SortOptions& o,
                                               const std::vector<SortItem>& items, int64_t start,
                                               int64_t end) {
  std::vector<std::optional<std::string>> out;
  for (int64_t j = start; j <= end; ++j) {
    const std::string& value = items[static_cast<size_t>(j)].value;
    if (o.gets.empty()) out.emplace_back(value);
    for (std::string_view pattern : o.gets) {
      auto v = ByPattern(ctx, pattern, value);
      out.push_back(v ? std::optional<std::string>(*v) : std::nullopt);
    }
  }
  return out;
}

void Store(CommandContext& ctx, std::string_view dst,
           const std::vector<std::optional<std::string>>& out) {
  if (CurrentDb(ctx).FindRaw(dst) != nullptr) Apply(ctx, {"DEL", dst});
  if (!out.empty()) {
    std::vector<std::string_view> effect{"RPUSH", dst};
    effect.reserve(out.size() + 2);
    for (const auto& v : out) effect.push_back(v ? std::string_view(*v) : std::string_view());
    Apply(ctx, effect);
  }
  ctx.reply.Integer(static_cast<int64_t>(out.size()));
}

void SortGeneric(CommandContext& ctx, bool readonly) {
  SortOptions o;
  if (!ParseSortOptions(ctx, readonly, &o)) return;
  const state::Entry* e = LookupRead(ctx, ctx.argv[1]);
  if (e != nullptr && !e->list() && !e->set() && !e->zset()) {
    return ctx.reply.Error(kErrWrongType);
  }
  // An unsorted set would store (or log) its hash order: Redis sorts it as ALPHA instead.
  if (o.dontsort && e != nullptr && e->set() && o.store) {
    o.dontsort = false;
    o.alpha = true;
    o.by.reset();
  }
  std::vector<SortItem> items;
  for (std::string& v : LoadElements(e, o.dontsort && o.desc)) {
    items.push_back(SortItem{std::move(v), 0, std::nullopt});
  }
  if (!o.dontsort && !SortItems(ctx, o, &items)) {
    return ctx.reply.Error("ERR One or more scores can't be converted into double");
  }
  int64_t start = 0, end = 0;
  SortRange(o, static_cast<int64_t>(items.size()), &start, &end);
  auto out = Output(ctx, o, items, start, end);
  if (o.store) return Store(ctx, *o.store, out);
  ctx.reply.ArrayHeader(static_cast<int64_t>(out.size()));
  for (const auto& v : out) v ? ctx.reply.Bulk(*v) : ctx.reply.Null();
}

void Sort(CommandContext& ctx) { SortGeneric(ctx, false); }
void SortRo(CommandContext& ctx) { SortGeneric(ctx, true); }

}  // namespace

void RegisterSortCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"sort", -2, kWrite | kDenyOom, 1, 1, 1, Sort});
  r.Add({"sort_ro", -2, kReadonly, 1, 1, 1, SortRo});
}

}  // namespace strongbox::engine
