#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <memory>
#include <optional>

#include "fixtures/run_async.hpp"
#include "fixtures/sshd_fixture.hpp"
#include "ssh/ssh_client.hpp"

namespace gatehouse::ssh::test {

/// The sshd shared by the binary, started on first use; stopped by SshdEnvironment.
testing::SshdServer& SharedSshd();

class SshdEnvironment : public ::testing::Environment {
  public:
    void TearDown() override;
};

using gatehouse::testing::RunAsync;

}  // namespace gatehouse::ssh::test
