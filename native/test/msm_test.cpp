// Checks multiExp and MsmBatch (native/src/msm.hpp) against the plain sum of k_i * P_i, over G1
// and G2, on the cases the bucket method treats specially: zero scalars, 1, r - 1, the halving
// boundary (r +- 1) / 2, carries between signed windows (2^k and 2^k - 1), points at infinity,
// one point, a bucket holding a point twice (a doubling in a batch), a point beside its
// negation (a sum at infinity in a batch), every point in one bucket, and sizes below and above
// the one-thread threshold. Built and run by test/native-msm.test.ts; prints one line a case
// and exits non-zero on the first mismatch.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../src/msm.hpp"
#include "random_cases.hpp"

using namespace zkm;

namespace {

const U256 kOrder = Fr::modulus();
U256 small(uint64_t v) { return U256{{v, 0, 0, 0}}; }
U256 powerOfTwo(unsigned k) {
  U256 out{{0, 0, 0, 0}};
  out.v[k / 64] = uint64_t(1) << (k % 64);
  return out;
}
U256 halfOrder(bool up) {  // (r - 1) / 2 or (r + 1) / 2
  U256 h = kOrder.minus(small(1));
  for (int i = 0; i < 4; i++) h.v[i] = (h.v[i] >> 1) | (i < 3 ? h.v[i + 1] << 63 : 0);
  if (up) h.v[0] += 1;  // (r - 1) / 2 is odd: no carry
  return h;
}

/** Scalars of every special kind, in turn. */
U256 mixedScalar(size_t i) {
  switch (i % 9) {
    case 0:
      return small(0);
    case 1:
      return small(1);
    case 2:
      return kOrder.minus(small(1));
    case 3:
      return halfOrder(i % 2 == 0);
    case 4:
      return powerOfTwo(static_cast<unsigned>(next64() % 253));
    case 5: {
      U256 p = powerOfTwo(1 + static_cast<unsigned>(next64() % 252));
      return p.minus(small(1));
    }
    case 6:
      return small(next64() % 100000);
    case 7:
      return kOrder.minus(small(1 + next64() % 100000));
    default:
      return randomScalar();
  }
}

template <class F>
Affine<F> multiple(const Affine<F> &g, uint64_t m) {
  return Xyzz<F>::from(g).times(small(m)).toAffine();
}

/** Bases: multiples of g, with every 7th at infinity and some repeated or negated in place. */
template <class F>
std::vector<Affine<F>> bases(const Affine<F> &g, size_t n) {
  std::vector<Affine<F>> out(n);
  // A few distinct multiples, reused: cheap to make, and repeats happen on their own.
  std::vector<Affine<F>> pool;
  for (int i = 0; i < 64; i++) pool.push_back(multiple(g, 1 + next64() % 1000000));
  for (size_t i = 0; i < n; i++) {
    if (i % 7 == 6) {
      out[i] = Affine<F>::infinity();
    } else if (i % 11 == 10) {
      out[i] = out[i - 1].negated();
    } else {
      out[i] = pool[next64() % pool.size()];
    }
  }
  return out;
}

template <class F>
Affine<F> naive(const std::vector<Affine<F>> &p, const std::vector<U256> &k) {
  Xyzz<F> acc = Xyzz<F>::infinity();
  for (size_t i = 0; i < p.size(); i++) acc.add(Xyzz<F>::from(p[i]).times(k[i]));
  return acc.toAffine();
}

int failures = 0;

template <class F>
void check(const char *group, const std::string &name, const std::vector<Affine<F>> &p,
           const std::vector<U256> &k) {
  const Affine<F> expected = naive(p, k);
  for (unsigned threads : {1u, 2u}) {
    const Affine<F> got = multiExp(p.data(), k.data(), p.size(), threads).toAffine();
    const bool ok = got.x == expected.x && got.y == expected.y;
    std::printf("%s %s %s (n = %zu, %u thread%s)\n", ok ? "ok" : "FAIL", group, name.c_str(), p.size(),
                threads, threads == 1 ? "" : "s");
    if (!ok) failures++;
  }
}

template <class F>
void cases(const char *group, const Affine<F> &g, size_t large) {
  {
    std::vector<Affine<F>> p{multiple(g, 12345)};
    for (U256 k : {small(1), small(2), kOrder.minus(small(1)), halfOrder(false), halfOrder(true), randomScalar()}) {
      check(group, "one point", p, std::vector<U256>{k});
    }
    check(group, "one point, zero scalar", p, std::vector<U256>{small(0)});
    check(group, "one point at infinity", std::vector<Affine<F>>{Affine<F>::infinity()},
          std::vector<U256>{small(5)});
  }
  for (size_t n : {size_t(2), size_t(3), size_t(100), large}) {
    const auto p = bases(g, n);
    std::vector<U256> k(n);
    for (size_t i = 0; i < n; i++) k[i] = mixedScalar(i);
    check(group, "mixed scalars", p, k);
    for (size_t i = 0; i < n; i++) k[i] = randomScalar();
    check(group, "random scalars", p, k);
    // Every point in the same bucket of window 0: a long tree with repeats and negations.
    for (size_t i = 0; i < n; i++) k[i] = small(5);
    check(group, "one bucket", p, k);
    for (size_t i = 0; i < n; i++) k[i] = kOrder.minus(small(1));
    check(group, "all r - 1", p, k);
    // Only a few non-zero scalars in a large MSM: one thread.
    for (size_t i = 0; i < n; i++) k[i] = i % 97 == 3 ? mixedScalar(i / 97) : small(0);
    check(group, "sparse scalars", p, k);
  }
  {
    // Pairs (P, P) and (P, -P) side by side in one bucket: a doubling and a sum at infinity
    // inside one batch of the first tree round; the total is (n/4) * 2 * 3P.
    const Affine<F> q = multiple(g, 777);
    std::vector<Affine<F>> p;
    for (size_t i = 0; i < large / 4; i++) {
      for (const Affine<F> &r : {q, q, q, q.negated()}) p.push_back(r);
    }
    check(group, "twins and opposites", p, std::vector<U256>(p.size(), small(3)));
    std::vector<Affine<F>> opposite{q, q.negated()};
    check(group, "a point and its negation (sum at infinity)", opposite, std::vector<U256>{small(9), small(9)});
  }
  check(group, "no points", std::vector<Affine<F>>{}, std::vector<U256>{});
}

}  // namespace

