// Compact JSON text, byte for byte what Poco's Stringifier writes (the store's idempotency hashes and
// the audit log depend on that), without its iostream per character: serialising audit entries and
// cases through Poco was 8 % of the gateway's CPU under load (docs/performance.md).

#include "json_string.h"

#include <vikno/case_json.h>
#include <vikno/json_answer.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace vikno {

// Poco escapes ", \ and the control characters (\b \f \n \r \t by name, the rest as \u00XX); every
// other byte, '/' and non-ASCII included, is written as it is.
void append_json_string(std::string& out, std::string_view text) {
    out += '"';
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto ch = static_cast<unsigned char>(text[i]);
        if (ch >= 0x20 && ch != '"' && ch != '\\') continue;
        out.append(text, start, i - start);
        start = i + 1;
        switch (ch) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default: {
                static constexpr char kHex[] = "0123456789ABCDEF";
                out += "\\u00";
                out += kHex[ch >> 4];
                out += kHex[ch & 0x0F];
            }
        }
    }
    out.append(text, start, text.size() - start);
    out += '"';
}

namespace {

void write_value(std::string& out, const Poco::Dynamic::Var& value);

void write_object(std::string& out, const Poco::JSON::Object& object) {
    out += '{';
    bool first = true;
    std::vector<std::string> names;
    object.getNames(names);  // insertion order for objects that preserve it, as Poco writes them
    for (const auto& name : names) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, name);
        out += ':';
        write_value(out, object.get(name));
    }
    out += '}';
}

void write_array(std::string& out, const Poco::JSON::Array& array) {
    out += '[';
    for (std::size_t i = 0; i < array.size(); ++i) {
        if (i > 0) out += ',';
        write_value(out, array.get(static_cast<unsigned>(i)));
    }
    out += ']';
}

void write_value(std::string& out, const Poco::Dynamic::Var& value) {
    if (value.isEmpty()) {
        out += "null";
    } else if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
        const auto& object = value.extract<Poco::JSON::Object::Ptr>();
        if (object) {
            write_object(out, *object);
        } else {
            out += "null";
        }
    } else if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
        const auto& array = value.extract<Poco::JSON::Array::Ptr>();
        if (array) {
            write_array(out, *array);
        } else {
            out += "null";
        }
    } else if (value.type() == typeid(Poco::JSON::Array)) {
        write_array(out, value.extract<Poco::JSON::Array>());
    } else if (value.type() == typeid(Poco::JSON::Object)) {
        write_object(out, value.extract<Poco::JSON::Object>());
    } else if (value.type() == typeid(std::string)) {
        append_json_string(out, value.extract<std::string>());
    } else if (value.isString() || value.isDateTime() || value.isDate() || value.isTime() ||
               value.type() == typeid(char)) {
        append_json_string(out, value.convert<std::string>());  // quoted, as Poco quotes them
    } else {
        out += value.convert<std::string>();  // numbers and booleans as Poco converts them
    }
}

}  // namespace

std::string to_json_text(const Poco::JSON::Object& json) {
    std::string out;
    out.reserve(256);
    write_object(out, json);
    return out;
}

std::string to_json_text(const Poco::JSON::Object::Ptr& json) { return json ? to_json_text(*json) : "null"; }

std::string rest::json_text_of(const Poco::Dynamic::Var& value) {
    std::string out;
    write_value(out, value);
    return out;
}

}  // namespace vikno
