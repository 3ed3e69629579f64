// The complete chunker (ParseOptions::chunker = kComplete): every non-blank line of a file
// lands in exactly one block.
//
// 1. Cut costs. Each gap between two consecutive non-blank lines gets a cost:
//      depth   the number of syntax nodes spanning the gap (a gap between two top-level
//              definitions costs 0, a gap between two statements of a method of a class 3
//              or so); without a tree, the indentation of the shallower line (4 columns per
//              level), and in markdown the level of the header that follows (h1 cheapest);
//      sticky  +1.5 after a comment, decorator or annotation line: they belong to what
//              follows;
//      blank   -0.3 where blank lines separate the two lines: authors mark units that way.
// 2. Segmentation. A dynamic program over the non-blank lines picks the blocks minimising
//      sum over blocks (block_cost + tiny penalty) + sum over cuts (cut cost),
//    where a block holds at most max_units UTF-16 units (unless it is a single longer line,
//    which is then cut into segments of max_units) and the tiny penalty is
//    2 x (min_units - size) / min_units for blocks under min_units. With the default
//    block_cost 0, cuts between top-level definitions are free, so each top-level
//    definition of min_units or more is a block of its own, smaller neighbours (imports,
//    one-line functions) are grouped, and a larger definition is cut as few times as the
//    budget needs, at its shallowest inner boundaries (its members packed together).
//    block_cost 1 also packs neighbouring top-level definitions up to the budget.
// 3. Labels. A block's identifier is the first definition starting in it, namespaces and
//    modules only when nothing else starts in it (markdown: the first header in it, else
//    the header it is under); its type the grammar kind of the outermost node starting
//    on its first line; its context the signatures of the definitions that enclose it but
//    start above it.
//
// Cost: one pass over the syntax tree plus the program, O(lines x lines per block).
#include <algorithm>
#include <cmath>
#include <limits>

#include "parse/chunker.h"
#include "parse/text.h"

namespace codeindex::parse_internal {

namespace {

constexpr double kStickyCost = 1.5;
constexpr double kBlankBonus = 0.3;
constexpr double kTinyPenalty = 2.0;
// A block of more than this many non-blank lines is never considered (bounds the program
// on files of one-character lines; 1500 units over 600 lines is 2.5 units a line).
constexpr size_t kMaxLinesPerBlock = 600;
constexpr size_t kMaxContextLines = 4;
constexpr size_t kMaxSignatureBytes = 200;

// Leading indentation in columns (tab = 4).
int Indent(std::string_view line) {
  int w = 0;
  for (char c : line) {
    if (c == ' ') {
      ++w;
    } else if (c == '\t') {
      w += 4;
    } else {
      break;
    }
  }
  return w;
}

size_t FirstNonBlankColumn(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i;
}

bool IsStickyKind(std::string_view type) {
  return type.find("comment") != std::string_view::npos ||
         type.find("decorator") != std::string_view::npos ||
         type.find("annotation") != std::string_view::npos || type == "attribute_item" ||
         type == "attribute_list" || type == "attribute";
}

// Last row a node occupies: a node ending at column 0 ends on the line before.
uint32_t LastRow(TSNode node) {
  TSPoint s = ts_node_start_point(node);
  TSPoint e = ts_node_end_point(node);
  if (e.column == 0 && e.row > s.row) return e.row - 1;
  return e.row;
}

// spans[i] = number of nodes spanning the boundary between line i and line i + 1;
// sticky[i] = line i is (the start of) a comment, decorator or annotation.
void TreeCosts(const TSTree* tree, const Lines& lines, std::vector<int>* spans,
               std::vector<char>* sticky) {
  const size_t n = lines.size();
  std::vector<int> diff(n + 1, 0);
  TSNode root = ts_tree_root_node(tree);
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  bool descend = true;
  for (;;) {
    if (descend && ts_tree_cursor_goto_first_child(&cursor)) {
      // fall through to visit the child
    } else {
      descend = true;
      while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
        if (!ts_tree_cursor_goto_parent(&cursor)) {
          ts_tree_cursor_delete(&cursor);
          for (size_t i = 0, run = 0; i < n; ++i) {
            run += static_cast<size_t>(diff[i]);
            (*spans)[i] = static_cast<int>(run);
          }
          return;
        }
      }
    }
    TSNode node = ts_tree_cursor_current_node(&cursor);
    const uint32_t first = ts_node_start_point(node).row;
    const uint32_t last = LastRow(node);
    if (first >= n) {
      descend = false;
      continue;
    }
    if (last > first) {
      diff[first] += 1;
      diff[std::min<size_t>(last, n)] -= 1;
    } else {
      // A node on one line has no multi-line descendants: skip its subtree.
      descend = false;
    }
    if (ts_node_is_named(node) && IsStickyKind(ts_node_type(node)) &&
        ts_node_start_point(node).column == FirstNonBlankColumn(lines.line(first))) {
      for (uint32_t r = first; r <= last && r < n; ++r) (*sticky)[r] = 1;
    }
  }
}

// The grammar kind of the outermost node that starts at the first non-blank character of
// `row`, or of its nearest named ancestor.
std::string KindAt(const TSTree* tree, const Lines& lines, uint32_t row) {
  TSNode root = ts_tree_root_node(tree);
  const uint32_t col = static_cast<uint32_t>(FirstNonBlankColumn(lines.line(row)));
  TSPoint p{row, col};
  TSNode node = ts_node_descendant_for_point_range(root, p, p);
  if (ts_node_is_null(node)) return "lines";
  const uint32_t start = ts_node_start_byte(node);
  for (;;) {
    TSNode parent = ts_node_parent(node);
    if (ts_node_is_null(parent) || ts_node_eq(parent, root) ||
        ts_node_start_byte(parent) != start) {
      break;
    }
    node = parent;
  }
  while (!ts_node_is_named(node)) {
    TSNode parent = ts_node_parent(node);
    if (ts_node_is_null(parent) || ts_node_eq(parent, root)) return "lines";
    node = parent;
  }
  if (ts_node_eq(node, root)) return "lines";
  return ts_node_type(node);
}

std::string_view CutUtf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

struct MarkdownInfo {
  std::vector<int> level;           // per line: ATX header level, 0 when not a header
  std::vector<std::string> header;  // per line: header text
  std::vector<int> last_header;     // per line: the last header line at or above it, or -1
};

MarkdownInfo ScanMarkdown(const Lines& lines) {
  MarkdownInfo md;
  md.level.assign(lines.size(), 0);
  md.header.resize(lines.size());
  md.last_header.assign(lines.size(), -1);
  bool fenced = false;
  int last = -1;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view l = lines.line(i);
    std::string_view t = l.substr(FirstNonBlankColumn(l));
    if (t.substr(0, 3) == "```" || t.substr(0, 3) == "~~~") {
      fenced = !fenced;
    } else if (!fenced) {
      int level = 0;
      std::string text;
      if (MatchAtxHeader(l, &level, &text)) {
        md.level[i] = level;
        md.header[i] = std::move(text);
        last = static_cast<int>(i);
      }
    }
    md.last_header[i] = last;
  }
  return md;
}

}  // namespace

