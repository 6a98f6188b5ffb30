#include "config/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "config/options.hpp"

namespace gatehouse::config {
namespace {

class ConfigTest : public ::testing::Test {
  protected:
    void SetUp() override {
        file_ = std::filesystem::temp_directory_path() /
                ("gatehouse-config-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml");
    }
    void TearDown() override { std::filesystem::remove(file_); }

    void WriteToml(const std::string& text) { std::ofstream(file_) << text; }

    Sources With(std::map<std::string, std::string> env, std::map<std::string, std::string> flags, bool use_file) {
        Sources sources;
        if (use_file) sources.config_file = file_.string();
        sources.getenv = [env](const std::string& name) -> std::optional<std::string> {
            auto it = env.find(name);
            if (it == env.end()) return std::nullopt;
            return it->second;
        };
        sources.flags = std::move(flags);
        return sources;
    }

    std::filesystem::path file_;
};

TEST_F(ConfigTest, DefaultsMatchTheSpec) {
    const auto config = Load(With({}, {}, false));
    EXPECT_EQ(config.listen, "127.0.0.1:8080");
    EXPECT_EQ(config.data_dir, "./gatehouse-data");
    EXPECT_EQ(config.database.url, "");
    EXPECT_EQ(config.http.max_header_bytes, 8192u);
    EXPECT_EQ(config.http.max_body_bytes, 1048576u);
}

TEST_F(ConfigTest, FlagsBeatEnvironmentBeatsFileBeatsDefaults) {
    WriteToml(
        "listen = \"127.0.0.1:1001\"\ndata_dir = \"/from/file\"\n[database]\nurl = \"postgresql://file\"\n"
        "[http]\nread_timeout_s = 7\n");
    auto config = Load(With({}, {}, true));
    EXPECT_EQ(config.listen, "127.0.0.1:1001");
    EXPECT_EQ(config.database.url, "postgresql://file");
    EXPECT_EQ(config.http.read_timeout_s, 7);

    config = Load(With({{"GATEHOUSE_LISTEN", "127.0.0.1:1002"}, {"GATEHOUSE_HTTP_READ_TIMEOUT_S", "8"}}, {}, true));
    EXPECT_EQ(config.listen, "127.0.0.1:1002");
    EXPECT_EQ(config.http.read_timeout_s, 8);
    EXPECT_EQ(config.data_dir, "/from/file");

    config = Load(With({{"GATEHOUSE_LISTEN", "127.0.0.1:1002"}, {"GATEHOUSE_DATABASE_URL", "postgresql://env"}},
                       {{"listen", "127.0.0.1:1003"}}, true));
    EXPECT_EQ(config.listen, "127.0.0.1:1003");
    EXPECT_EQ(config.database.url, "postgresql://env");
}

TEST_F(ConfigTest, NamesAreDerivedFromTheKey) {
    EXPECT_EQ(EnvName("database.url"), "GATEHOUSE_DATABASE_URL");
    EXPECT_EQ(EnvName("data_dir"), "GATEHOUSE_DATA_DIR");
    EXPECT_EQ(FlagName("database.url"), "database-url");
    EXPECT_EQ(FlagName("http.read_timeout_s"), "http-read-timeout-s");
    bool found_listen = false;
    for (const auto& option : AllOptions()) found_listen |= option.key == "listen";
    EXPECT_TRUE(found_listen);
}

TEST_F(ConfigTest, BadValuesNameTheOptionAndSource) {
    try {
        Load(With({{"GATEHOUSE_HTTP_READ_TIMEOUT_S", "soon"}}, {}, false));
        FAIL() << "expected an error";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("http.read_timeout_s"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("GATEHOUSE_HTTP_READ_TIMEOUT_S"), std::string::npos);
    }
    EXPECT_THROW(Load(With({}, {{"listen", "nohostport"}}, false)), std::invalid_argument);
    EXPECT_THROW(Load(With({}, {{"listen", "127.0.0.1:70000"}}, false)), std::invalid_argument);
    EXPECT_THROW(Load(With({}, {{"http.max_header_bytes", "-5"}}, false)), std::invalid_argument);
    EXPECT_THROW(Load(With({}, {{"log.access", "maybe"}}, false)), std::invalid_argument);
}

TEST_F(ConfigTest, UnknownOrMalformedFileIsRefused) {
    WriteToml("[http]\nread_timeout = 5\n");
    try {
        Load(With({}, {}, true));
        FAIL() << "expected an error";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("http.read_timeout"), std::string::npos);
    }
    WriteToml("listen = [unclosed\n");
    EXPECT_THROW(Load(With({}, {}, true)), std::invalid_argument);
    WriteToml("[http]\nread_timeout_s = \"x\"\n");
    EXPECT_THROW(Load(With({}, {}, true)), std::invalid_argument);
}

TEST(SplitListen, HostPortAndIpv6) {
    EXPECT_EQ(SplitListen("127.0.0.1:8080"), (std::pair<std::string, std::uint16_t>{"127.0.0.1", 8080}));
    EXPECT_EQ(SplitListen("[::1]:0"), (std::pair<std::string, std::uint16_t>{"::1", 0}));
    EXPECT_THROW(SplitListen(":80"), std::invalid_argument);
    EXPECT_THROW(SplitListen("host:"), std::invalid_argument);
    EXPECT_THROW(SplitListen("host:12ab"), std::invalid_argument);
}

}  // namespace
}  // namespace gatehouse::config
