// The arithmetic follows Redis's geohash.c / geohash_helper.c operation for operation (same
// products, same order, same clamping), because GEOPOS and WITHDIST print the results and a
// different rounding would show in the last digits.
#include "engine/commands/geohash.h"

#include <cmath>

namespace strongbox::engine::geo {
namespace {

constexpr double kDegToRad = M_PI / 180.0;
constexpr Range kLonRange{kLonMin, kLonMax};
constexpr Range kLatRange{kLatMin, kLatMax};
// Half the earth's circumference in Web Mercator metres: the search precision starts from it.
constexpr double kMercatorMaxM = 20037726.37;

double DegToRad(double deg) { return deg * kDegToRad; }
double RadToDeg(double rad) { return rad / kDegToRad; }

// Moves bit i of v to bit 2i (a Morton-code spread, by halves: 16, 8, 4, 2, 1).
uint64_t Spread(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x << 2)) & 0x3333333333333333ULL;
  x = (x | (x << 1)) & 0x5555555555555555ULL;
  return x;
}
// The inverse: bit 2i of `bits` to bit i (odd bits dropped).
uint32_t EvenBits(uint64_t bits) {
  uint64_t x = bits & 0x5555555555555555ULL;
  x = (x | (x >> 1)) & 0x3333333333333333ULL;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
  return static_cast<uint32_t>(x);
}
// Latitude in the even bits, longitude in the odd bits.
uint64_t Interleave(uint32_t lat, uint32_t lon) { return Spread(lat) | (Spread(lon) << 1); }
uint32_t LatBits(uint64_t bits) { return EvenBits(bits); }
uint32_t LonBits(uint64_t bits) { return EvenBits(bits >> 1); }

// Fails outside the Mercator limits whatever the ranges, as Redis's geohashEncode.
std::optional<Cell> Encode(Range lon_range, Range lat_range, LonLat p, int step) {
  if (!ValidLonLat(p)) return std::nullopt;
  if (p.lat < lat_range.min || p.lat > lat_range.max || p.lon < lon_range.min ||
      p.lon > lon_range.max) {
    return std::nullopt;
  }
  double lat_offset = (p.lat - lat_range.min) / (lat_range.max - lat_range.min);
  double lon_offset = (p.lon - lon_range.min) / (lon_range.max - lon_range.min);
  lat_offset *= static_cast<double>(uint64_t{1} << step);
  lon_offset *= static_cast<double>(uint64_t{1} << step);
  return Cell{Interleave(static_cast<uint32_t>(lat_offset), static_cast<uint32_t>(lon_offset)),
              step};
}

struct Area {
  Range lon;
  Range lat;
};

Area Decode(Cell cell) {
  uint32_t lat = LatBits(cell.bits), lon = LonBits(cell.bits);
  // +1 wraps in 32 bits, as Redis's uint32_t arithmetic does for out-of-range scores.
  uint32_t lat_next = lat + 1, lon_next = lon + 1;
  double cells = static_cast<double>(uint64_t{1} << cell.step);
  double lat_scale = kLatRange.max - kLatRange.min, lon_scale = kLonRange.max - kLonRange.min;
  Area a;
  a.lat.min = kLatRange.min + (lat * 1.0 / cells) * lat_scale;
  a.lat.max = kLatRange.min + (lat_next * 1.0 / cells) * lat_scale;
  a.lon.min = kLonRange.min + (lon * 1.0 / cells) * lon_scale;
  a.lon.max = kLonRange.min + (lon_next * 1.0 / cells) * lon_scale;
  return a;
}

// One step east/west (d_lon) or north/south (d_lat), wrapping around; the moved coordinate is
// cut to `step` bits, the other kept as it was (Redis's geohash_move_x / move_y).
Cell Move(Cell cell, int d_lon, int d_lat) {
  uint32_t mask = static_cast<uint32_t>((uint64_t{1} << cell.step) - 1);
  uint32_t lat = LatBits(cell.bits), lon = LonBits(cell.bits);
  if (d_lon != 0) lon = (lon + static_cast<uint32_t>(d_lon)) & mask;
  if (d_lat != 0) lat = (lat + static_cast<uint32_t>(d_lat)) & mask;
  return Cell{Interleave(lat, lon), cell.step};
}

// The C conversion of a double to uint64_t as x86-64 code does it (cvttsd2si), so that any
// score decodes as in Redis instead of being undefined.
uint64_t ScoreBits(double score) {
  constexpr double kTwo63 = 9223372036854775808.0;
  constexpr uint64_t kIndefinite = uint64_t{1} << 63;
  if (score < kTwo63) {
    if (score >= -kTwo63) return static_cast<uint64_t>(static_cast<int64_t>(score));
    return kIndefinite;
  }
  double rest = score - kTwo63;
  if (rest < kTwo63) return static_cast<uint64_t>(static_cast<int64_t>(rest)) ^ kIndefinite;
  return 0;  // the indefinite value with the top bit flipped back
}

double LatDistanceM(double lat1, double lat2) {
  return kEarthRadiusM * std::fabs(DegToRad(lat2) - DegToRad(lat1));
}

int EstimateStep(double range_m, double lat) {
  if (range_m == 0) return kStepMax;
  int step = 1;
  while (range_m < kMercatorMaxM) {
    range_m *= 2;
    ++step;
  }
  step -= 2;                    // so that the range fits in most cases
  if (lat > 66 || lat < -66) {  // meridians converge towards the poles: wider cells
    --step;
    if (lat > 80 || lat < -80) --step;
  }
  if (step < 1) step = 1;
  if (step > kStepMax) step = kStepMax;
  return step;
}

