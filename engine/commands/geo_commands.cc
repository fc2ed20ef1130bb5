// Geo commands (Redis 7.0). A geo set is a sorted set whose scores are 52-bit geohashes
// (geohash.h), so every sorted-set command works on it. GEOADD is ZADD with computed scores
// (its effect is that ZADD's); GEOSEARCHSTORE and GEORADIUS STORE log the stored set as a DEL
// and a ZADD of absolute scores. Argument checks run in Redis's order, so that the first error
// a malformed command meets is the one Redis replies.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/geohash.h"
#include "engine/commands/partial_quicksort.h"

namespace strongbox::engine {
namespace {

using geo::LonLat;
using geo::Shape;
using state::ValueType;
using state::ZSetValue;

// Reads argv[at], argv[at + 1] as longitude, latitude.
bool ParseLonLat(CommandContext& ctx, size_t at, LonLat* p) {
  auto lon = ParseDouble(ctx.argv[at]);
  if (!lon) return ctx.reply.Error(kErrNotFloat), false;
  auto lat = ParseDouble(ctx.argv[at + 1]);
  if (!lat) return ctx.reply.Error(kErrNotFloat), false;
  *p = LonLat{*lon, *lat};
  if (geo::ValidLonLat(*p)) return true;
  ctx.reply.Error(absl::StrFormat("ERR invalid longitude,latitude pair %f,%f", *lon, *lat));
  return false;
}

// Metres per unit, or 0 after the error reply.
double ParseUnit(CommandContext& ctx, std::string_view unit) {
  if (EqualsIgnoreCase(unit, "m")) return 1;
  if (EqualsIgnoreCase(unit, "km")) return 1000;
  if (EqualsIgnoreCase(unit, "ft")) return 0.3048;
  if (EqualsIgnoreCase(unit, "mi")) return 1609.34;
  ctx.reply.Error("ERR unsupported unit provided. please use M, KM, FT, MI");
  return 0;
}

// A non-negative number with Redis's own error text when it is not one.
bool ParseLength(CommandContext& ctx, std::string_view arg, std::string_view not_numeric,
                 double* out) {
  auto v = ParseDouble(arg);
  if (!v) return ctx.reply.Error(not_numeric), false;
  *out = *v;
  return true;
}

// "radius unit" at argv[at].
bool ParseRadius(CommandContext& ctx, size_t at, Shape* s) {
  if (!ParseLength(ctx, ctx.argv[at], "ERR need numeric radius", &s->radius)) return false;
  if (s->radius < 0) return ctx.reply.Error("ERR radius cannot be negative"), false;
  s->box = false;
  s->to_m = ParseUnit(ctx, ctx.argv[at + 1]);
  return s->to_m > 0;
}

// "width height unit" at argv[at].
bool ParseBox(CommandContext& ctx, size_t at, Shape* s) {
  if (!ParseLength(ctx, ctx.argv[at], "ERR need numeric width", &s->width) ||
      !ParseLength(ctx, ctx.argv[at + 1], "ERR need numeric height", &s->height)) {
    return false;
  }
  if (s->height < 0 || s->width < 0) {
    return ctx.reply.Error("ERR height or width cannot be negative"), false;
  }
  s->box = true;
  s->to_m = ParseUnit(ctx, ctx.argv[at + 2]);
  return s->to_m > 0;
}

bool MemberPos(CommandContext& ctx, const ZSetValue& z, std::string_view member, LonLat* p) {
  auto score = z.Score(member);
  if (!score) return ctx.reply.Error("ERR could not decode requested zset member"), false;
  *p = geo::DecodeScore(*score);
  return true;
}

// Redis prints distances with 4 decimals, rounding d * 10^4 to the nearest integer (llrint).
std::string FormatDistance(double d) {
  if (d == 0) return "0.0000";
  long long scaled = std::llrint(d * 10000.0);
  unsigned long long mag = scaled < 0 ? 0ULL - static_cast<unsigned long long>(scaled)
                                      : static_cast<unsigned long long>(scaled);
  return absl::StrFormat("%s%u.%04u", scaled < 0 ? "-" : "", mag / 10000, mag % 10000);
}

// Coordinates as Redis's addReplyHumanLongDouble: %.17Lf without trailing zeros, a bulk string
// in RESP2 and a double in RESP3.
void ReplyCoordinate(CommandContext& ctx, double v) {
  std::string text = FormatLongDouble(static_cast<long double>(v));
  if (ctx.reply.protocol_version() < 3) return ctx.reply.Bulk(text);
  std::string* out = ctx.reply.buffer();
  out->push_back(',');
  out->append(text);
  out->append("\r\n");
}

// WITHHASH's integer: the score converted as C's (long long) cast does on x86-64.
int64_t ScoreAsInteger(double score) {
  constexpr double kTwo63 = 9223372036854775808.0;
  if (score >= -kTwo63 && score < kTwo63) return static_cast<int64_t>(score);
  return INT64_MIN;
}

enum SearchFlag : unsigned {
  kFromCoords = 1u << 0,  // GEORADIUS: key lon lat radius unit
  kFromMember = 1u << 1,  // GEORADIUSBYMEMBER: key member radius unit
  kNoStore = 1u << 2,     // the _RO variants
  kSearch = 1u << 3,      // GEOSEARCH: FROM... and BY... options
  kSearchStore = 1u << 4  // GEOSEARCHSTORE dst src ...
};
enum class Sort { kNone, kAsc, kDesc };

struct SearchArgs {
  Shape shape;
  bool withdist = false, withhash = false, withcoord = false, any = false;
  bool from_member = false, from_lonlat = false, by_radius = false, by_box = false;
  Sort sort = Sort::kNone;
  int64_t count = 0;  // 0: all
  std::optional<std::string_view> store;
  bool storedist = false;
};

struct Point {
  std::string member;
  double score;
  double dist_m;
  LonLat pos;
};

// One option at argv[i] (of `n` arguments); advances i past its values. False after an error.
bool ParseSearchOption(CommandContext& ctx, unsigned flags, const ZSetValue* z, size_t n, size_t* i,
                       SearchArgs* a) {
  std::string_view o = ctx.argv[*i];
  size_t left = n - *i - 1;  // arguments after this one
  bool search = flags & kSearch, storable = !(flags & (kNoStore | kSearch));
  auto is = [&](std::string_view name) { return EqualsIgnoreCase(o, name); };
  if (is("withdist")) {
    a->withdist = true;
  } else if (is("withhash")) {
    a->withhash = true;
  } else if (is("withcoord")) {
    a->withcoord = true;
  } else if (is("any")) {
    a->any = true;
  } else if (is("asc")) {
    a->sort = Sort::kAsc;
  } else if (is("desc")) {
    a->sort = Sort::kDesc;
  } else if (is("count") && left >= 1) {
    auto count = ParseInt(ctx.argv[++*i]);
    if (!count) return ctx.reply.Error(kErrNotInteger), false;
    if (*count <= 0) return ctx.reply.Error("ERR COUNT must be > 0"), false;
    a->count = *count;
  } else if ((is("store") || is("storedist")) && left >= 1 && storable) {
    a->storedist = is("storedist");
    a->store = ctx.argv[++*i];
  } else if (is("storedist") && (flags & kSearchStore)) {
    a->storedist = true;
  } else if (is("frommember") && left >= 1 && search && !a->from_lonlat) {
    // Without the source key the member is not looked up: the reply is empty anyway.
    if (z != nullptr && !MemberPos(ctx, *z, ctx.argv[*i + 1], &a->shape.centre)) return false;
    a->from_member = true;
    ++*i;
  } else if (is("fromlonlat") && left >= 2 && search && !a->from_member) {
    if (!ParseLonLat(ctx, *i + 1, &a->shape.centre)) return false;
    a->from_lonlat = true;
    *i += 2;
  } else if (is("byradius") && left >= 2 && search && !a->by_box) {
    if (!ParseRadius(ctx, *i + 1, &a->shape)) return false;
    a->by_radius = true;
    *i += 2;
  } else if (is("bybox") && left >= 3 && search && !a->by_radius) {
    if (!ParseBox(ctx, *i + 1, &a->shape)) return false;
    a->by_box = true;
    *i += 3;
  } else {
    return ctx.reply.Error(kErrSyntax), false;
  }
  return true;
}

// The checks Redis makes once every option is read.
bool SearchArgsConsistent(CommandContext& ctx, unsigned flags, const SearchArgs& a) {
  if (a.store && (a.withdist || a.withhash || a.withcoord)) {
    ctx.reply.Error(absl::StrCat(
        "ERR ", (flags & kSearchStore) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS",
        " is not compatible with WITHDIST, WITHHASH and WITHCOORD options"));
    return false;
  }
  if ((flags & kSearch) && !(a.from_member || a.from_lonlat)) {
    ctx.reply.Error(
        absl::StrCat("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ",
                     std::string(ctx.argv[0])));
    return false;
  }
  if ((flags & kSearch) && !(a.by_radius || a.by_box)) {
    ctx.reply.Error(absl::StrCat("ERR exactly one of BYRADIUS and BYBOX can be specified for ",
                                 std::string(ctx.argv[0])));
    return false;
  }
  if (a.any && a.count == 0) {
    return ctx.reply.Error("ERR the ANY argument requires COUNT argument"), false;
  }
  return true;
}

bool Full(const std::vector<Point>& points, size_t limit) {
  return limit != 0 && points.size() >= limit;
}

// Members inside the shape, cell by cell in Redis's order, each cell in score order; with a
// limit (ANY) it stops as soon as it has that many.
std::vector<Point> Collect(const ZSetValue& z, const Shape& shape, size_t limit) {
  std::vector<Point> points;
  std::array<geo::Cell, 9> cells = geo::SearchCells(shape);
  size_t last = 0;  // a huge radius makes neighbours repeat: each cell is scanned once
  for (size_t i = 0; i < cells.size(); ++i) {
    const geo::Cell& cell = cells[i];
    if (cell.skipped()) continue;
    if (last != 0 && cell.bits == cells[last].bits && cell.step == cells[last].step) continue;
    if (Full(points, limit)) break;
    geo::Range scores = geo::ScoreRange(cell);
    z.WalkFrom(scores.min, [&](double score, std::string_view member) {
      if (!(score < scores.max)) return false;
      LonLat pos = geo::DecodeScore(score);
      double dist_m = 0;
      if (geo::Within(shape, pos, &dist_m)) {
        points.push_back(Point{std::string(member), score, dist_m, pos});
      }
      return !Full(points, limit);
    });
    last = i;
  }
  return points;
}

void ReplyPoints(CommandContext& ctx, const SearchArgs& a, const std::vector<Point>& points) {
  int64_t extras = int64_t{a.withdist} + int64_t{a.withhash} + int64_t{a.withcoord};
  ctx.reply.ArrayHeader(static_cast<int64_t>(points.size()));
  for (const Point& p : points) {
    if (extras > 0) ctx.reply.ArrayHeader(extras + 1);
    ctx.reply.Bulk(p.member);
    if (a.withdist) ctx.reply.Bulk(FormatDistance(p.dist_m / a.shape.to_m));
    if (a.withhash) ctx.reply.Integer(ScoreAsInteger(p.score));
    if (a.withcoord) {
      ctx.reply.ArrayHeader(2);
      ReplyCoordinate(ctx, p.pos.lon);
      ReplyCoordinate(ctx, p.pos.lat);
    }
  }
}

// Replaces `dst` with the points (scores: geohash, or distance with STOREDIST); nothing found
// deletes it. Logged as DEL + ZADD of absolute scores.
void StorePoints(CommandContext& ctx, const SearchArgs& a, const std::vector<Point>& points) {
  std::string_view dst = *a.store;
  if (CurrentDb(ctx).FindRaw(dst) != nullptr) Apply(ctx, {"DEL", dst});
  if (!points.empty()) {
    std::vector<std::string> scores;
    scores.reserve(points.size());
    std::vector<std::string_view> zadd{"ZADD", dst};
    for (const Point& p : points) {
      scores.push_back(RespWriter::FormatDouble(a.storedist ? p.dist_m / a.shape.to_m : p.score));
      zadd.push_back(scores.back());
      zadd.push_back(p.member);
    }
    Apply(ctx, zadd);
  }
  ctx.reply.Integer(static_cast<int64_t>(points.size()));
}

// By distance, as Redis: a full sort is glibc's qsort (a merge sort: ties keep their scan
// order); with COUNT below the number found, Redis's partial quicksort of the first COUNT.
void SortPoints(const SearchArgs& a, std::vector<Point>* points) {
  if (a.sort == Sort::kNone) return;
  bool desc = a.sort == Sort::kDesc;
  auto cmp = [desc](const Point& x, const Point& y) {
    int c = x.dist_m > y.dist_m ? 1 : (x.dist_m == y.dist_m ? 0 : -1);
    return desc ? -c : c;
  };
  auto n = static_cast<int64_t>(points->size());
  if (a.count == 0 || a.count >= n) {
    std::stable_sort(points->begin(), points->end(),
                     [&](const Point& x, const Point& y) { return cmp(x, y) < 0; });
  } else {
    PartialQuicksort(*points, 0, a.count - 1, cmp);
  }
}

// GEORADIUS, GEORADIUSBYMEMBER (and _RO), GEOSEARCH, GEOSEARCHSTORE: Redis's georadiusGeneric.
void Search(CommandContext& ctx, size_t src_index, unsigned flags) {
  state::Entry* e;
  if (!LookupTyped(ctx, ctx.argv[src_index], ValueType::kZSet, &e)) return;
  const ZSetValue* z = e ? e->zset() : nullptr;
  SearchArgs a;
  size_t base = 2;
  if (flags & kFromCoords) {
    base = 6;
    if (!ParseLonLat(ctx, 2, &a.shape.centre) || !ParseRadius(ctx, 4, &a.shape)) return;
  } else if (flags & kFromMember) {
    base = 5;  // a missing key is not an error: the radius is not even read
    if (z && (!MemberPos(ctx, *z, ctx.argv[2], &a.shape.centre) || !ParseRadius(ctx, 3, &a.shape)))
      return;
  } else if (flags & kSearchStore) {
    base = 3;
    a.store = ctx.argv[1];
  }
  for (size_t i = base; i < ctx.argv.size(); ++i) {
    if (!ParseSearchOption(ctx, flags, z, ctx.argv.size(), &i, &a)) return;
  }
  if (!SearchArgsConsistent(ctx, flags, a)) return;
  if (z == nullptr) {
    if (a.store) return StorePoints(ctx, a, {});
    return ctx.reply.ArrayHeader(0);
  }
  // COUNT alone means the nearest ones.
  if (a.count != 0 && a.sort == Sort::kNone && !a.any) a.sort = Sort::kAsc;
  std::vector<Point> points = Collect(*z, a.shape, a.any ? static_cast<size_t>(a.count) : 0);
  SortPoints(a, &points);
  if (a.count != 0 && static_cast<int64_t>(points.size()) > a.count) {
    points.resize(static_cast<size_t>(a.count));
  }
  a.store ? StorePoints(ctx, a, points) : ReplyPoints(ctx, a, points);
}

void Georadius(CommandContext& ctx) { Search(ctx, 1, kFromCoords); }
void GeoradiusRo(CommandContext& ctx) { Search(ctx, 1, kFromCoords | kNoStore); }
void Georadiusbymember(CommandContext& ctx) { Search(ctx, 1, kFromMember); }
void GeoradiusbymemberRo(CommandContext& ctx) { Search(ctx, 1, kFromMember | kNoStore); }
void Geosearch(CommandContext& ctx) { Search(ctx, 1, kSearch); }
void Geosearchstore(CommandContext& ctx) { Search(ctx, 2, kSearch | kSearchStore); }

// GEOADD key [NX|XX] [CH] lon lat member ...: rewritten as ZADD with the scores, as Redis does,
// so the reply, the options and the logged effect are ZADD's.
void Geoadd(CommandContext& ctx) {
  size_t first = 2;
  bool nx = false, xx = false;
  for (; first < ctx.argv.size(); ++first) {
    std::string_view o = ctx.argv[first];
    if (EqualsIgnoreCase(o, "nx")) {
      nx = true;
    } else if (EqualsIgnoreCase(o, "xx")) {
      xx = true;
    } else if (!EqualsIgnoreCase(o, "ch")) {
      break;
    }
  }
  if ((ctx.argv.size() - first) % 3 != 0 || (nx && xx)) return ctx.reply.Error(kErrSyntax);
  std::vector<std::string_view> zadd(ctx.argv.begin(), ctx.argv.begin() + first);
  zadd[0] = "zadd";
  std::vector<std::string> scores;
  scores.reserve((ctx.argv.size() - first) / 3);
  for (size_t i = first; i < ctx.argv.size(); i += 3) {
    LonLat p;
    if (!ParseLonLat(ctx, i, &p)) return;
    scores.push_back(RespWriter::FormatDouble(geo::ScoreOf(p)));
    zadd.push_back(scores.back());
    zadd.push_back(ctx.argv[i + 2]);
  }
  CommandContext zctx{zadd, ctx.client, ctx.state, ctx.reply, ctx.effects, ctx.server, ctx.now_ms};
  FindCommand("zadd")->handler(zctx);
}

void Geodist(CommandContext& ctx) {
  double to_m = 1;
  if (ctx.argv.size() == 5) {
    to_m = ParseUnit(ctx, ctx.argv[4]);
    if (to_m == 0) return;
  } else if (ctx.argv.size() > 5) {
    return ctx.reply.Error(kErrSyntax);
  }
  state::Entry* e;
  if (!LookupTyped(ctx, ctx.argv[1], ValueType::kZSet, &e)) return;
  if (e == nullptr) return ctx.reply.Null();
  auto a = e->zset()->Score(ctx.argv[2]), b = e->zset()->Score(ctx.argv[3]);
  if (!a || !b) return ctx.reply.Null();
  ctx.reply.Bulk(FormatDistance(geo::DistanceM(geo::DecodeScore(*a), geo::DecodeScore(*b)) / to_m));
}

// GEOHASH and GEOPOS: one reply per member, `missing` for a member (or key) that is not there.
template <typename F>
void PerMember(CommandContext& ctx, void (RespWriter::*missing)(), F reply_one) {
  state::Entry* e;
  if (!LookupTyped(ctx, ctx.argv[1], ValueType::kZSet, &e)) return;
  ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argv.size() - 2));
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    auto score = e ? e->zset()->Score(ctx.argv[i]) : std::nullopt;
    score ? reply_one(*score) : (ctx.reply.*missing)();
  }
}

