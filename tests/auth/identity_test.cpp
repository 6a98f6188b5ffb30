#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "audit/audit_log.hpp"
#include "auth/identity_service.hpp"
#include "fixtures/backend.hpp"
#include "store/migrations.hpp"

namespace gatehouse::auth {
namespace {

using store::test::Backend;
using store::test::BackendName;
using store::test::RunAsync;

class IdentityTest : public store::test::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        store::Migrate(db());
        audit_ = std::make_unique<audit::AuditLog>(db());
        identity_ = std::make_unique<IdentityService>(db(), workers_, hasher_, JwtCodec(std::string(32, 'k')), *audit_,
                                                      IdentityOptions{});
        admin_ = identity_->CreateUserBlocking("root", "root-password", Role::admin);
    }
    void TearDown() override {
        identity_.reset();
        audit_.reset();
        BackendTest::TearDown();
    }

    template <class T>
    T Run(boost::asio::awaitable<T> aw) {
        return RunAsync(io_, std::move(aw));
    }
    void RunVoid(boost::asio::awaitable<void> aw) {
        RunAsync(io_, [](boost::asio::awaitable<void> inner) -> boost::asio::awaitable<int> {
            co_await std::move(inner);
            co_return 0;
        }(std::move(aw)));
    }
    core::errc ErrorOf(boost::asio::awaitable<Principal> aw) {
        try {
            Run(std::move(aw));
        } catch (const core::Error& e) {
            return e.code();
        }
        return core::errc::ok;
    }
    LoginResult Login(const std::string& user, const std::string& password) {
        return Run(identity_->Login(user, password, ClientInfo{"127.0.0.1", "test", "r1"}));
    }
    bool Valid(const std::string& bearer) { return ErrorOf(identity_->Authenticate(bearer)) == core::errc::ok; }

    boost::asio::io_context io_;
    core::WorkerPool workers_{"test", 2, 100};
    PasswordHasher hasher_{PasswordParams{1, 8192}};
    std::unique_ptr<audit::AuditLog> audit_;
    std::unique_ptr<IdentityService> identity_;
    UserView admin_;
};

TEST_P(IdentityTest, LoginIssuesTokensAndRejectsBadCredentialsAlike) {
    const auto result = Login("ROOT", "root-password");  // user names are case-insensitive
    EXPECT_EQ(result.user.id, admin_.id);
    EXPECT_TRUE(Valid(result.access_token));
    std::string unknown, wrong;
    try {
        Login("nobody", "root-password");
    } catch (const core::Error& e) {
        unknown = e.what();
    }
    try {
        Login("root", "wrong-password");
    } catch (const core::Error& e) {
        wrong = e.what();
    }
    EXPECT_FALSE(unknown.empty());
    EXPECT_EQ(unknown, wrong);
}

TEST_P(IdentityTest, RefreshRotatesAndReuseRevokesTheFamily) {
    const auto first = Login("root", "root-password");
    const auto second = Run(identity_->Refresh(first.refresh_token, {}));
    EXPECT_NE(second.refresh_token, first.refresh_token);
    EXPECT_TRUE(Valid(second.access_token));
    // The thief replays the first token: refused, and the legitimate holder's tokens die with it.
    EXPECT_THROW(Run(identity_->Refresh(first.refresh_token, {})), core::Error);
    EXPECT_THROW(Run(identity_->Refresh(second.refresh_token, {})), core::Error);
    EXPECT_FALSE(Valid(second.access_token));
    EXPECT_FALSE(Valid(first.access_token));
    // Another session of the same user is untouched.
    const auto other = Login("root", "root-password");
    EXPECT_TRUE(Valid(other.access_token));
    audit_->Flush();
    audit::Filter filter;
    filter.action = "auth.refresh_reuse";
    EXPECT_EQ(Run(audit_->Query(filter)).items.size(), 1u);
}

