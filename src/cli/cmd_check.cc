// `codeindex check`: verifies every byte of a workspace's index (index/health.h) and prints
// one line per problem; exit 0 when sound, 1 otherwise.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "index/health.h"
#include "index/index_dir.h"

namespace codeindex::cli {

Status RunCheck(const CheckArgs& args, std::ostream& out) {
  const std::string index_dir = IndexDirFor(args.workspace);
  ASSIGN_OR_RETURN(IndexCheckReport report, CheckIndex(index_dir, CheckDepth::kFull));
  if (!report.exists) {
    return Status::FailedPrecondition("no index at " + index_dir + "; run `codeindex index` first");
  }
  if (args.json) {
    nlohmann::json problems = nlohmann::json::array();
    for (const IndexProblem& p : report.problems) {
      problems.push_back({{"part", p.part}, {"problem", p.problem}});
    }
    nlohmann::json j = {{"index_dir", index_dir},
                        {"sound", report.problems.empty()},
                        {"problems", problems},
                        {"files", report.files},
                        {"blocks", report.catalog.live_blocks},
                        {"generation", report.catalog.generation},
                        {"text_blocks", report.text_blocks ? nlohmann::json(*report.text_blocks)
                                                           : nlohmann::json(nullptr)},
                        {"vectors", report.vectors ? nlohmann::json(*report.vectors)
                                                   : nlohmann::json(nullptr)},
                        {"writer_active", report.writer_active}};
    out << j.dump() << "\n";
  } else if (report.problems.empty()) {
    out << "sound: " << report.files << " files, " << report.catalog.live_blocks
        << " blocks; text index " << report.text_blocks.value_or(0) << " blocks";
    if (report.vectors) out << "; vector index " << *report.vectors << " vectors";
    out << "\n";
  } else {
    for (const IndexProblem& p : report.problems) out << p.part << ": " << p.problem << "\n";
  }
  if (report.writer_active) {
    std::cerr << "codeindex: warning: another process was updating the index; its parts were "
                 "not compared with the catalog\n";
  }
  if (report.problems.empty()) return Status::OK();
  return Status::FailedPrecondition("the index in " + index_dir + " has " +
                                    std::to_string(report.problems.size()) +
                                    " problem(s); run `codeindex index` to repair it");
}

}  // namespace codeindex::cli
