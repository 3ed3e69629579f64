// Small, error-returning wrappers over the file system calls every stage needs.
//
// All functions are thread-safe. Paths are byte strings (std::string): names that are not
// valid UTF-8, or that contain spaces or newlines, pass through unchanged.
#ifndef CODEINDEX_BASE_FILE_H_
#define CODEINDEX_BASE_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace codeindex {

// Reads the whole file. Errors name the path.
Result<std::string> ReadFile(const std::string& path);

// True when `path` is `root` or lies below it (both absolute, without trailing '/' except
// for "/" itself).
bool PathInsideRoot(std::string_view path, std::string_view root);

// The real path of `root`/`relative` (every link resolved) lies inside `physical_root`
// (an absolute path without links), or the file does not exist (nothing to leak).
bool ResolvesInside(const std::string& root, std::string_view relative,
                    std::string_view physical_root);

// `path` with every link resolved (realpath(3)); errors name the path.
Result<std::string> CanonicalPath(const std::string& path);

// Reads a file that must be a regular file, as the indexer reads a workspace's files:
// opened with O_NONBLOCK (a FIFO or device swapped in since the scan cannot block the
// read), then refused with kInvalidArgument unless fstat says it is a regular file of at
// most `max_bytes`. When `inside` is non-empty (an absolute path without links), the opened
// file's real path (/proc/self/fd) must lie at or below it, else kInvalidArgument
// "... leads outside the workspace": a file replaced by a symbolic link to elsewhere after
// the scan is not read.
Result<std::string> ReadRegularFile(const std::string& path, uint64_t max_bytes,
                                    std::string_view inside = {});

// Writes `data` to `path` atomically: a temporary file in the same directory, fsync,
// rename over `path`. Readers see the old or the new content, never a mix.
Status WriteFileAtomic(const std::string& path, std::string_view data);

// A read-only memory mapping of a whole file. Empty files map to an empty view.
// Move-only; unmaps on destruction.
class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  static Result<MappedFile> Open(const std::string& path);

  std::string_view data() const { return {static_cast<const char*>(addr_), size_}; }
  size_t size() const { return size_; }

 private:
  void* addr_ = nullptr;
  size_t size_ = 0;
};

// Writes / reads exactly `n` bytes at `offset`, retrying on EINTR and short transfers.
// Errors name `path`; reading past the end is kCorruption ("unexpected end of file").
Status PwriteAll(int fd, const void* data, size_t n, size_t offset, const std::string& path);
Status PreadAll(int fd, void* data, size_t n, size_t offset, const std::string& path);

}  // namespace codeindex

#endif  // CODEINDEX_BASE_FILE_H_
