// Work split over every core with std::thread: a range cut into one contiguous piece per
// thread. An exception thrown on any thread is rethrown on the caller's after all have joined.
#pragma once
#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace zkm {

/** The number of hardware threads (at least 1). */
inline unsigned hardwareThreads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

/**
 * Calls fn(lo, hi, part) for `parts` contiguous pieces of [0, n) (fewer when n is small; none
 * when n is 0), each piece on its own thread, the first on the caller's.
 */
template <class Fn>
void parallelFor(size_t n, unsigned parts, Fn fn) {
  if (n == 0) return;
  size_t count = std::max<size_t>(1, std::min<size_t>(parts, n));
  if (count == 1) {
    fn(size_t(0), n, 0u);
    return;
  }
  std::vector<std::exception_ptr> errors(count);
  std::vector<std::thread> workers;
  workers.reserve(count - 1);
  auto run = [&](size_t part) {
    size_t lo = n * part / count, hi = n * (part + 1) / count;
    try {
      fn(lo, hi, static_cast<unsigned>(part));
    } catch (...) {
      errors[part] = std::current_exception();
    }
  };
  for (size_t part = 1; part < count; part++) workers.emplace_back(run, part);
  run(0);
  for (auto &worker : workers) worker.join();
  for (auto &error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace zkm
