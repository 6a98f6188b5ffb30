#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace gatehouse::agent {

/// Batches waiting to be pushed, one file each in a directory, oldest first; they survive restarts of the agent and
/// keep their batch ids, so a batch pushed twice (its answer lost) is stored once. Bounded in samples: beyond the
/// bound the oldest batches are dropped (and counted).
class Spool {
  public:
    Spool(std::filesystem::path dir, std::size_t max_samples);

    /// `body` is the whole push body of `samples` samples.
    void Add(const std::string& body, std::size_t samples);
    struct Item {
        std::filesystem::path path;
        std::string body;
        std::size_t samples = 0;
    };
    std::optional<Item> Oldest() const;
    void Remove(const Item& item);

    std::size_t samples() const noexcept { return samples_; }
    std::size_t dropped() const noexcept { return dropped_; }

  private:
    std::filesystem::path dir_;
    std::size_t max_samples_;
    std::size_t samples_ = 0;
    std::size_t dropped_ = 0;
    std::uint64_t next_ = 0;
};

}  // namespace gatehouse::agent
