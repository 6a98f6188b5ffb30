#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace gatehouse::agent {

struct HttpAnswer {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
};

/// A blocking HTTP/1.1 client for one origin, keeping its connection alive between requests and resuming its TLS
/// session when it has to reconnect. For https: verified against `ca_file` (or the system's roots), with host name
/// checks; with a client certificate when `cert_file` is set (the collectors' mTLS listener).
class HttpClient {
  public:
    struct Tls {
        std::string ca_file;
        std::string cert_file;
        std::string key_file;
    };
    /// Throws std::runtime_error for a URL that is not http(s)://host[:port].
    HttpClient(const std::string& base_url, Tls tls, std::chrono::seconds timeout);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    /// Sends one request; throws std::runtime_error when no answer came (connect, TLS, timeout, reset).
    HttpAnswer Request(const std::string& method, const std::string& target, const std::string& body,
                       const std::map<std::string, std::string>& headers);
    /// Drops the connection (and the TLS session): the next request connects with the current certificate files.
    void Reset();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gatehouse::agent
