#include "parse/grammars.h"

#include <chrono>
#include <map>
#include <mutex>

#include <time.h>

namespace codeindex::parse_internal {

const TSLanguage* FindGrammar(std::string_view name) {
  for (size_t i = 0; i < kGrammarTableSize; ++i) {
    if (name == kGrammarTable[i].name) return kGrammarTable[i].fn();
  }
  return nullptr;
}

std::string_view FindQuerySource(std::string_view key) {
  for (const EmbeddedQuery* q = kEmbeddedQueries; q->name != nullptr; ++q) {
    if (key == q->name) return q->text;
  }
  return {};
}

namespace {

const char* QueryErrorName(TSQueryError e) {
  switch (e) {
    case TSQueryErrorSyntax:
      return "syntax error";
    case TSQueryErrorNodeType:
      return "unknown node type";
    case TSQueryErrorField:
      return "unknown field";
    case TSQueryErrorCapture:
      return "unknown capture";
    case TSQueryErrorStructure:
      return "impossible pattern";
    case TSQueryErrorLanguage:
      return "language mismatch";
    default:
      return "error";
  }
}

}  // namespace

Result<std::unique_ptr<Query>> Query::Compile(const TSLanguage* language, std::string_view source,
                                              std::string_view name) {
  uint32_t error_offset = 0;
  TSQueryError error = TSQueryErrorNone;
  TSQuery* raw = ts_query_new(language, source.data(), static_cast<uint32_t>(source.size()),
                              &error_offset, &error);
  if (raw == nullptr) {
    size_t line = 1;
    for (size_t i = 0; i < error_offset && i < source.size(); ++i) line += source[i] == '\n';
    std::string near(source.substr(error_offset, 40));
    return Status::Internal(std::string("query ") + std::string(name) + ".scm line " +
                            std::to_string(line) + ": " + QueryErrorName(error) + " near '" + near +
                            "'");
  }
  auto q = std::unique_ptr<Query>(new Query());
  q->query_.reset(raw);
  uint32_t ncap = ts_query_capture_count(raw);
  for (uint32_t i = 0; i < ncap; ++i) {
    uint32_t len = 0;
    const char* s = ts_query_capture_name_for_id(raw, i, &len);
    q->capture_names_.emplace_back(s, len);
  }
  uint32_t npat = ts_query_pattern_count(raw);
  q->predicates_.resize(npat);
  for (uint32_t p = 0; p < npat; ++p) {
    uint32_t nsteps = 0;
    const TSQueryPredicateStep* steps = ts_query_predicates_for_pattern(raw, p, &nsteps);
    uint32_t i = 0;
    while (i < nsteps) {
      uint32_t j = i;
      while (j < nsteps && steps[j].type != TSQueryPredicateStepTypeDone) ++j;
      // steps[i, j): operator, args
      if (j > i && steps[i].type == TSQueryPredicateStepTypeString) {
        uint32_t len = 0;
        const char* op_chars = ts_query_string_value_for_id(raw, steps[i].value_id, &len);
        std::string op(op_chars, len);
        Predicate pred;
        bool known = true;
        if (op == "eq?" || op == "not-eq?") {
          pred.op = Predicate::kEq;
          pred.negate = op[0] == 'n';
        } else if (op == "match?" || op == "not-match?") {
          pred.op = Predicate::kMatch;
          pred.negate = op[0] == 'n';
        } else if (op == "any-of?" || op == "not-any-of?") {
          pred.op = Predicate::kAnyOf;
          pred.negate = op[0] == 'n';
        } else {
          known = false;  // #set!, #is? ...: directives without effect on matching
        }
        if (known) {
          if (j - i < 3 || steps[i + 1].type != TSQueryPredicateStepTypeCapture) {
            return Status::Internal(std::string("query ") + std::string(name) + ": bad #" + op);
          }
          pred.capture = steps[i + 1].value_id;
          for (uint32_t k = i + 2; k < j; ++k) {
            if (steps[k].type == TSQueryPredicateStepTypeCapture) {
              pred.rhs_is_capture = true;
              pred.rhs_capture = steps[k].value_id;
            } else {
              const char* chars = ts_query_string_value_for_id(raw, steps[k].value_id, &len);
              std::string v(chars, len);
              if (pred.op == Predicate::kAnyOf) {
                pred.any_of.push_back(v);
              } else {
                pred.rhs = v;
              }
            }
          }
          if (pred.op == Predicate::kMatch) {
            try {
              pred.regex = std::make_shared<const std::regex>(pred.rhs, std::regex::ECMAScript);
            } catch (const std::regex_error& e) {
              return Status::Internal(std::string("query ") + std::string(name) + ": bad regex " +
                                      pred.rhs + ": " + e.what());
            }
          }
          q->predicates_[p].push_back(std::move(pred));
        }
      }
      i = j + 1;
    }
  }
  return q;
}

bool Query::Accept(const TSQueryMatch& match, std::string_view text) const {
  const auto& preds = predicates_[match.pattern_index];
  for (const Predicate& p : preds) {
    bool seen = false;
    for (uint16_t c = 0; c < match.capture_count; ++c) {
      if (match.captures[c].index != p.capture) continue;
      seen = true;
      std::string_view value = NodeText(match.captures[c].node, text);
      bool ok = false;
      switch (p.op) {
        case Predicate::kEq:
          if (p.rhs_is_capture) {
            ok = false;
            for (uint16_t d = 0; d < match.capture_count; ++d) {
              if (match.captures[d].index == p.rhs_capture &&
                  NodeText(match.captures[d].node, text) == value) {
                ok = true;
              }
            }
          } else {
            ok = value == p.rhs;
          }
          break;
        case Predicate::kMatch:
          ok = std::regex_search(value.begin(), value.end(), *p.regex);
          break;
        case Predicate::kAnyOf:
          for (const std::string& s : p.any_of) ok = ok || value == s;
          break;
      }
      if (ok == p.negate) return false;
    }
    (void)seen;  // a predicate on a capture absent from the match holds (optional captures)
  }
  return true;
}

Result<const LanguageRuntime*> GetRuntime(std::string_view name) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<LanguageRuntime>, std::less<>> runtimes;
  std::lock_guard<std::mutex> lock(mu);
  auto it = runtimes.find(name);
  if (it != runtimes.end()) return static_cast<const LanguageRuntime*>(it->second.get());
  auto rt = std::make_unique<LanguageRuntime>();
  rt->name = std::string(name);
  rt->language = FindGrammar(name);
  if (rt->language == nullptr) {
    return Status::Internal("no grammar compiled in for language '" + rt->name + "'");
  }
  std::string_view chunk_src = FindQuerySource(name);
  if (!chunk_src.empty()) {
    ASSIGN_OR_RETURN(rt->chunk_query, Query::Compile(rt->language, chunk_src, name));
  }
  std::string tags_key = rt->name + ".tags";
  std::string_view tags_src = FindQuerySource(tags_key);
  if (!tags_src.empty()) {
    ASSIGN_OR_RETURN(rt->tags_query, Query::Compile(rt->language, tags_src, tags_key));
  }
  const LanguageRuntime* out = rt.get();
  runtimes.emplace(rt->name, std::move(rt));
  return out;
}

