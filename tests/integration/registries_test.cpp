// The registries besides the civil registry, each through the gateway against its own simulator
// (HTTPS, signed both ways): the samples complete, refusals and faults map to clear outcomes, and
// a plugin left out of the configuration takes its services with it.
#include "harness.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

using namespace vikno::testing;

namespace {

std::vector<std::string> service_codes(Stack& stack) {
    std::vector<std::string> codes;
    const auto services = http(stack.gateway_address, "GET", "/v1/services").json()->getArray("services");
    for (std::size_t i = 0; i < services->size(); ++i) {
        codes.push_back(services->getObject(static_cast<unsigned>(i))->getValue<std::string>("code"));
    }
    return codes;
}

bool has(const std::vector<std::string>& codes, const std::string& code) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
}

}  // namespace

TEST(DemographicRegistry, ANewbornGetsAUnzrAndTheSameBirthRecordTheSameNumber) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("demographic_registry");
    stack.start_gateway();
    const auto first = stack.wait_final(stack.submit("newborn-unzr", unique_key("unzr")));
    ASSERT_EQ(first->getValue<std::string>("status"), "completed");
    const std::string unzr = first->getObject("outcome")->getValue<std::string>("registry_reference");
    EXPECT_EQ(unzr.rfind("20261120-", 0), 0U) << unzr;
    // Another application for the same birth record: the register answers with the number it gave.
    const auto again = stack.wait_final(stack.submit("newborn-unzr", unique_key("unzr-again")));
    ASSERT_EQ(again->getValue<std::string>("status"), "completed");
    EXPECT_EQ(again->getObject("outcome")->getValue<std::string>("registry_reference"), unzr);
    EXPECT_TRUE(again->getObject("outcome")->getObject("document")->getValue<bool>("already_assigned"));

    std::string future = sample_case("newborn-unzr");
    future.replace(future.find("\"birth_date\": \"2026-11-20\""), 26, "\"birth_date\": \"2099-01-01\"");
    const HttpReply reply =
        http(stack.gateway_address, "POST", "/v1/cases", future,
             {{"Content-Type", "application/json"}, {"Idempotency-Key", unique_key("unzr-future")}});
    ASSERT_EQ(reply.status, 202) << reply.body;
    const auto refused = stack.wait_final(reply.json()->getValue<std::string>("id"));
    EXPECT_EQ(refused->getValue<std::string>("status"), "rejected");
    const auto records = stack.records_of("demographic_registry");
    ASSERT_EQ(records.size(), 3U);
    EXPECT_EQ(records[0]->getValue<std::string>("outcome"), "assigned");
    EXPECT_EQ(records[1]->getValue<std::string>("outcome"), "already_assigned");
    EXPECT_EQ(records[2]->getValue<std::string>("outcome"), "refused");
}

TEST(TaxRegistry, ANewbornGetsAnRnokppAndASoleTraderIsTakenOnTheRegister) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("tax_registry");
    stack.start_gateway();
    const auto newborn = stack.wait_final(stack.submit("newborn-rnokpp", unique_key("rnokpp")));
    ASSERT_EQ(newborn->getValue<std::string>("status"), "completed");
    const std::string rnokpp = newborn->getObject("outcome")->getValue<std::string>("registry_reference");
    ASSERT_EQ(rnokpp.size(), 10U);
    EXPECT_EQ(rnokpp.substr(0, 5), "46345");  // days from 1899-12-31 to the birth, 2026-11-20
    EXPECT_EQ((rnokpp[8] - '0') % 2, 1);      // a boy
    const auto again = stack.wait_final(stack.submit("newborn-rnokpp", unique_key("rnokpp-again")));
    EXPECT_EQ(again->getObject("outcome")->getValue<std::string>("registry_reference"), rnokpp);

    const auto fop = stack.wait_final(stack.submit("fop-tax-registration", unique_key("fop-tax")));
    ASSERT_EQ(fop->getValue<std::string>("status"), "completed");
    EXPECT_NE(fop->getObject("outcome")->getObject("document")->getValue<std::string>("tax_office").find("Вінниц"),
              std::string::npos);

    std::string debtor = sample_case("fop-tax-registration");
    debtor.replace(debtor.find("3652504575"), 10, "3068208400");
    const HttpReply reply = http(stack.gateway_address, "POST", "/v1/cases", debtor,
                                 {{"Content-Type", "application/json"}, {"Idempotency-Key", unique_key("fop-debtor")}});
    ASSERT_EQ(reply.status, 202) << reply.body;
    const auto refused = stack.wait_final(reply.json()->getValue<std::string>("id"));
    EXPECT_EQ(refused->getValue<std::string>("status"), "rejected");
    EXPECT_NE(refused->getObject("outcome")->getValue<std::string>("message_en").find("SINGLE_TAX_REFUSED"),
              std::string::npos);
}