void EmitLineSegments(std::string_view line, int line_number, size_t max_units,
                      std::string_view type, const std::optional<std::string>& identifier,
                      BlockEmitter* emitter) {
  size_t pos = 0;
  size_t offset = 0;
  while (pos < line.size()) {
    bool split = false;
    size_t bytes = Utf16PrefixBytes(line.substr(pos), max_units, &split);
    if (bytes == 0) {
      // The budget is smaller than the next code point (a surrogate pair and max 1): take
      // the code point whole rather than loop.
      bytes = 1;
      while (pos + bytes < line.size() &&
             (static_cast<unsigned char>(line[pos + bytes]) & 0xC0) == 0x80) {
        ++bytes;
      }
    }
    std::string piece(line.substr(pos, bytes));
    size_t units = Utf16Length(piece);
    emitter->EmitSegment(type, identifier, line_number, offset, std::move(piece), units);
    pos += bytes;
    offset += units;
  }
}

void ChunkComplete(const CompleteInput& in, const CompleteLimits& limits, const TextIndex& index,
                   BlockEmitter* emitter) {
  const Lines lines = SplitLines(in.text);
  const size_t n = lines.size();
  std::vector<uint32_t> nb;  // non-blank lines
  nb.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!IsBlankLine(lines.line(i))) nb.push_back(static_cast<uint32_t>(i));
  }
  const size_t m = nb.size();
  if (m == 0) return;
  const size_t max_units = std::max<size_t>(limits.max_units, 1);
  const double min_units = static_cast<double>(std::max<size_t>(limits.min_units, 1));

  // 1. Cut costs of the m - 1 gaps.
  std::vector<int> spans;
  std::vector<char> sticky(n, 0);
  MarkdownInfo md;
  if (in.tree != nullptr) {
    spans.assign(n, 0);
    TreeCosts(in.tree, lines, &spans, &sticky);
  } else if (in.markdown) {
    md = ScanMarkdown(lines);
  }
  std::vector<double> gap(m > 0 ? m - 1 : 0, 0.0);
  for (size_t k = 0; k + 1 < m; ++k) {
    const uint32_t a = nb[k], b = nb[k + 1];
    double cost = 0;
    if (in.tree != nullptr) {
      int d = spans[a];
      for (uint32_t i = a + 1; i < b; ++i) d = std::min(d, spans[i]);
      cost = d;
    } else if (in.markdown) {
      cost = md.level[b] > 0 ? md.level[b] - 1 : 6 + Indent(lines.line(b)) / 4.0;
    } else {
      cost = std::min(Indent(lines.line(a)), Indent(lines.line(b))) / 4.0;
    }
    if (sticky[a] != 0) cost += kStickyCost;
    if (b > a + 1) cost -= kBlankBonus;
    gap[k] = std::max(cost, 0.0);
  }

  // 2. The program: best[j] = least cost of covering nb[0, j).
  auto units_of = [&](size_t x, size_t y) {  // non-blank lines x..y inclusive
    return index.Units(lines.begin(nb[x]), lines.end(nb[y]));
  };
  std::vector<double> best(m + 1, std::numeric_limits<double>::infinity());
  std::vector<uint32_t> from(m + 1, 0);
  best[0] = 0;
  for (size_t j = 1; j <= m; ++j) {
    const double cut = j < m ? gap[j - 1] : 0.0;
    for (size_t i = j; i-- > 0;) {
      if (j - i > kMaxLinesPerBlock) break;
      const size_t u = units_of(i, j - 1);
      if (u > max_units && i + 1 < j) break;
      double cost = limits.block_cost;
      if (static_cast<double>(u) < min_units) {
        cost += kTinyPenalty * (min_units - static_cast<double>(u)) / min_units;
      }
      const double total = best[i] + cost + cut;
      if (total < best[j]) {
        best[j] = total;
        from[j] = static_cast<uint32_t>(i);
      }
      if (u > max_units) break;  // a single long line: a block of its own
    }
  }
  std::vector<std::pair<size_t, size_t>> blocks;  // [first, last] non-blank indexes
  for (size_t j = m; j > 0; j = from[j]) blocks.emplace_back(from[j], j - 1);
  std::reverse(blocks.begin(), blocks.end());

  // 3. Labels and emission.
  const std::vector<Symbol>* symbols =
      in.symbols != nullptr ? &in.symbols->symbols : nullptr;
  size_t next_symbol = 0;
  for (const auto& [x, y] : blocks) {
    const uint32_t first = nb[x], last = nb[y];
    const int start_line = static_cast<int>(first) + 1;
    const int end_line = static_cast<int>(last) + 1;
    std::optional<std::string> identifier;
    std::string context;
    std::string type;
    if (symbols != nullptr) {
      while (next_symbol < symbols->size() && (*symbols)[next_symbol].start_line < start_line) {
        ++next_symbol;
      }
      // The first definition starting in the block; a namespace or module only when
      // nothing else starts in it (it names the file's scope, not the block's code).
      for (size_t k = next_symbol;
           k < symbols->size() && (*symbols)[k].start_line <= end_line; ++k) {
        if (!identifier) identifier = (*symbols)[k].name;
        if ((*symbols)[k].kind != "module") {
          identifier = (*symbols)[k].name;
          break;
        }
      }
      size_t lines_added = 0;
      for (const Symbol& s : *symbols) {
        if (s.start_line >= start_line) break;
        if (s.end_line < start_line || lines_added == kMaxContextLines) continue;
        if (!context.empty()) context += '\n';
        context += CutUtf8(s.signature, kMaxSignatureBytes);
        ++lines_added;
      }
    }
    if (in.tree != nullptr) {
      type = KindAt(in.tree, lines, first);
    } else if (in.markdown) {
      type = "markdown_section";
      // As for code, the first header starting in the block, else the one it is under.
      int h = -1;
      for (uint32_t r = first; r <= last && h < 0; ++r) {
        if (md.level[r] > 0) h = static_cast<int>(r);
      }
      if (h < 0) h = md.last_header[first];
      if (h >= 0) identifier = md.header[static_cast<size_t>(h)];
    } else {
      type = std::string(in.fallback_type);
    }
    const size_t begin = lines.begin(first), end = lines.end(last);
    const size_t units = index.Units(begin, end);
    const size_t before = emitter->emitted();
    if (x == y && units > max_units) {
      EmitLineSegments(in.text.substr(begin, end - begin), start_line, max_units,
                       type + "_segment", identifier, emitter);
    } else {
      emitter->Emit(type, identifier, start_line, end_line, in.text.substr(begin, end - begin),
                    units);
    }
    if (!context.empty()) emitter->SetContext(before, context);
  }
}

}  // namespace codeindex::parse_internal
