#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "audit/audit_log.hpp"
#include "fixtures/backend.hpp"

namespace gatehouse::audit::test {

using store::test::Backend;
using store::test::BackendName;
using store::test::RunAsync;

/// A migrated database on each backend and an AuditLog over it.
class AuditTest : public store::test::BackendTest {
  protected:
    void SetUp() override;
    void TearDown() override;

    AuditLog& log() { return *log_; }
    Page Query(Filter filter) { return RunAsync(io_, log_->Query(std::move(filter))); }

    /// 2026-03-01T10:00:00Z plus `seconds`.
    static core::Clock::time_point At(double seconds);
    static Event MakeEvent(std::string action, core::Clock::time_point time, std::string actor_id = "u-1",
                           std::string outcome = "success");

    boost::asio::io_context io_;
    std::unique_ptr<AuditLog> log_;
};

}  // namespace gatehouse::audit::test
