#include <charconv>
#include <sstream>
#include <string>

#include "fleet/fleet_service.hpp"

namespace gatehouse::fleet {

std::optional<double> ParseUptime(std::string_view text) {
    std::istringstream in{std::string(text)};
    double uptime = 0;
    if (!(in >> uptime) || uptime < 0) return std::nullopt;
    return uptime;
}

std::optional<std::array<double, 3>> ParseLoadAverage(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::array<double, 3> load{};
    if (!(in >> load[0] >> load[1] >> load[2])) return std::nullopt;
    return load;
}

std::vector<Filesystem> ParseDfP(std::string_view output) {
    // `df -P -k` (POSIX): "Filesystem 1024-blocks Used Available Capacity Mounted on", one line per
    // mount; the mount point is the rest of the line (it may contain spaces).
    std::vector<Filesystem> filesystems;
    std::istringstream lines{std::string(output)};
    std::string line;
    std::int64_t block = 1024;
    bool header = true;
    while (std::getline(lines, line)) {
        if (header) {
            header = false;
            if (line.rfind("Filesystem", 0) == 0) {
                std::istringstream head(line);
                std::string name, blocks;
                head >> name >> blocks;
                if (const auto dash = blocks.find("-blocks"); dash != std::string::npos)
                    std::from_chars(blocks.data(), blocks.data() + dash, block);
                if (block <= 0) block = 1024;
                continue;
            }
        }
        std::istringstream fields(line);
        Filesystem fs;
        std::string capacity;
        if (!(fields >> fs.filesystem >> fs.size_bytes >> fs.used_bytes >> fs.available_bytes >> capacity)) continue;
        std::getline(fields >> std::ws, fs.mount);
        if (fs.mount.empty()) continue;
        // A hostile or broken host may print any number: a size that does not fit in bytes is no size.
        if (fs.size_bytes < 0 || fs.used_bytes < 0 || fs.available_bytes < 0 ||
            __builtin_mul_overflow(fs.size_bytes, block, &fs.size_bytes) ||
            __builtin_mul_overflow(fs.used_bytes, block, &fs.used_bytes) ||
            __builtin_mul_overflow(fs.available_bytes, block, &fs.available_bytes))
            continue;
        filesystems.push_back(std::move(fs));
    }
    return filesystems;
}

}  // namespace gatehouse::fleet
