#include "key_test_support.hpp"

namespace gatehouse::ssh {
namespace {

using namespace test;

TEST(GenerateKey, Ed25519MatchesSshKeygen) {
    KeyMaterial km = GenerateKey("ed25519", 0, "deploy@gatehouse");
    CheckAgainstKeygen(km, "ed25519", 256);
    EXPECT_TRUE(km.public_key.starts_with("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"));
    EXPECT_TRUE(km.public_key.ends_with(" deploy@gatehouse"));
    EXPECT_EQ(km.comment, "deploy@gatehouse");
}

TEST(GenerateKey, Ed25519IgnoresBitsAndOmitsEmptyComment) {
    KeyMaterial km = GenerateKey("ed25519", 4096, "");
    EXPECT_EQ(km.bits, 256);
    EXPECT_EQ(km.comment, "");
    EXPECT_EQ(std::count(km.public_key.begin(), km.public_key.end(), ' '), 1) << km.public_key;
}

TEST(GenerateKey, Rsa2048MatchesSshKeygen) {
    KeyMaterial km = GenerateKey("rsa", 2048, "ci");
    CheckAgainstKeygen(km, "rsa", 2048);
    EXPECT_TRUE(km.public_key.starts_with("ssh-rsa "));
}

TEST(GenerateKey, Rsa3072MatchesSshKeygen) { CheckAgainstKeygen(GenerateKey("rsa", 3072, "c"), "rsa", 3072); }

TEST(GenerateKey, Rsa4096MatchesSshKeygen) { CheckAgainstKeygen(GenerateKey("rsa", 4096, "c"), "rsa", 4096); }

TEST(GenerateKey, DistinctKeysEachTime) {
    EXPECT_NE(GenerateKey("ed25519", 0, "").fingerprint, GenerateKey("ed25519", 0, "").fingerprint);
}

TEST(GenerateKey, RefusesOtherTypesAndSizes) {
    for (const char* type : {"dsa", "ecdsa", "RSA", "", "ed448"}) {
        std::string msg = ExpectInvalid([&] { GenerateKey(type, 2048, ""); });
        EXPECT_NE(msg.find("unsupported key type"), std::string::npos) << msg;
    }
    for (int bits : {0, 1024, 2047, 8192, -1}) {
        std::string msg = ExpectInvalid([&] { GenerateKey("rsa", bits, ""); });
        EXPECT_NE(msg.find("2048, 3072 or 4096"), std::string::npos) << msg;
    }
}

TEST(GenerateKey, RefusesCommentWithNewline) {
    // A newline would smuggle a second line (with options) into authorized_keys.
    ExpectInvalid([] { GenerateKey("ed25519", 0, "x\ncommand=\"sh\" ssh-ed25519 AAAA"); });
    ExpectInvalid([] { GenerateKey("ed25519", 0, std::string(2000, 'c')); });
}

TEST(GenerateKey, RoundTripThroughImport) {
    for (auto [type, bits] : {std::pair{"ed25519", 0}, std::pair{"rsa", 2048}}) {
        KeyMaterial km = GenerateKey(type, bits, "rt");
        KeyMaterial back = ImportPrivateKey(*km.private_key, "", "rt");
        EXPECT_EQ(back.fingerprint, km.fingerprint);
        EXPECT_EQ(back.public_key, km.public_key);
        EXPECT_EQ(back.bits, km.bits);
        EXPECT_EQ(back.type, km.type);
        KeyMaterial pub = ImportPublicKey(km.public_key, "");
        EXPECT_EQ(pub.fingerprint, km.fingerprint);
        EXPECT_EQ(pub.comment, "rt");
        EXPECT_FALSE(pub.private_key.has_value());
    }
}

TEST(GenerateKey, ConcurrentCallsAreSafe) {
    std::vector<std::thread> threads;
    std::vector<std::string> fingerprints(8);
    for (std::size_t i = 0; i < fingerprints.size(); ++i)
        threads.emplace_back([&, i] {
            KeyMaterial km = GenerateKey("ed25519", 0, "t");
            KeyMaterial back = ImportPrivateKey(*km.private_key, "", "");
            fingerprints[i] = back.fingerprint == km.fingerprint ? km.fingerprint : "mismatch";
        });
    for (auto& t : threads) t.join();
    for (const auto& f : fingerprints) EXPECT_TRUE(f.starts_with("SHA256:")) << f;
}

}  // namespace
}  // namespace gatehouse::ssh
