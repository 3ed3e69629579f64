// Helpers shared by the embedder implementations (internal to embed).
#ifndef CODEINDEX_EMBED_COMMON_H_
#define CODEINDEX_EMBED_COMMON_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "embed/embedder.h"

namespace codeindex::embed_internal {

// Hex SHA-256 of `seed` followed by, for each path, its length-prefixed name and its whole
// content (streamed through a small buffer: no mapping, so hashing adds nothing to RSS).
// Missing files hash as absent (so an optional file appearing changes the result).
Result<std::string> HashFiles(std::string_view seed, const std::vector<std::string>& paths);

// "<kind>:<last path component of dir>" unless config.model_id is set.
std::string LocalModelId(std::string_view kind, const EmbedderConfig& config);

bool FileExists(const std::string& path);
std::string JoinPath(const std::string& dir, std::string_view name);

// Applies `prefix` (if any) to each text; returns views into `storage` or the originals.
std::vector<std::string_view> WithPrefix(std::span<const std::string_view> texts,
                                         std::string_view prefix,
                                         std::vector<std::string>* storage);

}  // namespace codeindex::embed_internal

#endif  // CODEINDEX_EMBED_COMMON_H_
