#include "binio.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "binfile.hpp"

namespace zkm {

namespace {

std::string systemError(const std::string &file, const char *what) {
  return file + ": cannot " + what + " (" + std::strerror(errno) + ")";
}

}  // namespace

SectionFile::SectionFile(const std::string &file, const char *magic, uint32_t maxVersion,
                         const char *(*sectionName)(uint32_t))
    : file_(file), sectionName_(sectionName) {
  fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error(systemError(file, "open the file"));
  struct stat st;
  if (::fstat(fd_, &st) != 0) throw std::runtime_error(systemError(file, "read the file"));
  size_ = static_cast<uint64_t>(st.st_size);
  if (size_ < 12) fail("is truncated: " + std::to_string(size_) + " bytes");
  uint8_t head[12];
  read(0, head, 12);
  if (std::memcmp(head, magic, 4) != 0) {
    fail(std::string("is not a .") + magic + " file (its first bytes are not \"" + magic + "\")");
  }
  uint32_t version, count;
  std::memcpy(&version, head + 4, 4);
  std::memcpy(&count, head + 8, 4);
  if (version == 0 || version > maxVersion) fail("has unsupported version " + std::to_string(version));
  uint64_t at = 12;
  for (uint32_t i = 0; i < count; i++) {
    if (size_ - at < 12) fail("is truncated: section table entry " + std::to_string(i) + " is missing");
    uint8_t entry[12];
    read(at, entry, 12);
    uint32_t type;
    uint64_t length;
    std::memcpy(&type, entry, 4);
    std::memcpy(&length, entry + 4, 8);
    at += 12;
    if (length > size_ - at) {
      fail("is truncated: section " + std::to_string(type) + " declares " + std::to_string(length) + " bytes, " +
           std::to_string(size_ - at) + " remain");
    }
    sections_[type].push_back({at, length});
    at += length;
  }
}

SectionFile::~SectionFile() {
  if (fd_ >= 0) ::close(fd_);
}

void SectionFile::fail(const std::string &rule) const { throw FormatError(file_ + ": " + rule); }

std::string SectionFile::name(uint32_t type) const {
  return "section " + std::to_string(type) + " (" + sectionName_(type) + ")";
}

SectionFile::Place SectionFile::section(uint32_t type, uint64_t expected) const {
  auto found = sections_.find(type);
  if (found == sections_.end()) fail("has no " + name(type));
  if (found->second.size() != 1) fail("has " + name(type) + " " + std::to_string(found->second.size()) + " times");
  Place place = found->second[0];
  if (expected != 0 && place.size != expected) {
    fail(name(type) + " holds " + std::to_string(place.size) + " bytes, its header implies " +
         std::to_string(expected));
  }
  return place;
}

void SectionFile::read(uint64_t offset, void *out, size_t size) const {
  uint8_t *bytes = static_cast<uint8_t *>(out);
  while (size > 0) {
    ssize_t n = ::pread(fd_, bytes, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(systemError(file_, "read the file"));
    bytes += n;
    offset += static_cast<uint64_t>(n);
    size -= static_cast<size_t>(n);
  }
}

SectionWriter::SectionWriter(const std::string &file, const char *magic, uint32_t version,
                             const std::vector<std::pair<uint32_t, uint64_t>> &sections)
    : file_(file) {
  fd_ = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(systemError(file, "create the file"));
  uint8_t head[12];
  const uint32_t count = static_cast<uint32_t>(sections.size());
  std::memcpy(head, magic, 4);
  std::memcpy(head + 4, &version, 4);
  std::memcpy(head + 8, &count, 4);
  write(0, head, 12);
  uint64_t at = 12;
  for (const auto &[type, size] : sections) {
    uint8_t entry[12];
    std::memcpy(entry, &type, 4);
    std::memcpy(entry + 4, &size, 8);
    write(at, entry, 12);
    places_[type] = {at + 12, size};
    at += 12 + size;
  }
}

SectionWriter::~SectionWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void SectionWriter::put(uint32_t type, uint64_t offset, const void *data, size_t size) {
  const auto &[start, length] = places_.at(type);
  if (offset + size > length) {
    throw std::logic_error(file_ + ": a write past the end of section " + std::to_string(type));
  }
  write(start + offset, data, size);
}

void SectionWriter::close() {
  if (::fsync(fd_) != 0) throw std::runtime_error(systemError(file_, "flush the file"));
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) throw std::runtime_error(systemError(file_, "close the file"));
}

void SectionWriter::write(uint64_t offset, const void *data, size_t size) {
  const uint8_t *bytes = static_cast<const uint8_t *>(data);
  while (size > 0) {
    ssize_t n = ::pwrite(fd_, bytes, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(systemError(file_, "write the file"));
    }
    bytes += n;
    offset += static_cast<uint64_t>(n);
    size -= static_cast<size_t>(n);
  }
}

}  // namespace zkm
