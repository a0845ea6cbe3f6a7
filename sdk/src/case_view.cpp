#include <vikno/case.h>
#include <vikno/case_view.h>

#include <Poco/JSON/Array.h>

namespace vikno {
namespace {

// A scalar as Case::subject_text reads it: strings as they are, numbers and booleans as their text.
std::optional<std::string> scalar_text(const Poco::Dynamic::Var& value) {
    if (value.isEmpty()) return std::nullopt;
    return value.convert<std::string>();
}

void flatten(CaseView& view, const std::string& path, const Poco::Dynamic::Var& value);

void flatten_object(CaseView& view, const std::string& prefix, const Poco::JSON::Object& object) {
    for (const auto& [key, value] : object) flatten(view, prefix.empty() ? key : prefix + "." + key, value);
}

void flatten_array(CaseView& view, const std::string& path, const Poco::JSON::Array& array) {
    view.set_subject_count(path, array.size());
    for (std::size_t i = 0; i < array.size(); ++i) flatten(view, path + "." + std::to_string(i), array.get(i));
}

void flatten(CaseView& view, const std::string& path, const Poco::Dynamic::Var& value) {
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
        const auto object = value.extract<Poco::JSON::Object::Ptr>();
        if (!object) return;
        view.set_subject_object(path);
        flatten_object(view, path, *object);
    } else if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
        const auto array = value.extract<Poco::JSON::Array::Ptr>();
        if (array) flatten_array(view, path, *array);
    } else if (auto text = scalar_text(value)) {
        view.set_subject_text(path, std::move(*text));
    }
}

}  // namespace

CaseView::CaseView(const Case& c)
    : id(c.id), service(c.service), office(c.office), applicant(c.applicant), attachments(c.attachments) {
    if (c.subject) flatten_object(*this, "", *c.subject);
}

std::optional<std::string> CaseView::subject_text(std::string_view dotted_path) const {
    const auto found = texts_.find(dotted_path);
    if (found == texts_.end()) return std::nullopt;
    return found->second;
}

bool CaseView::subject_has_object(std::string_view dotted_path) const { return objects_.contains(dotted_path); }

std::optional<std::size_t> CaseView::subject_count(std::string_view dotted_path) const {
    const auto found = counts_.find(dotted_path);
    if (found == counts_.end()) return std::nullopt;
    return found->second;
}

void CaseView::set_subject_text(std::string dotted_path, std::string text) {
    texts_.insert_or_assign(std::move(dotted_path), std::move(text));
}

void CaseView::set_subject_object(std::string dotted_path) { objects_.insert(std::move(dotted_path)); }

void CaseView::set_subject_count(std::string dotted_path, std::size_t count) {
    counts_.insert_or_assign(std::move(dotted_path), count);
}

}  // namespace vikno
