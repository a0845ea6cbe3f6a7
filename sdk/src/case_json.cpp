#include <vikno/case_json.h>
#include <vikno/identifiers.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <set>
#include <sstream>

namespace vikno {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::size_t kMaxTextBytes = 512;
constexpr std::size_t kMaxJsonDepth = 16;

Object::Ptr ordered_object() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

// Collects field errors while reading one JSON object; every helper records a problem instead of
// stopping, so the CNAP sees all of them at once.
class Reader {
public:
    explicit Reader(FieldErrors& errors) : errors_(errors) {}

    void fail(const std::string& field, const std::string& reason) { errors_.push_back({field, reason}); }

    // Reports keys that are not in `allowed`.
    void only(const Object::Ptr& object, const std::string& prefix, const std::set<std::string>& allowed) {
        for (const auto& [key, value] : *object) {
            if (!allowed.contains(key)) {
                fail(prefix + key, "unknown field");
            }
        }
    }

    std::string text(const Object::Ptr& object, const std::string& key, const std::string& path, bool required) {
        if (!object->has(key) || object->get(key).isEmpty()) {
            if (required) {
                fail(path, "is required");
            }
            return {};
        }
        const Poco::Dynamic::Var value = object->get(key);
        if (!value.isString()) {
            fail(path, "must be a string");
            return {};
        }
        std::string result = value.extract<std::string>();
        if (required && result.empty()) {
            fail(path, "must not be empty");
        } else if (result.size() > kMaxTextBytes) {
            fail(path, "is longer than " + std::to_string(kMaxTextBytes) + " bytes");
        }
        return result;
    }

