// Subcommands that later issues implement. They answer with a clear usage error (exit 2)
// instead of pretending; each moves to its own cmd_*.cc file when it lands.
#include "cli/commands.h"

namespace codeindex::cli {

Status RunIndex(const IndexArgs&, std::ostream&) { return Status::NotImplemented("index"); }
Status RunSearch(const SearchArgs&, std::ostream&) { return Status::NotImplemented("search"); }
Status RunChunks(const FileArgs&, std::ostream&) { return Status::NotImplemented("chunks"); }
Status RunSymbols(const FileArgs&, std::ostream&) { return Status::NotImplemented("symbols"); }
Status RunContext(const ContextArgs&, std::ostream&) {
  return Status::NotImplemented("context");
}
Status RunWatch(const WatchArgs&, std::ostream&) { return Status::NotImplemented("watch"); }
Status RunServe(const ServeArgs&, std::ostream&) { return Status::NotImplemented("serve"); }
Status RunStatus(const StatusArgs&, std::ostream&) { return Status::NotImplemented("status"); }
Status RunEval(const EvalArgs&, std::ostream&) { return Status::NotImplemented("eval"); }

}  // namespace codeindex::cli
