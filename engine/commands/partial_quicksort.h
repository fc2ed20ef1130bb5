// The partial sort Redis uses for a search with COUNT (its pqsort: Bentley & McIlroy's
// three-way quicksort that skips the partitions outside the wanted ranks). Its order of equal
// elements is its own, neither stable nor std::sort's; GEOSEARCH ... COUNT n with members at
// the same spot must list them as Redis does, so the same algorithm runs here.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace strongbox::engine {

namespace partial_quicksort_internal {

template <typename T, typename Cmp>
int64_t MedianOf3(const std::vector<T>& v, int64_t a, int64_t b, int64_t c, Cmp& cmp) {
  if (cmp(v[a], v[b]) < 0) {
    if (cmp(v[b], v[c]) < 0) return b;
    return cmp(v[a], v[c]) < 0 ? c : a;
  }
  if (cmp(v[b], v[c]) > 0) return b;
  return cmp(v[a], v[c]) < 0 ? a : c;
}

template <typename T>
void SwapRuns(std::vector<T>& v, int64_t a, int64_t b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) std::swap(v[a + i], v[b + i]);
}

}  // namespace partial_quicksort_internal

// Orders v so that positions [first, last] hold what a full sort would put there, exactly as
// Redis's pqsort(v, n, ..., first, last) leaves them. cmp(a, b) returns <0, 0 or >0.
template <typename T, typename Cmp>
void PartialQuicksort(std::vector<T>& v, int64_t first, int64_t last, Cmp cmp) {
  using partial_quicksort_internal::MedianOf3;
  using partial_quicksort_internal::SwapRuns;
  // Whether the run [lo, lo + n) holds a wanted position (or straddles them).
  auto wanted = [&](int64_t lo, int64_t n) {
    int64_t hi = lo + n - 1;
    return !((first < lo && last < lo) || (first > hi && last > hi));
  };
  struct Run {
    int64_t lo, n;
  };
  std::vector<Run> todo{{0, static_cast<int64_t>(v.size())}};
  while (!todo.empty()) {
    auto [lo, n] = todo.back();
    todo.pop_back();
    if (n < 7) {  // insertion sort
      for (int64_t m = lo + 1; m < lo + n; ++m) {
        for (int64_t l = m; l > lo && cmp(v[l - 1], v[l]) > 0; --l) std::swap(v[l], v[l - 1]);
      }
      continue;
    }
    int64_t pm = lo + n / 2;
    if (n > 7) {
      int64_t pl = lo, pn = lo + n - 1;
      if (n > 40) {
        int64_t d = n / 8;
        pl = MedianOf3(v, pl, pl + d, pl + 2 * d, cmp);
        pm = MedianOf3(v, pm - d, pm, pm + d, cmp);
        pn = MedianOf3(v, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = MedianOf3(v, pl, pm, pn, cmp);
    }
    std::swap(v[lo], v[pm]);  // the pivot waits at lo
    // [lo+1, pa): equal to the pivot; [pa, pb): less; (pc, pd]: greater; (pd, end): equal.
    int64_t pa = lo + 1, pb = lo + 1, pc = lo + n - 1, pd = lo + n - 1;
    for (;;) {
      int c;
      while (pb <= pc && (c = cmp(v[pb], v[lo])) <= 0) {
        if (c == 0) std::swap(v[pa++], v[pb]);
        ++pb;
      }
      while (pb <= pc && (c = cmp(v[pc], v[lo])) >= 0) {
        if (c == 0) std::swap(v[pc], v[pd--]);
        --pc;
      }
      if (pb > pc) break;
      std::swap(v[pb++], v[pc--]);
    }
    int64_t end = lo + n;
    int64_t r = std::min(pa - lo, pb - pa);
    SwapRuns(v, lo, pb - r, r);  // the equal ones to the middle
    r = std::min(pd - pc, end - pd - 1);
    SwapRuns(v, pb, end - r, r);
    // Redis recurses into the lesser part and loops on the greater one: the same order of
    // work, which matters only for which comparisons run, not for the result.
    int64_t less = pb - pa, greater = pd - pc;
    if (greater > 1 && wanted(end - greater, greater)) todo.push_back({end - greater, greater});
    if (less > 1 && wanted(lo, less)) todo.push_back({lo, less});
  }
}

}  // namespace strongbox::engine
