// Published valid and invalid identifiers (see ../shared/fixtures/identifiers.json) and edge cases.
#include <vikno/identifiers.h>

#include <gtest/gtest.h>

using namespace vikno::identifiers;

TEST(Rnokpp, AcceptsPublishedValidValues) {
    for (const char* value : {"3652504575", "3068208400", "1759013776"}) EXPECT_TRUE(is_valid_rnokpp(value)) << value;
}

TEST(Rnokpp, RefusesWrongCheckDigitLengthAndLetters) {
    for (const char* value : {"3652504576", "365250457", "36525045750", "36525O4575", "", "365250457 "}) {
        EXPECT_FALSE(is_valid_rnokpp(value)) << value;
    }
}

TEST(Edrpou, AcceptsPublishedValidValuesIncludingTheMiddleRangeAndSecondPass) {
    for (const char* value : {"14360570", "00037256", "32855961", "13313462", "21725150", "00015622"}) {
        EXPECT_TRUE(is_valid_edrpou(value)) << value;
    }
}

TEST(Edrpou, RefusesPublishedInvalidValues) {
    for (const char* value : {"32855968", "1436057", "143605700", "1436057a"})
        EXPECT_FALSE(is_valid_edrpou(value)) << value;
}

TEST(Unzr, ChecksPatternAndCalendarDate) {
    EXPECT_TRUE(is_valid_unzr("20000101-00019"));
    EXPECT_TRUE(is_valid_unzr("20000229-00019"));  // leap year
    for (const char* value : {"2000101-00019", "20001301-00019", "20000101-0001", "19000229-00019", "20000101_00019"}) {
        EXPECT_FALSE(is_valid_unzr(value)) << value;
    }
}

TEST(Documents, PassportIsTwoCyrillicCapitalsAndSixDigits) {
    EXPECT_TRUE(is_valid_passport_number("МЕ123456"));
    EXPECT_TRUE(is_valid_passport_number("ЄІ000001"));
    EXPECT_FALSE(is_valid_passport_number("ME123456"));  // Latin letters
    EXPECT_FALSE(is_valid_passport_number("ме123456"));  // lower case
    EXPECT_FALSE(is_valid_passport_number("МЕ12345"));
}

TEST(Documents, IdCardIsNineDigits) {
    EXPECT_TRUE(is_valid_id_card_number("001234567"));
    EXPECT_FALSE(is_valid_id_card_number("00123456"));
    EXPECT_FALSE(is_valid_id_card_number("00123456a"));
}

TEST(Cadastral, FollowsTheGroupPattern) {
    EXPECT_TRUE(is_valid_cadastral_number("8000000000:85:123:0001"));
    for (const char* value :
         {"8000000000:85:123:001", "800000000:85:123:0001", "8000000000-85-123-0001", "8000000000:85:123:00011"}) {
        EXPECT_FALSE(is_valid_cadastral_number(value)) << value;
    }
}

TEST(CivilCertificate, SeriesIsRomanNumeralHyphenTwoCyrillicCapitals) {
    EXPECT_TRUE(is_valid_civil_certificate_series("I-АМ"));
    EXPECT_TRUE(is_valid_civil_certificate_series("II-ВЛ"));
    EXPECT_TRUE(is_valid_civil_certificate_series("І-КИ"));   // Cyrillic І
    EXPECT_FALSE(is_valid_civil_certificate_series("I-AM"));  // Latin letters
    EXPECT_FALSE(is_valid_civil_certificate_series("АМ"));
    EXPECT_TRUE(is_valid_civil_certificate_number("204518"));
    EXPECT_FALSE(is_valid_civil_certificate_number("20451"));
}

TEST(Dates, IsoDatesRespectTheCalendar) {
    EXPECT_TRUE(is_valid_iso_date("2024-02-29"));
    EXPECT_FALSE(is_valid_iso_date("2023-02-29"));
    EXPECT_FALSE(is_valid_iso_date("2024-13-01"));
    EXPECT_FALSE(is_valid_iso_date("24-01-01"));
}
