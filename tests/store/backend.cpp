#include "backend.hpp"

#include <cstdlib>
#include <filesystem>

#include "fixtures/pg_fixture.hpp"

namespace gatehouse::store::test {

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
    return info.param == Backend::sqlite ? "sqlite" : "postgres";
}

void BackendTest::SetUp() {
    if (GetParam() == Backend::sqlite) {
        char templ[] = "/tmp/gatehouse-store-XXXXXX";
        ASSERT_NE(::mkdtemp(templ), nullptr);
        sqlite_dir_ = templ;
    } else {
        try {
            pg_url_ = gatehouse::testing::SharedPgServer().CreateDatabase();
        } catch (const std::exception& e) {
            FAIL() << "PostgreSQL fixture: " << e.what();
        }
    }
    db_ = OpenAnother();
}

void BackendTest::TearDown() {
    db_.reset();
    if (!sqlite_dir_.empty()) std::filesystem::remove_all(sqlite_dir_);
    if (!pg_url_.empty()) gatehouse::testing::SharedPgServer().DropDatabase(pg_url_);
}

std::unique_ptr<Database> BackendTest::OpenAnother(std::size_t connections) {
    if (GetParam() == Backend::sqlite) {
        return OpenSqlite(sqlite_dir_ + "/test.db", SqliteOptions{.readers = connections});
    }
    return OpenPostgres(pg_url_, PostgresOptions{.pool_size = connections});
}

void BackendTest::CreateTables(std::string ddl) {
    const std::string blob = dialect() == Dialect::sqlite ? "BLOB" : "BYTEA";
    for (std::size_t pos = ddl.find("{BLOB}"); pos != std::string::npos; pos = ddl.find("{BLOB}")) {
        ddl.replace(pos, 6, blob);
    }
    db().WithTransaction([&](Connection& c) { c.ExecuteScript(ddl); });
}

std::int64_t BackendTest::Count(const std::string& table) {
    std::int64_t n = -1;
    db().WithRead([&](Connection& c) { n = c.Execute("SELECT COUNT(*) FROM " + table).rows.at(0).Int(0); });
    return n;
}

}  // namespace gatehouse::store::test
