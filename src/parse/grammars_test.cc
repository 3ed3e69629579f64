// Every compiled-in grammar loads with the 0.25.1 core and parses a small valid program
// without errors; every embedded query compiles against its grammar.
#include "parse/grammars.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "lang/languages.h"
#include "parse/parser.h"

namespace codeindex::parse_internal {
namespace {

const std::map<std::string, std::string>& Snippets() {
  static const auto* m = new std::map<std::string, std::string>{
      {"tlaplus", "---- MODULE M ----\nEXTENDS Naturals\nVARIABLE x\nInit == x = 0\n====\n"},
      {"javascript",
       "import fs from 'fs';\nclass A { m() { return 1; } }\nconst f = (x) => x + 1;\n"},
      {"typescript",
       "interface P { x: number }\nexport class G { greet(): string { return 'hi'; } }\n"},
      {"tsx", "const App = () => <div className=\"a\">{name}</div>;\n"},
      {"vue",
       "<template>\n  <div>{{ msg }}</div>\n</template>\n<script>\nexport default {}\n</script>\n"},
      {"python", "import os\nclass A:\n    def f(self, x):\n        return x + 1\n"},
      {"rust", "use std::io;\nstruct P { x: i32 }\nimpl P { fn get(&self) -> i32 { self.x } }\n"},
      {"go", "package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"hi\") }\n"},
      {"c", "#include <stdio.h>\nstruct p { int x; };\nint main(void) { return 0; }\n"},
      {"cpp",
       "#include <vector>\nnamespace n { class A { public: int f() const { return 1; } }; }\n"},
      {"c_sharp", "using System;\nnamespace N { class A { public int F() { return 1; } } }\n"},
      {"ruby",
       "require 'set'\nmodule M\n  class A\n    def f(x)\n      x + 1\n    end\n  end\nend\n"},
      {"java", "package p;\nimport java.util.List;\nclass A { int f() { return 1; } }\n"},
      {"php", "<?php\nnamespace N;\nuse A\\B;\nclass C { function f() { return 1; } }\n"},
      {"solidity",
       "pragma solidity ^0.8.0;\ncontract C { function f() public pure returns (uint) { return 1; "
       "} }\n"},
      {"kotlin",
       "package p\nimport a.b\nclass A {\n    fun f(x: Int): Int {\n        return x + 1\n    "
       "}\n}\n"},
      {"elixir", "defmodule M do\n  def f(x), do: x + 1\nend\n"},
      {"elisp", "(defun f (x) \"Doc.\" (+ x 1))\n(defvar v 1)\n"},
      {"html", "<!DOCTYPE html>\n<html><body><p class=\"a\">Hi</p></body></html>\n"},
      {"css", "@import url(\"a.css\");\n.a > b { color: red; }\n"},
      {"systemrdl", "addrmap top {\n  reg { field { sw = rw; } f[8]; } r;\n};\n"},
      {"ocaml", "open Printf\nlet f x = x + 1\ntype t = A | B\nmodule M = struct let y = 2 end\n"},
      {"ocaml_interface", "val f : int -> int\ntype t = A | B\n"},
      {"lua",
       "local M = {}\nlocal s = 'a' .. \"b\" .. [[c]]\nfunction M.f(x)\n  return x + "
       "1\nend\nreturn M\n"},
      {"toml", "[package]\nname = \"x\"\nversion = \"1.0\"\n[[bin]]\npath = \"a\"\n"},
      {"zig",
       "const std = @import(\"std\");\npub fn main() void {\n    std.debug.print(\"hi\", "
       ".{});\n}\n"},
      {"embedded_template", "<ul>\n<% items.each do |i| %>\n<li><%= i %></li>\n<% end %>\n</ul>\n"},
      {"swift", "import Foundation\nclass A {\n    func f(x: Int) -> Int { return x + 1 }\n}\n"},
      {"scala", "package p\nimport a.b\nobject M { def f(x: Int): Int = x + 1 }\n"},
      {"bash", "#!/bin/bash\nsource ./lib.sh\nf() {\n  echo \"$1\"\n}\nf hi\n"},
      {"yaml", "name: x\nitems:\n  - a\n  - b\nnested:\n  key: value\n"},
      {"dart", "import 'dart:io';\nclass A {\n  int f(int x) {\n    return x + 1;\n  }\n}\n"},
      {"haskell", "module M where\nimport Data.List\nf :: Int -> Int\nf x = x + 1\n"},
      {"elm", "module Main exposing (main)\nimport Html\nmain =\n    Html.text \"hi\"\n"},
  };
  return *m;
}

TEST(GrammarsTest, AtLeastTwentyFiveLanguages) { EXPECT_GE(SupportedLanguages().size(), 25u); }

TEST(GrammarsTest, EveryGrammarParsesItsSnippetWithoutErrors) {
  for (std::string_view name : SupportedLanguages()) {
    SCOPED_TRACE(std::string(name));
    auto it = Snippets().find(std::string(name));
    ASSERT_NE(it, Snippets().end()) << "no snippet for " << name;
    const TSLanguage* lang = FindGrammar(name);
    ASSERT_NE(lang, nullptr);
    TSParser* parser = ThreadParser(lang);
    ASSERT_EQ(ts_parser_language(parser), lang) << "ABI " << ts_language_abi_version(lang);
    TSTree* tree = ParseWithDeadline(parser, it->second, 5000);
    ASSERT_NE(tree, nullptr);
    TSNode root = ts_tree_root_node(tree);
    char* sexp = ts_node_string(root);
    EXPECT_FALSE(ts_node_has_error(root)) << sexp;
    free(sexp);
    ts_tree_delete(tree);
  }
}

TEST(GrammarsTest, EveryQueryCompilesAndEveryTreeSitterLanguageHasOne) {
  std::set<std::string> with_query;
  for (std::string_view name : SupportedLanguages()) {
    auto rt = GetRuntime(name);
    ASSERT_TRUE(rt.ok()) << rt.error().ToString();
    if ((*rt)->chunk_query) with_query.insert(std::string(name));
  }
  for (const LanguageEntry& e : Languages()) {
    if (e.route != ChunkRoute::kTreeSitter) continue;
    EXPECT_TRUE(with_query.count(std::string(e.language))) << e.extension << " " << e.language;
  }
  // Every embedded query belongs to a grammar.
  for (const EmbeddedQuery* q = kEmbeddedQueries; q->name != nullptr; ++q) {
    std::string lang(q->name);
    lang = lang.substr(0, lang.find('.'));
    EXPECT_NE(FindGrammar(lang), nullptr) << q->name;
  }
}

TEST(GrammarsTest, PredicatesFilterMatches) {
  const TSLanguage* py = FindGrammar("python");
  auto q = Query::Compile(py,
                          "((identifier) @id (#eq? @id \"keep\"))\n"
                          "((identifier) @m (#match? @m \"^x[0-9]+$\"))\n"
                          "((identifier) @a (#any-of? @a \"p\" \"q\"))\n"
                          "((identifier) @n (#not-eq? @n \"keep\"))\n",
                          "test");
  ASSERT_TRUE(q.ok()) << q.error().ToString();
  std::string src = "keep = x12 + p + zz\n";
  TSParser* parser = ThreadParser(py);
  TSTree* tree = ts_parser_parse_string(parser, nullptr, src.data(), src.size());
  TSQueryCursor* c = ThreadCursor();
  ts_query_cursor_exec(c, (*q)->get(), ts_tree_root_node(tree));
  std::multiset<std::string> got;
  TSQueryMatch m;
  while (ts_query_cursor_next_match(c, &m)) {
    if (!(*q)->Accept(m, src)) continue;
    got.insert(std::string((*q)->CaptureName(m.captures[0].index)) + ":" +
               std::string(NodeText(m.captures[0].node, src)));
  }
  ts_tree_delete(tree);
  EXPECT_EQ(got, (std::multiset<std::string>{"id:keep", "m:x12", "a:p", "n:x12", "n:p", "n:zz"}));
}

TEST(GrammarsTest, BadQueryIsAnErrorNamingTheLine) {
  auto q = Query::Compile(FindGrammar("python"), "(identifier) @a\n(no_such_node) @b\n", "bad");
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.error().message().find("bad.scm line 2"), std::string::npos) << q.error().ToString();
}

}  // namespace
}  // namespace codeindex::parse_internal
