#include "parse/symbols.h"

#include <gtest/gtest.h>

namespace codeindex {
namespace {

std::string Describe(const FileSymbols& fs) {
  std::string s;
  for (const Symbol& sym : fs.symbols) {
    s += sym.kind + " " + (sym.scope.empty() ? "" : sym.scope + ".") + sym.name + " " +
         std::to_string(sym.start_line) + "-" + std::to_string(sym.end_line) + "\n";
  }
  for (const Import& i : fs.imports) s += "import " + std::to_string(i.line) + " " + i.text + "\n";
  return s;
}

FileSymbols Extract(const std::string& path, const std::string& src) {
  auto r = ExtractSymbols(path, src);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? *r : FileSymbols{};
}

TEST(SymbolsTest, PythonClassesMethodsImports) {
  const std::string src =
      "import os\n"
      "from a.b import c\n"
      "MAX = 3\n"
      "class Greeter:\n"
      "    def greet(self):\n"
      "        def inner():\n"
      "            pass\n"
      "        return 1\n"
      "    class Nested:\n"
      "        def deep(self): pass\n"
      "def top(): pass\n";
  EXPECT_EQ(Describe(Extract("x.py", src)),
            "constant MAX 3-3\n"
            "class Greeter 4-10\n"
            "method Greeter.greet 5-8\n"
            "function Greeter.greet.inner 6-7\n"
            "class Greeter.Nested 9-10\n"
            "method Greeter.Nested.deep 10-10\n"
            "function top 11-11\n"
            "import 1 import os\n"
            "import 2 from a.b import c\n");
}

TEST(SymbolsTest, TypeScriptAndRust) {
  EXPECT_EQ(Describe(Extract("a.ts",
                             "import { x } from './x';\n"
                             "export interface P { a: number }\n"
                             "export class G {\n  greet(): string { return 'hi'; }\n}\n"
                             "const f = (a: number) => a;\n")),
            "interface P 2-2\nclass G 3-5\nmethod G.greet 4-4\nfunction f 6-6\n"
            "import 1 import { x } from './x';\n");
  EXPECT_EQ(Describe(Extract("a.rs",
                             "use std::io;\nstruct P { x: i32 }\n"
                             "impl P {\n    fn get(&self) -> i32 { self.x }\n}\n")),
            "struct P 2-2\nmethod P.get 4-4\nimport 1 use std::io;\n");
}

TEST(SymbolsTest, CIncludesAndFunctionsGoAndJava) {
  EXPECT_EQ(Describe(Extract(
                "a.c", "#include <stdio.h>\nstatic int add(int a, int b) {\n  return a + b;\n}\n")),
            "function add 2-4\nimport 1 #include <stdio.h>\n");
  EXPECT_EQ(Describe(Extract("a.go", "package main\nimport \"fmt\"\nfunc main() {}\n")),
            "module main 1-1\nfunction main 3-3\nimport 2 import \"fmt\"\n");
  EXPECT_EQ(Describe(Extract("A.java",
                             "import java.util.List;\nclass A {\n  int f() { return 1; }\n}\n")),
            "class A 2-4\nmethod A.f 3-3\nimport 1 import java.util.List;\n");
}

TEST(SymbolsTest, SwiftAndScalaHaveSymbolsThoughLineChunked) {
  EXPECT_EQ(Describe(Extract(
                "a.swift", "import Foundation\nclass A {\n    func f() -> Int { return 1 }\n}\n")),
            "class A 2-4\nmethod A.f 3-3\nimport 1 import Foundation\n");
  EXPECT_EQ(Describe(Extract("a.scala", "import a.b\nobject M { def f(x: Int): Int = x + 1 }\n")),
            "class M 2-2\nmethod M.f 2-2\nimport 1 import a.b\n");
}

TEST(SymbolsTest, UnsupportedFileHasNoLanguage) {
  auto fs = Extract("notes.txt", "hello");
  EXPECT_TRUE(fs.language.empty());
  EXPECT_TRUE(fs.symbols.empty());
}

TEST(ContextTest, EnclosingDefinitionsAndImports) {
  const std::string src =
      "import os\n"
      "class Greeter:\n"
      "    def greet(self):\n"
      "        x = 1\n"
      "        return x\n";
  auto ctx = ExtractContext("g.py", src, 4, 5);
  ASSERT_TRUE(ctx.ok()) << ctx.error().ToString();
  EXPECT_EQ(ctx->content, "        x = 1\n        return x");
  ASSERT_EQ(ctx->enclosing.size(), 2u);
  EXPECT_EQ(ctx->enclosing[0].name, "Greeter");
  EXPECT_EQ(ctx->enclosing[0].signature, "class Greeter:");
  EXPECT_EQ(ctx->enclosing[1].name, "greet");
  EXPECT_EQ(ctx->enclosing[1].kind, "method");
  ASSERT_EQ(ctx->imports.size(), 1u);
  EXPECT_EQ(ctx->imports[0].text, "import os");
}

TEST(ContextTest, BadRangesAreUserErrors) {
  const std::string src = "a\nb\nc\n";  // 4 lines, like JavaScript's split
  for (auto [s, e] : std::vector<std::pair<int, int>>{{0, 1}, {3, 2}, {1, 5}}) {
    auto ctx = ExtractContext("g.py", src, s, e);
    ASSERT_FALSE(ctx.ok());
    EXPECT_EQ(ctx.error().code(), Code::kInvalidArgument);
  }
  EXPECT_TRUE(ExtractContext("g.py", src, 1, 4).ok());
}

TEST(ContextTest, FromSymbolsEqualsFromScratch) {
  const std::string src =
      "import os\n"
      "class Greeter:\n"
      "    def greet(self):\n"
      "        x = 1\n"
      "        return x\n";
  auto fs = ExtractSymbols("g.py", src);
  ASSERT_TRUE(fs.ok());
  for (int s = 1; s <= 5; ++s) {
    for (int e = s; e <= 6; ++e) {
      auto a = ExtractContext("g.py", src, s, e);
      auto b = ExtractContext("g.py", src, s, e, *fs);
      ASSERT_EQ(a.ok(), b.ok()) << s << "-" << e;
      if (!a.ok()) continue;
      EXPECT_EQ(a->content, b->content);
      ASSERT_EQ(a->enclosing.size(), b->enclosing.size());
      for (size_t i = 0; i < a->enclosing.size(); ++i) {
        EXPECT_EQ(a->enclosing[i].name, b->enclosing[i].name);
      }
      ASSERT_EQ(a->imports.size(), b->imports.size());
    }
  }
}

}  // namespace
}  // namespace codeindex
