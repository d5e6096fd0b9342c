// Checks Domain (native/src/fft.hpp: blocked, tiled radix-2 transforms) against the textbook
// iterative radix-2 transform it replaced (serial bit reversal, then every stage over the whole
// vector with strided twiddles) and, on small sizes, against the plain O(n^2) sum, on random
// inputs for every size 2^1..2^14 and a few larger ones (more rows of blocks), on one, two and
// three threads: forward, inverse, inverseToCoset, and inverse(forward(x)) = x. The roots are
// compared with ffjavascript's, passed as arguments (w_1, w_2, ... in hexadecimal). Built and run
// by test/native-fft.test.ts; prints one line a case and exits non-zero on the first mismatch.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../src/fft.hpp"
#include "random_cases.hpp"

using namespace zkm;

namespace {

Fr randomFr() { return Fr::fromNormal(randomScalar()); }

/** The previous Domain::transform, kept as the reference: w is the transform's generator. */
void textbook(std::vector<Fr> &a, const Fr &w) {
  const size_t n = a.size();
  unsigned log = 0;
  while ((size_t(1) << log) < n) log++;
  std::vector<Fr> roots(n / 2 == 0 ? 1 : n / 2);
  Fr p = Fr::one();
  for (auto &r : roots) {
    r = p;
    p = p * w;
  }
  for (size_t i = 0; i < n; i++) {
    size_t j = 0;
    for (unsigned b = 0; b < log; b++) j |= ((i >> b) & 1) << (log - 1 - b);
    if (i < j) std::swap(a[i], a[j]);
  }
  for (size_t half = 1; half < n; half *= 2) {
    const size_t stride = n / (2 * half);
    for (size_t k = 0; k < n / 2; k++) {
      size_t block = k / half, j = k % half;
      size_t i0 = block * 2 * half + j, i1 = i0 + half;
      Fr t = a[i1] * roots[j * stride];
      a[i1] = a[i0] - t;
      a[i0] = a[i0] + t;
    }
  }
}

/** sum_j a_j w^(ij), the definition. */
std::vector<Fr> plainSum(const std::vector<Fr> &a, const Fr &w) {
  const size_t n = a.size();
  std::vector<Fr> out(n, Fr::zero());
  Fr wi = Fr::one();
  for (size_t i = 0; i < n; i++) {
    Fr x = Fr::one();
    for (size_t j = 0; j < n; j++) {
      out[i] = out[i] + a[j] * x;
      x = x * wi;
    }
    wi = wi * w;
  }
  return out;
}

int failures = 0, cases = 0;
void check(bool ok, const std::string &name) {
  cases++;
  if (ok) {
    std::printf("ok %s\n", name.c_str());
  } else {
    std::printf("FAIL %s\n", name.c_str());
    failures++;
  }
}

void checkSize(unsigned log, const char *expectedRoot) {
  const Domain domain(log);
  const size_t n = domain.size();
  const std::string size = "2^" + std::to_string(log);
  const Fr w = domain.root(), wInverse = w.inverse();
  check(expectedRoot != nullptr && w.toNormal().hex() == expectedRoot,
        size + " root is ffjavascript's w_" + std::to_string(log));
  check(domain.cosetShift().squared() == w, size + " coset shift squared is the root");

  std::vector<Fr> x(n);
  for (auto &v : x) v = randomFr();
  std::vector<Fr> values = x, coefficients = x, coset = x;
  textbook(values, w);
  textbook(coefficients, wInverse);
  const Fr nInverse = Fr::fromInt(n).inverse();
  Fr s = nInverse;
  for (size_t i = 0; i < n; i++) {
    coset[i] = coefficients[i] * s;
    coefficients[i] = coefficients[i] * nInverse;
    s = s * domain.cosetShift();
  }
  if (log <= 8) {
    check(plainSum(x, w) == values, size + " textbook forward is the plain sum");
    std::vector<Fr> back = plainSum(x, wInverse);
    for (auto &v : back) v = v * nInverse;
    check(back == coefficients, size + " textbook inverse is the plain sum / n");
  }
  for (unsigned threads : {1u, 2u, 3u}) {
    const std::string name = size + " on " + std::to_string(threads) + " thread(s)";
    std::vector<Fr> y = x;
    domain.forward(y.data(), threads);
    check(y == values, name + ": forward equals the textbook transform");
    domain.inverse(y.data(), threads);
    check(y == x, name + ": inverse(forward(x)) = x");
    y = x;
    domain.inverse(y.data(), threads);
    check(y == coefficients, name + ": inverse equals the textbook transform / n");
    y = x;
    domain.inverseToCoset(y.data(), threads);
    check(y == coset, name + ": inverseToCoset equals the textbook's coefficients * shift^i / n");
    domain.forward(y.data(), threads);
    std::vector<Fr> onCoset = x;  // the values at shift * w^i, from the textbook alone
    textbook(onCoset, wInverse);
    Fr t = nInverse;
    for (auto &v : onCoset) {
      v = v * t;
      t = t * domain.cosetShift();
    }
    textbook(onCoset, w);
    check(y == onCoset, name + ": inverseToCoset then forward gives the coset's values");
  }
}

}  // namespace

int main(int argc, char **argv) {
  // Every size 2^1..2^14, then 2^16 and 2^17 (8 and 16 rows of 2^13-point blocks).
  std::vector<unsigned> logs;
  for (unsigned log = 1; log <= 14; log++) logs.push_back(log);
  logs.push_back(16);
  logs.push_back(17);
  for (unsigned log : logs) {
    checkSize(log, static_cast<int>(log) < argc ? argv[log] : nullptr);
    if (failures != 0) break;
  }
  std::printf("%d failures\n", failures);
  return failures == 0 ? 0 : 1;
}