TEST(RealEstate, BothSamplesCompleteWithObjectsRightsAndEncumbrances) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("real_estate");
    stack.start_gateway();
    EXPECT_TRUE(has(service_codes(stack), "drrp.extract-by-owner"));

    const auto by_number = stack.wait_final(stack.submit("property-by-cadastral-number", unique_key("cad")));
    ASSERT_EQ(by_number->getValue<std::string>("status"), "completed") << by_number->getArray("history")->size();
    const auto object = by_number->getObject("outcome")->getObject("document")->getArray("objects")->getObject(0);
    EXPECT_EQ(object->getArray("rights")->size(), 2U);
    EXPECT_EQ(object->getArray("encumbrances")->getObject(0)->getValue<std::string>("kind"), "mortgage");

    const auto by_owner = stack.wait_final(stack.submit("property-by-owner", unique_key("owner")));
    ASSERT_EQ(by_owner->getValue<std::string>("status"), "completed");
    EXPECT_EQ(by_owner->getObject("outcome")->getObject("document")->getArray("objects")->size(), 2U);

    const auto records = stack.records_of("real_estate");
    ASSERT_EQ(records.size(), 2U);
    for (const auto& record : records) EXPECT_EQ(record->getValue<std::string>("outcome"), "found");
    EXPECT_TRUE(stack.records().empty());  // nothing went to the civil registry
}

TEST(RealEstate, AnOwnerWithNothingRegisteredIsRefusedAndFaultsAreRetried) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("real_estate", {"--malformed-rate", "0.4", "--drop-rate", "0.3", "--seed", "11"});
    stack.start_gateway(R"({"workers": 2, "max_attempts": 30, "backoff_initial_ms": 10, "backoff_max_ms": 20})");
    std::string nobody = sample_case("property-by-owner");
    const std::string owner = R"("owner": {"rnokpp": "3652504575"})";
    nobody.replace(nobody.find(owner), owner.size(), R"("owner": {"rnokpp": "1759013776"})");
    const auto reply = http(stack.gateway_address, "POST", "/v1/cases", nobody,
                            {{"Content-Type", "application/json"}, {"Idempotency-Key", unique_key("nobody")}});
    ASSERT_EQ(reply.status, 202) << reply.body;
    const auto refused = stack.wait_final(reply.json()->getValue<std::string>("id"));
    EXPECT_EQ(refused->getValue<std::string>("status"), "rejected");
    EXPECT_EQ(refused->getObject("outcome")->getValue<std::string>("message_en"),
              "No registered real property rights match the request");
    EXPECT_EQ(stack.wait_final(stack.submit("property-by-cadastral-number", unique_key("cad")))
                  ->getValue<std::string>("status"),
              "completed");
    int faults = 0;
    for (const auto& record : stack.records_of("real_estate"))
        faults += record->getValue<std::string>("fault") != "none";
    EXPECT_GT(faults, 0);
}