int main() {
  const G1 g1{Fq::fromInt(1), Fq::fromInt(2)};
  auto fq = [](const char *decimal) {
    U256 v{{0, 0, 0, 0}};
    for (const char *c = decimal; *c; c++) {  // v = 10 v + digit, below q
      unsigned __int128 carry = static_cast<unsigned>(*c - '0');
      for (int i = 0; i < 4; i++) {
        unsigned __int128 t = static_cast<unsigned __int128>(v.v[i]) * 10 + carry;
        v.v[i] = static_cast<uint64_t>(t);
        carry = t >> 64;
      }
    }
    return Fq::fromNormal(v);
  };
  const G2 g2{{fq("10857046999023057135944570762232829481370756359578518086990519993285655852781"),
               fq("11559732032986387107991004021392285783925812861821192530917403151452391805634")},
              {fq("8495653923123431417604973247489272438418190587263600148770280649306958101930"),
               fq("4082367875863433681332203403145435568316851327593401208105741076214120093531")}};
  if (!onCurve(g1, g1B()) || !onCurve(g2, g2B())) {
    std::printf("FAIL the generators are not on their curves\n");
    return 1;
  }
  cases("G1", g1, 6000);
  cases("G2", g2, 4800);

  // A batch of G1 and G2 MSMs together gives each one's own result.
  {
    const auto p1 = bases(g1, 5000);
    const auto p2 = bases(g2, 300);
    std::vector<U256> k1(5000), k2(300);
    for (size_t i = 0; i < k1.size(); i++) k1[i] = mixedScalar(i);
    for (size_t i = 0; i < k2.size(); i++) k2[i] = randomScalar();
    Xyzz<Fq> a, b;
    Xyzz<Fq2> c;
    double seconds[3] = {-1, -1, -1};
    MsmBatch batch;
    batch.add(p1.data(), k1.data(), k1.size(), &a, &seconds[0]);
    batch.add(p2.data(), k2.data(), k2.size(), &c, &seconds[2]);
    batch.add(p1.data(), k1.data(), 100, &b, &seconds[1]);
    batch.run(2);
    const std::vector<U256> first(k1.begin(), k1.begin() + 100);
    const std::vector<G1> firstBases(p1.begin(), p1.begin() + 100);
    const G1 ea = naive(p1, k1), eb = naive(firstBases, first);
    const G2 ec = naive(p2, k2);
    const bool ok = a.toAffine().x == ea.x && a.toAffine().y == ea.y && b.toAffine().x == eb.x &&
                    b.toAffine().y == eb.y && c.toAffine().x == ec.x && c.toAffine().y == ec.y &&
                    seconds[0] >= 0 && seconds[1] >= 0 && seconds[2] >= 0;
    std::printf("%s batch of two G1 MSMs and one G2 MSM\n", ok ? "ok" : "FAIL");
    if (!ok) failures++;
  }
  std::printf("%d failure%s\n", failures, failures == 1 ? "" : "s");
  return failures == 0 ? 0 : 1;
}
