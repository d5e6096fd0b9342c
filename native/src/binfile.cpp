#include "binfile.hpp"

namespace zkm {

BinFile::BinFile(const uint8_t *data, uint64_t size, const char *magic, uint32_t maxVersion,
                 std::string what)
    : what_(std::move(what)) {
  Cursor cursor(data, size, what_);
  if (size < 4 || std::memcmp(cursor.take(4), magic, 4) != 0) {
    throw FormatError(what_ + " is not a ." + magic + " file (its first bytes are not \"" + magic + "\")");
  }
  uint32_t version = cursor.u32();
  if (version == 0 || version > maxVersion) {
    throw FormatError(what_ + ": unsupported version " + std::to_string(version));
  }
  uint32_t count = cursor.u32();
  for (uint32_t i = 0; i < count; i++) {
    uint32_t type = cursor.u32();
    uint64_t length = cursor.u64();
    if (length > cursor.remaining()) {
      throw FormatError(what_ + " is truncated: section " + std::to_string(type) + " declares " +
                        std::to_string(length) + " bytes, " + std::to_string(cursor.remaining()) +
                        " remain");
    }
    sections_[type].push_back(Section{cursor.take(length), length});
  }
}

Section BinFile::unique(uint32_t type, const char *name) const {
  auto found = sections_.find(type);
  if (found == sections_.end()) {
    throw FormatError(what_ + " has no section " + std::to_string(type) + " (" + name + ")");
  }
  if (found->second.size() != 1) {
    throw FormatError(what_ + " has section " + std::to_string(type) + " (" + name + ") " +
                      std::to_string(found->second.size()) + " times");
  }
  return found->second[0];
}

Section BinFile::exact(uint32_t type, const char *name, uint64_t expected) const {
  Section s = unique(type, name);
  if (s.size != expected) {
    throw FormatError(what_ + ": section " + std::to_string(type) + " (" + name + ") holds " +
                      std::to_string(s.size) + " bytes, the header implies " + std::to_string(expected));
  }
  return s;
}

}  // namespace zkm