TEST(RealEstate, ARegistryThatKeepsFailingFailsTheCaseWithTheReason) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("real_estate", {"--error-rate", "1"});
    stack.start_gateway();
    const auto done = stack.wait_final(stack.submit("property-by-cadastral-number", unique_key("down")));
    EXPECT_EQ(done->getValue<std::string>("status"), "failed");
    EXPECT_NE(done->getObject("outcome")->getValue<std::string>("message_en").find("unavailable"), std::string::npos);
    EXPECT_EQ(stack.records_of("real_estate").size(), 3U);  // max_attempts, all with one message id
}

TEST(RealEstate, LeftOutOfTheConfigItsServicesAreGoneAndNothingElse) {
    Stack stack;
    stack.start_simulator();
    stack.start_gateway();
    const auto codes = service_codes(stack);
    EXPECT_FALSE(has(codes, "drrp.extract-by-cadastral-number"));
    EXPECT_TRUE(has(codes, "drac.birth-extract"));
    const auto reply = http(stack.gateway_address, "POST", "/v1/cases", sample_case("property-by-owner"),
                            {{"Content-Type", "application/json"}, {"Idempotency-Key", unique_key("gone")}});
    EXPECT_EQ(reply.status, 422);
    EXPECT_EQ(reply.json()->getArray("errors")->getObject(0)->getValue<std::string>("field"), "service");
}

TEST(Igov, OrdersAreCreatedAndMovedOverSignedRest) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("igov");
    stack.start_gateway();
    const auto created = stack.wait_final(stack.submit("igov-create-order", unique_key("create")));
    ASSERT_EQ(created->getValue<std::string>("status"), "completed");
    EXPECT_EQ(created->getObject("outcome")->getValue<std::string>("registry_reference").rfind("3-", 0), 0U);

    const auto pushed = stack.wait_final(stack.submit("igov-push-status", unique_key("push")));
    ASSERT_EQ(pushed->getValue<std::string>("status"), "completed");
    EXPECT_EQ(pushed->getObject("outcome")->getObject("document")->getValue<std::string>("previous_status"), "created");

    // The same change again: the order is already opened, and the portal allows no opened -> opened.
    const auto again = stack.wait_final(stack.submit("igov-push-status", unique_key("again")));
    EXPECT_EQ(again->getValue<std::string>("status"), "rejected");
    EXPECT_NE(again->getObject("outcome")->getValue<std::string>("message_en").find("cannot become opened"),
              std::string::npos);

    // Every request the portal received carried an RFC 9421 signature over the X-Road headers.
    for (const auto& record : stack.records_of("igov"))
        EXPECT_NE(record->getValue<std::string>("outcome"), "signature_rejected");
    const std::string first = read_file(stack.dir + "/sim-igov/000001-request.http");
    EXPECT_NE(first.find("Signature-Input: sig1=(\"@method\" \"@target-uri\" \"content-digest\" \"content-type\" "
                         "\"x-road-client\" \"x-road-id\" \"x-road-userid\" \"x-road-issue\")"),
              std::string::npos)
        << first;
}

TEST(Igov, ATamperedSignedAnswerFailsTheCaseAtTheContentDigest) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("igov", {"--answer-signature", "tampered"});
    stack.start_gateway();
    const auto done = stack.wait_final(stack.submit("igov-create-order", unique_key("tampered")));
    EXPECT_EQ(done->getValue<std::string>("status"), "failed");
    const auto history = done->getArray("history");
    const auto note = history->getObject(history->size() - 1)->getValue<std::string>("note");
    EXPECT_NE(note.find("answer refused: digest_mismatch"), std::string::npos) << note;
}

