#include <vikno/case_json.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

using namespace vikno;

namespace {

const char* kValid = R"({
  "service": "drac.birth-extract",
  "office": {"id": "vinnytsia-po-01", "operator": "operator-17"},
  "applicant": {"rnokpp": "3652504575", "last_name": "Коваленко", "first_name": "Олена",
                "birth_date": "1994-06-21", "document": {"type": "passport", "number": "МЕ123456"}},
  "subject": {"child": {"last_name": "Коваленко", "birth_date": "2024-03-01", "order": 2}}
})";

bool has_error(const FieldErrors& errors, const std::string& field) {
    return std::any_of(errors.begin(), errors.end(), [&](const FieldError& e) { return e.field == field; });
}

}  // namespace

TEST(CaseJson, ParsesAValidSubmission) {
    auto parsed = parse_submitted_case(kValid);
    ASSERT_TRUE(parsed.ok());
    const Case& c = parsed.value();
    EXPECT_EQ(c.service, "drac.birth-extract");
    EXPECT_EQ(c.office.operator_id, "operator-17");
    EXPECT_EQ(c.applicant.document->number, "МЕ123456");
    EXPECT_EQ(c.subject_text("child.last_name"), "Коваленко");
    EXPECT_EQ(c.subject_text("child.order"), "2");
    EXPECT_FALSE(c.subject_text("child.missing").has_value());
    EXPECT_TRUE(c.subject_has_object("child"));
}

TEST(CaseJson, ReportsEveryProblemWithItsFieldPath) {
    auto parsed = parse_submitted_case(R"({
      "service": "x", "status": "completed", "colour": "red",
      "office": {"id": "bad id!"},
      "applicant": {"rnokpp": "3652504576", "last_name": "", "birth_date": "1994-02-30",
                    "document": {"type": "visa", "number": "1"}},
      "subject": []
    })");
    ASSERT_FALSE(parsed.ok());
    const auto& errors = parsed.error();
    for (const char* field :
         {"status", "colour", "office.id", "office.operator", "applicant.rnokpp", "applicant.last_name",
          "applicant.first_name", "applicant.birth_date", "applicant.document.type", "subject"}) {
        EXPECT_TRUE(has_error(errors, field)) << field;
    }
}

TEST(CaseJson, RefusesNonObjectsAndBrokenJson) {
    EXPECT_FALSE(parse_submitted_case("[1,2]").ok());
    EXPECT_FALSE(parse_submitted_case("{\"service\":").ok());
    std::string deep(100, '[');
    EXPECT_FALSE(parse_submitted_case(R"({"subject":)" + deep).ok());
}

TEST(CaseJson, SubmissionRoundTripsThroughTheStoredForm) {
    auto parsed = parse_submitted_case(kValid);
    ASSERT_TRUE(parsed.ok());
    const std::string stored = to_json_text(submission_to_json(parsed.value()));
    auto again = parse_submitted_case(stored);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(to_json_text(submission_to_json(again.value())), stored);
}

TEST(CaseStatus, NamesRoundTripAndFinalStatesAreFinal) {
    for (auto s : {CaseStatus::Received, CaseStatus::Queued, CaseStatus::Sending, CaseStatus::AwaitingRegistry,
                   CaseStatus::Completed, CaseStatus::Rejected, CaseStatus::Failed}) {
        EXPECT_EQ(parse_case_status(to_string(s)), s);
    }
    EXPECT_TRUE(is_final(CaseStatus::Rejected));
    EXPECT_FALSE(is_final(CaseStatus::Queued));
}

TEST(JsonText, IsByteForByteWhatPocoWrites) {
    using Poco::JSON::Array;
    using Poco::JSON::Object;
    std::string every_ascii;
    for (int ch = 1; ch < 128; ++ch) every_ascii += static_cast<char>(ch);
    Object::Ptr ordered = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    ordered->set("zeta", every_ascii);
    ordered->set("alpha", std::string("Коваленко ґ є \xF0\x9F\x98\x80 and invalid \xC3\x28 \xFF / \\ \""));
    ordered->set("number", 12);
    ordered->set("negative", std::int64_t{-1234567890123});
    ordered->set("fraction", 1.5);
    ordered->set("small", 0.1);
    ordered->set("yes", true);
    ordered->set("nothing", Poco::Dynamic::Var());
    ordered->set("empty", std::string());
    Object::Ptr sorted = new Object;  // Poco's default: keys in sorted order
    sorted->set("b", 1);
    sorted->set("a", Object::Ptr(new Object));
    Array::Ptr list = new Array;
    list->add(1);
    list->add(std::string("x\n"));
    list->add(Array::Ptr(new Array));
    list->add(sorted);
    list->add(Poco::Dynamic::Var());
    ordered->set("list", list);
    ordered->set("sorted", sorted);
    Poco::JSON::Array by_value;  // held by value, as the audit log's checkpoints hold their proofs
    by_value.add(std::string("ab"));
    ordered->set("by_value", by_value);
    Poco::JSON::Object object_by_value;
    object_by_value.set("k", 1);
    ordered->set("object_by_value", object_by_value);
    std::ostringstream poco;
    ordered->stringify(poco);
    EXPECT_EQ(to_json_text(ordered), poco.str());
    std::ostringstream poco_sorted;
    sorted->stringify(poco_sorted);
    EXPECT_EQ(to_json_text(*sorted), poco_sorted.str());
}
