#include <vikno/masking.h>

#include <gtest/gtest.h>

using namespace vikno;

TEST(Masking, HidesIdentifiersNamesAndDates) {
    EXPECT_EQ(masking::rnokpp("3652504575"), "36******75");
    EXPECT_EQ(masking::name("Шевченко"), "Ш*******");
    EXPECT_EQ(masking::date("1990-05-17"), "****-**-**");
}

TEST(Masking, ScrubCatchesTenDigitNumbersAndDatesButNotOtherNumbers) {
    EXPECT_EQ(masking::scrub("rnokpp 3652504575 born 1994-06-21, attempt 3, port 8080"),
              "rnokpp 36******75 born ****-**-**, attempt 3, port 8080");
    EXPECT_EQ(masking::scrub("12345678901"), "12345678901");  // 11 digits: not an RNOKPP
}
