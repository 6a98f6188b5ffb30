#include "auth/auth_view.hpp"

#include <gtest/gtest.h>

namespace gatehouse::auth {
namespace {

UserEntry User(std::string id, std::int64_t version, bool disabled = false, std::int64_t generation = 0) {
    UserEntry user;
    user.id = std::move(id);
    user.username = "u-" + user.id;
    user.disabled = disabled;
    user.generation = generation;
    user.version = version;
    return user;
}

ApiTokenEntry Token(std::string id, std::string user, std::int64_t version, bool revoked = false) {
    ApiTokenEntry token;
    token.id = id;
    token.user_id = std::move(user);
    token.token_hash = "hash-" + id;
    token.revoked = revoked;
    token.version = version;
    return token;
}

// Epochs are dense: the covered mark only moves over a gap once the gap is filled.
TEST(AuthView, CoveredMovesOnlyOverContiguousEpochs) {
    AuthView view;
    view.Merge(AuthSnapshot{.version = 10});
    EXPECT_EQ(view.covered(), 10);
    view.Cover(12);
    EXPECT_EQ(view.covered(), 10);  // 11 is missing: a poll must reload
    view.Cover(11);
    EXPECT_EQ(view.covered(), 12);
    view.Cover(12);
    EXPECT_EQ(view.covered(), 12);
}

// A change applied in this process must survive a reload that read the store before the change committed.
TEST(AuthView, AnOlderSnapshotNeverUndoesANewerChange) {
    AuthView view;
    AuthSnapshot first{.version = 5, .users = {User("a", 3)}, .tokens = {Token("t", "a", 4)}};
    view.Merge(first);
    view.PutUser(User("a", 6, /*disabled=*/true));
    view.PutToken(Token("t", "a", 6, /*revoked=*/true));
    view.Cover(6);
    // A reload that began before epoch 6 (the store still said "enabled", "live").
    view.Merge(AuthSnapshot{.version = 5, .users = {User("a", 3)}, .tokens = {Token("t", "a", 4)}});
    EXPECT_TRUE(view.User("a")->disabled);
    EXPECT_TRUE(view.TokenByHash("hash-t")->revoked);
    // Even one with a newer epoch keeps entities the view knows to be newer.
    view.Cover(7);
    view.Merge(AuthSnapshot{.version = 8, .users = {User("a", 3)}});
    EXPECT_TRUE(view.User("a")->disabled);
    // A token the newer snapshot lacks was revoked (or deleted) before it.
    view.PutToken(Token("u", "a", 2));
    view.Merge(AuthSnapshot{.version = 9, .users = {User("a", 6, true)}});
    EXPECT_TRUE(view.TokenByHash("hash-u")->revoked);
}

TEST(AuthView, DeletedUsersStayDeletedAndUnknownOnesAreAskedFor) {
    AuthView view;
    view.Merge(AuthSnapshot{.version = 1, .users = {User("a", 1), User("b", 1)}});
    view.RemoveUser("a", 2);
    view.Cover(2);
    EXPECT_FALSE(view.User("a"));
    EXPECT_TRUE(view.UserDeleted("a"));
    view.PutUser(User("a", 1));  // a late read from before the deletion
    EXPECT_FALSE(view.User("a"));
    EXPECT_FALSE(view.UserDeleted("c"));  // never heard of: the caller reads the store once
    // A user the snapshot lacks was deleted before it was read.
    view.Merge(AuthSnapshot{.version = 3, .users = {User("a", 1)}});
    EXPECT_FALSE(view.User("b"));
}

TEST(AuthView, RevocationsAreKeptUntilTheyExpire) {
    AuthView view;
    view.DenyJti("j1", 100);
    view.RevokeFamily("f1", 200);
    EXPECT_TRUE(view.JtiDenied("j1"));
    EXPECT_TRUE(view.FamilyRevoked("f1"));
    view.Purge(150);
    EXPECT_FALSE(view.JtiDenied("j1"));
    EXPECT_TRUE(view.FamilyRevoked("f1"));
    view.Purge(200);
    EXPECT_FALSE(view.FamilyRevoked("f1"));
}

TEST(AuthView, EveryChangeIsCountedForLiveChecks) {
    AuthView view;
    const auto before = view.changes();
    view.DenyJti("j", 1);
    EXPECT_GT(view.changes(), before);
    const auto after = view.changes();
    view.RevokeTokensOf("nobody", 1);
    EXPECT_GT(view.changes(), after);
}

TEST(AuthView, FreshOnlyWhileSyncedRecently) {
    AuthView view;
    EXPECT_FALSE(view.Fresh(std::chrono::seconds(5)));
    const auto t = AuthView::Clock::now();
    view.MarkSynced(t);
    EXPECT_TRUE(view.Fresh(std::chrono::seconds(5), t + std::chrono::seconds(4)));
    EXPECT_FALSE(view.Fresh(std::chrono::seconds(5), t + std::chrono::seconds(6)));
}

TEST(AuthView, KnownBadHashesAreBounded) {
    AuthView view;
    for (int i = 0; i < 25000; ++i) view.RememberBad("bad-" + std::to_string(i));
    EXPECT_TRUE(view.KnownBad("bad-24999"));
    view.PutToken(Token("good", "a", 1));
    view.RememberBad("hash-good");
    view.PutToken(Token("good", "a", 2));  // created meanwhile elsewhere: no longer "bad"
    EXPECT_FALSE(view.KnownBad("hash-good"));
}

}  // namespace
}  // namespace gatehouse::auth
