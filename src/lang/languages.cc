#include "lang/languages.h"

#include <algorithm>
#include <array>

namespace codeindex {

namespace {

using R = ChunkRoute;

constexpr LanguageEntry kLanguages[] = {
    // The original's 41, in its order (spec §3).
    {".tla", "tlaplus", R::kTreeSitter, true},
    {".js", "javascript", R::kTreeSitter, true},
    {".jsx", "javascript", R::kTreeSitter, true},
    {".ts", "typescript", R::kTreeSitter, true},
    {".vue", "vue", R::kTreeSitter, true},
    {".tsx", "tsx", R::kTreeSitter, true},
    {".py", "python", R::kTreeSitter, true},
    {".rs", "rust", R::kTreeSitter, true},
    {".go", "go", R::kTreeSitter, true},
    {".c", "c", R::kTreeSitter, true},
    {".h", "c", R::kTreeSitter, true},
    {".cpp", "cpp", R::kTreeSitter, true},
    {".hpp", "cpp", R::kTreeSitter, true},
    {".cs", "c_sharp", R::kTreeSitter, true},
    {".rb", "ruby", R::kTreeSitter, true},
    {".java", "java", R::kTreeSitter, true},
    {".php", "php", R::kTreeSitter, true},
    {".swift", "swift", R::kFallback, true},
    {".sol", "solidity", R::kTreeSitter, true},
    {".kt", "kotlin", R::kTreeSitter, true},
    {".kts", "kotlin", R::kTreeSitter, true},
    {".ex", "elixir", R::kTreeSitter, true},
    {".exs", "elixir", R::kTreeSitter, true},
    {".el", "elisp", R::kTreeSitter, true},
    {".html", "html", R::kTreeSitter, true},
    {".htm", "html", R::kNone, true},
    {".md", "", R::kMarkdown, true},
    {".markdown", "", R::kMarkdown, true},
    {".json", "javascript", R::kTreeSitter, true},
    {".css", "css", R::kTreeSitter, true},
    {".rdl", "systemrdl", R::kTreeSitter, true},
    {".ml", "ocaml", R::kTreeSitter, true},
    {".mli", "ocaml_interface", R::kTreeSitter, true},
    {".lua", "lua", R::kTreeSitter, true},
    {".scala", "scala", R::kFallback, true},
    {".toml", "toml", R::kTreeSitter, true},
    {".zig", "zig", R::kTreeSitter, true},
    {".elm", "elm", R::kNone, true},
    {".ejs", "embedded_template", R::kNone, true},
    {".erb", "embedded_template", R::kNone, true},
    {".vb", "", R::kFallback, true},
    // Additions (languages the parser supports beyond the original's list).
    {".mjs", "javascript", R::kTreeSitter, false},
    {".cjs", "javascript", R::kTreeSitter, false},
    {".mts", "typescript", R::kTreeSitter, false},
    {".cts", "typescript", R::kTreeSitter, false},
    {".pyi", "python", R::kTreeSitter, false},
    {".cc", "cpp", R::kTreeSitter, false},
    {".cxx", "cpp", R::kTreeSitter, false},
    {".hh", "cpp", R::kTreeSitter, false},
    {".hxx", "cpp", R::kTreeSitter, false},
    {".sh", "bash", R::kTreeSitter, false},
    {".bash", "bash", R::kTreeSitter, false},
    {".yaml", "yaml", R::kTreeSitter, false},
    {".yml", "yaml", R::kTreeSitter, false},
    {".dart", "dart", R::kTreeSitter, false},
    {".hs", "haskell", R::kTreeSitter, false},
};

}  // namespace

std::span<const LanguageEntry> Languages() { return kLanguages; }

std::string ExtensionOf(std::string_view path) {
  size_t slash = path.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  std::string ext(name.substr(dot));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return ext;
}

const LanguageEntry* LanguageForPath(std::string_view path) {
  std::string ext = ExtensionOf(path);
  if (ext.empty()) return nullptr;
  for (const LanguageEntry& e : kLanguages) {
    if (e.extension == ext) return &e;
  }
  return nullptr;
}

}  // namespace codeindex
