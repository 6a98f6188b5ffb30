#include "agent/spool.hpp"

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace gatehouse::agent {
namespace {

// "<sequence>-<samples>.json": the order to push in and the samples held, without reading the file.
std::optional<std::pair<std::uint64_t, std::size_t>> ParseName(const std::filesystem::path& path) {
    const std::string name = path.filename().string();
    unsigned long long sequence = 0, samples = 0;
    if (path.extension() != ".json" || std::sscanf(name.c_str(), "%llu-%llu.json", &sequence, &samples) != 2)
        return std::nullopt;
    return std::make_pair(static_cast<std::uint64_t>(sequence), static_cast<std::size_t>(samples));
}

std::set<std::filesystem::path> Files(const std::filesystem::path& dir) {
    std::set<std::filesystem::path> files;  // sorted: zero-padded sequences sort in push order
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.is_regular_file() && ParseName(entry.path())) files.insert(entry.path());
    return files;
}

}  // namespace

Spool::Spool(std::filesystem::path dir, std::size_t max_samples) : dir_(std::move(dir)), max_samples_(max_samples) {
    std::filesystem::create_directories(dir_);
    for (const auto& file : Files(dir_)) {
        const auto parsed = ParseName(file);
        samples_ += parsed->second;
        next_ = std::max(next_, parsed->first + 1);
    }
}

void Spool::Add(const std::string& body, std::size_t samples) {
    char name[64];
    std::snprintf(name, sizeof name, "%020llu-%zu.json", static_cast<unsigned long long>(next_++), samples);
    const auto path = dir_ / name;
    const auto temporary = dir_ / (std::string(name) + ".tmp");
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << body;
        if (!out) throw std::runtime_error("cannot write the spool file " + temporary.string());
    }
    std::filesystem::rename(temporary, path);
    samples_ += samples;
    while (samples_ > max_samples_) {
        auto oldest = Oldest();
        if (!oldest || oldest->path == path) break;
        dropped_ += oldest->samples;
        Remove(*oldest);
    }
}

std::optional<Spool::Item> Spool::Oldest() const {
    const auto files = Files(dir_);
    if (files.empty()) return std::nullopt;
    const auto& path = *files.begin();
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return Item{path, text.str(), ParseName(path)->second};
}

void Spool::Remove(const Item& item) {
    std::error_code ec;
    if (std::filesystem::remove(item.path, ec) && samples_ >= item.samples) samples_ -= item.samples;
}

}  // namespace gatehouse::agent
