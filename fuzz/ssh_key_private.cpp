// ssh::ImportPrivateKey on fuzzed key text (passphrase "fuzz-pass", which opens the encrypted seeds): it either
// throws core::Error (anything else escaping is a bug) or returns a key whose exported private key imports again
// to the same key, and whose public line imports as the same public key.
//
// libssh 0.10.6 leaks the key type string (20 bytes) of an unencrypted OpenSSH key whose private section names an
// unknown type (regressions/ssh_key_private/libssh-leak-unknown-private-type). Leaks of memory that libssh allocated
// are not ours to fix and are suppressed (by module: libssh has no frame pointers, so the fast unwinder sees no
// caller above it), so that the search goes on; a leak of memory we allocate still fails.

#include "ssh_key_check.hpp"

extern "C" const char* __lsan_default_suppressions() { return "leak:libssh.so\n"; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace gatehouse;
    constexpr std::string_view kPassphrase = "fuzz-pass";
    ssh::KeyMaterial key;
    try {
        key = ssh::ImportPrivateKey(fuzz::AsText(data, size), kPassphrase, "");
    } catch (const core::Error& e) {
        fuzz::CheckRefusal(e);
        return 0;
    }
    fuzz::CheckAccepted(key);
    FUZZ_CHECK(key.private_key.has_value());
    const auto again = ssh::ImportPrivateKey(*key.private_key, key.passphrase.value_or(""), key.comment);
    FUZZ_CHECK(again.fingerprint == key.fingerprint && again.public_key == key.public_key);
    const auto public_key = ssh::ImportPublicKey(key.public_key, "");
    FUZZ_CHECK(public_key.fingerprint == key.fingerprint && public_key.public_key == key.public_key);
    FUZZ_CHECK(public_key.type == key.type && public_key.bits == key.bits);
    return 0;
}
