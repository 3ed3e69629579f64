#include "lang/languages.h"

#include <algorithm>
#include <array>

namespace codeindex {

namespace {

using R = ChunkRoute;

constexpr LanguageEntry kLanguages[] = {
    // The original's 41, in its order (docs/original.md §3).
    {".tla", "tlaplus", R::kTreeSitter, true, R::kTreeSitter},
    {".js", "javascript", R::kTreeSitter, true, R::kTreeSitter},
    {".jsx", "javascript", R::kTreeSitter, true, R::kTreeSitter},
    {".ts", "typescript", R::kTreeSitter, true, R::kTreeSitter},
    {".vue", "vue", R::kTreeSitter, true, R::kTreeSitter},
    {".tsx", "tsx", R::kTreeSitter, true, R::kTreeSitter},
    {".py", "python", R::kTreeSitter, true, R::kTreeSitter},
    {".rs", "rust", R::kTreeSitter, true, R::kTreeSitter},
    {".go", "go", R::kTreeSitter, true, R::kTreeSitter},
    {".c", "c", R::kTreeSitter, true, R::kTreeSitter},
    {".h", "c", R::kTreeSitter, true, R::kTreeSitter},
    {".cpp", "cpp", R::kTreeSitter, true, R::kTreeSitter},
    {".hpp", "cpp", R::kTreeSitter, true, R::kTreeSitter},
    {".cs", "c_sharp", R::kTreeSitter, true, R::kTreeSitter},
    {".rb", "ruby", R::kTreeSitter, true, R::kTreeSitter},
    {".java", "java", R::kTreeSitter, true, R::kTreeSitter},
    {".php", "php", R::kTreeSitter, true, R::kTreeSitter},
    {".swift", "swift", R::kFallback, true, R::kFallback},
    {".sol", "solidity", R::kTreeSitter, true, R::kTreeSitter},
    {".kt", "kotlin", R::kTreeSitter, true, R::kTreeSitter},
    {".kts", "kotlin", R::kTreeSitter, true, R::kTreeSitter},
    {".ex", "elixir", R::kTreeSitter, true, R::kTreeSitter},
    {".exs", "elixir", R::kTreeSitter, true, R::kTreeSitter},
    {".el", "elisp", R::kTreeSitter, true, R::kTreeSitter},
    {".html", "html", R::kTreeSitter, true, R::kTreeSitter},
    {".htm", "html", R::kTreeSitter, true, R::kNone},
    {".md", "", R::kMarkdown, true, R::kMarkdown},
    {".markdown", "", R::kMarkdown, true, R::kMarkdown},
    {".json", "javascript", R::kTreeSitter, true, R::kTreeSitter},
    {".css", "css", R::kTreeSitter, true, R::kTreeSitter},
    {".rdl", "systemrdl", R::kTreeSitter, true, R::kTreeSitter},
    {".ml", "ocaml", R::kTreeSitter, true, R::kTreeSitter},
    {".mli", "ocaml_interface", R::kTreeSitter, true, R::kTreeSitter},
    {".lua", "lua", R::kTreeSitter, true, R::kTreeSitter},
    {".scala", "scala", R::kFallback, true, R::kFallback},
    {".toml", "toml", R::kTreeSitter, true, R::kTreeSitter},
    {".zig", "zig", R::kTreeSitter, true, R::kTreeSitter},
    {".elm", "elm", R::kTreeSitter, true, R::kNone},
    {".ejs", "embedded_template", R::kFallback, true, R::kNone},
    {".erb", "embedded_template", R::kFallback, true, R::kNone},
    {".vb", "", R::kFallback, true, R::kFallback},
    // Additions (languages the parser supports beyond the original's list).
    {".mjs", "javascript", R::kTreeSitter, false, R::kTreeSitter},
    {".cjs", "javascript", R::kTreeSitter, false, R::kTreeSitter},
    {".mts", "typescript", R::kTreeSitter, false, R::kTreeSitter},
    {".cts", "typescript", R::kTreeSitter, false, R::kTreeSitter},
    {".pyi", "python", R::kTreeSitter, false, R::kTreeSitter},
    {".cc", "cpp", R::kTreeSitter, false, R::kTreeSitter},
    {".cxx", "cpp", R::kTreeSitter, false, R::kTreeSitter},
    {".hh", "cpp", R::kTreeSitter, false, R::kTreeSitter},
    {".hxx", "cpp", R::kTreeSitter, false, R::kTreeSitter},
    {".sh", "bash", R::kTreeSitter, false, R::kTreeSitter},
    {".bash", "bash", R::kTreeSitter, false, R::kTreeSitter},
    {".yaml", "yaml", R::kTreeSitter, false, R::kTreeSitter},
    {".yml", "yaml", R::kTreeSitter, false, R::kTreeSitter},
    {".dart", "dart", R::kTreeSitter, false, R::kTreeSitter},
    {".hs", "haskell", R::kTreeSitter, false, R::kTreeSitter},
    {".zsh", "bash", R::kTreeSitter, false, R::kTreeSitter},
    {".rake", "ruby", R::kTreeSitter, false, R::kTreeSitter},
    {".gemspec", "ruby", R::kTreeSitter, false, R::kTreeSitter},
    {".sc", "scala", R::kFallback, false, R::kFallback},
};

}  // namespace

std::span<const LanguageEntry> Languages() { return kLanguages; }

std::string ExtensionOf(std::string_view path) {
  size_t slash = path.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  std::string ext(name.substr(dot));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  });
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