TEST(Igov, ThePortalRefusesAnUnsignedRequest) {
    Stack stack;
    const std::string portal = stack.start_registry("igov");
    const auto reply = http(portal, "POST", "/r1/SEVDEIR-TEST/GOV/43220851/IGOV/orders", "{}",
                            {{"Content-Type", "application/json"},
                             {"X-Road-Client", "SEVDEIR-TEST/GOV/12345678/VIKNO"},
                             {"X-Road-Id", "m-1"}},
                            "gateway-tls");
    EXPECT_EQ(reply.status, 401);
    EXPECT_NE(reply.body.find("signature_rejected"), std::string::npos) << reply.body;
    EXPECT_FALSE(reply.headers.at("Signature").empty());  // even the refusal is signed
}

TEST(Business, ASearchThenTheDetailsCompleteTheExtractInTwoSignedRequests) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("business");
    stack.start_gateway();
    const std::string id = stack.submit("business-extract", unique_key("edr"));
    const auto done = stack.wait_final(id);
    ASSERT_EQ(done->getValue<std::string>("status"), "completed");
    const auto document = done->getObject("outcome")->getObject("document");
    EXPECT_EQ(document->getObject("names")->getValue<std::string>("short"), "АТ КБ «ПРИВАТБАНК»");
    EXPECT_EQ(document->getArray("heads")->size(), 1U);
    const auto records = stack.records_of("business");
    ASSERT_EQ(records.size(), 2U);  // the search, then the details, each its own message id
    EXPECT_NE(records[0]->getValue<std::string>("target").find("1.0/subjects?code=14360570"), std::string::npos);
    EXPECT_NE(records[1]->getValue<std::string>("target").find("1.0/subjects/1001"), std::string::npos);
    EXPECT_EQ(records[1]->getValue<std::string>("message_id"),
              records[0]->getValue<std::string>("message_id") + "-details");
    // Both exchanges are in the audit log.
    const auto listed = run_vikno({"audit", "list", "--case", id, "--dir", stack.audit_dir()}, stack.dir);
    EXPECT_NE(listed.output.find("business #1  continue"), std::string::npos) << listed.output;
    EXPECT_NE(listed.output.find("business #1  completed"), std::string::npos) << listed.output;
}

TEST(Business, AnEntrepreneurIsRegisteredOnceAndRefusedTheSecondTime) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("business");
    stack.start_gateway();
    const auto first = stack.wait_final(stack.submit("fop-registration", unique_key("fop1")));
    ASSERT_EQ(first->getValue<std::string>("status"), "completed");
    EXPECT_EQ(first->getObject("outcome")->getValue<std::string>("registry_reference").rfind("2010000", 0), 0U);
    const auto second = stack.wait_final(stack.submit("fop-registration", unique_key("fop2")));
    EXPECT_EQ(second->getValue<std::string>("status"), "rejected");
    EXPECT_NE(second->getObject("outcome")->getValue<std::string>("message_uk").find("вже зареєстрована"),
              std::string::npos);
    // An unknown code is a refusal, after one request.
    std::string unknown = sample_case("business-extract");
    unknown.replace(unknown.find("14360570"), 8, "00032129");
    const auto reply = http(stack.gateway_address, "POST", "/v1/cases", unknown,
                            {{"Content-Type", "application/json"}, {"Idempotency-Key", unique_key("unknown")}});
    ASSERT_EQ(reply.status, 202);
    EXPECT_EQ(stack.wait_final(reply.json()->getValue<std::string>("id"))->getValue<std::string>("status"), "rejected");
}

// The fault modes every simulator offers, through the gateway, for the REST registries too.
class RestFaults : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(RestFaults, SlowBrokenAndDroppedAnswersAreRetriedToCompletion) {
    const auto& [registry, sample] = GetParam();
    Stack stack;
    stack.start_simulator();
    stack.start_registry(registry,
                         {"--latency-ms", "20", "--malformed-rate", "0.4", "--drop-rate", "0.3", "--seed", "5"});
    stack.start_gateway(R"({"workers": 2, "max_attempts": 40, "backoff_initial_ms": 10, "backoff_max_ms": 20})");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(stack.wait_final(stack.submit(sample, unique_key(registry + std::to_string(i))))
                      ->getValue<std::string>("status"),
                  "completed");
    }
    int faults = 0;
    for (const auto& record : stack.records_of(registry)) faults += record->getValue<std::string>("fault") != "none";
    EXPECT_GT(faults, 0);
}

