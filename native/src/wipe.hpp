// Secrets (witnesses, r and s, toxic waste) are overwritten before their memory is released.
#pragma once
#include <string.h>

#include <vector>

namespace zkm {

/** Overwrites the values of `values` (explicit_bzero: the compiler may not drop it). */
template <class T>
void wipe(std::vector<T> &values) {
  if (!values.empty()) explicit_bzero(values.data(), values.size() * sizeof(T));
}

/** Overwrites one value. */
template <class T>
void wipe(T &value) {
  explicit_bzero(&value, sizeof value);
}

/** A vector of secret values, wiped when it is destroyed (also on an exception). */
template <class T>
struct SecretVector {
  std::vector<T> values;
  explicit SecretVector(size_t n = 0) : values(n) {}
  SecretVector(const SecretVector &) = delete;
  SecretVector &operator=(const SecretVector &) = delete;
  ~SecretVector() { wipe(values); }
  T *data() { return values.data(); }
  const T *data() const { return values.data(); }
  size_t size() const { return values.size(); }
  T &operator[](size_t i) { return values[i]; }
  const T &operator[](size_t i) const { return values[i]; }
};

}  // namespace zkm
