#include "index/index_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace codeindex {

namespace fs = std::filesystem;

std::string IndexDirFor(const std::string& workspace) {
  const char* env = std::getenv("CODEINDEX_INDEX_DIR");
  if (env != nullptr && *env != '\0') return env;
  std::string w = workspace.empty() ? "." : workspace;
  while (w.size() > 1 && w.back() == '/') w.pop_back();
  return w + "/.codeindex";
}

std::string LiveStatusPath(const std::string& index_dir) {
  return index_dir + "/serve-status.json";
}

Status MakeDirectories(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Status::IOError(path + ": " + ec.message());
  return Status::OK();
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return Status::IOError(path + ": " + ec.message());
  return Status::OK();
}

uint64_t TreeSizeBytes(const std::string& path) {
  std::error_code ec;
  uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(path, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

Result<std::unique_ptr<WriterLock>> WriterLock::Acquire(const std::string& index_dir, bool wait) {
  RETURN_IF_ERROR(MakeDirectories(index_dir));
  std::string path = index_dir + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(path, errno);
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int err = errno;
    std::string holder;
    char buf[32] = {0};
    if (::pread(fd, buf, sizeof buf - 1, 0) > 0) holder = std::string(" (pid ") + buf + ")";
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::FailedPrecondition("the index " + index_dir +
                                        " is being updated by another process" + holder);
    }
    return Status::FromErrno(path, err);
  }
  std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd, 0) == 0) {
    ssize_t ignored = ::pwrite(fd, pid.data(), pid.size(), 0);
    (void)ignored;
  }
  return std::unique_ptr<WriterLock>(new WriterLock(fd));
}

bool WriterLock::IsHeld(const std::string& index_dir) {
  std::string path = index_dir + "/lock";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

WriterLock::~WriterLock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace codeindex