TEST_P(RestFaults, ARegistryThatKeepsAnswering5xxFailsTheCase) {
    const auto& [registry, sample] = GetParam();
    Stack stack;
    stack.start_simulator();
    stack.start_registry(registry, {"--error-rate", "1"});
    stack.start_gateway();
    const auto done = stack.wait_final(stack.submit(sample, unique_key(registry + "-down")));
    EXPECT_EQ(done->getValue<std::string>("status"), "failed");
    EXPECT_NE(done->getObject("outcome")->getValue<std::string>("message_en").find("unavailable"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Registries, RestFaults,
                         ::testing::Values(std::make_pair(std::string("igov"), std::string("igov-create-order")),
                                           std::make_pair(std::string("business"), std::string("business-extract"))),
                         [](const auto& info) { return info.param.first; });

namespace {

std::vector<std::string> diia_options(Stack& stack, std::vector<std::string> extra = {}) {
    // The applicant's answer goes to the gateway, whose port the ready file tells at callback time.
    std::vector<std::string> options{"--callback-ready-file", stack.dir + "/gateway.ready", "--callback-delay-ms",
                                     "50"};
    options.insert(options.end(), extra.begin(), extra.end());
    return options;
}

}  // namespace

TEST(Diia, SharedDocumentsArriveByCallbackAndCompleteTheCase) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("diia", diia_options(stack));
    stack.start_gateway();
    const std::string id = stack.submit("diia-document-request", unique_key("diia-docs"));
    const auto done = stack.wait_final(id);
    ASSERT_EQ(done->getValue<std::string>("status"), "completed") << done->getArray("history")->size();
    const auto files = done->getObject("outcome")->getObject("document")->getArray("files");
    ASSERT_EQ(files->size(), 2U);
    EXPECT_EQ(files->getObject(0)->getValue<std::string>("filename"), "internal-passport.pdf");
    // Its story: waiting for the applicant, then the callback.
    bool waited = false;
    const auto history = done->getArray("history");
    for (std::size_t i = 0; i < history->size(); ++i) {
        waited |= history->getObject(static_cast<unsigned>(i))->getValue<std::string>("status") == "awaiting_registry";
    }
    EXPECT_TRUE(waited);
    const auto verified = run_vikno({"audit", "list", "--case", id, "--dir", stack.audit_dir()}, stack.dir);
    EXPECT_NE(verified.output.find("diia #0  completed"), std::string::npos) << verified.output;  // the callback
}

TEST(Diia, HashedFilesAreSignedAndADeclineIsARefusal) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("diia", diia_options(stack));
    stack.start_gateway();
    const auto signed_files = stack.wait_final(stack.submit("diia-sign-files", unique_key("diia-sign")));
    ASSERT_EQ(signed_files->getValue<std::string>("status"), "completed");
    EXPECT_EQ(signed_files->getObject("outcome")
                  ->getObject("document")
                  ->getArray("files")
                  ->getObject(0)
                  ->getValue<std::string>("filename"),
              "zayava.pdf.p7s");

    Stack declined;
    declined.start_simulator();
    declined.start_registry("diia", diia_options(declined, {"--decline", "yes"}));
    declined.start_gateway();
    EXPECT_EQ(declined.wait_final(declined.submit("diia-document-request", unique_key("diia-no")))
                  ->getValue<std::string>("status"),
              "rejected");
}

