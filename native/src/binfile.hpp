// The iden3 binary container (.zkey, .wtns): a 4-byte magic, a u32 version, a u32 section
// count, then sections (u32 type, u64 byte length, bytes), all little-endian. Every length is
// checked against the buffer before anything is read, so a truncated or corrupted file gives a
// clear error and never an out-of-bounds read.
#pragma once
#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "field.hpp"

namespace zkm {

/** A file-format error; the message names the file kind, the section and the rule. */
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/** A bounds-checked reader over bytes. */
class Cursor {
 public:
  Cursor(const uint8_t *data, uint64_t size, std::string what)
      : data_(data), size_(size), what_(std::move(what)) {}

  uint64_t remaining() const { return size_ - at_; }
  uint64_t position() const { return at_; }
  const uint8_t *take(uint64_t bytes) {
    if (bytes > remaining()) {
      throw FormatError(what_ + " is truncated: " + std::to_string(bytes) + " bytes needed at offset " +
                        std::to_string(at_) + ", " + std::to_string(remaining()) + " left");
    }
    const uint8_t *out = data_ + at_;
    at_ += bytes;
    return out;
  }
  uint32_t u32() {
    uint32_t v;
    std::memcpy(&v, take(4), 4);
    return v;
  }
  uint64_t u64() {
    uint64_t v;
    std::memcpy(&v, take(8), 8);
    return v;
  }
  /** A 32-byte little-endian integer. */
  U256 u256() {
    U256 v;
    std::memcpy(v.v, take(32), 32);
    return v;
  }

 private:
  const uint8_t *data_;
  uint64_t size_;
  uint64_t at_ = 0;
  std::string what_;
};

struct Section {
  const uint8_t *data;
  uint64_t size;
};

/** The sections of a container, by type. */
class BinFile {
 public:
  /** `what` names the file kind in errors ("zkey", "witness"). */
  BinFile(const uint8_t *data, uint64_t size, const char *magic, uint32_t maxVersion, std::string what);

  /** The one section of `type`; throws when it is missing or repeated, or its length is not `expected`. */
  Section unique(uint32_t type, const char *name) const;
  Section exact(uint32_t type, const char *name, uint64_t expected) const;
  const std::string &what() const { return what_; }

 private:
  std::map<uint32_t, std::vector<Section>> sections_;
  std::string what_;
};

}  // namespace zkm
