// Subcommands that later issues implement. They answer with a clear usage error (exit 2)
// instead of pretending; each moves to its own cmd_*.cc file when it lands.
#include "cli/commands.h"

namespace codeindex::cli {

Status RunServe(const ServeArgs&, std::ostream&) { return Status::NotImplemented("serve"); }

}  // namespace codeindex::cli
