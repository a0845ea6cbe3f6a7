#include <vikno/xml_schema.h>

#include <libxml/xmlschemas.h>

#include <cstdarg>
#include <cstdio>

namespace vikno::xml {
namespace {

constexpr std::size_t kMaxReportedErrors = 5;

// Collects libxml2's structured errors ("line N: message") during one load or validation.
struct ErrorSink {
    std::vector<std::string> messages;

    static void collect(void* self, xmlErrorPtr error) {
        auto* sink = static_cast<ErrorSink*>(self);
        if (error == nullptr || sink->messages.size() >= kMaxReportedErrors) return;
        std::string message = error->message != nullptr ? error->message : "unknown error";
        while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
        if (error->line > 0) message = "line " + std::to_string(error->line) + ": " + message;
        sink->messages.push_back(std::move(message));
    }

    std::string joined() const {
        std::string out;
        for (const auto& m : messages) {
            if (!out.empty()) out += "; ";
            out += m;
        }
        return out.empty() ? "unknown error" : out;
    }
};

Result<xmlSchemaPtr> compile(xmlSchemaParserCtxtPtr parser, const std::string& what) {
    if (parser == nullptr) {
        return Error{"schema_unreadable", "cannot read schema " + what};
    }
    ErrorSink sink;
    xmlSchemaSetParserStructuredErrors(parser, &ErrorSink::collect, &sink);
    xmlSchemaPtr schema = xmlSchemaParse(parser);
    xmlSchemaFreeParserCtxt(parser);
    if (schema == nullptr) {
        return Error{"schema_invalid", "schema " + what + " does not load: " + sink.joined()};
    }
    return schema;
}

}  // namespace

void Schema::Free::operator()(xmlSchemaPtr s) const noexcept { xmlSchemaFree(s); }

Schema::Schema(xmlSchemaPtr schema) : schema_(schema, Free{}) {}

Result<Schema> Schema::load(const std::string& path) {
    auto compiled = compile(xmlSchemaNewParserCtxt(path.c_str()), path);
    if (!compiled) return compiled.error();
    return Schema(compiled.value());
}

Result<Schema> Schema::load_all(const std::vector<std::pair<std::string, std::string>>& namespace_and_path) {
    std::string driver = R"(<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">)";
    std::string names;
    for (const auto& [ns, path] : namespace_and_path) {
        driver += R"(<xs:import namespace=")" + escape(ns) + R"(" schemaLocation=")" + escape(path) + R"("/>)";
        names += (names.empty() ? "" : ", ") + path;
    }
    driver += "</xs:schema>";
    auto compiled = compile(xmlSchemaNewMemParserCtxt(driver.data(), static_cast<int>(driver.size())), names);
    if (!compiled) return compiled.error();
    return Schema(compiled.value());
}

Result<bool> Schema::validate(const Document& document) const {
    xmlSchemaValidCtxtPtr context = xmlSchemaNewValidCtxt(schema_.get());
    if (context == nullptr) {
        return Error{"schema_invalid", "cannot create a validation context"};
    }
    ErrorSink sink;
    xmlSchemaSetValidStructuredErrors(context, &ErrorSink::collect, &sink);
    const int rc = xmlSchemaValidateDoc(context, document.get());
    xmlSchemaFreeValidCtxt(context);
    if (rc != 0) {
        return Error{"schema_violation", sink.joined()};
    }
    return true;
}

}  // namespace vikno::xml