    Object::Ptr object(const Object::Ptr& parent, const std::string& key, const std::string& path, bool required) {
        if (!parent->has(key) || parent->get(key).isEmpty()) {
            if (required) {
                fail(path, "is required");
            }
            return nullptr;
        }
        Object::Ptr result = parent->getObject(key);
        if (!result) {
            fail(path, "must be an object");
        }
        return result;
    }

private:
    FieldErrors& errors_;
};

bool is_token(const std::string& value) {
    if (value.empty() || value.size() > 64) {
        return false;
    }
    for (const char ch : value) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                        ch == '_' || ch == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool is_base64(const std::string& value) {
    for (const char ch : value) {
        const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+' ||
                        ch == '/' || ch == '=' || ch == '\n' || ch == '\r';
        if (!ok) {
            return false;
        }
    }
    return value.size() % 4 == 0 || value.find_first_of("\r\n") != std::string::npos;
}

void read_office(Reader& r, const Object::Ptr& json, Office& office) {
    auto object = r.object(json, "office", "office", true);
    if (!object) return;
    r.only(object, "office.", {"id", "operator"});
    office.id = r.text(object, "id", "office.id", true);
    office.operator_id = r.text(object, "operator", "office.operator", true);
    if (!office.id.empty() && !is_token(office.id)) {
        r.fail("office.id", "must be 1-64 characters of a-z, A-Z, 0-9, '-', '_', '.'");
    }
}

void read_document(Reader& r, const Object::Ptr& applicant, Applicant& out) {
    auto object = r.object(applicant, "document", "applicant.document", false);
    if (!object) return;
    r.only(object, "applicant.document.", {"type", "number"});
    IdentityDocument document;
    document.type = r.text(object, "type", "applicant.document.type", true);
    document.number = r.text(object, "number", "applicant.document.number", true);
    if (document.type == "passport") {
        if (!document.number.empty() && !identifiers::is_valid_passport_number(document.number)) {
            r.fail("applicant.document.number",
                   "a passport number is two Cyrillic capitals and six digits, e.g. МЕ123456");
        }
    } else if (document.type == "id_card") {
        if (!document.number.empty() && !identifiers::is_valid_id_card_number(document.number)) {
            r.fail("applicant.document.number", "an ID card number is nine digits");
        }
    } else if (!document.type.empty()) {
        r.fail("applicant.document.type", "must be 'passport' or 'id_card'");
    }
    out.document = document;
}

void read_applicant(Reader& r, const Object::Ptr& json, Applicant& applicant) {
    auto object = r.object(json, "applicant", "applicant", true);
    if (!object) return;
    r.only(object, "applicant.", {"rnokpp", "last_name", "first_name", "patronymic", "birth_date", "document"});
    applicant.rnokpp = r.text(object, "rnokpp", "applicant.rnokpp", false);
    applicant.last_name = r.text(object, "last_name", "applicant.last_name", true);
    applicant.first_name = r.text(object, "first_name", "applicant.first_name", true);
    applicant.patronymic = r.text(object, "patronymic", "applicant.patronymic", false);
    applicant.birth_date = r.text(object, "birth_date", "applicant.birth_date", true);
    if (!applicant.rnokpp.empty() && !identifiers::is_valid_rnokpp(applicant.rnokpp)) {
        r.fail("applicant.rnokpp", "is not a valid RNOKPP (10 digits with a correct check digit)");
    }
    if (!applicant.birth_date.empty() && !identifiers::is_valid_iso_date(applicant.birth_date)) {
        r.fail("applicant.birth_date", "must be a date written YYYY-MM-DD");
    }
    read_document(r, object, applicant);
}

void read_attachments(Reader& r, const Object::Ptr& json, std::vector<Attachment>& attachments) {
    if (!json->has("attachments")) return;
    Array::Ptr array = json->getArray("attachments");
    if (!array) {
        r.fail("attachments", "must be an array");
        return;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
        const std::string path = "attachments[" + std::to_string(i) + "]";
        Object::Ptr item = array->getObject(static_cast<unsigned>(i));
        if (!item) {
            r.fail(path, "must be an object");
            continue;
        }
        r.only(item, path + ".", {"name", "media_type", "content_base64"});
        Attachment attachment;
        attachment.name = r.text(item, "name", path + ".name", true);
        attachment.media_type = r.text(item, "media_type", path + ".media_type", true);
        // Content is not a short text: read it without the text length limit.
        if (!item->has("content_base64") || !item->get("content_base64").isString()) {
            r.fail(path + ".content_base64", "is required and must be a base64 string");
        } else {
            attachment.content_base64 = item->getValue<std::string>("content_base64");
            if (!is_base64(attachment.content_base64)) {
                r.fail(path + ".content_base64", "is not valid base64");
            }
        }
        attachments.push_back(std::move(attachment));
    }
}

}  // namespace

Result<Case, FieldErrors> parse_submitted_case(std::string_view json) {
    Poco::Dynamic::Var parsed;
    try {
        Poco::JSON::Parser parser;
        parser.setDepth(kMaxJsonDepth);
        parsed = parser.parse(std::string(json));
    } catch (const Poco::Exception& e) {
        return FieldErrors{{"", "the body is not valid JSON: " + e.message()}};
    }
    if (parsed.type() != typeid(Object::Ptr)) {
        return FieldErrors{{"", "the body must be a JSON object"}};
    }
    const auto root = parsed.extract<Object::Ptr>();

    FieldErrors errors;
    Reader r(errors);
    for (const char* owned : {"id", "status", "history", "outcome", "created_at", "updated_at"}) {
        if (root->has(owned)) {
            r.fail(owned, "is set by the gateway; remove it from the submission");
        }
    }
    r.only(root, "",
           {"service", "office", "applicant", "subject", "attachments", "callback_url", "id", "status", "history",
            "outcome", "created_at", "updated_at"});

    Case c;
    c.service = r.text(root, "service", "service", true);
    read_office(r, root, c.office);
    read_applicant(r, root, c.applicant);
    if (auto subject = r.object(root, "subject", "subject", true)) {
        c.subject = subject;
    }
    read_attachments(r, root, c.attachments);
    c.callback_url = r.text(root, "callback_url", "callback_url", false);

    if (!errors.empty()) {
        return errors;
    }
    return c;
}

Poco::JSON::Object::Ptr submission_to_json(const Case& c) {
    auto root = ordered_object();
    root->set("service", c.service);

    auto office = ordered_object();
    office->set("id", c.office.id);
    office->set("operator", c.office.operator_id);
    root->set("office", office);

    auto applicant = ordered_object();
    if (!c.applicant.rnokpp.empty()) applicant->set("rnokpp", c.applicant.rnokpp);
    applicant->set("last_name", c.applicant.last_name);
    applicant->set("first_name", c.applicant.first_name);
    if (!c.applicant.patronymic.empty()) applicant->set("patronymic", c.applicant.patronymic);
    applicant->set("birth_date", c.applicant.birth_date);
    if (c.applicant.document) {
        auto document = ordered_object();
        document->set("type", c.applicant.document->type);
        document->set("number", c.applicant.document->number);
        applicant->set("document", document);
    }
    root->set("applicant", applicant);
    root->set("subject", c.subject ? c.subject : ordered_object());

    if (!c.attachments.empty()) {
        Array::Ptr attachments = new Array;
        for (const auto& a : c.attachments) {
            auto item = ordered_object();
            item->set("name", a.name);
            item->set("media_type", a.media_type);
            item->set("content_base64", a.content_base64);
            attachments->add(item);
        }
        root->set("attachments", attachments);
    }
    if (!c.callback_url.empty()) root->set("callback_url", c.callback_url);
    return root;
}

Poco::JSON::Object::Ptr outcome_to_json(const Outcome& outcome) {
    auto json = ordered_object();
    json->set("registry_reference", outcome.registry_reference);
    json->set("message_uk", outcome.message_uk);
    json->set("message_en", outcome.message_en);
    if (auto document = parse_outcome_document(outcome.document_json)) json->set("document", document);
    return json;
}

Poco::JSON::Object::Ptr parse_outcome_document(std::string_view json) {
    if (json.empty()) return nullptr;
    try {
        Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));  // members in the order written
        const auto parsed = parser.parse(std::string(json));
        if (parsed.type() != typeid(Object::Ptr)) return nullptr;
        return parsed.extract<Object::Ptr>();
    } catch (const Poco::Exception&) {
        return nullptr;
    }
}

