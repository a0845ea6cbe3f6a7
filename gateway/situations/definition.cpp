#include "situations/definition.h"

#include <vikno/case_json.h>

#include <Poco/DirectoryIterator.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace vikno::gateway {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

const std::set<std::string> kApplicantFields{"rnokpp", "last_name", "first_name", "patronymic", "birth_date"};

class Reader {
public:
    explicit Reader(std::string source) : source_(std::move(source)) {}
    [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
        throw SituationError(source_ + ": " + path + ": " + problem);
    }
    std::string text(const Object::Ptr& object, const std::string& key, const std::string& path) const {
        if (!object->has(key) || !object->get(key).isString() || object->getValue<std::string>(key).empty()) {
            fail(path, "required: a non-empty string");
        }
        return object->getValue<std::string>(key);
    }
    std::vector<std::string> strings(const Object::Ptr& object, const std::string& key, const std::string& path) const {
        std::vector<std::string> list;
        if (!object || !object->has(key)) return list;
        const Array::Ptr array = object->getArray(key);
        if (!array) fail(path, "expected a list of strings");
        for (std::size_t i = 0; i < array->size(); ++i) {
            const auto value = array->get(static_cast<unsigned>(i));
            if (!value.isString()) fail(path, "expected a list of strings");
            list.push_back(value.extract<std::string>());
        }
        return list;
    }

private:
    std::string source_;
};

bool is_identifier(const std::string& id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
    });
}

// "application.child.last_name", "applicant.rnokpp", "steps.birth.outcome.act_number",
// "steps.unzr.reference" or "=literal".
ValueSource parse_source(const std::string& text, const Reader& r, const std::string& path) {
    if (!text.empty() && text.front() == '=') return {ValueSource::Kind::Literal, "", text.substr(1)};
    auto after = [&](const std::string& prefix) { return text.substr(prefix.size()); };
    if (text.rfind("application.", 0) == 0) return {ValueSource::Kind::Application, "", after("application.")};
    if (text.rfind("applicant.", 0) == 0) return {ValueSource::Kind::Applicant, "", after("applicant.")};
    if (text.rfind("steps.", 0) == 0) {
        const std::string rest = after("steps.");
        const auto dot = rest.find('.');
        const std::string step = rest.substr(0, dot);
        const std::string what = dot == std::string::npos ? "" : rest.substr(dot + 1);
        if (what == "reference") return {ValueSource::Kind::StepReference, step, ""};
        if (what.rfind("outcome.", 0) == 0) return {ValueSource::Kind::StepOutcome, step, what.substr(8)};
    }
    r.fail(path, "'" + text +
                     "' is not a source: application.<field>, applicant.<field>, "
                     "steps.<step>.outcome.<field>, steps.<step>.reference or =<literal>");
}

// Every step after the steps it needs, or the failure naming a cycle.
void check_acyclic(const SituationDefinition& d, const Reader& r) {
    std::map<std::string, int> state;  // 0 unseen, 1 on the path, 2 done
    std::vector<std::string> path;
    std::function<void(const StepDefinition&)> visit = [&](const StepDefinition& step) {
        state[step.id] = 1;
        path.push_back(step.id);
        for (const auto& need : step.needs) {
            if (state[need] == 1) {
                std::string cycle;
                for (auto it = std::find(path.begin(), path.end(), need); it != path.end(); ++it) cycle += *it + " -> ";
                r.fail("steps", "a cycle: " + cycle + need);
            }
            if (state[need] == 0) visit(*d.step(need));
        }
        path.pop_back();
        state[step.id] = 2;
    };
    for (const auto& step : d.steps) {
        if (state[step.id] == 0) visit(step);
    }
}

}  // namespace

const StepDefinition* SituationDefinition::step(const std::string& id) const {
    for (const auto& s : steps) {
        if (s.id == id) return &s;
    }
    return nullptr;
}

