#include "agent/agent_state.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "collectors/certificate_authority.hpp"

namespace gatehouse::agent {
namespace {

std::optional<std::string> ReadText(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

void WriteFileAtomically(const std::filesystem::path& path, const std::string& text) {
    const auto temporary = path.string() + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot write " + temporary);
    std::size_t done = 0;
    while (done < text.size()) {
        const auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) {
            ::close(fd);
            throw std::runtime_error("cannot write " + temporary);
        }
        done += static_cast<std::size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
    std::filesystem::rename(temporary, path);
}

std::optional<AgentState> ReadState(const std::filesystem::path& dir) {
    const auto text = ReadText(dir / "collector.json");
    if (!text) return std::nullopt;
    const auto value = boost::json::parse(*text);
    const auto& o = value.as_object();
    AgentState s;
    s.collector_id = std::string(o.at("collector_id").as_string());
    s.token = std::string(o.at("token").as_string());
    s.token_expires = o.at("token_expires").to_number<std::int64_t>();
    s.certificate_expires = o.at("certificate_expires").to_number<std::int64_t>();
    s.certificate_issued = o.at("certificate_issued").to_number<std::int64_t>();
    s.config_etag = std::string(o.at("config_etag").as_string());
    s.config = o.at("config").as_object();
    return s;
}

void WriteState(const std::filesystem::path& dir, const AgentState& s) {
    WriteFileAtomically(dir / "collector.json",
                        boost::json::serialize(boost::json::object{{"collector_id", s.collector_id},
                                                                   {"token", s.token},
                                                                   {"token_expires", s.token_expires},
                                                                   {"certificate_expires", s.certificate_expires},
                                                                   {"certificate_issued", s.certificate_issued},
                                                                   {"config_etag", s.config_etag},
                                                                   {"config", s.config}}));
}

std::string EnsureKey(const std::filesystem::path& dir) {
    if (auto existing = ReadText(dir / "key.pem")) return *existing;
    const std::string pem = collectors::NewPrivateKeyPem();
    WriteFileAtomically(dir / "key.pem", pem);
    return pem;
}

std::string MakeCsr(const std::string& key_pem, const std::string& common_name) {
    BIO* in = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    if (!key) throw std::runtime_error("the agent's key.pem cannot be read");
    X509_REQ* request = X509_REQ_new();
    X509_REQ_set_version(request, 0);
    X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(request), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
    X509_REQ_set_pubkey(request, key);
    X509_REQ_sign(request, key, EVP_sha256());
    BIO* out = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_REQ(out, request);
    char* data = nullptr;
    const long size = BIO_get_mem_data(out, &data);
    std::string pem(data, static_cast<std::size_t>(size));
    BIO_free(out);
    X509_REQ_free(request);
    EVP_PKEY_free(key);
    return pem;
}

}  // namespace gatehouse::agent
