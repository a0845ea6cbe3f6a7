#include <vikno/json_answer.h>
#include <vikno/soap_answer.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

namespace vikno::rest {

JsonAnswer open_json_answer(const RegistryAnswer& answer, const RegistryName& registry) {
    JsonAnswer opened;
    if (answer.status >= 500) {
        opened.decided = unavailable(registry, "HTTP " + std::to_string(answer.status));
        return opened;
    }
    try {
        Poco::JSON::Parser parser;
        const Poco::Dynamic::Var parsed = parser.parse(answer.body);
        if (parsed.type() == typeid(Poco::JSON::Object::Ptr)) opened.json = parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        // Not JSON at all: the same as JSON that is not an object.
    }
    if (!opened.json) opened.decided = malformed(registry, "not a JSON object");
    return opened;
}

ApiError first_error(const Poco::JSON::Object::Ptr& json) {
    if (!json) return {};
    const auto errors = json->getArray("errors");
    if (!errors || errors->size() == 0) return {};
    const auto error = errors->getObject(0);
    if (!error) return {};
    const auto text = [&](const char* key) {
        const auto value = error->get(key);
        return value.isString() ? value.toString() : std::string();
    };
    return {text("code"), text("message")};
}

}  // namespace vikno::rest
