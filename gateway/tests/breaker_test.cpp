// The per-registry circuit breaker: opens after N failures, lets one probe through after the
// cooldown, closes on success, backs off further when the probe fails.
#include "dispatch/breaker.h"

#include <gtest/gtest.h>

using namespace vikno::gateway;

TEST(Breaker, OpensAfterTheThresholdAndProbesAfterTheCooldown) {
    Breakers breakers(3, 1000, 8000);
    EXPECT_EQ(breakers.admit("drac", 0), 0);
    breakers.failure("drac", 0);
    breakers.failure("drac", 10);
    EXPECT_EQ(breakers.admit("drac", 20), 0);  // two failures: still closed
    breakers.failure("drac", 20);
    EXPECT_EQ(breakers.admit("drac", 30), 1020);    // open until 20 + 1000
    EXPECT_EQ(breakers.admit("drrp", 30), 0);       // other registries are not affected
    EXPECT_EQ(breakers.admit("drac", 1020), 0);     // the probe
    EXPECT_GT(breakers.admit("drac", 1021), 1021);  // one probe at a time
    breakers.success("drac");
    EXPECT_EQ(breakers.admit("drac", 1030), 0);
    EXPECT_EQ(breakers.statuses().front().state, Breakers::State::Closed);
}

TEST(Breaker, AFailedProbeDoublesTheCooldown) {
    Breakers breakers(1, 1000, 3000);
    breakers.failure("drac", 0);
    EXPECT_EQ(breakers.admit("drac", 1000), 0);
    breakers.failure("drac", 1000);
    EXPECT_EQ(breakers.admit("drac", 1001), 3000);  // 1000 + 2000
    EXPECT_EQ(breakers.admit("drac", 3000), 0);
    breakers.failure("drac", 3000);
    EXPECT_EQ(breakers.admit("drac", 3001), 6000);  // capped at 3000
    EXPECT_EQ(breakers.statuses().front().opened_total, 3);
}
