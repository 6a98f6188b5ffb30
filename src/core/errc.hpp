#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>

namespace gatehouse::core {

/// Expected failures, shared by every module. One function (http/problem) maps them to HTTP.
enum class errc {
    ok = 0,
    invalid_argument,      // 400: the input is malformed or fails validation
    unauthenticated,       // 401
    insufficient_credits,  // 402: the wallet holds less than the price
    forbidden,             // 403
    not_found,             // 404
    method_not_allowed,    // 405
    conflict,              // 409: the state does not allow it
    already_exists,        // 409: a unique key is taken
    payload_too_large,     // 413
    unsupported_media,     // 415
    headers_too_large,     // 431
    rate_limited,          // 429
    bad_gateway,           // 502: a system gatehouse talks to on the caller's behalf failed (a monitored database)
    unavailable,           // 503: a dependency (database, pool) cannot take the work now
    timeout,               // 504
    internal,              // 500
};

const boost::system::error_category& ErrorCategory() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), ErrorCategory()}; }

template <class T>
using Result = boost::system::result<T, boost::system::error_code>;

/// An expected failure carried as an exception across code that cannot return a Result
/// (coroutine bodies, blocking lambdas run on a worker pool). `detail` is safe to show a client;
/// `internal` is for the log only.
class Error : public std::runtime_error {
  public:
    Error(errc code, std::string detail, std::string internal = {})
        : std::runtime_error(detail), code_(code), internal_(std::move(internal)) {}

    errc code() const noexcept { return code_; }
    const std::string& internal() const noexcept { return internal_; }
    /// Seconds after which trying again makes sense (rate_limited, unavailable); 0: unknown.
    int retry_after_s() const noexcept { return retry_after_s_; }
    Error& RetryAfter(int seconds) noexcept {
        retry_after_s_ = seconds;
        return *this;
    }
    /// A machine-readable reason within the code ("unreachable", "auth_failed"): the problem's `kind`.
    const std::string& kind() const noexcept { return kind_; }
    Error& Kind(std::string kind) {
        kind_ = std::move(kind);
        return *this;
    }

  private:
    errc code_;
    std::string internal_;
    int retry_after_s_ = 0;
    std::string kind_;
};

/// What an exception_ptr holds, for a log line: what() of a std::exception, or a placeholder.
std::string What(std::exception_ptr error);

/// Too many attempts: rate_limited, to be tried again after `seconds`.
inline Error TooManyAttempts(int seconds) {
    Error error(errc::rate_limited, "too many attempts; try again in " + std::to_string(seconds) + " seconds");
    error.RetryAfter(seconds);
    return error;
}

}  // namespace gatehouse::core

namespace boost::system {
template <>
struct is_error_code_enum<gatehouse::core::errc> : std::true_type {};
}  // namespace boost::system
