#include "key_test_support.hpp"

namespace gatehouse::ssh {
namespace {

using namespace test;

class ImportKeygenKey : public ::testing::TestWithParam<KeygenCase> {};

TEST_P(ImportKeygenKey, UnencryptedMatchesSshKeygen) {
    const KeygenCase& c = GetParam();
    TempDir dir;
    ExternalKey ext = KeygenMake(dir, "k", c.type_args, c.format, "", "ops@example");
    KeyMaterial km = ImportPrivateKey(ext.private_text, "", "");
    EXPECT_EQ(km.type, c.family);
    EXPECT_EQ(km.bits, c.bits);
    EXPECT_EQ(km.bits, ext.listing.bits);
    EXPECT_EQ(km.fingerprint, ext.listing.fingerprint);
    EXPECT_EQ(Field(km.public_key, 1), Field(ext.public_line, 1));
    if (c.format.empty()) {
        EXPECT_EQ(km.comment, "ops@example");  // only OpenSSH keys carry a comment
    }
    CheckAgainstKeygen(km, c.family, c.bits);

    KeyMaterial named = ImportPrivateKey(ext.private_text, "", "given");
    EXPECT_EQ(named.comment, "given");
    EXPECT_TRUE(named.public_key.ends_with(" given"));
}

TEST_P(ImportKeygenKey, EncryptedNeedsTheRightPassphrase) {
    const KeygenCase& c = GetParam();
    TempDir dir;
    ExternalKey ext = KeygenMake(dir, "k", c.type_args, c.format, "s3cret pass phrase", "enc");
    if (c.name == "rsa_openssh" || c.name == "rsa3072_openssh") {
        // libssh 0.10 decrypts the key but cannot re-export it: the key is kept as it came, with its
        // passphrase (both go to the vault), and the pair opens again to the same key.
        KeyMaterial km = ImportPrivateKey(ext.private_text, "s3cret pass phrase", "");
        EXPECT_EQ(km.fingerprint, ext.listing.fingerprint);
        EXPECT_EQ(km.bits, c.bits);
        ASSERT_TRUE(km.private_key.has_value());
        EXPECT_EQ(*km.private_key, ext.private_text);
        ASSERT_TRUE(km.passphrase.has_value());
        EXPECT_EQ(*km.passphrase, "s3cret pass phrase");
        EXPECT_EQ(ImportPrivateKey(*km.private_key, *km.passphrase, "").fingerprint, ext.listing.fingerprint);
    } else {
        KeyMaterial km = ImportPrivateKey(ext.private_text, "s3cret pass phrase", "");
        EXPECT_EQ(km.fingerprint, ext.listing.fingerprint);
        EXPECT_EQ(km.bits, c.bits);
        ASSERT_TRUE(km.private_key.has_value());
        // The stored copy is unencrypted OpenSSH text: the vault encrypts it.
        EXPECT_EQ(km.private_key->find("ENCRYPTED"), std::string::npos);
        EXPECT_FALSE(km.passphrase.has_value());
        CheckAgainstKeygen(km, c.family, c.bits);
    }

    std::string wrong = ExpectInvalid([&] { ImportPrivateKey(ext.private_text, "not it", ""); });
    EXPECT_NE(wrong.find("wrong passphrase"), std::string::npos) << wrong;
    EXPECT_EQ(wrong.find("not it"), std::string::npos);
    std::string missing = ExpectInvalid([&] { ImportPrivateKey(ext.private_text, "", ""); });
    EXPECT_NE(missing.find("passphrase is required"), std::string::npos) << missing;
}

INSTANTIATE_TEST_SUITE_P(Keygen, ImportKeygenKey,
                         ::testing::Values(KeygenCase{"ed25519_openssh", "-t ed25519", "", "ed25519", 256},
                                           KeygenCase{"rsa_openssh", "-t rsa -b 2048", "", "rsa", 2048},
                                           KeygenCase{"rsa3072_openssh", "-t rsa -b 3072", "", "rsa", 3072},
                                           KeygenCase{"ecdsa256_openssh", "-t ecdsa -b 256", "", "ecdsa", 256},
                                           KeygenCase{"ecdsa384_openssh", "-t ecdsa -b 384", "", "ecdsa", 384},
                                           KeygenCase{"ecdsa521_openssh", "-t ecdsa -b 521", "", "ecdsa", 521},
                                           KeygenCase{"rsa_pem", "-t rsa -b 2048", "PEM", "rsa", 2048},
                                           KeygenCase{"ecdsa256_pem", "-t ecdsa -b 256", "PEM", "ecdsa", 256},
                                           KeygenCase{"ecdsa384_pem", "-t ecdsa -b 384", "PEM", "ecdsa", 384},
                                           KeygenCase{"rsa_pkcs8", "-t rsa -b 2048", "PKCS8", "rsa", 2048},
                                           KeygenCase{"ecdsa256_pkcs8", "-t ecdsa -b 256", "PKCS8", "ecdsa", 256}),
                         [](const ::testing::TestParamInfo<KeygenCase>& info) { return info.param.name; });

TEST(ImportPrivateKey, PemHeadersAreWhatWeThinkTheyAre) {
    TempDir dir;
    EXPECT_TRUE(KeygenMake(dir, "a", "-t rsa -b 2048", "PEM", "", "")
                    .private_text.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    EXPECT_TRUE(
        KeygenMake(dir, "b", "-t ecdsa", "PEM", "", "").private_text.starts_with("-----BEGIN EC PRIVATE KEY-----"));
    EXPECT_TRUE(
        KeygenMake(dir, "c", "-t ecdsa", "PKCS8", "", "").private_text.starts_with("-----BEGIN PRIVATE KEY-----"));
    ExternalKey enc = KeygenMake(dir, "d", "-t rsa -b 2048", "PEM", "pw-secret", "");
    EXPECT_NE(enc.private_text.find("Proc-Type: 4,ENCRYPTED"), std::string::npos);
    EXPECT_TRUE(KeygenMake(dir, "e", "-t ecdsa", "PKCS8", "pw-secret", "")
                    .private_text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
}

TEST(ImportPrivateKey, AcceptsCrLfAndSurroundingWhitespace) {
    KeyMaterial km = GenerateKey("ed25519", 0, "");
    std::string crlf;
    for (char c : *km.private_key) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    EXPECT_EQ(ImportPrivateKey("\n  " + crlf + "\n\n", "", "").fingerprint, km.fingerprint);
}

TEST(ImportPrivateKey, PassphraseOnUnencryptedKeyIsIgnored) {
    KeyMaterial km = GenerateKey("ed25519", 0, "");
    EXPECT_EQ(ImportPrivateKey(*km.private_key, "unneeded", "").fingerprint, km.fingerprint);
}

// Every malformed input gives invalid_argument and none of it comes back in the message.
void ExpectRefusedWithoutEcho(const std::string& input, const std::string& passphrase = "") {
    std::string msg = ExpectInvalid([&] { ImportPrivateKey(input, passphrase, ""); });
    EXPECT_FALSE(msg.empty());
    EXPECT_LT(msg.size(), 200u);
    // No run of the input's key body appears in the message.
    for (std::size_t i = 0; i + 24 <= input.size(); i += 24) {
        std::string piece = input.substr(i, 24);
        if (piece.find("-----") != std::string::npos) continue;  // armour lines are not secret
        EXPECT_EQ(msg.find(piece), std::string::npos) << msg;
    }
    if (!passphrase.empty()) {
        EXPECT_EQ(msg.find(passphrase), std::string::npos) << msg;
    }
}

std::string Halve(const std::string& s) { return s.substr(0, s.size() / 2); }

TEST(ImportPrivateKey, RefusesTruncatedKeys) {
    TempDir dir;
    for (const auto& [args, format] : std::vector<std::pair<std::string, std::string>>{{"-t rsa -b 2048", "PEM"},
                                                                                       {"-t ecdsa", "PEM"},
                                                                                       {"-t ecdsa", "PKCS8"},
                                                                                       {"-t ed25519", ""},
                                                                                       {"-t rsa -b 2048", ""}}) {
        ExternalKey k = KeygenMake(dir, "k" + std::to_string(std::rand()), args, format, "", "");
        ExpectRefusedWithoutEcho(Halve(k.private_text));
        // Cut in half but with the END line glued back on: the body itself is short.
        std::string text = k.private_text;
        std::size_t end = text.find("-----END");
        std::string body_cut = text.substr(0, end / 2) + "\n" + text.substr(end);
        ExpectRefusedWithoutEcho(body_cut);
    }
}

TEST(ImportPrivateKey, RefusesTruncatedEncryptedKeys) {
    TempDir dir;
    ExternalKey pem = KeygenMake(dir, "p", "-t rsa -b 2048", "PEM", "pw-secret", "");
    ExpectRefusedWithoutEcho(Halve(pem.private_text), "pw-secret");
    ExternalKey ossh = KeygenMake(dir, "o", "-t ed25519", "", "pw-secret", "");
    std::string text = ossh.private_text;
    std::size_t end = text.find("-----END");
    std::string msg =
        ExpectInvalid([&] { ImportPrivateKey(text.substr(0, end / 2) + "\n" + text.substr(end), "pw-secret", ""); });
    EXPECT_NE(msg.find("not a valid private key"), std::string::npos) << msg;
}

TEST(ImportPrivateKey, RefusesOneMegabyteKey) {
    KeyMaterial km = GenerateKey("ed25519", 0, "");
    std::string big = *km.private_key + std::string(1 << 20, 'A');
    std::string msg = ExpectInvalid([&] { ImportPrivateKey(big, "", ""); });
    EXPECT_NE(msg.find("64 KiB"), std::string::npos) << msg;
    ExpectRefusedWithoutEcho(std::string(1 << 20, 'A'));
}

TEST(ImportPrivateKey, RefusesRandomBytes) {
    std::mt19937 rng(42);
    for (int round = 0; round < 20; ++round) {
        std::string bytes(1 + rng() % 4096, '\0');
        for (char& c : bytes) c = static_cast<char>(rng());
        ExpectInvalid([&] { ImportPrivateKey(bytes, "", ""); });
    }
}

TEST(ImportPrivateKey, RefusesGarbageBase64Body) {
    std::string garbage =
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA!!notbase64!!\n"
        "-----END OPENSSH PRIVATE KEY-----\n";
    ExpectRefusedWithoutEcho(garbage);
    ExpectRefusedWithoutEcho(
        "-----BEGIN RSA PRIVATE KEY-----\nAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END RSA PRIVATE KEY-----\n");
    ExpectRefusedWithoutEcho("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n");
    ExpectRefusedWithoutEcho("-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----\n");
    ExpectRefusedWithoutEcho("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n");
    // Well-formed base64 whose container is damaged: base64 character 52 of the body encodes the
    // first byte of the key count (offset 39), the last check integer sits right after the public blob.
    KeyMaterial km = GenerateKey("ed25519", 0, "");
    std::string tampered = *km.private_key;
    std::size_t body = tampered.find('\n') + 1;
    tampered[body + 52] = tampered[body + 52] == 'A' ? 'B' : 'A';
    ExpectRefusedWithoutEcho(tampered);
    // Cut in the middle of a base64 line, END line kept: the private section is short.
    std::string cut = km.private_key->substr(0, body + 100) + "\n-----END OPENSSH PRIVATE KEY-----\n";
    ExpectRefusedWithoutEcho(cut);
}

TEST(ImportPrivateKey, RefusesPublicKeyGivenAsPrivate) {
    KeyMaterial km = GenerateKey("ed25519", 0, "c");
    std::string msg = ExpectInvalid([&] { ImportPrivateKey(km.public_key, "", ""); });
    EXPECT_NE(msg.find("public key"), std::string::npos) << msg;
    EXPECT_EQ(msg.find(Field(km.public_key, 1)), std::string::npos);
}

TEST(ImportPrivateKey, RefusesEmptyAndNonKeys) {
    ExpectInvalid([] { ImportPrivateKey("", "", ""); });
    ExpectInvalid([] { ImportPrivateKey("   \n\t\n", "", ""); });
    ExpectRefusedWithoutEcho("hello world, this is definitely not a key at all, sorry");
    ExpectRefusedWithoutEcho(std::string("-----BEGIN OPENSSH PRIVATE KEY-----\n\0AAAA", 42));
}

TEST(ImportPrivateKey, RefusesDsa) {
    TempDir dir;
    RunResult r = RunShell("ssh-keygen -q -t dsa -N '' -f '" + (dir.path() / "d").string() + "'");
    if (r.status != 0) GTEST_SKIP() << "this ssh-keygen cannot make DSA keys";
    ExpectInvalid([&] { ImportPrivateKey(dir.Read("d"), "", ""); });
}

// ---- public key lines -------------------------------------------------------------------------

}  // namespace
}  // namespace gatehouse::ssh
