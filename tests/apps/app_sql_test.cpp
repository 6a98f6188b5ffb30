// The apps repository over both backends: round trips, filters, cascade, and the conditional
// updates the run states rely on (claims, run ends, due deadlines, start-up recovery).

#include "apps/app_sql.hpp"

#include <set>

#include "apps/app_service.hpp"
#include "fixtures/backend.hpp"
#include "store/migrations.hpp"

namespace gatehouse::apps::test {
namespace {

using store::Text;
using store::test::Backend;
using store::test::BackendName;

class AppSqlTest : public store::test::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        store::Migrate(db());
        Tx([&](store::Connection& c) {
            for (const char* id : {"srv-1", "srv-2"})
                c.Execute(
                    "INSERT INTO servers (id, name, address, ssh_port, ssh_user, auth_method, created_at, updated_at) "
                    "VALUES (?, ?, '127.0.0.1', 22, 'u', 'password', 't', 't')",
                    {Text(id), Text(std::string("name-") + id)});
            sql::InsertProject(c, ProjectView{"prj-1", "one", "", "t", "t"});
            sql::InsertProject(c, ProjectView{"prj-2", "two", "", "t", "t"});
        });
    }

    template <class F>
    void Tx(F fn) {
        db().WithTransaction([&](store::Connection& c) { fn(c); });
    }

    static AppView App(std::string id, std::string project, std::string server) {
        AppView app;
        app.id = std::move(id);
        app.name = "app-" + app.id;
        app.project_id = std::move(project);
        app.server_id = std::move(server);
        app.cd_path = "/srv/it's $(x)";
        app.created_at = app.updated_at = "t";
        return app;
    }

    AppView Find(const std::string& id) {
        std::optional<AppView> app;
        Tx([&](store::Connection& c) { app = sql::FindApp(c, id); });
        EXPECT_TRUE(app.has_value()) << id;
        return app.value_or(AppView{});
    }
};

TEST_P(AppSqlTest, RoundTripsFiltersAndUniqueNames) {
    Tx([&](store::Connection& c) {
        sql::InsertApp(c, App("a1", "prj-1", "srv-1"));
        sql::InsertApp(c, App("a2", "prj-1", "srv-2"));
        sql::InsertApp(c, App("a3", "prj-2", "srv-1"));
    });
    const auto a1 = Find("a1");
    EXPECT_EQ(a1.cd_path, "/srv/it's $(x)");
    EXPECT_EQ(a1.status, AppStatus::stopped);
    EXPECT_EQ(a1.auto_stop_minutes, 60);
    EXPECT_FALSE(a1.started_at || a1.auto_stop_at || a1.auto_stop_epoch || a1.last_task_id);

    auto ids = [&](AppFilter filter, std::string after, std::size_t limit) {
        std::vector<std::string> out;
        Tx([&](store::Connection& c) {
            for (const auto& app : sql::ListApps(c, filter, after, limit)) out.push_back(app.id);
        });
        return out;
    };
    EXPECT_EQ(ids({}, "", 10), (std::vector<std::string>{"a1", "a2", "a3"}));
    EXPECT_EQ(ids({}, "a1", 1), (std::vector<std::string>{"a2"}));
    EXPECT_EQ(ids({"prj-1", std::nullopt}, "", 10), (std::vector<std::string>{"a1", "a2"}));
    EXPECT_EQ(ids({std::nullopt, "srv-1"}, "", 10), (std::vector<std::string>{"a1", "a3"}));
    EXPECT_EQ(ids({"prj-2", "srv-2"}, "", 10), (std::vector<std::string>{}));

    auto code_of = [&](auto fn) {
        try {
            Tx(fn);
        } catch (const core::Error& e) {
            return e.code();
        }
        return core::errc::ok;
    };
    EXPECT_EQ(code_of([](store::Connection& c) { sql::InsertApp(c, App("a1", "prj-1", "srv-1")); }),
              core::errc::already_exists);
    auto same_name = App("a4", "prj-1", "srv-1");
    same_name.name = "app-a1";
    EXPECT_EQ(code_of([&](store::Connection& c) { sql::InsertApp(c, same_name); }), core::errc::already_exists);
    same_name.project_id = "prj-2";
    EXPECT_EQ(code_of([&](store::Connection& c) { sql::InsertApp(c, same_name); }), core::errc::ok);
    EXPECT_EQ(code_of([](store::Connection& c) {
                  sql::InsertProject(c, ProjectView{"prj-3", "one", "", "t", "t"});
              }),
              core::errc::already_exists);
}

