#pragma once
// Remote command lines. Every user-supplied piece (command text, paths, key lines) is passed to the
// remote shell as one quoted argument, never spliced into shell syntax.

#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::tasks {

/// Runs `command_line` (shell text) in the login user's shell, first announcing the remote process
/// group on stderr so a timeout or cancel can stop the whole group, not just the SSH channel.
std::string WrapKillable(std::string_view command_line);

/// Stops the process group a wrapped command announced: TERM, then KILL after a moment.
std::string KillGroupCommand(long pid);

/// Strips the announcement from the start of stderr and remembers the pid. Feed every stderr chunk.
class PidAnnouncement {
  public:
    /// Returns what belongs to the command's own stderr (possibly empty while the line is incomplete).
    std::string Feed(std::string_view data);
    /// What was held back when the stream ends without a complete announcement.
    std::string Flush();
    std::optional<long> pid() const noexcept { return pid_; }

  private:
    std::string pending_;
    bool done_ = false;
    std::optional<long> pid_;
};

/// Adds (`deploy`) or removes the key line in the login user's ~/.ssh/authorized_keys: atomic
/// (temp file in the same directory, fsync, rename), serialised by a lock on ~/.ssh, idempotent,
/// other lines byte for byte untouched, verified by reading back. Prints the result word last.
std::string KeyEditCommand(bool deploy, std::string_view public_key_line);

/// The result word of a key edit: the last line of its stdout, if it is one of the four.
std::optional<std::string> ParseKeyResult(std::string_view stdout_tail);

/// `docker compose up -d` / `down` in `cd_path`, falling back to `docker-compose`.
std::string ComposeCommand(std::string_view cd_path, bool up);

}  // namespace gatehouse::tasks
