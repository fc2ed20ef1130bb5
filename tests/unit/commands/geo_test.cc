// The geo encoding (geohash.h) against values Redis 7.0 produces for the same input, and the
// partial quicksort that orders GEOSEARCH ... COUNT results.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "engine/commands/command_util.h"
#include "engine/commands/geohash.h"
#include "engine/commands/partial_quicksort.h"

namespace strongbox::engine::testing {
namespace {

constexpr geo::LonLat kPalermo{13.361389, 38.115556};
constexpr geo::LonLat kCatania{15.087269, 37.502669};

TEST_CASE("a pair encodes to Redis's score, decodes to its cell centre and geohash string") {
  CHECK(geo::ScoreOf(kPalermo) == 3479099956230698.0);
  CHECK(geo::ScoreOf(kCatania) == 3479447370796909.0);
  geo::LonLat p = geo::DecodeScore(3479099956230698.0);
  CHECK(FormatLongDouble(p.lon) == "13.36138933897018433");
  CHECK(FormatLongDouble(p.lat) == "38.11555639549629859");
  CHECK(geo::GeohashString(3479099956230698.0) == "sqc8b49rny0");
  CHECK(geo::GeohashString(3479447370796909.0) == "sqdtr74hyu0");
  // The corners: latitude and longitude at their maximum set the bits above the 52.
  CHECK(geo::ScoreOf({180, 85.05112878}) == 13510798882111488.0);
  CHECK(geo::ScoreOf({-180, -85.05112878}) == 0.0);
}

TEST_CASE("coordinates outside Web Mercator's limits are refused") {
  CHECK(geo::ValidLonLat({180, 85.05112878}));
  CHECK(geo::ValidLonLat({-180, -85.05112878}));
  CHECK_FALSE(geo::ValidLonLat({180.0000001, 0}));
  CHECK_FALSE(geo::ValidLonLat({0, -85.05112879}));
  CHECK_FALSE(geo::ValidLonLat({0, 90}));
}

TEST_CASE("scores no GEOADD writes decode like Redis's unsigned conversion on x86-64") {
  // -1 converts to all ones: the last cell, clamped to the limits.
  geo::LonLat all_ones = geo::DecodeScore(-1);
  CHECK(all_ones.lon == geo::kLonMax);
  CHECK(all_ones.lat == geo::kLatMax);
  CHECK(geo::DecodeScore(HUGE_VAL).lon == geo::DecodeScore(0).lon);  // inf converts to 0
}

TEST_CASE("distances are Redis's haversine over its earth radius") {
  CHECK(geo::DistanceM(kPalermo, kCatania) == Approx(166274.15).epsilon(1e-6));
  CHECK(geo::DistanceM(kPalermo, kPalermo) == 0);
  // Same longitude: the latitude shortcut, a quarter of the meridian from pole to equator.
  CHECK(geo::DistanceM({0, 0}, {0, 45}) == Approx(geo::kEarthRadiusM * M_PI / 4));
}

TEST_CASE("the cells searched hold the centre's own score range") {
  for (double radius_m : {0.0, 1.0, 1000.0, 5e6, 4e7}) {
    geo::Shape shape;
    shape.centre = geo::DecodeScore(geo::ScoreOf(kPalermo));  // a member's own spot
    shape.radius = radius_m;
    auto cells = geo::SearchCells(shape);
    REQUIRE_FALSE(cells[0].skipped());
    geo::Range scores = geo::ScoreRange(cells[0]);
    double own = geo::ScoreOf(kPalermo);
    CHECK(scores.min <= own);
    CHECK(own < scores.max);
    double dist_m = -1;
    CHECK(geo::Within(shape, geo::DecodeScore(own), &dist_m));
    CHECK(dist_m >= 0);
  }
  geo::Shape box;
  box.box = true;
  box.centre = kPalermo;
  box.width = 200;
  box.height = 10;
  box.to_m = 1000;
  double dist_m = 0;
  CHECK_FALSE(geo::Within(box, kCatania, &dist_m));  // 68 km south, 152 km east
  box.height = 140;
  CHECK_FALSE(geo::Within(box, kCatania, &dist_m));
  box.width = 310;
  CHECK(geo::Within(box, kCatania, &dist_m));
  CHECK(dist_m == geo::DistanceM(kPalermo, kCatania));
}

TEST_CASE("the partial quicksort puts the wanted ranks in sorted order") {
  std::mt19937 rng(3);
  auto cmp = [](int a, int b) { return a < b ? -1 : (a > b ? 1 : 0); };
  for (int n : {0, 1, 6, 7, 8, 40, 41, 300}) {
    std::vector<int> values(static_cast<size_t>(n));
    for (int& v : values) v = static_cast<int>(rng() % 10);  // many ties
    std::vector<int> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    for (int first = 0; first < n; first += std::max(1, n / 5)) {
      for (int last : {first, (first + n - 1) / 2, n - 1}) {
        if (last < first) continue;
        std::vector<int> v = values;
        PartialQuicksort(v, first, last, cmp);
        INFO("n " << n << " first " << first << " last " << last);
        CHECK(std::equal(v.begin() + first, v.begin() + last + 1, sorted.begin() + first));
        std::sort(v.begin(), v.end());
        CHECK(v == sorted);
      }
    }
  }
}

}  // namespace
}  // namespace strongbox::engine::testing
