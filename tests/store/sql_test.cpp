#include <cstdint>
#include <limits>
#include <stdexcept>

#include "fixtures/backend.hpp"

namespace gatehouse::store::test {
namespace {

using core::errc;

class SqlTest : public BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        CreateTables(R"sql(
            CREATE TABLE items (
                id INTEGER PRIMARY KEY,
                name TEXT UNIQUE,
                big BIGINT,
                ratio DOUBLE PRECISION,
                data {BLOB},
                flag INTEGER
            );
            CREATE TABLE parents (id INTEGER PRIMARY KEY);
            CREATE TABLE children (
                id INTEGER PRIMARY KEY,
                parent_id INTEGER NOT NULL REFERENCES parents (id),
                secret TEXT CHECK (length(secret) < 10)
            );
        )sql");
    }

    void Insert(std::int64_t id, const Value& name) {
        db().WithTransaction([&](Connection& c) {
            c.Execute("INSERT INTO items (id, name) VALUES (?, ?)", {Value(id), name});
        });
    }

    // The code of the core::Error `fn` throws; fails the test when it throws nothing or something else.
    static core::Error Catch(const std::function<void()>& fn) {
        try {
            fn();
        } catch (const core::Error& e) {
            return e;
        }
        ADD_FAILURE() << "no core::Error thrown";
        return core::Error(errc::ok, "");
    }
};

TEST_P(SqlTest, RoundTripsEveryValueType) {
    const std::string blob_bytes("\0\x01\xff\xfe\x80 not utf-8 \xc3\x28\0", 20);
    const std::string unicode = "h\xc3\xa9llo \xf0\x9f\x8c\x8d \xe6\x97\xa5\xe6\x9c\xac 'quoted' \"dq\" ?";
    const std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    const std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    db().WithTransaction([&](Connection& c) {
        EXPECT_EQ(c.Execute("INSERT INTO items (id, name, big, ratio, data, flag) VALUES (?, ?, ?, ?, ?, ?)",
                            {Value(std::int64_t{1}), Text(unicode), Value(kMax), Value(0.1), Value(Blob{blob_bytes}),
                             Bool(true)})
                      .affected,
                  1);
        c.Execute("INSERT INTO items (id, name, big, ratio, data, flag) VALUES (?, ?, ?, ?, ?, ?)",
                  {Value(std::int64_t{2}), Text(""), Value(kMin), Value(-1.5e-300), Value(Blob{}), Bool(false)});
        c.Execute("INSERT INTO items (id, name, big, ratio, data, flag) VALUES (?, ?, ?, ?, ?, ?)",
                  {Value(std::int64_t{3}), Value(nullptr), Value(nullptr), Value(nullptr), Value(nullptr),
                   Nullable(std::optional<std::int64_t>())});
    });

    ResultSet rs;
    db().WithRead(
        [&](Connection& c) { rs = c.Execute("SELECT id, name, big, ratio, data, flag FROM items ORDER BY id"); });
    ASSERT_EQ(rs.rows.size(), 3u);
    EXPECT_EQ(rs.columns, (std::vector<std::string>{"id", "name", "big", "ratio", "data", "flag"}));
    const Row& a = rs.rows[0];
    EXPECT_EQ(a.Int(0), 1);
    EXPECT_EQ(a.String(1), unicode);
    EXPECT_EQ(a.Int(2), kMax);
    EXPECT_EQ(a.Double(3), 0.1);
    EXPECT_EQ(a.Bytes(4), blob_bytes);
    EXPECT_TRUE(a.Bool(5));
    const Row& b = rs.rows[1];
    EXPECT_EQ(b.String(1), "");
    EXPECT_EQ(b.Int(2), kMin);
    EXPECT_EQ(b.Double(3), -1.5e-300);
    EXPECT_EQ(b.Bytes(4), "");
    EXPECT_FALSE(b.Bool(5));
    const Row& n = rs.rows[2];
    for (std::size_t i = 1; i < n.size(); ++i) EXPECT_TRUE(n.IsNull(i)) << "column " << i;
    EXPECT_EQ(n.OptString(1), std::nullopt);
    EXPECT_EQ(n.OptInt(2), std::nullopt);
}

