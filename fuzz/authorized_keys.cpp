// The remote command lines that carry user text (tasks::KeyEditCommand, WrapKillable, ComposeCommand, built on
// ssh::ShellQuote): a fuzzed key line, command or path reaches the shell only as one single-quoted argument that
// unquotes to exactly the input. A tiny POSIX unquoter below reads the argument back. Also tasks::ParseKeyResult
// and tasks::PidAnnouncement on fuzzed output.

#include <optional>
#include <string>

#include "fuzz_check.hpp"
#include "ssh/ssh_client.hpp"
#include "tasks/remote_commands.hpp"

namespace {

using namespace gatehouse;

/// Reads one shell word made only of '...' segments and \' escapes (what ShellQuote writes) from the start of
/// `text`, up to a space or the end, and removes it. nullopt when anything else stands outside the quotes: the
/// shell would then read that text as syntax.
std::optional<std::string> TakeQuotedWord(std::string_view& text) {
    std::string word;
    std::size_t i = 0;
    bool quoted = false;
    while (i < text.size() && text[i] != ' ') {
        if (text[i] == '\'') {
            const auto close = text.find('\'', i + 1);
            if (close == std::string_view::npos) return std::nullopt;
            word.append(text.substr(i + 1, close - i - 1));
            i = close + 1;
            quoted = true;
        } else if (text.substr(i, 2) == "\\'") {
            word.push_back('\'');
            i += 2;
        } else {
            return std::nullopt;
        }
    }
    if (!quoted) return std::nullopt;  // ShellQuote always writes at least one quoted segment
    text.remove_prefix(i);
    return word;
}

/// `text` is `prefix`, one quoted word equal to `word`, then `suffix`.
bool IsQuotedBetween(std::string_view text, std::string_view prefix, std::string_view word, std::string_view suffix) {
    if (!text.starts_with(prefix)) return false;
    text.remove_prefix(prefix.size());
    const auto read = TakeQuotedWord(text);
    return read && *read == word && text == suffix;
}

void CheckQuoting(std::string_view input) {
    for (const bool deploy : {true, false}) {
        const auto command = tasks::KeyEditCommand(deploy, input);
        std::string_view rest = command;
        FUZZ_CHECK(rest.starts_with("sh -c "));
        rest.remove_prefix(6);
        FUZZ_CHECK(TakeQuotedWord(rest));  // the script
        FUZZ_CHECK(IsQuotedBetween(rest, deploy ? " gatehouse-keys deploy " : " gatehouse-keys revoke ", input, ""));
    }
    const auto wrapped = tasks::WrapKillable(input);
    const auto exec_at = wrapped.find(" -c ");  // the fixed prefix ends with the only one before the input
    FUZZ_CHECK(exec_at != std::string::npos);
    FUZZ_CHECK(IsQuotedBetween(std::string_view(wrapped).substr(exec_at), " -c ", input, ""));
    for (const bool up : {true, false}) {
        const auto compose = tasks::ComposeCommand(input, up);
        const auto tail = compose.substr(compose.rfind(" && if docker compose version"));
        // "~" and "~/rest" are the remote user's home: $HOME, then the rest as one quoted word; any other path is
        // one quoted word as it stands.
        if (input == "~") {
            FUZZ_CHECK(compose == "cd -- \"$HOME\"" + tail);
        } else if (input.starts_with("~/")) {
            FUZZ_CHECK(IsQuotedBetween(compose, "cd -- \"$HOME\"/", input.substr(2), tail));
        } else {
            FUZZ_CHECK(IsQuotedBetween(compose, "cd -- ", input, tail));
        }
    }
}

void CheckKeyResult(std::string_view output) {
    const auto result = tasks::ParseKeyResult(output);
    if (!result) return;
    FUZZ_CHECK(*result == "added" || *result == "already_present" || *result == "removed" || *result == "absent");
    while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.remove_suffix(1);
    FUZZ_CHECK(output.ends_with(*result));
}

/// Fed in pieces of a fuzzed size, the announcement (if any) is the only thing held back from stderr.
void CheckPidAnnouncement(std::string_view stream, std::size_t piece) {
    tasks::PidAnnouncement announcement;
    std::string out;
    for (std::size_t at = 0; at < stream.size(); at += piece) out += announcement.Feed(stream.substr(at, piece));
    out += announcement.Flush();
    FUZZ_CHECK(stream.ends_with(out));
    const auto dropped = stream.substr(0, stream.size() - out.size());
    if (!dropped.empty()) {
        FUZZ_CHECK(dropped.starts_with("\036gatehouse-pid "));
        FUZZ_CHECK(dropped.find('\n') == dropped.size() - 1);
    }
    if (announcement.pid()) FUZZ_CHECK(!dropped.empty() && *announcement.pid() > 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::AsText(data, size);
    CheckQuoting(text);
    CheckKeyResult(text);
    if (size > 0) CheckPidAnnouncement(text.substr(1), 1 + data[0] % 16);
    return 0;
}
