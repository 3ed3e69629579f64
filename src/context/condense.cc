#include "context/condense.h"

#include <filesystem>
#include <set>

#include "base/file.h"
#include "context/count.h"
#include "context/history.h"
#include "context/truncate.h"
#include "parse/symbols.h"

namespace codeindex::context {
namespace {

std::string BlockString(const Json& block, const char* key) {
  if (!block.is_object()) return {};
  auto it = block.find(key);
  if (it == block.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

bool IsRole(const Json& m, const char* role) {
  auto it = m.find(kRole);
  return it != m.end() && it->is_string() && *it == role;
}

// Length of the JavaScript white space or line terminator starting s[i], or 0.
size_t JsSpaceAt(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  auto at = [&](std::string_view seq) { return s.substr(i, seq.size()) == seq; };
  if (at("\xC2\xA0")) return 2;                                      // U+00A0
  if (at("\xE1\x9A\x80") || at("\xE2\x80\xA8") || at("\xE2\x80\xA9") ||  // U+1680 2028 2029
      at("\xE2\x80\xAF") || at("\xE2\x81\x9F") || at("\xE3\x80\x80") ||  // U+202F 205F 3000
      at("\xEF\xBB\xBF")) {                                            // U+FEFF
    return 3;
  }
  if (s.size() - i >= 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
      static_cast<unsigned char>(s[i + 2]) >= 0x80 &&
      static_cast<unsigned char>(s[i + 2]) <= 0x8A) {
    return 3;  // U+2000..U+200A
  }
  return 0;
}

// String.prototype.trim().
std::string JsTrim(std::string_view s) {
  size_t b = 0;
  while (b < s.size()) {
    const size_t n = JsSpaceAt(s, b);
    if (n == 0) break;
    b += n;
  }
  size_t e = s.size();
  while (e > b) {
    // Find the start of the last character and test it.
    size_t k = e - 1;
    while (k > b && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
    const size_t n = JsSpaceAt(s, k);
    if (n == 0 || k + n != e) break;
    e = k;
  }
  return std::string(s.substr(b, e - b));
}

bool Blank(std::string_view s) { return JsTrim(s).empty(); }

Json TextBlock(std::string text) { return Json{{"type", "text"}, {"text", std::move(text)}}; }

}  // namespace

std::string_view SummaryPrompt() {
  return "You are performing a summarization-only request. This is a system operation, not a "
         "request from the user.\n"
         "\n"
         "Do not call any tools, even if tools are listed as available: respond with plain text "
         "only.\n"
         "\n"
         "Treat the request to summarize as a system operation that interrupted the "
         "conversation. When the summary refers to the \"latest user request\", the \"current "
         "work\" or the \"next step\", it must mean what the user was asking for and what was "
         "being done before this summarization request, never the summarization itself.";
}

std::string_view CondensePrompt() {
  return "This summarization request is a system operation, not a user message: describe the "
         "user's latest request and the next step as they stood before it.\n"
         "\n"
         "Write a detailed summary of the conversation so far. It must be thorough about "
         "technical details, code patterns and architectural decisions, so that work can "
         "continue from it without losing context.\n"
         "\n"
         "First, inside <analysis> tags, go through the conversation in chronological order. "
         "For each part, identify:\n"
         "- the user's explicit requests and intents;\n"
         "- your approach to them;\n"
         "- key decisions, technical concepts and code patterns;\n"
         "- specific details: file names, full code snippets, function signatures, file "
         "edits;\n"
         "- errors you ran into and how you fixed them;\n"
         "- user feedback, especially where the user asked you to do something differently.\n"
         "\n"
         "Then write the summary inside <summary> tags, with these sections:\n"
         "1. Primary Request and Intent: every explicit request and intent of the user, in "
         "detail.\n"
         "2. Key Technical Concepts: the technologies, frameworks and concepts discussed.\n"
         "3. Files and Code Sections: the files examined, modified or created, why each "
         "matters, and full code snippets where useful; most recent edits in most detail.\n"
         "4. Errors and fixes: every error met, how it was fixed, and any user feedback on "
         "it.\n"
         "5. Problem Solving: problems solved and troubleshooting still going on.\n"
         "6. All user messages: every user message that is not a tool result, to keep track "
         "of the user's feedback and changing intent.\n"
         "7. Pending Tasks: tasks you were explicitly asked to work on that are not done.\n"
         "8. Current Work: precisely what was being worked on immediately before this "
         "summary request, with file names and code snippets.\n"
         "9. Optional Next Step: the next step, only if it follows directly from the user's "
         "most recent explicit request and the current work; quote verbatim the most recent "
         "messages showing where the work stopped, so that nothing drifts.\n"
         "\n"
         "Example of the layout:\n"
         "\n"
         "<example>\n"
         "<analysis>\n"
         "[Your chronological walk through the conversation, covering each point above]\n"
         "</analysis>\n"
         "\n"
         "<summary>\n"
         "1. Primary Request and Intent:\n"
         "   [Detailed description]\n"
         "\n"
         "2. Key Technical Concepts:\n"
         "   - [Concept 1]\n"
         "   - [Concept 2]\n"
         "\n"
         "3. Files and Code Sections:\n"
         "   - [File name 1]\n"
         "      - [Why this file matters]\n"
         "      - [Changes made, if any]\n"
         "      - [Important code snippet]\n"
         "\n"
         "4. Errors and fixes:\n"
         "    - [Error 1]: [How it was fixed; user feedback, if any]\n"
         "\n"
         "5. Problem Solving:\n"
         "   [Solved problems and ongoing troubleshooting]\n"
         "\n"
         "6. All user messages:\n"
         "    - [Each user message that is not a tool result]\n"
         "\n"
         "7. Pending Tasks:\n"
         "   - [Task 1]\n"
         "\n"
         "8. Current Work:\n"
         "   [Precise description of the current work]\n"
         "\n"
         "9. Optional Next Step:\n"
         "   [The next step, with verbatim quotes]\n"
         "</summary>\n"
         "</example>\n"
         "\n"
         "Write the summary from the conversation so far, following this structure precisely.";
}

Json InjectSyntheticToolResults(const Json& messages) {
  std::vector<std::string> calls;
  std::set<std::string> seen, results;
  for (const Json& m : messages) {
    if (!m.is_object() || !m.contains(kContent) || !m[kContent].is_array()) continue;
    const bool assistant = IsRole(m, "assistant"), user = IsRole(m, "user");
    for (const Json& block : m[kContent]) {
      const std::string type = BlockString(block, "type");
      if (assistant && type == "tool_use") {
        const std::string id = BlockString(block, "id");
        if (seen.insert(id).second) calls.push_back(id);
      } else if (user && type == "tool_result") {
        results.insert(BlockString(block, "tool_use_id"));
      }
    }
  }
  Json synthetic = Json::array();
  for (const std::string& id : calls) {
    if (results.count(id)) continue;
    synthetic.push_back(Json{{"type", "tool_result"},
                             {"tool_use_id", id},
                             {"content", kSyntheticToolResultText}});
  }
  if (synthetic.empty()) return messages;
  Json out = messages;
  out.push_back(Json{{kRole, "user"}, {kContent, std::move(synthetic)}});
  return out;
}

std::string ToolUseToText(const Json& block) {
  std::string input;
  const Json in = block.contains("input") ? block["input"] : Json();
  if (in.is_object()) {
    bool first = true;
    // Object.entries order: integer-like keys first, as JsStringify orders them.
    const Json ordered = Json::parse(JsStringify(in));
    for (auto it = ordered.begin(); it != ordered.end(); ++it) {
      if (!first) input += "\n";
      first = false;
      const Json& v = it.value();
      input += it.key() + ": " +
               ((v.is_object() || v.is_array()) ? JsStringify(v, 2) : JsString(v));
    }
  } else {
    input = block.contains("input") ? JsString(in) : "undefined";
  }
  return "[Tool Use: " + JsString(block.contains("name") ? block["name"] : Json()) + "]\n" + input;
}

std::string ToolResultToText(const Json& block) {
  const std::string header =
      std::string("[Tool Result") + (Truthy(block, "is_error") ? " (Error)" : "") + "]";
  auto it = block.find("content");
  if (it == block.end()) return header;
  if (it->is_string()) return header + "\n" + it->get<std::string>();
  if (it->is_array()) {
    std::string text;
    for (size_t i = 0; i < it->size(); ++i) {
      const Json& item = (*it)[i];
      if (i) text += "\n";
      const std::string type = BlockString(item, "type");
      if (type == "text") {
        text += BlockString(item, "text");
      } else if (type == "image") {
        text += "[Image]";
      } else {
        text += "[" + (item.is_object() && item.contains("type") ? JsString(item["type"])
                                                                 : std::string("undefined")) +
                "]";
      }
    }
    return header + "\n" + text;
  }
  return header;
}

Json ConvertToolBlocksToText(const Json& content) {
  if (!content.is_array()) return content;
  Json out = Json::array();
  for (const Json& block : content) {
    const std::string type = BlockString(block, "type");
    if (type == "tool_use") {
      out.push_back(TextBlock(ToolUseToText(block)));
    } else if (type == "tool_result") {
      out.push_back(TextBlock(ToolResultToText(block)));
    } else {
      out.push_back(block);
    }
  }
  return out;
}

std::string ExtractCommandBlocks(const Json& message) {
  if (!message.is_object() || !message.contains(kContent)) return {};
  const Json& content = message[kContent];
  std::string text;
  if (content.is_string()) {
    text = content.get<std::string>();
  } else if (content.is_array()) {
    bool first = true;
    for (const Json& block : content) {
      if (BlockString(block, "type") != "text") continue;
      if (!first) text += "\n";
      first = false;
      text += BlockString(block, "text");
    }
  } else {
    return {};
  }
  // /<command[^>]*>[\s\S]*?<\/command>/g
  std::string out;
  size_t pos = 0;
  while ((pos = text.find("<command", pos)) != std::string::npos) {
    const size_t gt = text.find('>', pos + 8);
    if (gt == std::string::npos) break;
    const size_t close = text.find("</command>", gt + 1);
    if (close == std::string::npos) break;  // no later start can match either
    const size_t end = close + 10;
    if (!out.empty()) out += "\n";
    out += text.substr(pos, end - pos);
    pos = end;
  }
  return out;
}

std::string DefinitionListing(const std::string& path) {
  Result<std::string> content = ReadFile(path);
  if (!content.ok()) {
    return "This file does not exist or you do not have permission to access it.";
  }
  Result<FileSymbols> symbols = ExtractSymbols(path, *content);
  if (!symbols.ok()) return "Error parsing " + path;
  if (symbols->language.empty()) return "Unsupported file type: " + path;
  // First line of each definition, by line number.
  std::vector<std::string_view> lines;
  std::string_view text = *content;
  for (size_t start = 0;;) {
    const size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? nl : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  std::string listing;
  std::set<std::pair<int, int>> printed;
  for (const Symbol& s : symbols->symbols) {
    if (s.end_line - s.start_line + 1 < 4) continue;
    if (!printed.insert({s.start_line, s.end_line}).second) continue;
    const std::string_view first =
        s.start_line >= 1 && static_cast<size_t>(s.start_line) <= lines.size()
            ? lines[static_cast<size_t>(s.start_line) - 1]
            : std::string_view();
    listing += std::to_string(s.start_line) + "--" + std::to_string(s.end_line) + " | ";
    listing += first;
    listing += "\n";
  }
  if (listing.empty()) return {};
  return "# " + std::filesystem::path(path).filename().string() + "\n" + listing;
}

FoldedFileContext GenerateFoldedFileContext(const std::vector<std::string>& files,
                                            const std::string& cwd, size_t max_characters) {
  FoldedFileContext result;
  for (const std::string& file : files) {
    const std::string absolute =
        std::filesystem::path(file).is_absolute() ? file : (std::filesystem::path(cwd) / file).string();
    const std::string definitions = DefinitionListing(absolute);
    if (definitions.empty() || definitions.find("does not exist") != std::string::npos ||
        definitions.find("do not have permission") != std::string::npos ||
        definitions.find("Unsupported file type:") != std::string::npos ||
        definitions.rfind("Error parsing ", 0) == 0) {
      ++result.files_skipped;
      continue;
    }
    const std::string head = "<system-reminder>\n## File Context: " + file + "\n";
    const std::string tail = "\n</system-reminder>";
    std::string section = head + definitions + tail;
    const size_t length = Utf16Length(section);
    if (result.characters + length > max_characters) {
      const size_t remaining = max_characters - result.characters;
      if (remaining < kFoldedContextMinRemaining) break;
      std::string cut(Utf16Prefix(definitions, remaining - kFoldedContextTruncationMargin));
      section = head + cut + "\n... (truncated)" + tail;
      result.characters += Utf16Length(section);
      result.sections.push_back(std::move(section));
      ++result.files_processed;
      break;
    }
    result.characters += length;
    result.sections.push_back(std::move(section));
    ++result.files_processed;
  }
  for (size_t i = 0; i < result.sections.size(); ++i) {
    if (i) result.content += "\n";
    result.content += result.sections[i];
  }
  return result;
}

llm::ApiRequest BuildCondenseRequest(const SummarizeOptions& options, bool supports_images) {
  const Json to_summarize = GetMessagesSinceLastSummary(options.messages);
  Json with_results = InjectSyntheticToolResults(to_summarize);
  const std::string custom = JsTrim(options.custom_condensing_prompt);
  with_results.push_back(
      Json{{kRole, "user"}, {kContent, custom.empty() ? std::string(CondensePrompt()) : custom}});
  const Json images = MaybeRemoveImageBlocks(with_results, supports_images);
  llm::ApiRequest request;
  request.system_prompt = std::string(SummaryPrompt());
  for (const Json& m : images) {
    request.messages.push_back(
        Json{{kRole, m[kRole]}, {kContent, ConvertToolBlocksToText(m[kContent])}});
  }
  request.metadata = options.metadata.is_object() ? options.metadata : Json::object();
  return request;
}

SummarizeResult SummarizeConversation(const SummarizeOptions& options, llm::ApiHandler* handler,
                                      const ContextEnv& env) {
  SummarizeResult result;
  result.messages = options.messages;
  auto fail = [&](std::string key, std::string message) {
    result.error_key = std::move(key);
    result.error = std::move(message);
    result.messages = options.messages;
    return result;
  };
  const Json to_summarize = GetMessagesSinceLastSummary(options.messages);
  if (to_summarize.size() <= 1) {
    return options.messages.size() <= 1
               ? fail("condense_not_enough_messages", "Not enough messages to condense context")
               : fail("condensed_recently",
                      "Context was condensed recently; skipping this attempt");
  }
  bool has_summary = false;
  for (const Json& m : to_summarize) has_summary = has_summary || Truthy(m, kIsSummary);
  if (has_summary && to_summarize.size() <= 2) {
    return fail("condensed_recently", "Context was condensed recently; skipping this attempt");
  }
  if (handler == nullptr) {
    return fail("condense_unavailable",
                "Condensing needs a model: none is configured or it is not allowed");
  }

  const llm::ApiRequest request = BuildCondenseRequest(options, handler->model().supports_images);
  std::string summary;
  double cost = 0;
  const llm::ApiError error = handler->CreateMessage(
      request,
      [&](const llm::Chunk& chunk) {
        if (chunk.type == llm::ChunkType::kText) {
          summary += chunk.text;
        } else if (chunk.type == llm::ChunkType::kUsage) {
          cost = chunk.usage.total_cost.value_or(0);
        }
      },
      options.cancel);
  result.cost = cost;
  if (!error.ok()) {
    fail("condense_api_failed", "Condense API call failed: " + error.Describe());
    result.error_details = error.Details();
    return result;
  }
  summary = JsTrim(summary);
  if (summary.empty()) return fail("condense_failed", "Failed to condense context");

  Json content = Json::array();
  content.push_back(TextBlock("## Conversation Summary\n" + summary));
  const std::string commands =
      options.messages.empty() ? std::string() : ExtractCommandBlocks(options.messages[0]);
  if (!commands.empty()) {
    content.push_back(TextBlock(
        "<system-reminder>\n## Active Workflows\nThe following directives must be maintained "
        "across all future condensings:\n" +
        commands + "\n</system-reminder>"));
  }
  if (!options.files_read.empty() && !options.cwd.empty()) {
    const FoldedFileContext folded = GenerateFoldedFileContext(options.files_read, options.cwd);
    for (const std::string& section : folded.sections) {
      if (!Blank(section)) content.push_back(TextBlock(section));
    }
  }
  if (options.is_automatic_trigger && !Blank(options.environment_details)) {
    content.push_back(TextBlock(options.environment_details));
  }

  result.condense_id = env.new_id();
  const Json& last = options.messages.back();
  const Json last_ts =
      last.contains(kTs) && last[kTs].is_number() ? last[kTs] : Json(env.now_ms());
  Json summary_message = Json::object();
  summary_message[kRole] = "user";
  summary_message[kContent] = content;
  summary_message[kTs] = TsPlus(last_ts, 1);
  summary_message[kIsSummary] = true;
  summary_message[kCondenseId] = result.condense_id;

  Json messages = Json::array();
  for (const Json& m : options.messages) {
    if (Truthy(m, kCondenseParent)) {
      messages.push_back(m);
    } else {
      Json tagged = m;
      tagged[kCondenseParent] = result.condense_id;
      messages.push_back(std::move(tagged));
    }
  }
  messages.push_back(std::move(summary_message));

  Json counted = Json::array();
  counted.push_back(TextBlock(options.system_prompt));
  for (const Json& b : content) counted.push_back(b);
  int64_t tokens = CountTokens(counted);
  if (options.metadata.is_object() && options.metadata.contains("tools") &&
      options.metadata["tools"].is_array() && !options.metadata["tools"].empty()) {
    tokens += CountTokens(Json::array({TextBlock(JsStringify(options.metadata["tools"]))}));
  }
  result.messages = std::move(messages);
  result.summary = std::move(summary);
  result.new_context_tokens = tokens;
  return result;
}

}  // namespace codeindex::context
