#include "audit/entry_reading.h"

#include <vikno/xml.h>

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace vikno::gateway::audit {

Poco::JSON::Object::Ptr parse_entry(const std::string& line) {
    try {
        Poco::JSON::Parser parser;
        return parser.parse(line).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        return new Poco::JSON::Object;
    }
}

std::string entry_field(const Poco::JSON::Object::Ptr& entry, const std::string& name) {
    return entry->has(name) ? entry->get(name).toString() : "";
}

std::string entry_outcome(const Poco::JSON::Object::Ptr& entry) {
    return entry->has("outcome") ? entry_field(entry, "outcome") : entry_field(entry, "status");
}

bool EntryFilter::matches(const Poco::JSON::Object::Ptr& entry) const {
    const auto same = [&](const std::string& want, const std::string& key) {
        return want.empty() || entry_field(entry, key) == want;
    };
    if (!same(case_id, "case_id") || !same(registry, "registry") || !same(office, "office") ||
        !same(service, "service")) {
        return false;
    }
    if (!outcome.empty() && entry_outcome(entry) != outcome) return false;
    const std::string at = entry_field(entry, "at");
    return (from.empty() || at >= from) && (to.empty() || at <= to);
}

bool EntryFilter::may_match(std::string_view line) const {
    const auto plain = [](const std::string& value) {
        return std::all_of(value.begin(), value.end(), [](unsigned char ch) {
            return std::isalnum(ch) != 0 || ch == '-' || ch == '_' || ch == '.' || ch == ':';
        });
    };
    for (const std::string* wanted : {&case_id, &registry, &office, &service}) {
        if (!wanted->empty() && plain(*wanted) && line.find(*wanted) == std::string_view::npos) return false;
    }
    return true;
}

std::string readable_wire(const std::string& wire) {
    const auto split = wire.find("\r\n\r\n");
    if (split == std::string::npos) return wire;
    const std::string head = wire.substr(0, split);
    const std::string body = wire.substr(split + 4);
    std::string shown = body;
    if (auto document = xml::parse(body)) {
        xmlChar* out = nullptr;
        int size = 0;
        xmlDocDumpFormatMemoryEnc(document.value().get(), &out, &size, "UTF-8", 1);
        shown.assign(reinterpret_cast<const char*>(out), static_cast<std::size_t>(size));
        xmlFree(out);
    } else {
        try {
            Poco::JSON::Parser parser;
            std::ostringstream json;
            parser.parse(body).extract<Poco::JSON::Object::Ptr>()->stringify(json, 2);
            shown = json.str();
        } catch (const std::exception&) {}
    }
    return head + "\n\n" + shown;
}

}  // namespace vikno::gateway::audit
