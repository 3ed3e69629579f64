// `codeindex tokens`: the tiktoken token count of a file or of stdin.
#include <cerrno>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "cli/commands.h"
#include "tokens/tokenizer.h"

namespace codeindex::cli {
namespace {

Result<std::string> ReadStdin() {
  std::string data;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("stdin", errno);
    }
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

Status RunTokens(const TokensArgs& args, std::ostream& out) {
  std::optional<TokenEncoding> encoding = TokenEncodingFromName(args.encoding);
  if (!encoding) return Status::Usage("unknown encoding: " + args.encoding);

  // Regular files are mapped (no copy); stdin, pipes and devices are read.
  MappedFile mapped;
  std::string owned;
  std::string_view text;
  if (args.file.empty() || args.file == "-") {
    ASSIGN_OR_RETURN(owned, ReadStdin());
    text = owned;
  } else {
    struct stat st;
    if (::stat(args.file.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) {
        return Status::NotFound(args.file + ": no such file");
      }
      return Status::FromErrno(args.file, errno);
    }
    if (S_ISDIR(st.st_mode)) return Status::InvalidArgument(args.file + ": is a directory");
    if (S_ISREG(st.st_mode)) {
      ASSIGN_OR_RETURN(mapped, MappedFile::Open(args.file));
      text = mapped.data();
    } else {
      ASSIGN_OR_RETURN(owned, ReadFile(args.file));
      text = owned;
    }
  }

  const size_t count = Tokenizer::Get(*encoding).Count(text);
  if (args.json) {
    nlohmann::json j = {{"tokens", count},
                        {"encoding", std::string(TokenEncodingName(*encoding))},
                        {"bytes", text.size()}};
    if (args.estimate) j["estimate"] = OriginalContextEstimate(count);
    out << j.dump() << "\n";
  } else {
    out << (args.estimate ? OriginalContextEstimate(count) : count) << "\n";
  }
  return Status::OK();
}

}  // namespace codeindex::cli
