// `codeindex eval`: search quality on the user's own repository (eval/eval.h).
#include <sys/stat.h>

#include "cli/commands.h"
#include "eval/eval.h"

namespace codeindex::cli {

Status RunEval(const EvalArgs& args, std::ostream& out) {
  struct stat st;
  if (::stat(args.workspace.c_str(), &st) != 0) {
    return Status::NotFound("workspace " + args.workspace + " does not exist");
  }
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(args.workspace + " is not a directory");
  if (args.queries < 1) return Status::Usage("--queries must be at least 1");
  EvalOptions options;
  options.queries = args.queries;
  ASSIGN_OR_RETURN(EvalReport report, RunEval(args.workspace, options));
  if (args.json) {
    out << EvalReportToJson(report) << "\n";
  } else {
    out << EvalReportToText(report);
  }
  return Status::OK();
}

}  // namespace codeindex::cli