void Geohash(CommandContext& ctx) {
  PerMember(ctx, &RespWriter::Null,
            [&](double score) { ctx.reply.Bulk(geo::GeohashString(score)); });
}

void Geopos(CommandContext& ctx) {
  PerMember(ctx, &RespWriter::NullArray, [&](double score) {
    LonLat p = geo::DecodeScore(score);
    ctx.reply.ArrayHeader(2);
    ReplyCoordinate(ctx, p.lon);
    ReplyCoordinate(ctx, p.lat);
  });
}

}  // namespace

void RegisterGeoCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"geoadd", -5, kWrite | kDenyOom, 1, 1, 1, Geoadd});
  r.Add({"geodist", -4, kReadonly, 1, 1, 1, Geodist});
  r.Add({"geohash", -2, kReadonly, 1, 1, 1, Geohash});
  r.Add({"geopos", -2, kReadonly, 1, 1, 1, Geopos});
  r.Add({"georadius", -6, kWrite | kDenyOom, 1, 1, 1, Georadius});
  r.Add({"georadius_ro", -6, kReadonly, 1, 1, 1, GeoradiusRo});
  r.Add({"georadiusbymember", -5, kWrite | kDenyOom, 1, 1, 1, Georadiusbymember});
  r.Add({"georadiusbymember_ro", -5, kReadonly, 1, 1, 1, GeoradiusbymemberRo});
  r.Add({"geosearch", -7, kReadonly, 1, 1, 1, Geosearch});
  r.Add({"geosearchstore", -8, kWrite | kDenyOom, 1, 2, 1, Geosearchstore});
}

}  // namespace strongbox::engine
