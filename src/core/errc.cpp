#include "core/errc.hpp"

namespace gatehouse::core {
namespace {

class Category final : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "gatehouse"; }

    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::ok:
                return "ok";
            case errc::invalid_argument:
                return "invalid argument";
            case errc::unauthenticated:
                return "unauthenticated";
            case errc::insufficient_credits:
                return "insufficient credits";
            case errc::forbidden:
                return "forbidden";
            case errc::not_found:
                return "not found";
            case errc::method_not_allowed:
                return "method not allowed";
            case errc::conflict:
                return "conflict";
            case errc::already_exists:
                return "already exists";
            case errc::payload_too_large:
                return "payload too large";
            case errc::unsupported_media:
                return "unsupported media type";
            case errc::headers_too_large:
                return "request headers too large";
            case errc::rate_limited:
                return "rate limited";
            case errc::bad_gateway:
                return "bad gateway";
            case errc::unavailable:
                return "service unavailable";
            case errc::timeout:
                return "timeout";
            case errc::internal:
                return "internal error";
        }
        return "unknown error";
    }
};

}  // namespace

const boost::system::error_category& ErrorCategory() noexcept {
    static const Category category;
    return category;
}

std::string What(std::exception_ptr error) {
    if (!error) return "no error";
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown exception";
    }
}

}  // namespace gatehouse::core