SituationDefinition parse_situation(const std::string& text, const std::string& source,
                                    const std::function<bool(const std::string&)>& offers) {
    const Reader r(source);
    Object::Ptr root;
    try {
        Poco::JSON::Parser parser;
        root = parser.parse(text).extract<Object::Ptr>();
    } catch (const std::exception& e) {
        r.fail("(file)", std::string("not a JSON object: ") + e.what());
    }
    SituationDefinition d;
    d.source = source;
    d.code = r.text(root, "code", "code");
    if (d.code.rfind("situation.", 0) != 0) r.fail("code", "must start with 'situation.', got '" + d.code + "'");
    if (offers(d.code)) r.fail("code", "'" + d.code + "' is already a plugin's service");
    d.title_uk = r.text(root, "title_uk", "title_uk");
    d.title_en = r.text(root, "title_en", "title_en");
    const Object::Ptr application = root->getObject("application");
    d.required_fields = r.strings(application, "required", "application.required");
    d.optional_fields = r.strings(application, "optional", "application.optional");
    auto known_field = [&](const std::string& field) {
        return std::find(d.required_fields.begin(), d.required_fields.end(), field) != d.required_fields.end() ||
               std::find(d.optional_fields.begin(), d.optional_fields.end(), field) != d.optional_fields.end();
    };

    const Array::Ptr steps = root->getArray("steps");
    if (!steps || steps->size() == 0) r.fail("steps", "required: at least one step");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < steps->size(); ++i) {
        const Object::Ptr item = steps->getObject(static_cast<unsigned>(i));
        if (!item || !ids.insert(r.text(item, "id", "steps[" + std::to_string(i) + "].id")).second) {
            r.fail("steps[" + std::to_string(i) + "].id", "missing or used twice");
        }
    }
    for (std::size_t i = 0; i < steps->size(); ++i) {
        const std::string at = "steps[" + std::to_string(i) + "]";
        const Object::Ptr item = steps->getObject(static_cast<unsigned>(i));
        for (const auto& [key, value] : *item) {
            static const std::set<std::string> kKeys{"id", "service", "optional", "after", "subject", "when"};
            if (!kKeys.contains(key))
                r.fail(at + "." + key, "unknown key; expected id, service, optional, after, subject, when");
        }
        StepDefinition step;
        step.id = r.text(item, "id", at + ".id");
        if (!is_identifier(step.id)) r.fail(at + ".id", "use lower-case letters, digits and _");
        step.service = r.text(item, "service", at + ".service");
        if (!offers(step.service)) {
            r.fail(at + ".service", "'" + step.service + "' is not offered by any loaded plugin (GET /v1/services)");
        }
        step.optional = item->optValue<bool>("optional", false);
        auto need = [&](const std::string& id, const std::string& path) {
            if (!ids.contains(id)) r.fail(path, "names no step '" + id + "'");
            if (id == step.id) r.fail(path, "a step cannot wait for itself");
            if (std::find(step.needs.begin(), step.needs.end(), id) == step.needs.end()) step.needs.push_back(id);
        };
        for (const auto& id : r.strings(item, "after", at + ".after")) need(id, at + ".after");
        if (const Object::Ptr subject = item->getObject("subject")) {
            for (const auto& [target, value] : *subject) {
                const std::string path = at + ".subject." + target;
                if (!value.isString()) r.fail(path, "expected a source string");
                ValueSource source = parse_source(value.extract<std::string>(), r, path);
                if (source.kind == ValueSource::Kind::Application && !known_field(source.path)) {
                    r.fail(path, "'application." + source.path +
                                     "' is not among the application's fields "
                                     "(application.required, application.optional)");
                }
                if (source.kind == ValueSource::Kind::Applicant && !kApplicantFields.contains(source.path)) {
                    r.fail(path, "'applicant." + source.path + "' is not an applicant field");
                }
                if (source.kind == ValueSource::Kind::StepOutcome || source.kind == ValueSource::Kind::StepReference) {
                    need(source.step, path);
                }
                step.subject.emplace_back(target, std::move(source));
            }
        }
        if (const Object::Ptr when = item->getObject("when")) {
            const std::string field = r.text(when, "field", at + ".when.field");
            if (field.rfind("application.", 0) != 0 || !known_field(field.substr(12))) {
                r.fail(at + ".when.field", "'" + field + "' is not among the application's fields");
            }
            step.when_field = field.substr(12);
            if (!when->has("at_least") || !when->get("at_least").isNumeric())
                r.fail(at + ".when.at_least", "required: a number");
            step.when_at_least = when->getValue<double>("at_least");
        }
        d.steps.push_back(std::move(step));
    }
    check_acyclic(d, r);
    return d;
}

Situations::Situations(const std::string& dir, const std::function<bool(const std::string&)>& offers) {
    if (dir.empty()) return;
    std::vector<std::string> files;
    try {
        for (Poco::DirectoryIterator it(dir), end; it != end; ++it) {
            if (it->isFile() && Poco::Path(it->path()).getExtension() == "json") files.push_back(it->path());
        }
    } catch (const Poco::Exception& e) {
        throw SituationError(dir + ": cannot read the life-situation definitions: " + e.displayText() +
                             " (situations.dir)");
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        SituationDefinition d = parse_situation(text.str(), file, offers);
        if (find(d.code) != nullptr) throw SituationError(file + ": code: '" + d.code + "' is defined twice");
        definitions_.push_back(std::move(d));
    }
}

const SituationDefinition* Situations::find(const std::string& code) const {
    for (const auto& d : definitions_) {
        if (d.code == code) return &d;
    }
    return nullptr;
}

std::optional<Poco::Dynamic::Var> resolve(const ValueSource& source, const Case& application,
                                          const std::map<std::string, Outcome>& outcomes) {
    switch (source.kind) {
        case ValueSource::Kind::Literal:
            return Poco::Dynamic::Var(source.path);
        case ValueSource::Kind::Application:
            return json_at(application.subject, source.path);
        case ValueSource::Kind::Applicant: {
            const Applicant& a = application.applicant;
            const std::string value = source.path == "rnokpp"       ? a.rnokpp
                                      : source.path == "last_name"  ? a.last_name
                                      : source.path == "first_name" ? a.first_name
                                      : source.path == "patronymic" ? a.patronymic
                                                                    : a.birth_date;
            if (value.empty()) return std::nullopt;
            return Poco::Dynamic::Var(value);
        }
        case ValueSource::Kind::StepReference:
        case ValueSource::Kind::StepOutcome: {
            const auto found = outcomes.find(source.step);
            if (found == outcomes.end()) return std::nullopt;
            if (source.kind == ValueSource::Kind::StepReference) {
                if (found->second.registry_reference.empty()) return std::nullopt;
                return Poco::Dynamic::Var(found->second.registry_reference);
            }
            return json_at(parse_outcome_document(found->second.document_json), source.path);
        }
    }
    return std::nullopt;
}

}  // namespace vikno::gateway
