// Redis's geo encoding, bit for bit, so geo sets move between Redis and the engine unchanged:
// a longitude/latitude pair becomes a 52-bit interleaved geohash (26 bits each; latitude limited
// to Web Mercator's ±85.05112878), stored as a sorted-set score. A radius or box search looks at
// the cell holding the centre and its 8 neighbours, at a precision chosen from the search size.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace strongbox::engine::geo {

inline constexpr double kLonMin = -180;
inline constexpr double kLonMax = 180;
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
inline constexpr int kStepMax = 26;  // bits per coordinate in a stored score
// Redis's earth radius (WGS-84 quadratic mean): distances must match its replies to 4 decimals.
inline constexpr double kEarthRadiusM = 6372797.560856;

struct LonLat {
  double lon = 0;
  double lat = 0;
};

// A geohash of `step` bits per coordinate (latitude in the even bits). Step 0 marks a cell
// that the search skips.
struct Cell {
  uint64_t bits = 0;
  int step = 0;
  bool skipped() const { return bits == 0 && step == 0; }
};

struct Range {
  double min = 0;
  double max = 0;
};

// Whether Redis accepts the pair (GEOADD, FROMLONLAT, GEORADIUS).
bool ValidLonLat(LonLat p);

// The score GEOADD stores for a valid pair.
double ScoreOf(LonLat p);

// The centre of the stored cell, clamped to the valid ranges: what GEOPOS replies. Any score is
// accepted (a plain sorted set's too), as Redis converts it to an unsigned integer on x86-64.
LonLat DecodeScore(double score);

// GEOHASH's 11-character base32 string (the cell re-encoded over latitude ±90).
std::string GeohashString(double score);

// Great-circle distance in metres (haversine, Redis's formula and shortcuts).
double DistanceM(LonLat a, LonLat b);

// A GEOSEARCH area: a circle of radius `radius`, or a box `width` x `height`, in units of
// `to_m` metres each, around `centre`.
struct Shape {
  bool box = false;
  LonLat centre;
  double radius = 0;
  double width = 0;
  double height = 0;
  double to_m = 1;
};

// Whether `p` lies in the shape; then *dist_m is its distance from the centre.
bool Within(const Shape& shape, LonLat p, double* dist_m);

// The cells to scan, in Redis's order: centre, N, S, E, W, NE, NW, SE, SW; skipped() ones are
// outside the search.
std::array<Cell, 9> SearchCells(const Shape& shape);

// The scores [min, max) of the members inside `cell`.
Range ScoreRange(Cell cell);

}  // namespace strongbox::engine::geo
