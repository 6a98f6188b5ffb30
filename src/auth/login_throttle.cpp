#include "auth/login_throttle.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

#include "auth/jwt.hpp"

namespace gatehouse::auth {
namespace {

std::string Mac(const std::string& key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), mac, &length);
    return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), length));
}

}  // namespace

std::string AccountKey(std::string_view username) {
    std::string key(username.substr(0, 64));
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    return key;
}

LoginThrottle::LoginThrottle(ThrottleOptions options, std::string device_key)
    : per_address_(options.attempts_per_address, options.window),
      per_account_(options.failures_per_account, options.window),
      device_key_(std::move(device_key)) {}

std::optional<int> LoginThrottle::Admit(const PasswordClient& client, std::string_view account) {
    const std::string name = AccountKey(account);
    const std::string address = "a:" + client.address;
    const std::string pair = "p:" + name + "|" + client.address;
    const std::string& device = client.known;
    if (!device.empty()) {
        // The real user's browser: only its own failures and its address's attempts hold it back.
        const std::string own = "d:" + name + "|" + device;
        if (auto wait = per_address_.Blocked({address, own})) return wait;
    } else {
        if (auto wait = per_address_.Blocked({address, pair})) return wait;
        if (auto wait = per_account_.Blocked({name})) return wait;
    }
    per_address_.Count({address});
    return std::nullopt;
}

void LoginThrottle::Failed(const PasswordClient& client, std::string_view account) {
    const std::string name = AccountKey(account);
    const std::string& device = client.known;
    if (!device.empty()) {
        per_address_.Count({"d:" + name + "|" + device});
    } else {
        per_address_.Count({"p:" + name + "|" + client.address});
        per_account_.Count({name});
    }
}

std::string LoginThrottle::IssueDevice(std::string_view account) const {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    const std::string nonce = Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
    return nonce + "." + Mac(device_key_, AccountKey(account) + "|" + nonce);
}

std::string LoginThrottle::DeviceOf(std::string_view cookie, std::string_view account) const {
    const auto dot = cookie.find('.');
    if (cookie.empty() || cookie.size() > 128 || dot == std::string_view::npos) return {};
    const std::string nonce(cookie.substr(0, dot));
    const std::string expected = Mac(device_key_, AccountKey(account) + "|" + nonce);
    const auto given = cookie.substr(dot + 1);
    if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0)
        return {};
    return nonce;
}

}  // namespace gatehouse::auth
