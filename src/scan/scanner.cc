#include "scan/scanner.h"

namespace codeindex {

Result<ScanResult> Scan(const ScanOptions&) { return Status::NotImplemented("scan"); }

}  // namespace codeindex