Outcome outcome_from_json(const Poco::JSON::Object::Ptr& json) {
    Outcome outcome;
    if (!json) return outcome;
    outcome.registry_reference = json->optValue<std::string>("registry_reference", "");
    outcome.message_uk = json->optValue<std::string>("message_uk", "");
    outcome.message_en = json->optValue<std::string>("message_en", "");
    if (const auto document = json->getObject("document")) outcome.document_json = to_json_text(document);
    return outcome;
}

Poco::JSON::Object::Ptr case_to_json(const Case& c) {
    auto root = ordered_object();
    root->set("id", c.id);
    root->set("status", std::string(to_string(c.status)));
    root->set("created_at", c.created_at);
    root->set("updated_at", c.updated_at);
    if (!c.idempotency_key.empty()) root->set("idempotency_key", c.idempotency_key);
    auto submission = submission_to_json(c);
    for (const auto& key : {"service", "office", "applicant", "subject", "attachments", "callback_url"}) {
        if (submission->has(key)) root->set(key, submission->get(key));
    }
    Array::Ptr history = new Array;
    for (const auto& change : c.history) {
        auto item = ordered_object();
        item->set("status", std::string(to_string(change.status)));
        item->set("at", change.at);
        if (!change.note.empty()) item->set("note", change.note);
        history->add(item);
    }
    root->set("history", history);
    if (c.outcome) {
        root->set("outcome", outcome_to_json(*c.outcome));
    }
    return root;
}

}  // namespace vikno
