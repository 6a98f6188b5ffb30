#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <memory>
#include <optional>

#include "fixtures/sshd_fixture.hpp"
#include "ssh/ssh_client.hpp"

namespace gatehouse::ssh::test {

/// The sshd shared by the binary, started on first use; stopped by SshdEnvironment.
testing::SshdServer& SharedSshd();

class SshdEnvironment : public ::testing::Environment {
  public:
    void TearDown() override;
};

/// Runs `aw` on `io` (this thread) to completion and returns its result or rethrows.
template <class T>
T RunAsync(boost::asio::io_context& io, boost::asio::awaitable<T> aw) {
    std::exception_ptr error;
    std::optional<T> result;
    boost::asio::co_spawn(io, std::move(aw), [&](std::exception_ptr e, T value) {
        error = e;
        if (!e) result.emplace(std::move(value));
    });
    io.run();
    io.restart();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
}

}  // namespace gatehouse::ssh::test
