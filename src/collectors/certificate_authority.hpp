#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct x509_st;

namespace gatehouse::collectors {

/// A certificate the CA signed, with its private key when the CA generated that key too.
struct IssuedCertificate {
    std::string certificate_pem;
    std::string private_key_pem;  // empty when issued from a CSR: the key never left its owner
    std::string sha256;           // of the DER certificate, hex: how the mTLS listener knows it
    std::int64_t not_after = 0;   // Unix seconds
};

/// One certificate authority (EC P-256): its certificate and key in memory, and what it signs. Pure OpenSSL, no
/// storage. Thread-safe for issuing once built.
class CertificateAuthority {
  public:
    /// A new self-signed CA valid for `days`. Throws std::runtime_error.
    static CertificateAuthority Generate(std::string_view common_name, int days);
    /// Throws std::runtime_error when either PEM cannot be read or they do not belong together.
    static CertificateAuthority Load(std::string_view certificate_pem, std::string_view private_key_pem);

    CertificateAuthority(CertificateAuthority&&) noexcept;
    CertificateAuthority& operator=(CertificateAuthority&&) noexcept;
    ~CertificateAuthority();

    const std::string& certificate_pem() const noexcept { return certificate_pem_; }
    std::string private_key_pem() const;
    const std::string& sha256() const noexcept { return sha256_; }
    std::int64_t not_after() const noexcept { return not_after_; }

    /// A client certificate (CN = `common_name`, extendedKeyUsage clientAuth) valid for `days`: for the public key
    /// of `csr_pem` when given (its self-signature checked; EC, Ed25519 or RSA of 2048 bits or more), for a new P-256
    /// key otherwise. Throws core::Error(invalid_argument) for a bad CSR.
    IssuedCertificate IssueClient(std::string_view common_name, const std::optional<std::string>& csr_pem,
                                  int days) const;
    /// A server certificate (serverAuth) for these DNS names and IP addresses, with a new P-256 key.
    IssuedCertificate IssueServer(const std::vector<std::string>& dns_names, const std::vector<std::string>& ips,
                                  int days) const;

  private:
    struct State;
    explicit CertificateAuthority(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
    std::string certificate_pem_;
    std::string sha256_;
    std::int64_t not_after_ = 0;
};

/// The SHA-256 (hex) of a PEM certificate's DER form; empty when it cannot be read.
std::string CertificateSha256(std::string_view certificate_pem);
/// The same for an OpenSSL certificate (the listener's TLS verify callback).
std::string CertificateSha256(x509_st* certificate);
/// A new EC P-256 private key in PEM (PKCS#8): what the CA generates for collectors without a CSR, and what the
/// agent keeps. Throws std::runtime_error.
std::string NewPrivateKeyPem();

}  // namespace gatehouse::collectors
