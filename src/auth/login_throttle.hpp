#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "auth/rate_limiter.hpp"

namespace gatehouse::auth {

struct ThrottleOptions {
    int attempts_per_address = 10;  // every password check from one address, per minute
    int failures_per_account = 50;  // failed checks of one account from clients it has no device cookie of
    std::chrono::seconds window{60};
};

/// Who is checking a password, as far as the throttle cares.
struct PasswordClient {
    std::string address;
    /// A client known to the account (the nonce of its device cookie, or its session): exempt from the
    /// per-account limit, its own failures counted instead. Empty: a stranger.
    std::string known;
};

/// Limits password checks (logins, registration, changing one's password) so that guessing is slow and a
/// stranger cannot lock a user out:
/// - per source address: every check counts (strict);
/// - per account and address: failures count, at the same limit;
/// - per account from unknown clients: failures count, at a higher limit. A client that logged in to the
///   account before holds a device cookie (OWASP's "device cookies") and is exempt from this one, so failures
///   from elsewhere never lock the real user's browser out; its own failures count per device instead.
/// Thread-safe.
class LoginThrottle {
  public:
    LoginThrottle(ThrottleOptions options, std::string device_key);

    /// Before a check: nullopt to go on (the attempt is counted), or the seconds to wait.
    std::optional<int> Admit(const PasswordClient& client, std::string_view account);
    /// After a failed check.
    void Failed(const PasswordClient& client, std::string_view account);

    /// A device cookie value for `account`, to hand to a client that just proved the password.
    std::string IssueDevice(std::string_view account) const;
    /// The nonce of a device cookie that was issued for `account` by this installation, or empty (the `known` of a
    /// PasswordClient).
    std::string DeviceOf(std::string_view cookie, std::string_view account) const;

    std::size_t tracked_keys() const { return per_address_.size() + per_account_.size(); }

  private:
    RateLimiter per_address_;  // attempts per address; failures per account+address and per account+device
    RateLimiter per_account_;  // failures per account from unknown clients
    std::string device_key_;
};

/// Lower-cased, at most 64 bytes: the form an account name is counted under.
std::string AccountKey(std::string_view username);

}  // namespace gatehouse::auth
