// Status and Result<T>: errors as values at every module boundary.
//
// A Status is either OK or carries a Code and a one-line message. OK is free: it
// holds a null pointer, like leveldb's Status, so returning Status::OK() from a hot
// function costs a register. Messages carry their own context (the path, the line)
// where the error is created; callers add context with Status::WithContext().
//
// Result<T> holds either a T or a non-OK Status. Its API follows std::expected
// (has_value(), value(), error(), operator*, operator->) so that a later move to
// C++23 is a rename.
//
// Propagate with RETURN_IF_ERROR(expr) and ASSIGN_OR_RETURN(lhs, expr).
//
// Mapping onto the CLI contract (docs/interface.md) is done by ExitCodeFor():
//   kInvalidArgument, kNotFound, kFailedPrecondition -> 1 (user error)
//   kUsage                                             -> 2 (usage error, incl. "not implemented")
//   kIOError, kCorruption, kUnavailable, kInternal     -> 3 (internal or I/O error)
// and onto HTTP by HttpStatusFor().
//
// Thread safety: Status and Result are values; distinct objects may be used from
// distinct threads without synchronisation.
#ifndef CODEINDEX_BASE_STATUS_H_
#define CODEINDEX_BASE_STATUS_H_

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace codeindex {

enum class Code : int {
  kOk = 0,
  kInvalidArgument,     // bad input from the user: a malformed query, a bad flag value
  kNotFound,            // a file, index or symbol that does not exist
  kFailedPrecondition,  // e.g. no index yet for `search`
  kUsage,               // wrong command-line usage, or a feature not implemented yet
  kIOError,             // the operating system said no
  kCorruption,          // on-disk data is not what we wrote
  kUnavailable,         // a remote service (embedding provider) is down or throttling
  kInternal,            // a bug: an invariant that should hold did not
  kCancelled,           // the operation was interrupted on request
};

// Returns a stable lower-case name for `code` ("invalid argument", ...).
std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() noexcept = default;  // OK
  Status(Code code, std::string_view message);

  Status(const Status& other) : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string_view msg) { return {Code::kInvalidArgument, msg}; }
  static Status NotFound(std::string_view msg) { return {Code::kNotFound, msg}; }
  static Status FailedPrecondition(std::string_view msg) {
    return {Code::kFailedPrecondition, msg};
  }
  static Status Usage(std::string_view msg) { return {Code::kUsage, msg}; }
  static Status IOError(std::string_view msg) { return {Code::kIOError, msg}; }
  // An I/O error from errno, as "<context>: <strerror(err)>".
  static Status FromErrno(std::string_view context, int err);
  static Status Corruption(std::string_view msg) { return {Code::kCorruption, msg}; }
  static Status Unavailable(std::string_view msg) { return {Code::kUnavailable, msg}; }
  static Status Internal(std::string_view msg) { return {Code::kInternal, msg}; }
  static Status Cancelled(std::string_view msg) { return {Code::kCancelled, msg}; }
  static Status NotImplemented(std::string_view what);

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  // The message without the code name; empty when OK.
  const std::string& message() const;
  // "<message>" for errors, "OK" otherwise. This is what the CLI prints after "codeindex: ".
  std::string ToString() const;
  // Returns a copy whose message is "<context>: <message>". OK stays OK.
  Status WithContext(std::string_view context) const;

 private:
  struct Rep {
    Code code;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;
};

inline bool operator==(const Status& a, Code c) { return a.code() == c; }

// Exit code for the CLI contract: 0 OK, 1 user error, 2 usage, 3 internal or I/O.
int ExitCodeFor(const Status& s);
// HTTP status for the server: 200, 400, 404, 409, 500, 503.
int HttpStatusFor(const Status& s);

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    assert(!std::get<1>(v_).ok() && "Result constructed from an OK Status");
  }

  bool has_value() const { return v_.index() == 0; }
  bool ok() const { return has_value(); }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(v_);
  }
  // By value, not T&&: `for (auto& x : *MakeResult())` must not dangle.
  T value() && {
    assert(has_value());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The error; OK if this holds a value.
  Status error() const { return has_value() ? Status::OK() : std::get<1>(v_); }
  Status status() const { return error(); }
  T value_or(T fallback) const& { return has_value() ? std::get<0>(v_) : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

namespace internal {
inline Status AsStatus(Status s) { return s; }
template <typename T>
Status AsStatus(const Result<T>& r) {
  return r.error();
}
}  // namespace internal

}  // namespace codeindex

#define CODEINDEX_CONCAT_INNER(a, b) a##b
#define CODEINDEX_CONCAT(a, b) CODEINDEX_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the current function if it is not OK.
#define RETURN_IF_ERROR(expr)                                         \
  do {                                                                \
    ::codeindex::Status _st = ::codeindex::internal::AsStatus(expr); \
    if (!_st.ok()) return _st;                                        \
  } while (0)

// Evaluates `rexpr` (a Result<T>); on error returns its Status, else moves the value
// into `lhs` (which may be a declaration such as `auto x`).
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL(CODEINDEX_CONCAT(_result_, __LINE__), lhs, rexpr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                          \
  if (!tmp.has_value()) return tmp.error();    \
  lhs = std::move(tmp).value()

#endif  // CODEINDEX_BASE_STATUS_H_
