#include <vikno/case.h>

#include <array>
#include <utility>

namespace vikno {
namespace {

constexpr std::array<std::pair<CaseStatus, std::string_view>, 9> kStatusNames{{
    {CaseStatus::Received, "received"},
    {CaseStatus::Queued, "queued"},
    {CaseStatus::Sending, "sending"},
    {CaseStatus::AwaitingRegistry, "awaiting_registry"},
    {CaseStatus::Completed, "completed"},
    {CaseStatus::Rejected, "rejected"},
    {CaseStatus::Failed, "failed"},
    {CaseStatus::PartlyCompleted, "partly_completed"},
    {CaseStatus::Cancelled, "cancelled"},
}};

// Walks `a.b.c` through nested objects; returns the parent object and the last key.
std::pair<Poco::JSON::Object::Ptr, std::string> walk(Poco::JSON::Object::Ptr object, std::string_view path) {
    while (object) {
        const auto dot = path.find('.');
        if (dot == std::string_view::npos) {
            return {object, std::string(path)};
        }
        object = object->getObject(std::string(path.substr(0, dot)));
        path.remove_prefix(dot + 1);
    }
    return {nullptr, {}};
}

}  // namespace

std::string_view to_string(CaseStatus status) noexcept {
    for (const auto& [value, name] : kStatusNames) {
        if (value == status) {
            return name;
        }
    }
    return "unknown";
}

std::optional<CaseStatus> parse_case_status(std::string_view text) noexcept {
    for (const auto& [value, name] : kStatusNames) {
        if (name == text) {
            return value;
        }
    }
    return std::nullopt;
}

bool is_final(CaseStatus status) noexcept {
    return status == CaseStatus::Completed || status == CaseStatus::Rejected || status == CaseStatus::Failed ||
           status == CaseStatus::PartlyCompleted || status == CaseStatus::Cancelled;
}

std::optional<std::string> Case::subject_text(std::string_view dotted_path) const {
    auto [parent, key] = walk(subject, dotted_path);
    if (!parent || !parent->has(key)) {
        return std::nullopt;
    }
    const Poco::Dynamic::Var value = parent->get(key);
    if (value.isEmpty() || value.type() == typeid(Poco::JSON::Object::Ptr) ||
        value.type() == typeid(Poco::JSON::Array::Ptr)) {
        return std::nullopt;
    }
    return value.convert<std::string>();
}

std::optional<Poco::Dynamic::Var> json_at(const Poco::JSON::Object::Ptr& object, std::string_view dotted_path) {
    auto [parent, key] = walk(object, dotted_path);
    if (!parent || !parent->has(key) || parent->get(key).isEmpty()) return std::nullopt;
    return parent->get(key);
}

bool Case::subject_has_object(std::string_view dotted_path) const {
    auto [parent, key] = walk(subject, dotted_path);
    return parent && parent->getObject(key);
}

}  // namespace vikno