TEST_P(IdentityTest, LogoutDeniesTheAccessTokenAndTheFamily) {
    const auto session = Login("root", "root-password");
    const auto principal = Run(identity_->Authenticate(session.access_token));
    RunVoid(identity_->Logout(principal, session.refresh_token));
    EXPECT_FALSE(Valid(session.access_token));
    EXPECT_THROW(Run(identity_->Refresh(session.refresh_token, {})), core::Error);
}

TEST_P(IdentityTest, DisablingAndPasswordChangesRevokeEverything) {
    const auto user = Run(identity_->CreateUser("alice", "alice-password", Role::operator_));
    const auto session = Login("alice", "alice-password");
    const auto principal = Run(identity_->Authenticate(session.access_token));
    const auto api = Run(identity_->CreateApiToken(principal, "ci", Role::viewer, std::nullopt));
    EXPECT_TRUE(Valid(api.token));

    Run(identity_->UpdateUser(user.id, UserPatch{std::nullopt, std::nullopt, std::string("new-password-1")}));
    EXPECT_FALSE(Valid(session.access_token));
    EXPECT_FALSE(Valid(api.token));
    EXPECT_THROW(Run(identity_->Refresh(session.refresh_token, {})), core::Error);
    EXPECT_THROW(Login("alice", "alice-password"), core::Error);

    const auto again = Login("alice", "new-password-1");
    Run(identity_->UpdateUser(user.id, UserPatch{std::nullopt, true, std::nullopt}));
    EXPECT_FALSE(Valid(again.access_token));
    EXPECT_THROW(Login("alice", "new-password-1"), core::Error);
}

TEST_P(IdentityTest, RoleChangesApplyToLiveTokens) {
    const auto user = Run(identity_->CreateUser("bob", "bob-password", Role::admin));
    const auto session = Login("bob", "bob-password");
    Run(identity_->UpdateUser(user.id, UserPatch{Role::viewer, std::nullopt, std::nullopt}));
    EXPECT_EQ(Run(identity_->Authenticate(session.access_token)).role, Role::viewer);
}

TEST_P(IdentityTest, LastActiveAdminIsProtected) {
    auto code = [&](auto aw) {
        try {
            Run(std::move(aw));
        } catch (const core::Error& e) {
            return e.code();
        }
        return core::errc::ok;
    };
    EXPECT_EQ(code(identity_->UpdateUser(admin_.id, UserPatch{Role::operator_, std::nullopt, std::nullopt})),
              core::errc::conflict);
    EXPECT_EQ(code(identity_->UpdateUser(admin_.id, UserPatch{std::nullopt, true, std::nullopt})),
              core::errc::conflict);
    try {
        RunVoid(identity_->DeleteUser(admin_.id));
        FAIL() << "deleting the last admin must be refused";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::errc::conflict);
    }
    Run(identity_->CreateUser("second", "second-password", Role::admin));
    EXPECT_EQ(code(identity_->UpdateUser(admin_.id, UserPatch{Role::operator_, std::nullopt, std::nullopt})),
              core::errc::ok);
}

TEST_P(IdentityTest, UsernamesAreUniqueIgnoringCaseAndValidated) {
    try {
        Run(identity_->CreateUser("Root", "another-password", Role::viewer));
        FAIL();
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::errc::already_exists);
    }
    for (const char* bad : {"", "has space", "semi;colon", "quote'"}) {
        try {
            Run(identity_->CreateUser(bad, "long-enough-password", Role::viewer));
            FAIL() << bad;
        } catch (const core::Error& e) {
            EXPECT_EQ(e.code(), core::errc::invalid_argument) << bad;
        }
    }
    EXPECT_THROW(Run(identity_->CreateUser("shorty", "short", Role::viewer)), core::Error);
}

