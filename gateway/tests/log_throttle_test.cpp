// Repeated error lines are held to one per interval, and the next line says how many were held.
#include "logging/log_throttle.h"

#include <gtest/gtest.h>

#include <thread>

using namespace vikno::gateway;

TEST(LogThrottle, ALineRepeatedWithinTheIntervalIsHeldBackAndCounted) {
    LogThrottle throttle(std::chrono::milliseconds(100));
    std::uint64_t held = 99;
    EXPECT_TRUE(throttle.allow("claim", held));
    EXPECT_EQ(held, 0U);
    for (int i = 0; i < 1000; ++i) EXPECT_FALSE(throttle.allow("claim", held));
    EXPECT_TRUE(throttle.allow("next due", held));  // another fault has its own line
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    EXPECT_TRUE(throttle.allow("claim", held));
    EXPECT_EQ(held, 1000U);
    EXPECT_FALSE(throttle.allow("claim", held));
}