TEST_P(SqlTest, UntypedParametersInSelectList) {
    const std::string bytes("\0\xff", 2);
    ResultSet rs;
    db().WithRead([&](Connection& c) {
        rs = c.Execute("SELECT ? AS i, ? AS d, ? AS s, ? AS b, ? AS n",
                       {Value(std::int64_t{-42}), Value(2.5), Text("x?y"), Value(Blob{bytes}), Value(nullptr)});
    });
    ASSERT_EQ(rs.rows.size(), 1u);
    const Row& r = rs.rows[0];
    EXPECT_EQ(r.Int(rs.Column("i")), -42);
    EXPECT_EQ(r.Double(rs.Column("d")), 2.5);
    EXPECT_EQ(r.String(rs.Column("s")), "x?y");
    EXPECT_EQ(r.Bytes(rs.Column("b")), bytes);
    EXPECT_TRUE(r.IsNull(rs.Column("n")));
}

TEST_P(SqlTest, ComparisonsComeBackAsIntegers) {
    db().WithRead([&](Connection& c) {
        const ResultSet rs = c.Execute("SELECT 1 = 1, 1 = 2, ? = 'a'", {Text("a")});
        EXPECT_TRUE(rs.rows.at(0).Bool(0));
        EXPECT_FALSE(rs.rows.at(0).Bool(1));
        EXPECT_EQ(rs.rows.at(0).Int(2), 1);
    });
}

TEST_P(SqlTest, QuestionMarkInsideLiteralIsNotAParameter) {
    db().WithRead([&](Connection& c) {
        const ResultSet rs = c.Execute("SELECT 'why?' AS q, ? AS p -- really?", {Text("ok")});
        EXPECT_EQ(rs.rows.at(0).String(0), "why?");
        EXPECT_EQ(rs.rows.at(0).String(1), "ok");
    });
}

TEST_P(SqlTest, AffectedCounts) {
    db().WithTransaction([&](Connection& c) {
        for (std::int64_t i = 1; i <= 3; ++i) {
            EXPECT_EQ(c.Execute("INSERT INTO items (id, flag) VALUES (?, ?)", {Value(i), Value(i % 2)}).affected, 1);
        }
        EXPECT_EQ(c.Execute("UPDATE items SET name = 'x' || id WHERE flag = ?", {Value(std::int64_t{1})}).affected, 2);
        EXPECT_EQ(c.Execute("UPDATE items SET flag = 5 WHERE id = 99").affected, 0);
        EXPECT_EQ(c.Execute("SELECT * FROM items").affected, 0);
        EXPECT_EQ(c.Execute("DELETE FROM items WHERE id = ?", {Value(std::int64_t{2})}).affected, 1);
        EXPECT_EQ(c.Execute("CREATE TABLE other (id INTEGER)").affected, 0);
    });
    EXPECT_EQ(Count("items"), 2);
}

TEST_P(SqlTest, UniqueViolationIsAlreadyExists) {
    Insert(1, Text("alice"));
    const core::Error pk = Catch([&] { Insert(1, Text("bob")); });
    EXPECT_EQ(pk.code(), errc::already_exists);
    const core::Error unique = Catch([&] { Insert(2, Text("alice")); });
    EXPECT_EQ(unique.code(), errc::already_exists);
    EXPECT_STREQ(unique.what(), "a record with this key already exists");
    EXPECT_NE(unique.internal().find("INSERT INTO items"), std::string::npos) << unique.internal();
    EXPECT_EQ(Count("items"), 1);
}

TEST_P(SqlTest, ForeignKeyNotNullAndCheckViolationsAreConflicts) {
    auto insert_child = [&](const Value& parent, const Value& secret) {
        db().WithTransaction([&](Connection& c) {
            c.Execute("INSERT INTO children (id, parent_id, secret) VALUES (1, ?, ?)", {parent, secret});
        });
    };
    EXPECT_EQ(Catch([&] { insert_child(Value(std::int64_t{99}), Text("a")); }).code(), errc::conflict);
    EXPECT_EQ(Catch([&] { insert_child(Value(nullptr), Text("a")); }).code(), errc::conflict);
    db().WithTransaction([&](Connection& c) { c.Execute("INSERT INTO parents (id) VALUES (99)"); });
    EXPECT_EQ(Catch([&] { insert_child(Value(std::int64_t{99}), Text("much-too-long")); }).code(), errc::conflict);
    insert_child(Value(std::int64_t{99}), Text("fine"));
    EXPECT_EQ(Count("children"), 1);
    // And the parent cannot go while a child points at it.
    EXPECT_EQ(Catch([&] {
                  db().WithTransaction([&](Connection& c) { c.Execute("DELETE FROM parents WHERE id = 99"); });
              }).code(),
              errc::conflict);
}

