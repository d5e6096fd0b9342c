#include "r1cs.hpp"

#include <cstring>

#include "binfile.hpp"
#include "binio.hpp"

namespace zkm {

namespace {

const char *sectionName(uint32_t type) {
  switch (type) {
    case 1: return "header";
    case 2: return "constraints";
    case 3: return "wire to label map";
  }
  return "other";
}

/** Reads a section front to back in large pieces. */
class Stream {
 public:
  Stream(const SectionFile &file, SectionFile::Place place) : file_(file), place_(place) {}

  const uint8_t *take(size_t bytes) {
    if (at_ + bytes > place_.size) file_.fail("is truncated: section 2 (constraints) ends inside a constraint");
    if (bufferAt_ + bytes > buffer_.size()) refill(bytes);
    const uint8_t *out = buffer_.data() + bufferAt_;
    bufferAt_ += bytes;
    at_ += bytes;
    return out;
  }
  uint32_t u32() {
    uint32_t v;
    std::memcpy(&v, take(4), 4);
    return v;
  }
  bool done() const { return at_ == place_.size; }

 private:
  void refill(size_t atLeast) {
    const size_t chunk = std::max<size_t>(atLeast, size_t(1) << 24);
    const uint64_t left = place_.size - at_;
    buffer_.resize(static_cast<size_t>(std::min<uint64_t>(chunk, left)));
    file_.read(place_.offset + at_, buffer_.data(), buffer_.size());
    bufferAt_ = 0;
  }

  const SectionFile &file_;
  SectionFile::Place place_;
  uint64_t at_ = 0;
  std::vector<uint8_t> buffer_;
  size_t bufferAt_ = 0;
};

}  // namespace

R1cs R1cs::read(const std::string &path) {
  SectionFile file(path, "r1cs", 1, sectionName);
  R1cs out;
  {
    SectionFile::Place header = file.section(1);
    if (header.size < 4 + 32 + 28) file.fail("section 1 (header) is too short");
    auto bytes = file.items<uint8_t>(header, 0, static_cast<size_t>(header.size));
    uint32_t n8;
    U256 prime;
    std::memcpy(&n8, bytes.data(), 4);
    if (n8 != 32 || header.size != 4 + 32 + 28) file.fail("is not over BN254's scalar field (its field size differs)");
    std::memcpy(prime.v, bytes.data() + 4, 32);
    if (!(prime == Fr::modulus())) file.fail("is not over BN254's scalar field (its prime differs)");
    const uint8_t *f = bytes.data() + 36;
    std::memcpy(&out.nWires, f, 4);
    std::memcpy(&out.nPubOut, f + 4, 4);
    std::memcpy(&out.nPubIn, f + 8, 4);
    std::memcpy(&out.nPrvIn, f + 12, 4);
    std::memcpy(&out.nConstraints, f + 24, 4);
    if (out.nWires == 0 || uint64_t(out.nPubOut) + out.nPubIn >= out.nWires) {
      file.fail("header is corrupted: " + std::to_string(out.nPublic()) + " public signals of " +
                std::to_string(out.nWires) + " wires");
    }
  }
  Stream s(file, file.section(2));
  const U256 r = Fr::modulus();
  for (uint32_t constraint = 0; constraint < out.nConstraints; constraint++) {
    for (std::vector<R1csTerm> *matrix : {&out.a, &out.b, &out.c}) {
      const uint32_t terms = s.u32();
      for (uint32_t t = 0; t < terms; t++) {
        R1csTerm term;
        term.constraint = constraint;
        term.signal = s.u32();
        std::memcpy(term.coefficient.v, s.take(32), 32);
        if (term.signal >= out.nWires || !(term.coefficient < r)) {
          file.fail("constraint " + std::to_string(constraint) + " has a signal or coefficient out of range");
        }
        matrix->push_back(term);
      }
    }
  }
  if (!s.done()) file.fail("section 2 (constraints) holds more than its header's constraints");
  return out;
}

}  // namespace zkm
