#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <iterator>

#include "core/errc.hpp"
#include "core/text.hpp"
#include "fleet/fleet_service.hpp"

namespace gatehouse::fleet {
namespace {

core::Error Invalid(std::string_view field, std::string_view problem) {
    return core::Error(core::errc::invalid_argument, "field '" + std::string(field) + "' " + std::string(problem));
}

bool IsHostname(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    std::size_t start = 0;
    while (start <= host.size()) {
        const auto dot = host.find('.', start);
        const auto label = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (char ch : label)
            if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') return false;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return true;
}

bool Simple(std::string_view text, std::size_t max, std::string_view extra) {
    if (text.empty() || text.size() > max || text.front() == '-') return false;
    for (char ch : text)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && extra.find(ch) == std::string_view::npos) return false;
    return true;
}

bool ValidHostName(const std::string& host) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    return !ec || IsHostname(host);
}

}  // namespace

void ValidateName(std::string_view field, std::string_view name) {
    if (const auto problem = core::NameProblem(name, 100); !problem.empty()) throw Invalid(field, problem);
}

void ValidateServerInput(const ServerInput& in) {
    ValidateName("name", in.name);
    // Only an IP address or a plain DNS name: nothing that ssh or a shell could read as an option or syntax.
    if (!ValidHostName(in.address)) throw Invalid("address", "must be a hostname, an IPv4 or an IPv6 address");
    if (in.ssh_port < 1 || in.ssh_port > 65535) throw Invalid("ssh_port", "must be from 1 to 65535");
    if (!Simple(in.ssh_user, 32, "._-")) throw Invalid("ssh_user", "must be 1 to 32 letters, digits, '.', '_' or '-'");
    if (in.auth_method != "password" && in.auth_method != "key")
        throw Invalid("auth_method", "must be password or key");
    if (in.auth_method == "key" && !in.ssh_key_id) throw Invalid("ssh_key_id", "is required with auth_method key");
    if (in.password && (in.password->empty() || in.password->size() > 1024))
        throw Invalid("password", "must be 1 to 1024 bytes");
    if (in.host_key_fingerprint) {
        const auto& fp = *in.host_key_fingerprint;
        if (fp.size() != 50 || fp.rfind("SHA256:", 0) != 0 || !Simple(fp.substr(7), 43, "+/"))
            throw Invalid("host_key_fingerprint", "must look like SHA256:<43 base64 characters>");
    }
    if (in.tags.size() > 32) throw Invalid("tags", "must have at most 32 entries");
    for (const auto& tag : in.tags)
        if (!Simple(tag, 64, "._:-"))
            throw Invalid("tags", "entries must be 1 to 64 letters, digits, '.', '_', ':' or '-'");
    if (in.description.size() > 2000) throw Invalid("description", "must be at most 2000 bytes");
    if (in.postgres) {
        const auto& pg = *in.postgres;
        if (pg.port < 1 || pg.port > 65535) throw Invalid("postgres.port", "must be from 1 to 65535");
        if (pg.host && !ValidHostName(*pg.host))
            throw Invalid("postgres.host", "must be a host name, an IPv4 address or an IPv6 address");
        if (std::find(std::begin(kSslModes), std::end(kSslModes), pg.sslmode) == std::end(kSslModes))
            throw Invalid("postgres.sslmode", "must be disable, allow, prefer, require, verify-ca or verify-full");
        if (!Simple(pg.user, 63, "_-."))
            throw Invalid("postgres.user", "must be 1 to 63 letters, digits, '_', '-' or '.'");
        if (!Simple(pg.database, 63, "_-."))
            throw Invalid("postgres.database", "must be 1 to 63 letters, digits, '_', '-' or '.'");
        if (pg.pool_class != "default" && pg.pool_class != "stats_db" && pg.pool_class != "high_load")
            throw Invalid("postgres.pool_class", "must be default, stats_db or high_load");
    }
    if (in.postgres_password && in.postgres_password->size() > 1024)
        throw Invalid("postgres.password", "must be at most 1024 bytes");
}

}  // namespace gatehouse::fleet
