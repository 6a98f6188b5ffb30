#include "auth/password.hpp"

#include <gtest/gtest.h>

namespace gatehouse::auth {
namespace {

TEST(Password, TheDummyHashIsAWellFormedHashOfTheCurrentCostThatNoPasswordMatches) {
    const PasswordParams params{.opslimit = 1, .memlimit_bytes = 8 * 1024 * 1024};
    const PasswordHasher hasher(params);
    const std::string dummy = DummyHash(params);
    EXPECT_EQ(dummy.rfind("$argon2id$v=19$m=8192,t=1,p=1$", 0), 0u) << dummy;
    // Well formed and of the current cost: libsodium parses it and would not rehash it. (A malformed string would be
    // refused at once, and an unknown user would answer faster than a wrong password.)
    EXPECT_FALSE(hasher.NeedsRehash(dummy));
    EXPECT_FALSE(hasher.Verify(dummy, "gatehouse-dummy-password-for-timing"));
    EXPECT_FALSE(hasher.Verify(dummy, ""));
    EXPECT_NE(DummyHash(params), dummy);  // random salt and digest
    // The same shape as a real hash of the same cost.
    const std::string real = hasher.Hash("a real password");
    EXPECT_EQ(real.substr(0, real.find('$', 20)), dummy.substr(0, dummy.find('$', 20)));
    EXPECT_EQ(real.size(), dummy.size());
}

}  // namespace
}  // namespace gatehouse::auth
