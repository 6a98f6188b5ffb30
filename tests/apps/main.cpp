#include <gtest/gtest.h>

#include "fixtures/pg_fixture.hpp"

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new gatehouse::testing::PgEnvironment);  // gtest owns it
    return RUN_ALL_TESTS();
}