namespace {

struct ThreadState {
  TSParser* parser = nullptr;
  TSQueryCursor* cursor = nullptr;
  ~ThreadState() {
    if (parser != nullptr) ts_parser_delete(parser);
    if (cursor != nullptr) ts_query_cursor_delete(cursor);
  }
};
thread_local ThreadState t_state;

}  // namespace

TSParser* ThreadParser(const TSLanguage* language) {
  if (t_state.parser == nullptr) t_state.parser = ts_parser_new();
  if (ts_parser_language(t_state.parser) != language) {
    ts_parser_set_language(t_state.parser, language);
  }
  return t_state.parser;
}

TSQueryCursor* ThreadCursor() {
  if (t_state.cursor == nullptr) t_state.cursor = ts_query_cursor_new();
  return t_state.cursor;
}

namespace {

// The budget is CPU time of the calling thread, not wall time: a loaded machine must not
// turn a normal file into a timeout. Reading the clock is a system call, so it is read on
// every 32nd callback (tree-sitter calls back every 100 parse operations).
struct Deadline {
  uint64_t at_ns;
  uint32_t calls = 0;
};

uint64_t ThreadCpuNanos() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

bool ParseProgress(TSParseState* state) {
  auto* d = static_cast<Deadline*>(state->payload);
  if ((++d->calls & 31) != 0) return false;
  return ThreadCpuNanos() >= d->at_ns;  // true = cancel
}

}  // namespace

uint64_t ThreadCpuTimeNanos() { return ThreadCpuNanos(); }

TSTree* ParseWithDeadline(TSParser* parser, std::string_view text, uint32_t timeout_ms) {
  if (timeout_ms == 0) {
    return ts_parser_parse_string(parser, nullptr, text.data(), static_cast<uint32_t>(text.size()));
  }
  Deadline d{ThreadCpuNanos() + static_cast<uint64_t>(timeout_ms) * 1000000ull};
  TSInput input;
  struct Src {
    std::string_view text;
  } src{text};
  input.payload = &src;
  input.read = [](void* payload, uint32_t byte, TSPoint, uint32_t* bytes_read) -> const char* {
    auto* s = static_cast<Src*>(payload);
    if (byte >= s->text.size()) {
      *bytes_read = 0;
      return "";
    }
    *bytes_read = static_cast<uint32_t>(s->text.size() - byte);
    return s->text.data() + byte;
  };
  input.encoding = TSInputEncodingUTF8;
  input.decode = nullptr;
  TSParseOptions opts;
  opts.payload = &d;
  opts.progress_callback = &ParseProgress;
  TSTree* tree = ts_parser_parse_with_options(parser, nullptr, input, opts);
  if (tree == nullptr) ts_parser_reset(parser);
  return tree;
}

}  // namespace codeindex::parse_internal