TEST(Diia, AForgedCallbackIsRefused) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("diia", diia_options(stack, {"--callback-delay-ms", "60000"}));  // the real one comes late
    stack.start_gateway();
    const std::string id = stack.submit("diia-document-request", unique_key("diia-forged"));
    // Unsigned: refused by signature, whatever it claims.
    const auto forged =
        http(stack.gateway_address, "POST", "/v1/callbacks/diia", "--x--\r\n",
             {{"Content-Type", "multipart/form-data; boundary=x"}, {"X-Document-Request-Trace-Id", "whatever"}}, "");
    EXPECT_EQ(forged.status, 401);
    EXPECT_EQ(forged.json()->getValue<std::string>("type"), "urn:vikno:problem:callback-signature");
    const auto now = http(stack.gateway_address, "GET", "/v1/cases/" + id).json();
    EXPECT_NE(now->getValue<std::string>("status"), "completed");
}

namespace {

// The simulator prints what the gateway answered to each callback it sent; waits for `line`.
bool diia_printed(const Stack& stack, const std::string& line) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        std::ifstream in(stack.dir + "/sim-diia.log");
        const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (log.find(line) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

}  // namespace

// A genuine callback whose binding to its request is not inside the signature, or is given twice,
// is refused; the genuine callback that follows still completes the case.
TEST(Diia, ACallbackIsBelievedOnlyWhenItsSignatureCoversItsRequest) {
    for (const std::string attack : {"unbound", "duplicate"}) {
        Stack stack;
        stack.start_simulator();
        stack.start_registry("diia", diia_options(stack, {"--callback-attack", attack}));
        stack.start_gateway();
        const auto done = stack.wait_final(stack.submit("diia-document-request", unique_key("diia-" + attack)));
        EXPECT_EQ(done->getValue<std::string>("status"), "completed") << attack;
        EXPECT_TRUE(diia_printed(stack, "(" + attack + ") answered 401 urn:vikno:problem:callback-signature"))
            << attack;
        EXPECT_TRUE(diia_printed(stack, "(genuine) answered 200")) << attack;
        std::ifstream in(stack.gateway_log);
        const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_NE(log.find(attack == "unbound" ? "binding_uncovered" : "binding_duplicated"), std::string::npos)
            << attack;
    }
}

// One applicant's genuine signed callback, re-targeted at another applicant's pending request,
// must not complete (or decline) that request.
TEST(Diia, ACallbackRetargetedToAnotherApplicantsRequestIsRefused) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("diia", diia_options(stack, {"--callback-attack", "retarget", "--callback-delay-ms", "400"}));
    stack.start_gateway();
    const std::string first = stack.submit("diia-document-request", unique_key("diia-a"));
    const std::string second = stack.submit("diia-sign-files", unique_key("diia-b"));
    const auto a = stack.wait_final(first);
    const auto b = stack.wait_final(second);
    ASSERT_TRUE(diia_printed(stack, ") answered 401 urn:vikno:problem:callback-signature"));
    EXPECT_TRUE(diia_printed(stack, "(retarget to "));
    // Each case ended with its own applicant's callback: documents for the first, signatures for the second.
    ASSERT_EQ(a->getValue<std::string>("status"), "completed");
    ASSERT_EQ(b->getValue<std::string>("status"), "completed");
    const auto files_a = a->getObject("outcome")->getObject("document")->getArray("files");
    const auto files_b = b->getObject("outcome")->getObject("document")->getArray("files");
    EXPECT_EQ(files_a->getObject(0)->getValue<std::string>("filename"), "internal-passport.pdf");
    EXPECT_EQ(files_b->getObject(0)->getValue<std::string>("filename"), "zayava.pdf.p7s");
    EXPECT_NE(a->getObject("outcome")->getObject("document")->getValue<std::string>("request_id"),
              b->getObject("outcome")->getObject("document")->getValue<std::string>("request_id"));
}

