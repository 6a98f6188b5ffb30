// fleet::ParseUptime, ParseLoadAverage and ParseDfP on whatever a remote host prints: no crash and no undefined
// behaviour (the preset makes every UBSan report fatal), and an uptime is never negative.

#include "fleet/fleet_service.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace gatehouse;
    const auto text = fuzz::AsText(data, size);
    if (const auto uptime = fleet::ParseUptime(text)) FUZZ_CHECK(*uptime >= 0);
    (void)fleet::ParseLoadAverage(text);
    for (const auto& filesystem : fleet::ParseDfP(text)) {
        FUZZ_CHECK(!filesystem.mount.empty());
        FUZZ_CHECK(!filesystem.filesystem.empty());
    }
    return 0;
}
