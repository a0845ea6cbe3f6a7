// What a plugin reads of a case (interface version 6): the application, by dotted path, and none of
// the gateway's bookkeeping; and the outcome document it writes back, as JSON text.

#include <vikno/case_json.h>
#include <vikno/case_view.h>
#include <vikno/document_writer.h>

#include <gtest/gtest.h>

using namespace vikno;

namespace {

Case submitted(const std::string& subject_json) {
    auto parsed = parse_submitted_case(R"({"service": "x.check", "office": {"id": "kyiv-01", "operator": "op-7"},
        "applicant": {"last_name": "Шевченко", "first_name": "Тарас", "birth_date": "1990-03-09"},
        "subject": )" + subject_json + "}");
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().front().field + " " + parsed.error().front().reason);
    Case c = std::move(parsed).value();
    c.id = "case-1";
    return c;
}

}  // namespace

TEST(CaseView, ReadsTheApplicationByDottedPathAsTheCaseDoes) {
    Case c = submitted(R"({"child": {"last_name": "Коваль", "order": 2, "twin": false, "note": null},
                           "files": [{"name": "a.pdf"}, "plain", 7], "empty": {}})");
    c.idempotency_key = "key-1";
    c.callback_url = "https://cnap.example/events";
    const CaseView view(c);
    EXPECT_EQ(view.id, "case-1");
    EXPECT_EQ(view.service, "x.check");
    EXPECT_EQ(view.office.operator_id, "op-7");
    EXPECT_EQ(view.applicant.last_name, "Шевченко");
    for (const char* path :
         {"child.last_name", "child.order", "child.twin", "child.note", "child", "missing", "child.last_name.more"}) {
        EXPECT_EQ(view.subject_text(path), c.subject_text(path)) << path;
        EXPECT_EQ(view.subject_has_object(path), c.subject_has_object(path)) << path;
    }
    EXPECT_EQ(view.subject_text("child.order"), "2");
    EXPECT_EQ(view.subject_text("child.twin"), "false");
    EXPECT_TRUE(view.subject_has_object("empty"));
    EXPECT_EQ(view.subject_count("files"), 3U);
    EXPECT_EQ(view.subject_text("files.0.name"), "a.pdf");
    EXPECT_TRUE(view.subject_has_object("files.0"));
    EXPECT_EQ(view.subject_text("files.1"), "plain");
    EXPECT_EQ(view.subject_text("files.2"), "7");
    EXPECT_EQ(view.subject_count("child"), std::nullopt);
    EXPECT_EQ(view.subject_text("files"), std::nullopt);
}

TEST(DocumentWriter, WritesOneJsonObjectInTheOrderOfItsFields) {
    const std::string json = DocumentWriter()
                                 .text("number", "Б-12 \"перший\"\n")
                                 .integer("size", -3)
                                 .boolean("dissolved", true)
                                 .texts("kinds", {"a", "b"})
                                 .object("child", DocumentWriter().text("sex", "F"))
                                 .objects("files", {DocumentWriter().text("n", "1"), DocumentWriter()})
                                 .json_value("names", R"({"short":"ТОВ"})")
                                 .text("size", "replaced, in its first place")
                                 .json();
    EXPECT_EQ(json, R"({"number":"Б-12 \"перший\"\n","size":"replaced, in its first place","dissolved":true,)"
                    R"("kinds":["a","b"],"child":{"sex":"F"},"files":[{"n":"1"},{}],"names":{"short":"ТОВ"}})");
    const auto parsed = parse_outcome_document(json);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->getObject("child")->getValue<std::string>("sex"), "F");
    EXPECT_EQ(DocumentWriter().json(), "{}");
}

TEST(DocumentWriter, TheGatewayReadsOnlyAJsonObjectAsADocument) {
    EXPECT_FALSE(parse_outcome_document(""));
    EXPECT_FALSE(parse_outcome_document("[1,2]"));
    EXPECT_FALSE(parse_outcome_document(R"({"a":)"));
    EXPECT_FALSE(parse_outcome_document(DocumentWriter().json_value("a", "not json").json()));
    EXPECT_TRUE(parse_outcome_document(R"({"a":[1]})"));
}

TEST(DocumentWriter, AnOutcomeKeepsItsDocumentThroughTheStoresJson) {
    Outcome outcome{"R-1", "Готово", "Done", DocumentWriter().text("b", "2").text("a", "1").json()};
    const auto json = outcome_to_json(outcome);
    EXPECT_EQ(to_json_text(json), R"({"registry_reference":"R-1","message_uk":"Готово","message_en":"Done",)"
                                  R"("document":{"b":"2","a":"1"}})");
    EXPECT_EQ(outcome_from_json(json).document_json, R"({"b":"2","a":"1"})");
}
