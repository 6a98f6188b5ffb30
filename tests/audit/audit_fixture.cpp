#include "audit_fixture.hpp"

#include "store/migrations.hpp"

namespace gatehouse::audit::test {

void AuditTest::SetUp() {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    store::Migrate(db());
    log_ = std::make_unique<AuditLog>(db());
}

void AuditTest::TearDown() {
    log_.reset();
    BackendTest::TearDown();
}

core::Clock::time_point AuditTest::At(double seconds) {
    return *core::ParseRfc3339("2026-03-01T10:00:00Z") +
           std::chrono::duration_cast<core::Clock::duration>(std::chrono::duration<double>(seconds));
}

Event AuditTest::MakeEvent(std::string action, core::Clock::time_point time, std::string actor_id,
                           std::string outcome) {
    Event event;
    event.time = time;
    event.actor_kind = "user";
    event.actor_id = std::move(actor_id);
    event.actor_name = "name-of-" + event.actor_id;
    event.action = std::move(action);
    event.outcome = std::move(outcome);
    return event;
}

}  // namespace gatehouse::audit::test
