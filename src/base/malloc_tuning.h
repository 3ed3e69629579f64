// glibc malloc settings for long indexing runs.
//
// Measured (bench/README.md, "index": 1M lines of Boost headers, text index, 2 worker
// threads): glibc's default of up to 8 arenas per core lets the parse workers' freed memory
// sit in separate arenas, and its dynamic mmap threshold moves whole-file buffers (up to
// 1 MiB) onto those heaps: peak RSS 101-106 MB. One arena and a fixed 256 KiB mmap
// threshold (big buffers are mapped and returned at free): 71.5 MB, for about 7 % more CPU.
#ifndef CODEINDEX_BASE_MALLOC_TUNING_H_
#define CODEINDEX_BASE_MALLOC_TUNING_H_

namespace codeindex {

// Applies the settings above unless the user set MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_
// themselves. Call before starting threads. No-op where malloc is not glibc's.
void TuneMallocForIndexing();

}  // namespace codeindex

#endif  // CODEINDEX_BASE_MALLOC_TUNING_H_
