#pragma once
// What the two SSH key harnesses check alike: a refused key is core::Error(invalid_argument) (any other error is
// printed, then fails), and an accepted one has a known type and a SHA256 fingerprint.

#include <cstdio>

#include "core/errc.hpp"
#include "fuzz_check.hpp"
#include "ssh/key_material.hpp"

namespace gatehouse::fuzz {

inline void CheckRefusal(const core::Error& e) {
    if (e.code() != core::errc::invalid_argument)
        std::fprintf(stderr, "core::Error %d: %s (%s)\n", static_cast<int>(e.code()), e.what(), e.internal().c_str());
    FUZZ_CHECK(e.code() == core::errc::invalid_argument);
}

inline void CheckAccepted(const ssh::KeyMaterial& key) {
    FUZZ_CHECK(key.type == "ed25519" || key.type == "rsa" || key.type == "ecdsa");
    FUZZ_CHECK(key.fingerprint.starts_with("SHA256:"));
}

}  // namespace gatehouse::fuzz
