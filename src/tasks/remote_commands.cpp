#include "tasks/remote_commands.hpp"

#include <charconv>

#include "ssh/ssh_client.hpp"

namespace gatehouse::tasks {
namespace {

// A control character no ordinary stderr starts with, then a fixed word.
constexpr std::string_view kAnnouncement = "\036gatehouse-pid ";

// Reads its mode and key line from $1 and $2, so neither is ever parsed as shell syntax.
constexpr std::string_view kKeyEditScript = R"sh(
set -u
mode=$1
line=$2
type=$(printf '%s\n' "$line" | awk '{print $1; exit}')
blob=$(printf '%s\n' "$line" | awk '{print $2; exit}')
[ -n "$blob" ] || { echo 'gatehouse: malformed key line' >&2; exit 2; }
umask 077
dir=$HOME/.ssh
file=$dir/authorized_keys
tmp=$dir/.authorized_keys.gatehouse.$$
lockd=
cleanup() { rm -f "$tmp"; if [ -n "$lockd" ]; then rmdir "$lockd"; fi; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
if [ ! -d "$dir" ]; then mkdir -p "$dir" && chmod 700 "$dir" || exit 1; fi
if command -v flock >/dev/null 2>&1; then
    exec 9<"$dir"
    flock -w 60 9 || { echo 'gatehouse: ~/.ssh is locked by another edit' >&2; exit 1; }
else
    n=0
    until mkdir "$dir/.gatehouse-lock" 2>/dev/null; do
        n=$((n + 1))
        [ "$n" -lt 600 ] || { echo 'gatehouse: ~/.ssh is locked by another edit' >&2; exit 1; }
        sleep 0.1
    done
    lockd=$dir/.gatehouse-lock
fi
# A symlinked authorized_keys (a shared or managed file): the file it points to is what sshd reads, so that
# is the one edited, with the temporary file beside it so that the rename stays atomic.
if [ -L "$file" ]; then
    real=$(readlink -f -- "$file") && [ -n "$real" ] && [ -d "$(dirname -- "$real")" ] ||
        { echo 'gatehouse: authorized_keys is a symlink that cannot be followed' >&2; exit 1; }
    file=$real
    tmp=$(dirname -- "$file")/.authorized_keys.gatehouse.$$
fi
# The key's lines, as sed commands ("3d;7d;"): its type then its blob as two fields (after any options),
# on a line that is not a comment, so a commented-out copy neither counts as deployed nor gets removed.
matches() {
    [ -f "$file" ] || return 0
    awk -v t="$type" -v b="$blob" '/^[ \t]*#/ { next }
        { for (i = 2; i <= NF; i++) { f = $i; sub(/\r$/, "", f); if (f == b && $(i - 1) == t) { printf "%dd;", NR; next } } }' "$file"
}
has() { [ -n "$(matches)" ]; }
changed=0
if [ "$mode" = deploy ]; then
    if has; then
        result=already_present
    else
        if [ -f "$file" ]; then
            cat "$file" >"$tmp" || exit 1
            if [ -n "$(tail -c 1 "$file")" ]; then printf '\n' >>"$tmp"; fi
        else
            : >"$tmp"
        fi
        printf '%s\n' "$line" >>"$tmp" || exit 1
        result=added
        changed=1
    fi
else
    if has; then
        lines=$(matches)
        sed "$lines" "$file" >"$tmp" || exit 1
        result=removed
        changed=1
    else
        result=absent
    fi
fi
if [ "$changed" = 1 ]; then
    if [ -f "$file" ]; then chmod --reference="$file" "$tmp" 2>/dev/null || chmod 600 "$tmp"; else chmod 600 "$tmp"; fi
    sync "$tmp" 2>/dev/null || sync
    mv -f "$tmp" "$file" || exit 1
    sync "$(dirname -- "$file")" 2>/dev/null || true
fi
if [ "$mode" = deploy ]; then
    has || { echo 'gatehouse: the key is not in authorized_keys after writing it' >&2; exit 1; }
else
    if has; then echo 'gatehouse: the key is still in authorized_keys after removing it' >&2; exit 1; fi
fi
echo "$result"
)sh";

}  // namespace

std::string WrapKillable(std::string_view command_line) {
    return "printf '\\036gatehouse-pid %s\\n' \"$$\" >&2; exec \"${SHELL:-/bin/sh}\" -c " +
           ssh::ShellQuote(command_line);
}

std::string KillGroupCommand(long pid) {
    const std::string group = "-" + std::to_string(pid);
    return "kill -TERM -- " + group + " 2>/dev/null; sleep 1; kill -KILL -- " + group + " 2>/dev/null; true";
}

std::string PidAnnouncement::Feed(std::string_view data) {
    if (done_) return std::string(data);
    pending_.append(data);
    const auto newline = pending_.find('\n');
    const bool could_be =
        pending_.compare(0, std::min(pending_.size(), kAnnouncement.size()),
                         kAnnouncement.substr(0, std::min(pending_.size(), kAnnouncement.size()))) == 0;
    if (!could_be || (newline == std::string::npos && pending_.size() > 64)) return Flush();
    if (newline == std::string::npos) return {};
    done_ = true;
    const std::string_view number =
        std::string_view(pending_).substr(kAnnouncement.size(), newline - kAnnouncement.size());
    long pid = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), pid);
    if (ec == std::errc() && end == number.data() + number.size() && pid > 1) pid_ = pid;
    std::string rest = pending_.substr(newline + 1);
    pending_.clear();
    return rest;
}

std::string PidAnnouncement::Flush() {
    done_ = true;
    return std::exchange(pending_, {});
}

std::string KeyEditCommand(bool deploy, std::string_view public_key_line) {
    return "sh -c " + ssh::ShellQuote(kKeyEditScript) + " gatehouse-keys " + (deploy ? "deploy" : "revoke") + " " +
           ssh::ShellQuote(public_key_line);
}

std::optional<std::string> ParseKeyResult(std::string_view out) {
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.remove_suffix(1);
    const auto newline = out.rfind('\n');
    const std::string_view last = newline == std::string_view::npos ? out : out.substr(newline + 1);
    for (std::string_view word : {"added", "already_present", "removed", "absent"})
        if (last == word) return std::string(word);
    return std::nullopt;
}

std::string ComposeCommand(std::string_view cd_path, bool up) {
    const std::string action = up ? "up -d" : "down";
    // "~/dir" is the remote user's home: $HOME is expanded there, the rest stays one quoted argument.
    std::string where;
    if (cd_path == "~") {
        where = "\"$HOME\"";
    } else if (cd_path.rfind("~/", 0) == 0) {
        where = "\"$HOME\"/" + ssh::ShellQuote(cd_path.substr(2));
    } else {
        where = ssh::ShellQuote(cd_path);
    }
    return "cd -- " + where + " && if docker compose version >/dev/null 2>&1; then docker compose " + action +
           "; elif command -v docker-compose >/dev/null 2>&1; then docker-compose " + action +
           "; else echo 'gatehouse: neither docker compose nor docker-compose is installed' >&2; exit 127; fi";
}

}  // namespace gatehouse::tasks