// The search's bounding box: min/max longitude and latitude.
Area BoundingBox(const Shape& s) {
  double height = s.to_m * (s.box ? s.height / 2 : s.radius);
  double width = s.to_m * (s.box ? s.width / 2 : s.radius);
  double lat_delta = RadToDeg(height / kEarthRadiusM);
  double lon_delta_top =
      RadToDeg(width / kEarthRadiusM / std::cos(DegToRad(s.centre.lat + lat_delta)));
  double lon_delta_bottom =
      RadToDeg(width / kEarthRadiusM / std::cos(DegToRad(s.centre.lat - lat_delta)));
  // The wider edge is the one nearer the equator.
  double lon_delta = s.centre.lat < 0 ? lon_delta_bottom : lon_delta_top;
  Area box;
  box.lon = {s.centre.lon - lon_delta, s.centre.lon + lon_delta};
  box.lat = {s.centre.lat - lat_delta, s.centre.lat + lat_delta};
  return box;
}

struct Neighbourhood {
  std::array<Cell, 9> cells;  // centre, N, S, E, W, NE, NW, SE, SW
  Area centre_area;
};

Neighbourhood Around(LonLat centre, int step) {
  Cell c = Encode(kLonRange, kLatRange, centre, step).value_or(Cell{0, step});
  return {{c, Move(c, 0, 1), Move(c, 0, -1), Move(c, 1, 0), Move(c, -1, 0), Move(c, 1, 1),
           Move(c, -1, 1), Move(c, 1, -1), Move(c, -1, -1)},
          Decode(c)};
}

}  // namespace

bool ValidLonLat(LonLat p) {
  return !(p.lon < kLonMin || p.lon > kLonMax || p.lat < kLatMin || p.lat > kLatMax);
}

double ScoreOf(LonLat p) {
  Cell c = Encode(kLonRange, kLatRange, p, kStepMax).value_or(Cell{});
  return static_cast<double>(c.bits);  // step 26: already 52-bit aligned
}

LonLat DecodeScore(double score) {
  Area a = Decode(Cell{ScoreBits(score), kStepMax});
  LonLat p{(a.lon.min + a.lon.max) / 2, (a.lat.min + a.lat.max) / 2};
  p.lon = std::min(std::max(p.lon, kLonMin), kLonMax);
  p.lat = std::min(std::max(p.lat, kLatMin), kLatMax);
  return p;
}

std::string GeohashString(double score) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  // The usual geohash spans latitude ±90, not the ±85.05 of the stored score.
  Cell c = Encode(kLonRange, Range{-90, 90}, DecodeScore(score), kStepMax).value_or(Cell{});
  std::string out(11, '0');  // 52 bits fill 10 characters; the 11th is always '0'
  for (int i = 0; i < 10; ++i) out[i] = kAlphabet[(c.bits >> (52 - (i + 1) * 5)) & 0x1f];
  return out;
}

double DistanceM(LonLat a, LonLat b) {
  double lon1 = DegToRad(a.lon), lon2 = DegToRad(b.lon);
  double v = std::sin((lon2 - lon1) / 2);
  if (v == 0.0) return LatDistanceM(a.lat, b.lat);
  double lat1 = DegToRad(a.lat), lat2 = DegToRad(b.lat);
  double u = std::sin((lat2 - lat1) / 2);
  double h = u * u + std::cos(lat1) * std::cos(lat2) * v * v;
  return 2.0 * kEarthRadiusM * std::asin(std::sqrt(h));
}

bool Within(const Shape& shape, LonLat p, double* dist_m) {
  if (!shape.box) {
    *dist_m = DistanceM(shape.centre, p);
    return !(*dist_m > shape.radius * shape.to_m);
  }
  double width_m = shape.width * shape.to_m, height_m = shape.height * shape.to_m;
  if (LatDistanceM(shape.centre.lat, p.lat) > height_m / 2) return false;
  if (DistanceM(p, LonLat{shape.centre.lon, p.lat}) > width_m / 2) return false;
  *dist_m = DistanceM(shape.centre, p);
  return true;
}

std::array<Cell, 9> SearchCells(const Shape& shape) {
  Area bounds = BoundingBox(shape);
  double half_w = shape.width / 2, half_h = shape.height / 2;
  double range_m = shape.box ? std::sqrt(half_w * half_w + half_h * half_h) : shape.radius;
  range_m *= shape.to_m;
  int step = EstimateStep(range_m, shape.centre.lat);
  Neighbourhood n = Around(shape.centre, step);
  // Near a cell's edge the estimate can be one step too fine: the box pokes out of the ring.
  Area north = Decode(n.cells[1]), south = Decode(n.cells[2]);
  Area east = Decode(n.cells[3]), west = Decode(n.cells[4]);
  bool too_fine = north.lat.max < bounds.lat.max || south.lat.min > bounds.lat.min ||
                  east.lon.max < bounds.lon.max || west.lon.min > bounds.lon.min;
  if (step > 1 && too_fine) n = Around(shape.centre, --step);
  if (step >= 2) {  // drop the neighbours the bounding box does not reach
    const Area& c = n.centre_area;
    auto skip = [&](std::initializer_list<int> which) {
      for (int i : which) n.cells[static_cast<size_t>(i)] = Cell{};
    };
    if (c.lat.min < bounds.lat.min) skip({2, 8, 7});
    if (c.lat.max > bounds.lat.max) skip({1, 5, 6});
    if (c.lon.min < bounds.lon.min) skip({4, 8, 6});
    if (c.lon.max > bounds.lon.max) skip({3, 7, 5});
  }
  return n.cells;
}

Range ScoreRange(Cell cell) {
  int shift = 52 - cell.step * 2;
  return Range{static_cast<double>(cell.bits << shift),
               static_cast<double>((cell.bits + 1) << shift)};
}

}  // namespace strongbox::engine::geo
