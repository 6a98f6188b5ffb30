#include "key_test_support.hpp"

namespace gatehouse::ssh {
namespace {

using namespace test;

class ImportPublicLine : public ::testing::TestWithParam<KeygenCase> {};

TEST_P(ImportPublicLine, MatchesSshKeygen) {
    const KeygenCase& c = GetParam();
    TempDir dir;
    ExternalKey ext = KeygenMake(dir, "k", c.type_args, "", "", "me@laptop");
    KeyMaterial km = ImportPublicKey(ext.public_line, "");  // with the file's trailing newline
    EXPECT_EQ(km.type, c.family);
    EXPECT_EQ(km.bits, c.bits);
    EXPECT_EQ(km.fingerprint, ext.listing.fingerprint);
    EXPECT_EQ(km.comment, "me@laptop");
    EXPECT_EQ(km.public_key + "\n", ext.public_line);
    EXPECT_FALSE(km.private_key.has_value());

    KeyMaterial renamed = ImportPublicKey(ext.public_line, "other");
    EXPECT_EQ(renamed.comment, "other");
    EXPECT_EQ(renamed.public_key, Field(ext.public_line, 0) + " " + Field(ext.public_line, 1) + " other");

    KeyMaterial bare = ImportPublicKey(Field(ext.public_line, 0) + " " + Field(ext.public_line, 1), "");
    EXPECT_EQ(bare.comment, "");
    EXPECT_EQ(bare.public_key, Field(ext.public_line, 0) + " " + Field(ext.public_line, 1));
}

INSTANTIATE_TEST_SUITE_P(Keygen, ImportPublicLine,
                         ::testing::Values(KeygenCase{"ed25519", "-t ed25519", "", "ed25519", 256},
                                           KeygenCase{"rsa", "-t rsa -b 3072", "", "rsa", 3072},
                                           KeygenCase{"ecdsa256", "-t ecdsa -b 256", "", "ecdsa", 256},
                                           KeygenCase{"ecdsa384", "-t ecdsa -b 384", "", "ecdsa", 384},
                                           KeygenCase{"ecdsa521", "-t ecdsa -b 521", "", "ecdsa", 521}),
                         [](const ::testing::TestParamInfo<KeygenCase>& info) { return info.param.name; });

TEST(ImportPublicKey, CommentWithSpacesIsKept) {
    KeyMaterial km = GenerateKey("ed25519", 0, "");
    KeyMaterial pub = ImportPublicKey("  " + km.public_key + "   Jane Doe (laptop)  \r\n", "");
    EXPECT_EQ(pub.comment, "Jane Doe (laptop)");
    EXPECT_EQ(pub.public_key, km.public_key + " Jane Doe (laptop)");
}

TEST(ImportPublicKey, RefusesOptionsPrefix) {
    KeyMaterial km = GenerateKey("ed25519", 0, "c");
    for (const std::string& prefix :
         {std::string("command=\"x\" "), std::string("no-pty "), std::string("from=\"10.0.0.1\",no-agent-forwarding "),
          std::string("command=\"echo hi\" "), std::string("restrict ")}) {
        std::string msg = ExpectInvalid([&] { ImportPublicKey(prefix + km.public_key, ""); });
        EXPECT_NE(msg.find("options"), std::string::npos) << msg;
    }
}

TEST(ImportPublicKey, RefusesMultipleLinesAndControlCharacters) {
    KeyMaterial a = GenerateKey("ed25519", 0, "a");
    KeyMaterial b = GenerateKey("ed25519", 0, "b");
    std::string msg = ExpectInvalid([&] { ImportPublicKey(a.public_key + "\n" + b.public_key + "\n", ""); });
    EXPECT_NE(msg.find("single line"), std::string::npos) << msg;
    ExpectInvalid([&] { ImportPublicKey(a.public_key + "\n\n", ""); });
    ExpectInvalid([&] { ImportPublicKey(a.public_key + "\r" + b.public_key, ""); });
    ExpectInvalid([&] { ImportPublicKey(a.public_key + "\x1b[2J", ""); });
    ExpectInvalid([&] { ImportPublicKey(std::string(a.public_key).append(1, '\0').append("x"), ""); });
    // The comment argument is held to the same rule.
    ExpectInvalid([&] { ImportPublicKey(a.public_key, "x\nssh-ed25519 AAAA"); });
}

TEST(ImportPublicKey, RefusesGarbage) {
    KeyMaterial ed = GenerateKey("ed25519", 0, "");
    KeyMaterial rsa = GenerateKey("rsa", 2048, "");
    const std::string ed_b64 = Field(ed.public_key, 1);
    const std::string rsa_b64 = Field(rsa.public_key, 1);
    for (const std::string& line : std::vector<std::string>{
             "", " ", "a;rm -rf /", "-oProxyCommand=sh", "ssh-ed25519", "ssh-ed25519 ", "ssh-ed25519 !!!!",
             "ssh-ed25519 AAAA", "ssh-ed25519 " + ed_b64.substr(0, ed_b64.size() / 2), "ssh-ed25519 " + ed_b64 + "=",
             "ssh-ed25519 " + rsa_b64,  // type/base64 mismatch
             "ssh-rsa " + ed_b64, "ecdsa-sha2-nistp256 " + ed_b64, "ssh-dss " + ed_b64,
             "ssh-ed25519-cert-v01@openssh.com " + ed_b64, "sk-ssh-ed25519@openssh.com " + ed_b64,
             "SSH-ED25519 " + ed_b64, ed_b64, std::string(20000, 'A')}) {
        std::string msg = ExpectInvalid([&] { ImportPublicKey(line, ""); });
        EXPECT_EQ(msg.find("rm -rf"), std::string::npos) << msg;
        if (line.size() > 20) {
            EXPECT_EQ(msg.find(line.substr(line.size() - 20)), std::string::npos) << msg;
        }
    }
    std::string msg = ExpectInvalid([&] { ImportPublicKey(std::string(20000, 'A'), ""); });
    EXPECT_NE(msg.find("16 KiB"), std::string::npos) << msg;
}

TEST(ImportPublicKey, PrivateKeyGivenAsPublicIsRefused) {
    KeyMaterial km = GenerateKey("ed25519", 0, "");
    ExpectInvalid([&] { ImportPublicKey(*km.private_key, ""); });
}

}  // namespace
}  // namespace gatehouse::ssh
