#include "situations/definition.h"
#include "situations/situation_runner.h"

#include <gtest/gtest.h>

#include <set>

using namespace vikno;
using namespace vikno::gateway;

namespace {

const std::set<std::string> kOffered{"drac.birth-extract", "eddr.newborn-unzr", "drfo.register-newborn"};

bool offers(const std::string& service) { return kOffered.contains(service); }

std::string error_of(const std::string& text) {
    try {
        parse_situation(text, "test.json", offers);
    } catch (const SituationError& e) {
        return e.what();
    }
    return "";
}

const std::string kHead = R"({"code": "situation.t", "title_uk": "т", "title_en": "t",
  "application": {"required": ["child.last_name", "child.birth_date"], "optional": ["children_count"]},
  "steps": [)";

}  // namespace

TEST(SituationDefinition, StepsNeedWhatTheyTakeFrom) {
    const auto d = parse_situation(kHead + R"(
      {"id": "birth", "service": "drac.birth-extract",
       "subject": {"child.last_name": "application.child.last_name", "child.birth_date": "application.child.birth_date"}},
      {"id": "unzr", "service": "eddr.newborn-unzr", "subject": {"birth_act.number": "steps.birth.outcome.act_number"}},
      {"id": "rnokpp", "service": "drfo.register-newborn", "optional": true, "after": ["birth"],
       "when": {"field": "application.children_count", "at_least": 3},
       "subject": {"unzr": "steps.unzr.reference", "kind": "=newborn"}}]})",
                                   "test.json", offers);
    ASSERT_EQ(d.steps.size(), 3U);
    EXPECT_EQ(d.step("unzr")->needs, std::vector<std::string>{"birth"});
    EXPECT_EQ(d.step("rnokpp")->needs, (std::vector<std::string>{"birth", "unzr"}));
    EXPECT_TRUE(d.step("rnokpp")->optional);
    EXPECT_EQ(d.step("rnokpp")->when_field, "children_count");

    Case application;
    application.subject->set("child", Poco::JSON::Object::Ptr(new Poco::JSON::Object));
    Outcome unzr;
    unzr.registry_reference = "20240301-00001";
    std::string missing;
    const auto subject = step_subject(*d.step("rnokpp"), application, {{"unzr", unzr}}, missing);
    ASSERT_TRUE(subject);
    EXPECT_EQ(subject->getValue<std::string>("unzr"), "20240301-00001");
    EXPECT_EQ(subject->getValue<std::string>("kind"), "newborn");
    EXPECT_FALSE(step_subject(*d.step("unzr"), application, {}, missing));  // the birth outcome is not there
    EXPECT_EQ(missing, "birth_act.number");
}

TEST(SituationDefinition, UnknownServicesFieldsAndStepsAndCyclesAreRefusedWithThePath) {
    EXPECT_EQ(error_of(kHead + R"({"id": "a", "service": "drac.nothing"}]})"),
              "test.json: steps[0].service: 'drac.nothing' is not offered by any loaded plugin (GET /v1/services)");
    EXPECT_EQ(error_of(kHead + R"({"id": "a", "service": "drac.birth-extract",
                                   "subject": {"x": "application.child.first_name"}}]})"),
              "test.json: steps[0].subject.x: 'application.child.first_name' is not among the application's fields "
              "(application.required, application.optional)");
    EXPECT_EQ(error_of(kHead + R"({"id": "a", "service": "drac.birth-extract",
                                   "subject": {"x": "steps.b.outcome.y"}}]})"),
              "test.json: steps[0].subject.x: names no step 'b'");
    EXPECT_EQ(error_of(kHead + R"({"id": "a", "service": "drac.birth-extract", "subject": {"x": "somewhere"}}]})")
                  .rfind("test.json: steps[0].subject.x: 'somewhere' is not a source", 0),
              0U);
    EXPECT_EQ(error_of(kHead + R"({"id": "a", "service": "drac.birth-extract", "after": ["c"]},
                                  {"id": "b", "service": "eddr.newborn-unzr", "after": ["a"]},
                                  {"id": "c", "service": "drfo.register-newborn", "after": ["b"]}]})"),
              "test.json: steps: a cycle: a -> c -> b -> a");
    EXPECT_EQ(
        error_of(kHead +
                 R"({"id": "a", "service": "drac.birth-extract"}, {"id": "a", "service": "drac.birth-extract"}]})"),
        "test.json: steps[1].id: missing or used twice");
    EXPECT_EQ(error_of(R"({"code": "drac.birth-extract", "title_uk": "т", "title_en": "t", "steps": []})"),
              "test.json: code: must start with 'situation.', got 'drac.birth-extract'");
    EXPECT_EQ(error_of(kHead + R"({"id": "a", "service": "drac.birth-extract",
                                   "when": {"field": "application.nope", "at_least": 3}}]})"),
              "test.json: steps[0].when.field: 'application.nope' is not among the application's fields");
}

TEST(SituationSummary, EveryRequiredStepMustCompleteAndOptionalOnesMakeItPartial) {
    const auto d = parse_situation(kHead + R"({"id": "a", "service": "drac.birth-extract"},
      {"id": "b", "service": "eddr.newborn-unzr", "optional": true, "after": ["a"]},
      {"id": "c", "service": "drfo.register-newborn", "after": ["b"]}]})",
                                   "test.json", offers);
    auto step = [](const std::string& id, bool optional, const std::string& status, const std::string& reason = "") {
        return StepRecord{id, "s", optional, 0, status, "", reason, ""};
    };
    EXPECT_EQ(summarise(d, {step("a", false, "completed"), step("b", true, "completed"), step("c", false, "completed")},
                        false, {})
                  .status,
              CaseStatus::Completed);
    // The optional step was refused and the required step after it never ran: not a partial success.
    const auto skipped = summarise(d,
                                   {step("a", false, "completed"), step("b", true, "rejected", "no record"),
                                    step("c", false, "skipped", "needs step b, which did not complete")},
                                   false, {});
    EXPECT_EQ(skipped.status, CaseStatus::Failed);
    EXPECT_EQ(skipped.note, "required step c did not complete");
    EXPECT_EQ(
        summarise(d, {step("a", false, "rejected"), step("b", true, "skipped"), step("c", false, "skipped")}, false, {})
            .status,
        CaseStatus::Rejected);
    const auto partial = summarise(
        d, {step("a", false, "completed"), step("b", true, "failed", "timeout"), step("c", false, "not_applicable")},
        false, {});
    EXPECT_EQ(partial.status, CaseStatus::PartlyCompleted);
    EXPECT_NE(partial.outcome.message_en.find("b (timeout)"), std::string::npos);
    EXPECT_EQ(summarise(d, {step("a", false, "completed"), step("b", true, "cancelled"), step("c", false, "cancelled")},
                        true, {})
                  .status,
              CaseStatus::Cancelled);
}
