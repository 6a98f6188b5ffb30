#include <gtest/gtest.h>

#include "ssh/test_support.hpp"

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new gatehouse::ssh::test::SshdEnvironment);  // gtest owns it
    return RUN_ALL_TESTS();
}
