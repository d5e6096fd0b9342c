// BLAKE2b-512 (RFC 7693), unkeyed, streaming: the hash snarkjs uses for a zkey's circuit hash.
#pragma once
#include <cstdint>
#include <cstring>

namespace zkm {

class Blake2b {
 public:
  static constexpr size_t DIGEST = 64;

  Blake2b() {
    for (int i = 0; i < 8; i++) h_[i] = IV[i];
    h_[0] ^= 0x01010000ULL ^ DIGEST;  // depth 1, fanout 1, no key, 64-byte digest
  }

  void update(const void *data, size_t size) {
    const uint8_t *in = static_cast<const uint8_t *>(data);
    while (size > 0) {
      // The last block is compressed by final() with the final flag, so a full buffer waits
      // until more input arrives.
      if (used_ == BLOCK) {
        count(BLOCK);
        compress(buffer_, false);
        used_ = 0;
      }
      size_t take = BLOCK - used_ < size ? BLOCK - used_ : size;
      std::memcpy(buffer_ + used_, in, take);
      used_ += take;
      in += take;
      size -= take;
    }
  }

  void final(uint8_t out[DIGEST]) {
    count(used_);
    std::memset(buffer_ + used_, 0, BLOCK - used_);
    compress(buffer_, true);
    for (int i = 0; i < 8; i++) {
      for (int b = 0; b < 8; b++) out[8 * i + b] = static_cast<uint8_t>(h_[i] >> (8 * b));
    }
  }

 private:
  static constexpr size_t BLOCK = 128;
  static constexpr uint64_t IV[8] = {0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
                                     0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
                                     0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};
  static constexpr uint8_t SIGMA[10][16] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
      {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4}, {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
      {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13}, {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
      {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11}, {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
      {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5}, {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0}};

  static uint64_t rotr(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

  static void mix(uint64_t *v, int a, int b, int c, int d, uint64_t x, uint64_t y) {
    v[a] = v[a] + v[b] + x;
    v[d] = rotr(v[d] ^ v[a], 32);
    v[c] = v[c] + v[d];
    v[b] = rotr(v[b] ^ v[c], 24);
    v[a] = v[a] + v[b] + y;
    v[d] = rotr(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = rotr(v[b] ^ v[c], 63);
  }

  void count(size_t bytes) {
    t_[0] += bytes;
    if (t_[0] < bytes) t_[1]++;
  }

  void compress(const uint8_t *block, bool last) {
    uint64_t m[16], v[16];
    for (int i = 0; i < 16; i++) {
      m[i] = 0;
      for (int b = 0; b < 8; b++) m[i] |= static_cast<uint64_t>(block[8 * i + b]) << (8 * b);
    }
    for (int i = 0; i < 8; i++) {
      v[i] = h_[i];
      v[i + 8] = IV[i];
    }
    v[12] ^= t_[0];
    v[13] ^= t_[1];
    if (last) v[14] = ~v[14];
    for (int round = 0; round < 12; round++) {
      const uint8_t *s = SIGMA[round % 10];
      mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
      mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
      mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
      mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
      mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
      mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
      mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
      mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++) h_[i] ^= v[i] ^ v[i + 8];
  }

  uint64_t h_[8];
  uint64_t t_[2] = {0, 0};
  uint8_t buffer_[BLOCK];
  size_t used_ = 0;
};

}  // namespace zkm
