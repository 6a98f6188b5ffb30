#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "metrics/registry.hpp"

namespace gatehouse::metrics {
namespace {

double ResidentBytes() {
    std::ifstream statm("/proc/self/statm");
    long pages_total = 0, pages_resident = 0;
    statm >> pages_total >> pages_resident;
    return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

double OpenFds() {
    std::error_code ec;
    double count = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++count;
    return count;
}

const double kStartTime = static_cast<double>(time(nullptr));

}  // namespace

void WriteProcessMetrics(Writer& writer) {
    writer.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    writer.Sample("process_resident_memory_bytes", "", ResidentBytes());
    writer.Family("process_open_fds", "gauge", "Number of open file descriptors.");
    writer.Sample("process_open_fds", "", OpenFds());
    writer.Family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
    writer.Sample("process_start_time_seconds", "", kStartTime);
}

}  // namespace gatehouse::metrics