TEST_P(AppSqlTest, DeletingAProjectDeletesItsApps) {
    Tx([&](store::Connection& c) {
        sql::InsertApp(c, App("a1", "prj-1", "srv-1"));
        sql::InsertApp(c, App("a2", "prj-1", "srv-1"));
        sql::InsertApp(c, App("a3", "prj-2", "srv-1"));
    });
    std::int64_t deleted = 0;
    Tx([&](store::Connection& c) { deleted = sql::DeleteProject(c, "prj-1"); });
    EXPECT_EQ(deleted, 2);
    EXPECT_EQ(Count("apps"), 1);
    Tx([&](store::Connection& c) { EXPECT_FALSE(sql::FindProject(c, "prj-1")); });
}

TEST_P(AppSqlTest, RunEndsApplyOnlyInTheClaimedState) {
    Tx([&](store::Connection& c) { sql::InsertApp(c, App("a1", "prj-1", "srv-1")); });
    Tx([&](store::Connection& c) {
        EXPECT_TRUE(sql::SetStatus(c, "a1", AppStatus::stopped, AppStatus::starting));
        EXPECT_FALSE(sql::SetStatus(c, "a1", AppStatus::stopped, AppStatus::starting));
    });
    sql::RunEnd up{AppStatus::starting,        AppStatus::running,         "task-1",  false,
                   "2026-03-01T10:00:00.000Z", "2026-03-01T11:00:00.000Z", 1772362800};
    Tx([&](store::Connection& c) {
        EXPECT_TRUE(sql::EndRun(c, "a1", up));
        EXPECT_FALSE(sql::EndRun(c, "a1", up));  // a late second end changes nothing
    });
    auto app = Find("a1");
    EXPECT_EQ(app.status, AppStatus::running);
    EXPECT_EQ(app.last_task_id, "task-1");
    EXPECT_EQ(app.started_at, "2026-03-01T10:00:00.000Z");
    EXPECT_EQ(app.auto_stop_at, "2026-03-01T11:00:00.000Z");
    EXPECT_EQ(app.auto_stop_epoch, 1772362800);

    // A failed stop keeps started_at and drops the deadline; a successful one clears both.
    Tx([&](store::Connection& c) { EXPECT_TRUE(sql::SetStatus(c, "a1", AppStatus::running, AppStatus::stopping)); });
    Tx([&](store::Connection& c) {
        EXPECT_TRUE(sql::EndRun(c, "a1", sql::RunEnd{AppStatus::stopping, AppStatus::failed, "task-2"}));
    });
    app = Find("a1");
    EXPECT_EQ(app.status, AppStatus::failed);
    EXPECT_EQ(app.started_at, "2026-03-01T10:00:00.000Z");
    EXPECT_FALSE(app.auto_stop_at || app.auto_stop_epoch);
    Tx([&](store::Connection& c) { EXPECT_TRUE(sql::SetStatus(c, "a1", AppStatus::failed, AppStatus::stopping)); });
    Tx([&](store::Connection& c) {
        EXPECT_TRUE(sql::EndRun(c, "a1", sql::RunEnd{AppStatus::stopping, AppStatus::stopped, "task-3", true}));
    });
    app = Find("a1");
    EXPECT_EQ(app.status, AppStatus::stopped);
    EXPECT_EQ(app.last_task_id, "task-3");
    EXPECT_FALSE(app.started_at);

    // A late write of an older task id never replaces a newer one.
    Tx([&](store::Connection& c) {
        sql::SetLastTask(c, "a1", "task-2");
        sql::SetLastTask(c, "a1", "task-4");
    });
    EXPECT_EQ(Find("a1").last_task_id, "task-4");
    Tx([&](store::Connection& c) { sql::SetLastTask(c, "a1", "task-3"); });
    EXPECT_EQ(Find("a1").last_task_id, "task-4");
}

TEST_P(AppSqlTest, DueByEitherDeadlineColumnAndClaimedOnce) {
    const std::int64_t now = 1772362800;
    const std::string now_text = "2026-03-01T11:00:00.000Z";
    auto running = [](std::string id, std::optional<std::int64_t> epoch, std::optional<std::string> text) {
        auto app = App(std::move(id), "prj-1", "srv-1");
        app.status = AppStatus::running;
        app.auto_stop_epoch = epoch;
        app.auto_stop_at = std::move(text);
        return app;
    };
    Tx([&](store::Connection& c) {
        sql::InsertApp(c, running("by-epoch", now - 1, "2026-03-01T12:00:00.000Z"));
        sql::InsertApp(c, running("by-text", now + 3600, "2026-03-01T10:59:59.000Z"));
        sql::InsertApp(c, running("exactly-now", now, now_text));
        sql::InsertApp(c, running("later", now + 1, "2026-03-01T11:00:01.000Z"));
        sql::InsertApp(c, running("never", std::nullopt, std::nullopt));
        auto stopped = running("stopped", now - 100, "2026-03-01T10:00:00.000Z");
        stopped.status = AppStatus::stopped;
        sql::InsertApp(c, stopped);
    });
    std::set<std::string> due;
    Tx([&](store::Connection& c) {
        for (const auto& app : sql::DueForAutoStop(c, now, now_text)) due.insert(app.id);
    });
    EXPECT_EQ(due, (std::set<std::string>{"by-epoch", "by-text", "exactly-now"}));
    Tx([&](store::Connection& c) {
        EXPECT_TRUE(sql::ClaimAutoStop(c, "by-epoch", now, now_text));
        EXPECT_FALSE(sql::ClaimAutoStop(c, "by-epoch", now, now_text));
        EXPECT_FALSE(sql::ClaimAutoStop(c, "later", now, now_text));
    });
    EXPECT_EQ(Find("by-epoch").status, AppStatus::stopping);
    EXPECT_EQ(Find("later").status, AppStatus::running);
}

