#include "store/pool.hpp"

namespace gatehouse::store::detail {

void RunTransaction(Connection& conn, std::string_view begin, const std::function<void(Connection&)>& fn) {
    conn.ExecuteScript(begin);
    try {
        fn(conn);
        conn.ExecuteScript("COMMIT");
    } catch (...) {
        // A failed COMMIT can leave the transaction open (SQLITE_BUSY); ROLLBACK closes it. Its own
        // failure is less interesting than the error that got us here.
        try {
            conn.ExecuteScript("ROLLBACK");
        } catch (...) {
        }
        throw;
    }
}

}  // namespace gatehouse::store::detail
