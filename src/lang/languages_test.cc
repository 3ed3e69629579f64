#include "lang/languages.h"

#include <set>

#include <gtest/gtest.h>

namespace codeindex {
namespace {

TEST(LanguagesTest, OriginalListHas41UniqueExtensionsFirst) {
  auto langs = Languages();
  std::set<std::string_view> original;
  size_t i = 0;
  for (; i < langs.size() && langs[i].original; ++i) original.insert(langs[i].extension);
  EXPECT_EQ(i, 41u);
  EXPECT_EQ(original.size(), 41u);
  for (; i < langs.size(); ++i) EXPECT_FALSE(langs[i].original) << langs[i].extension;
}

TEST(LanguagesTest, ExtensionLookupIsCaseInsensitive) {
  EXPECT_EQ(ExtensionOf("src/A.PY"), ".py");
  EXPECT_EQ(ExtensionOf("dir.d/name"), "");
  EXPECT_EQ(ExtensionOf(".bashrc"), "");
  EXPECT_EQ(ExtensionOf("x/.eslintrc.json"), ".json");
  ASSERT_NE(LanguageForPath("lib/Main.JAVA"), nullptr);
  EXPECT_EQ(LanguageForPath("lib/Main.JAVA")->language, "java");
  EXPECT_EQ(LanguageForPath("README.md")->route, ChunkRoute::kMarkdown);
  EXPECT_EQ(LanguageForPath("a.vb")->route, ChunkRoute::kFallback);
  EXPECT_EQ(LanguageForPath("notes.txt"), nullptr);
  EXPECT_EQ(LanguageForPath("Makefile"), nullptr);
}

TEST(LanguagesTest, OriginalRoutesKeepTheQuirksThatWeFix) {
  for (const char* ext : {"a.htm", "a.elm", "a.ejs", "a.erb"}) {
    const LanguageEntry* e = LanguageForPath(ext);
    ASSERT_NE(e, nullptr) << ext;
    EXPECT_EQ(e->original_route, ChunkRoute::kNone) << ext;
    EXPECT_NE(e->route, ChunkRoute::kNone) << ext;
  }
  for (const LanguageEntry& e : Languages()) {
    if (e.extension == ".htm" || e.extension == ".elm" || e.extension == ".ejs" ||
        e.extension == ".erb") {
      continue;
    }
    EXPECT_EQ(e.route, e.original_route) << e.extension;
  }
  EXPECT_EQ(LanguageForPath("a.swift")->route, ChunkRoute::kFallback);
  EXPECT_EQ(LanguageForPath("a.swift")->language, "swift");
}

}  // namespace
}  // namespace codeindex