TEST(Diia, ASecondCallbackForAnAnsweredRequestIsRefused) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("diia", diia_options(stack, {"--callback-attack", "replay"}));
    stack.start_gateway();
    const std::string id = stack.submit("diia-document-request", unique_key("diia-replay"));
    EXPECT_EQ(stack.wait_final(id)->getValue<std::string>("status"), "completed");
    EXPECT_TRUE(diia_printed(stack, "(replay) answered 409 urn:vikno:problem:already-answered"));
    // The case was completed once: one callback exchange in its audit trail.
    const auto listed = run_vikno({"audit", "list", "--case", id, "--dir", stack.audit_dir()}, stack.dir);
    std::size_t callbacks = 0;
    for (auto at = listed.output.find("diia #0"); at != std::string::npos; at = listed.output.find("diia #0", at + 1)) {
        ++callbacks;
    }
    EXPECT_EQ(callbacks, 1U) << listed.output;
}

TEST(Diia, FaultsOnTheWayToTheDeepLinkAreRetriedAndAnUnreachableDiiaFailsTheCase) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("diia", diia_options(stack, {"--error-rate", "0.3", "--drop-rate", "0.3", "--latency-ms", "10",
                                                      "--seed", "3"}));
    stack.start_gateway(R"({"workers": 2, "max_attempts": 40, "backoff_initial_ms": 10, "backoff_max_ms": 20})");
    EXPECT_EQ(stack.wait_final(stack.submit("diia-document-request", unique_key("diia-faults")))
                  ->getValue<std::string>("status"),
              "completed");
    int faults = 0;
    for (const auto& record : stack.records_of("diia")) faults += record->getValue<std::string>("fault") != "none";
    EXPECT_GT(faults, 0);

    Stack down;
    down.start_simulator();
    down.start_registry("diia", diia_options(down, {"--error-rate", "1"}));
    down.start_gateway();
    const auto failed = down.wait_final(down.submit("diia-document-request", unique_key("diia-down")));
    EXPECT_EQ(failed->getValue<std::string>("status"), "failed");
    EXPECT_NE(failed->getObject("outcome")->getValue<std::string>("message_en").find("unavailable"), std::string::npos);
}

TEST(Breaker, ARegistryThatKeepsFailingIsLeftAloneUntilItRecovers) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("real_estate", {"--error-rate", "1"});
    stack.start_gateway(R"({"workers": 2, "max_attempts": 100, "backoff_initial_ms": 10, "backoff_max_ms": 20,
                            "breaker_failures": 3, "breaker_cooldown_ms": 1500, "breaker_max_cooldown_ms": 1500})");
    std::vector<std::string> ids;
    for (int i = 0; i < 4; ++i)
        ids.push_back(stack.submit("property-by-cadastral-number", unique_key("breaker" + std::to_string(i))));
    // The breaker opens after 3 failures: the registry then sees no request until the cooldown ends.
    for (int i = 0; i < 200 && stack.records_of("real_estate").size() < 3; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const auto registries = http(stack.gateway_address, "GET", "/v1/registries").json()->getArray("registries");
    std::string state;
    for (std::size_t i = 0; i < registries->size(); ++i) {
        const auto r = registries->getObject(static_cast<unsigned>(i));
        if (r->getValue<std::string>("name") == "real_estate") state = r->getValue<std::string>("state");
    }
    EXPECT_EQ(state, "open");
    const auto seen = stack.records_of("real_estate").size();
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    EXPECT_EQ(stack.records_of("real_estate").size(), seen);  // cases wait instead of hammering it
    EXPECT_NE(http(stack.gateway_address, "GET", "/metrics")
                  .body.find("vikno_registry_breaker_state{registry=\"real_estate\"} 1"),
              std::string::npos);
    // It recovers: the probe after the cooldown succeeds and every waiting case completes.
    ASSERT_EQ(
        http(stack.registries_address("real_estate"), "PUT", "/__sim/faults", R"({"error_rate": 0})", {}, "gateway-tls")
            .status,
        204);
    for (const auto& id : ids) EXPECT_EQ(stack.wait_final(id)->getValue<std::string>("status"), "completed");
}
