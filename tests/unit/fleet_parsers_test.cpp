#include <gtest/gtest.h>

#include "core/errc.hpp"
#include "fleet/fleet_service.hpp"

namespace gatehouse::fleet {
namespace {

TEST(FleetParsers, UptimeAndLoad) {
    EXPECT_DOUBLE_EQ(*ParseUptime("5498.08 10653.21\n"), 5498.08);
    EXPECT_FALSE(ParseUptime("garbage"));
    const auto load = ParseLoadAverage("1.78 1.66 1.67 2/301 12345\n");
    ASSERT_TRUE(load);
    EXPECT_DOUBLE_EQ((*load)[0], 1.78);
    EXPECT_DOUBLE_EQ((*load)[2], 1.67);
    EXPECT_FALSE(ParseLoadAverage("1.0 2.0"));
}

TEST(FleetParsers, DfPosixOutputInBytesWithSpacesInMounts) {
    const auto filesystems = ParseDfP(
        "Filesystem     1024-blocks      Used Available Capacity Mounted on\n"
        "/dev/vda        264208512  16345088 236358912       7% /\n"
        "tmpfs             1024000         0   1024000       0% /mnt/with space\n"
        "broken line\n");
    ASSERT_EQ(filesystems.size(), 2u);
    EXPECT_EQ(filesystems[0].filesystem, "/dev/vda");
    EXPECT_EQ(filesystems[0].mount, "/");
    EXPECT_EQ(filesystems[0].size_bytes, 264208512LL * 1024);
    EXPECT_EQ(filesystems[0].used_bytes, 16345088LL * 1024);
    EXPECT_EQ(filesystems[0].available_bytes, 236358912LL * 1024);
    EXPECT_EQ(filesystems[1].mount, "/mnt/with space");
    EXPECT_EQ(ParseDfP("Filesystem 512-blocks Used Available Capacity Mounted on\nx 4 2 2 50% /\n")[0].size_bytes,
              2048);
}

ServerInput Valid() {
    ServerInput in;
    in.name = "web-1";
    in.address = "10.0.0.5";
    in.ssh_user = "deploy";
    in.auth_method = "password";
    in.password = "secret";
    return in;
}

core::errc Check(const ServerInput& in) {
    try {
        ValidateServerInput(in);
    } catch (const core::Error& e) {
        return e.code();
    }
    return core::errc::ok;
}

TEST(FleetValidation, AddressesThatCouldInjectAreRefused) {
    for (const char* good : {"10.0.0.5", "::1", "fe80::1", "db-1.internal.example", "localhost"}) {
        auto in = Valid();
        in.address = good;
        EXPECT_EQ(Check(in), core::errc::ok) << good;
    }
    for (const char* bad : {"a;rm -rf /", "-oProxyCommand=touch /tmp/x", "host name", "$(id)", "", "a..b",
                            "-leading.dash", "x`id`", "name\n"}) {
        auto in = Valid();
        in.address = bad;
        EXPECT_EQ(Check(in), core::errc::invalid_argument) << bad;
    }
}

TEST(FleetValidation, OtherFields) {
    auto in = Valid();
    in.ssh_port = 0;
    EXPECT_EQ(Check(in), core::errc::invalid_argument);
    in = Valid();
    in.ssh_user = "-oUser";
    EXPECT_EQ(Check(in), core::errc::invalid_argument);
    in = Valid();
    in.auth_method = "kerberos";
    EXPECT_EQ(Check(in), core::errc::invalid_argument);
    in = Valid();
    in.auth_method = "key";
    EXPECT_EQ(Check(in), core::errc::invalid_argument);  // no ssh_key_id
    in = Valid();
    in.host_key_fingerprint = "MD5:aa:bb";
    EXPECT_EQ(Check(in), core::errc::invalid_argument);
    in.host_key_fingerprint = "SHA256:VBphLMP5n53Jx2LzYuy2vbZNQCI8QfoMhlLeGAcxyKo";
    EXPECT_EQ(Check(in), core::errc::ok);
    in = Valid();
    in.tags = {"ok", "not ok"};
    EXPECT_EQ(Check(in), core::errc::invalid_argument);
    in = Valid();
    in.postgres = PostgresEndpoint{};
    in.postgres->pool_class = "huge";
    EXPECT_EQ(Check(in), core::errc::invalid_argument);
}

}  // namespace
}  // namespace gatehouse::fleet