TEST_P(IdentityTest, ApiTokensAreCappedExpireAndRevoke) {
    const auto viewer = Run(identity_->CreateUser("val", "val-password", Role::viewer));
    const auto principal = Run(identity_->Authenticate(Login("val", "val-password").access_token));
    try {
        Run(identity_->CreateApiToken(principal, "too-strong", Role::admin, std::nullopt));
        FAIL();
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::errc::forbidden);
    }
    const auto token = Run(identity_->CreateApiToken(principal, "ok", Role::viewer, std::nullopt));
    const auto as_token = Run(identity_->Authenticate(token.token));
    EXPECT_EQ(as_token.kind, Principal::Kind::api_token);
    EXPECT_EQ(as_token.user_id, viewer.id);
    const auto listed = Run(identity_->ListApiTokens(principal, false, 50, ""));
    ASSERT_EQ(listed.items.size(), 1u);
    EXPECT_TRUE(listed.items[0].token.empty());  // shown once, at creation
    RunVoid(identity_->RevokeApiToken(principal, token.id));
    EXPECT_FALSE(Valid(token.token));

    const auto short_lived = Run(identity_->CreateApiToken(principal, "short", Role::viewer,
                                                           core::Clock::now() + std::chrono::milliseconds(1100)));
    EXPECT_TRUE(Valid(short_lived.token));
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    EXPECT_FALSE(Valid(short_lived.token));
}

boost::asio::awaitable<void> CountRefresh(IdentityService& identity, std::string token, int& wins, int& losses) {
    // Made outside the co_await: GCC 12 destroys temporaries of a co_await expression twice.
    auto refresh = identity.Refresh(std::move(token), ClientInfo{});
    try {
        co_await std::move(refresh);
        ++wins;
    } catch (const core::Error&) {
        ++losses;
    }
}

TEST_P(IdentityTest, ConcurrentRefreshesOfOneTokenCannotBothWin) {
    for (int round = 0; round < 5; ++round) {
        const auto session = Login("root", "root-password");
        // Every refresh is in flight before any has finished: their database work overlaps on the worker pools.
        int wins = 0, losses = 0;
        for (int i = 0; i < 4; ++i)
            boost::asio::co_spawn(io_, CountRefresh(*identity_, session.refresh_token, wins, losses),
                                  boost::asio::detached);
        io_.run();
        io_.restart();
        EXPECT_EQ(wins, 1) << "round " << round;
        EXPECT_EQ(losses, 3) << "round " << round;
    }
}

TEST_P(IdentityTest, ListsPageWithoutGapsOrDuplicates) {
    for (int i = 0; i < 7; ++i)
        identity_->CreateUserBlocking("user" + std::to_string(i), "password-" + std::to_string(i), Role::viewer);
    std::set<std::string> seen;
    std::string cursor;
    for (int pages = 0; pages < 10; ++pages) {
        const auto page = Run(identity_->ListUsers(3, cursor));
        for (const auto& user : page.items) EXPECT_TRUE(seen.insert(user.id).second);
        if (!page.next_cursor) break;
        cursor = *page.next_cursor;
    }
    EXPECT_EQ(seen.size(), 8u);
    EXPECT_THROW(Run(identity_->ListUsers(3, "not a cursor!")), core::Error);
}

TEST_P(IdentityTest, InitialAdminOnlyWhenThereIsNoAdmin) {
    EXPECT_FALSE(identity_->EnsureInitialAdmin(std::nullopt));  // `root` is an admin already
    EXPECT_EQ(identity_->ListUsersBlocking().size(), 1u);
    // A database that only has a viewer (added with the CLI before the first start) gets `admin`.
    db().WithTransaction([](store::Connection& c) { c.Execute("DELETE FROM users"); });
    identity_->CreateUserBlocking("early-viewer", "viewer-password", Role::viewer);
    const auto generated = identity_->EnsureInitialAdmin(std::nullopt);
    ASSERT_TRUE(generated);
    EXPECT_NO_THROW(Login("admin", *generated));
    EXPECT_FALSE(identity_->EnsureInitialAdmin(std::nullopt));
    EXPECT_EQ(identity_->ListUsersBlocking().size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityTest, ::testing::Values(Backend::sqlite, Backend::postgres), BackendName);

}  // namespace
}  // namespace gatehouse::auth
