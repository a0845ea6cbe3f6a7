#include "common/ids.h"
#include "common/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <regex>
#include <set>
#include <string>
#include <thread>

namespace vikno::gateway {
namespace {

// The first 48 bits of a version 7 UUID: its Unix time in milliseconds (RFC 9562, section 5.7).
std::int64_t id_ms(const std::string& id) { return std::stoll(id.substr(0, 8) + id.substr(9, 4), nullptr, 16); }

TEST(Ids, ACaseIdIsAVersion7UuidCarryingTheTimeItWasMade) {
    const std::int64_t before = now_ms();
    const std::string id = new_case_id();
    const std::int64_t after = now_ms();
    EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
        << id;
    EXPECT_GE(id_ms(id), before);
    EXPECT_LE(id_ms(id), after);
}

TEST(Ids, CaseIdsMadeLaterSortAfterAndAreNeverRepeated) {
    const std::string first = new_case_id();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // the order is by millisecond
    const std::string second = new_case_id();
    EXPECT_LT(first, second);  // as text too, which is how the stores' indexes compare them

    std::set<std::string> seen;
    for (int i = 0; i < 10000; ++i) seen.insert(new_case_id());
    EXPECT_EQ(seen.size(), 10000U);  // 74 random bits within each millisecond
}

TEST(Ids, OtherIdsStayRandomVersion4) {
    const std::string id = new_uuid();
    EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
        << id;
}

}  // namespace
}  // namespace vikno::gateway
