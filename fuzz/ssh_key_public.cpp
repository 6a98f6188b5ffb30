// ssh::ImportPublicKey on a fuzzed authorized_keys line: it either throws core::Error(invalid_argument) (anything
// else escaping is a bug) or returns a key whose own public line imports again to the same key.

#include "ssh_key_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace gatehouse;
    ssh::KeyMaterial key;
    try {
        key = ssh::ImportPublicKey(fuzz::AsText(data, size), "");
    } catch (const core::Error& e) {
        fuzz::CheckRefusal(e);
        return 0;
    }
    fuzz::CheckAccepted(key);
    FUZZ_CHECK(!key.private_key.has_value());
    // The line we would store has no control characters and no newline, whatever came in.
    for (const char c : key.public_key) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
    const auto again = ssh::ImportPublicKey(key.public_key, "");
    FUZZ_CHECK(again.fingerprint == key.fingerprint && again.public_key == key.public_key &&
               again.comment == key.comment && again.bits == key.bits);
    return 0;
}