TEST_P(SqlTest, SecretParameterValuesNeverAppearInErrors) {
    const std::string secret = "topsecret-value";
    db().WithTransaction([&](Connection& c) { c.Execute("INSERT INTO parents (id) VALUES (1)"); });
    std::vector<core::Error> errors;
    errors.push_back(Catch([&] {
        Insert(1, Text(secret));
        Insert(2, Text(secret));  // unique: PostgreSQL's DETAIL would quote the key
    }));
    errors.push_back(Catch([&] {
        db().WithTransaction([&](Connection& c) {
            c.Execute("INSERT INTO children (id, parent_id, secret) VALUES (1, 1, ?)", {Text(secret)});
        });
    }));
    errors.push_back(Catch([&] {
        db().WithRead([&](Connection& c) { c.Execute("SELECT * FROM no_such_table WHERE x = ?", {Text(secret)}); });
    }));
    if (dialect() == Dialect::postgres) {
        // "invalid input syntax for type bigint: \"topsecret-value\"" would quote it.
        errors.push_back(Catch([&] {
            db().WithTransaction(
                [&](Connection& c) { c.Execute("INSERT INTO items (id, big) VALUES (5, ?)", {Text(secret)}); });
        }));
    }
    for (const core::Error& e : errors) {
        EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
        EXPECT_EQ(e.internal().find(secret), std::string::npos) << e.internal();
        EXPECT_FALSE(e.internal().empty());
    }
}

TEST_P(SqlTest, SyntaxErrorIsInternal) {
    const core::Error e = Catch([&] { db().WithRead([](Connection& c) { c.Execute("SELEKT 1"); }); });
    EXPECT_EQ(e.code(), errc::internal);
    EXPECT_STREQ(e.what(), "database error");
    EXPECT_NE(e.internal().find("SELEKT"), std::string::npos);
}

TEST_P(SqlTest, TransactionCommitsWhenTheLambdaReturns) {
    db().WithTransaction([&](Connection& c) {
        c.Execute("INSERT INTO items (id) VALUES (1)");
        c.Execute("INSERT INTO items (id) VALUES (2)");
    });
    EXPECT_EQ(Count("items"), 2);
}

TEST_P(SqlTest, TransactionRollsBackWhenTheLambdaThrows) {
    EXPECT_THROW(db().WithTransaction([&](Connection& c) {
        c.Execute("INSERT INTO items (id) VALUES (1)");
        c.Execute("INSERT INTO items (id) VALUES (2)");
        throw std::logic_error("boom");
    }),
                 std::logic_error);
    EXPECT_EQ(Count("items"), 0);
    // A failed statement also rolls back what came before it in the transaction.
    EXPECT_THROW(db().WithTransaction([&](Connection& c) {
        c.Execute("INSERT INTO items (id) VALUES (3)");
        c.Execute("INSERT INTO items (id) VALUES (3)");
    }),
                 core::Error);
    EXPECT_EQ(Count("items"), 0);
    // And the connection is clean afterwards.
    Insert(4, Text("after"));
    EXPECT_EQ(Count("items"), 1);
}

TEST_P(SqlTest, ExecuteScriptRunsSeveralStatements) {
    db().WithTransaction([&](Connection& c) {
        c.ExecuteScript("INSERT INTO items (id) VALUES (1); INSERT INTO items (id) VALUES (2);");
    });
    EXPECT_EQ(Count("items"), 2);
}

TEST_P(SqlTest, PoolStatsAreSane) {
    const PoolStats idle = db().Stats();
    EXPECT_GE(idle.size, 4u);
    EXPECT_EQ(idle.in_use, 0u);
    EXPECT_EQ(idle.waiting, 0u);
    EXPECT_GE(idle.wait_seconds_total, 0.0);
    db().WithRead([&](Connection&) { EXPECT_EQ(db().Stats().in_use, 1u); });
    db().WithTransaction([&](Connection&) { db().WithRead([&](Connection&) { EXPECT_EQ(db().Stats().in_use, 2u); }); });
    EXPECT_EQ(db().Stats().in_use, 0u);
}

TEST_P(SqlTest, DialectMatchesBackend) {
    EXPECT_EQ(db().dialect(), dialect());
    db().WithRead([&](Connection& c) { EXPECT_EQ(c.dialect(), dialect()); });
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlTest, ::testing::Values(Backend::sqlite, Backend::postgres), BackendName);

}  // namespace
}  // namespace gatehouse::store::test