TEST_P(AppSqlTest, StartUpFailsAppsWhoseTaskNoLongerRuns) {
    Tx([&](store::Connection& c) {
        for (const auto& [id, state] : {std::pair{"t-running", "running"}, std::pair{"t-gone", "interrupted"}})
            c.Execute(
                "INSERT INTO tasks (id, kind, state, created_at, timeout_s, concurrency, total) "
                "VALUES (?, 'compose_up', ?, 't', 1, 1, 1)",
                {Text(id), Text(state)});
        auto in = [&](std::string id, AppStatus status, std::optional<std::string> task) {
            auto app = App(std::move(id), "prj-1", "srv-1");
            app.status = status;
            app.last_task_id = std::move(task);
            app.auto_stop_epoch = 5;
            sql::InsertApp(c, app);
        };
        in("no-task", AppStatus::starting, std::nullopt);
        in("task-gone", AppStatus::stopping, "t-gone");
        in("task-runs", AppStatus::starting, "t-running");  // another instance is still at it
        in("running", AppStatus::running, "t-gone");
    });
    std::vector<std::string> failed;
    Tx([&](store::Connection& c) { failed = sql::FailOrphaned(c); });
    EXPECT_EQ(std::set<std::string>(failed.begin(), failed.end()), (std::set<std::string>{"no-task", "task-gone"}));
    EXPECT_EQ(Find("no-task").status, AppStatus::failed);
    EXPECT_FALSE(Find("task-gone").auto_stop_epoch);
    EXPECT_EQ(Find("task-runs").status, AppStatus::starting);
    EXPECT_EQ(Find("running").status, AppStatus::running);
}

TEST(AppValidation, CdPathIsAbsoluteOrInTheHomeAndAnythingButEmptyLongOrMultiLine) {
    AppInput in{"name", "p", "s", "/srv/a 'b' $(c) `d` ; e", "", 60};
    EXPECT_NO_THROW(ValidateAppInput(in));
    for (std::string bad :
         {std::string(), std::string("/a\nb"), std::string("/a\rb"), std::string("/a\0b", 4), std::string(4097, '/'),
          std::string("relative/dir"), std::string("~user/dir"), std::string("./x")}) {
        in.cd_path = bad;
        EXPECT_THROW(ValidateAppInput(in), core::Error) << bad.size();
    }
    for (std::string good : {std::string(4096, '/'), std::string("~"), std::string("~/apps/one two")}) {
        in.cd_path = good;
        EXPECT_NO_THROW(ValidateAppInput(in)) << good;
    }
}

TEST(AppValidation, UrlsAndMinutes) {
    AppInput in{"name", "p", "s", "/srv", "", 0};
    for (std::string ok : {"", "http://a", "https://app.example.com:8443/x?y=1#z", "http://[::1]:80/"}) {
        in.app_url = ok;
        EXPECT_NO_THROW(ValidateAppInput(in)) << ok;
    }
    for (std::string bad : std::vector<std::string>{"ftp://a", "http://", "//a/b", "a b", "javascript:x",
                                                    "https://a/" + std::string(2048, 'u')}) {
        in.app_url = bad;
        EXPECT_THROW(ValidateAppInput(in), core::Error) << bad;
    }
    in.app_url.clear();
    for (int ok : {0, 1, 525600}) {
        in.auto_stop_minutes = ok;
        EXPECT_NO_THROW(ValidateAppInput(in));
    }
    for (int bad : {-1, 525601}) {
        in.auto_stop_minutes = bad;
        EXPECT_THROW(ValidateAppInput(in), core::Error);
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, AppSqlTest, ::testing::Values(Backend::sqlite, Backend::postgres), BackendName);

}  // namespace
}  // namespace gatehouse::apps::test
