#include "console/wire_masking.h"

#include "audit/entry_reading.h"

#include <vikno/masking.h>
#include <vikno/xml.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <array>
#include <sstream>

namespace vikno::gateway::console {
namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return text;
}

bool names_any(const std::string& name, std::initializer_list<const char*> words) {
    const std::string low = lower(name);
    return std::any_of(words.begin(), words.end(), [&](const char* w) { return low.find(w) != std::string::npos; });
}

void mask_xml(xmlNodePtr node) {
    for (xmlNodePtr child = node; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) {
            for (xmlAttrPtr attribute = child->properties; attribute != nullptr; attribute = attribute->next) {
                xmlChar* value = xmlNodeGetContent(reinterpret_cast<xmlNodePtr>(attribute));
                const std::string masked = masked_value(reinterpret_cast<const char*>(attribute->name),
                                                        value ? reinterpret_cast<const char*>(value) : "");
                xmlFree(value);
                xmlSetProp(child, attribute->name, reinterpret_cast<const xmlChar*>(masked.c_str()));
            }
            mask_xml(child->children);
        } else if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
            const std::string parent =
                child->parent != nullptr ? reinterpret_cast<const char*>(child->parent->name) : "";
            const std::string masked =
                masked_value(parent, child->content ? reinterpret_cast<const char*>(child->content) : "");
            xmlNodeSetContent(child, nullptr);
            xmlNodeAddContent(child, reinterpret_cast<const xmlChar*>(masked.c_str()));
        }
    }
}

Poco::Dynamic::Var mask_json(const std::string& key, const Poco::Dynamic::Var& value) {
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
        const auto object = value.extract<Poco::JSON::Object::Ptr>();
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        for (const auto& [name, member] : *object) out->set(name, mask_json(name, member));
        return out;
    }
    if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
        const auto array = value.extract<Poco::JSON::Array::Ptr>();
        Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
        for (const auto& item : *array) out->add(mask_json(key, item));
        return out;
    }
    if (value.isString()) return masked_value(key, value.extract<std::string>());
    if (value.isNumeric()) {
        // A tax number sent as a JSON number is still a tax number.
        const std::string text = value.toString();
        const std::string masked = masked_value(key, text);
        if (masked != text) return masked;
    }
    return value;
}

std::string masked_body(const std::string& body) {
    if (auto document = xml::parse(body)) {
        mask_xml(xmlDocGetRootElement(document.value().get()));
        xmlChar* out = nullptr;
        int size = 0;
        xmlDocDumpFormatMemoryEnc(document.value().get(), &out, &size, "UTF-8", 1);
        std::string text(reinterpret_cast<const char*>(out), static_cast<std::size_t>(size));
        xmlFree(out);
        return text;
    }
    try {
        Poco::JSON::Parser parser;
        const auto parsed = parser.parse(body);
        std::ostringstream json;
        const auto masked = mask_json("", parsed);
        if (masked.type() == typeid(Poco::JSON::Object::Ptr)) {
            masked.extract<Poco::JSON::Object::Ptr>()->stringify(json, 2);
        } else if (masked.type() == typeid(Poco::JSON::Array::Ptr)) {
            masked.extract<Poco::JSON::Array::Ptr>()->stringify(json, 2);
        } else {
            json << masking::scrub(body);
        }
        return json.str();
    } catch (const std::exception&) {
        return masking::scrub(body);
    }
}

}  // namespace

std::string masked_value(const std::string& name, const std::string& value) {
    if (names_any(name, {"rnokpp", "ipn", "inn", "taxpayer", "tax_number", "taxnumber"})) return masking::rnokpp(value);
    if (names_any(name, {"birth"}) && !names_any(name, {"place"})) return masking::date(value);
    // Names of people and their documents; over-masking a registry's own "name" field is the price of
    // never under-masking a person's.
    if (names_any(name, {"name", "patronymic", "surname", "given", "family", "passport", "document", "number", "phone",
                         "email", "address", "place"})) {
        return masking::name(value);
    }
    return masking::scrub(value);
}

std::string masked_wire(const std::string& wire) {
    const auto split = wire.find("\r\n\r\n");
    if (split == std::string::npos) return masked_body(wire);
    return masking::scrub(wire.substr(0, split)) + "\n\n" + masked_body(wire.substr(split + 4));
}

}  // namespace vikno::gateway::console
