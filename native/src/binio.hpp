// Files in the iden3 binary container (.ptau, .r1cs, .zkey) read and written in place: a reader
// that finds the sections with pread (nothing mapped, aligned copies), and a writer that knows
// every section's place up front, so that threads can write blocks in any order (pwrite).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace zkm {

/** An open container file and its section table. */
class SectionFile {
 public:
  struct Place {
    uint64_t offset = 0, size = 0;
  };

  /** Opens `file`, checks its magic and version, and reads its section table. */
  SectionFile(const std::string &file, const char *magic, uint32_t maxVersion,
              const char *(*sectionName)(uint32_t));
  SectionFile(const SectionFile &) = delete;
  SectionFile &operator=(const SectionFile &) = delete;
  ~SectionFile();

  const std::string &file() const { return file_; }
  /** Throws a FormatError "<file>: <rule>". */
  [[noreturn]] void fail(const std::string &rule) const;
  bool has(uint32_t type) const { return sections_.count(type) != 0; }
  /** "section 2 (tauG1)". */
  std::string name(uint32_t type) const;
  /** The one section of `type`, of `expected` bytes (any size when expected is 0). */
  Place section(uint32_t type, uint64_t expected = 0) const;
  /** `size` bytes at `offset` of the file. */
  void read(uint64_t offset, void *out, size_t size) const;
  /** `count` items of T from `first` (in items) of a section. */
  template <class T>
  std::vector<T> items(const Place &place, uint64_t first, size_t count) const {
    if ((first + count) * sizeof(T) > place.size) fail("is truncated: a section is shorter than its header implies");
    std::vector<T> out(count);
    if (count > 0) read(place.offset + first * sizeof(T), out.data(), count * sizeof(T));
    return out;
  }

 private:
  std::string file_;
  int fd_ = -1;
  uint64_t size_ = 0;
  const char *(*sectionName_)(uint32_t);
  std::map<uint32_t, std::vector<Place>> sections_;
};

/** A container file being written, with every section's size fixed when it is created. */
class SectionWriter {
 public:
  /** Creates `file` (which must not exist) with these sections, in this order. */
  SectionWriter(const std::string &file, const char *magic, uint32_t version,
                const std::vector<std::pair<uint32_t, uint64_t>> &sections);
  SectionWriter(const SectionWriter &) = delete;
  SectionWriter &operator=(const SectionWriter &) = delete;
  ~SectionWriter();

  /** Writes `size` bytes at `offset` of section `type` (thread-safe). */
  void put(uint32_t type, uint64_t offset, const void *data, size_t size);
  /** Flushes to disk and closes; throws on failure. */
  void close();

 private:
  void write(uint64_t offset, const void *data, size_t size);

  std::string file_;
  int fd_ = -1;
  std::map<uint32_t, std::pair<uint64_t, uint64_t>> places_;  // offset, size
};

}  // namespace zkm
