// ssh::ImportPublicKey on a fuzzed authorized_keys line: it either throws core::Error(invalid_argument) (anything
// else escaping is a bug) or returns a key whose own public line imports again to the same key.

#include "core/errc.hpp"
#include "fuzz_check.hpp"
#include "ssh/key_material.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace gatehouse;
    ssh::KeyMaterial key;
    try {
        key = ssh::ImportPublicKey(fuzz::AsText(data, size), "");
    } catch (const core::Error& e) {
        if (e.code() != core::errc::invalid_argument)
            std::fprintf(stderr, "core::Error %d: %s (%s)\n", static_cast<int>(e.code()), e.what(),
                         e.internal().c_str());
        FUZZ_CHECK(e.code() == core::errc::invalid_argument);
        return 0;
    }
    FUZZ_CHECK(key.type == "ed25519" || key.type == "rsa" || key.type == "ecdsa");
    FUZZ_CHECK(key.fingerprint.starts_with("SHA256:"));
    FUZZ_CHECK(!key.private_key.has_value());
    // The line we would store has no control characters and no newline, whatever came in.
    for (const char c : key.public_key) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
    const auto again = ssh::ImportPublicKey(key.public_key, "");
    FUZZ_CHECK(again.fingerprint == key.fingerprint && again.public_key == key.public_key &&
               again.comment == key.comment && again.bits == key.bits);
    return 0;
}
