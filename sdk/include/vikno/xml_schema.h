#pragma once
// XML Schema (XSD 1.0) validation with libxml2. Schemas are trusted local files.

#include <vikno/result.h>
#include <vikno/xml.h>

#include <libxml/xmlschemas.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace vikno::xml {

class Schema {
public:
    /// Loads one schema file (its imports resolve relative to it).
    static Result<Schema> load(const std::string& path);
    /// Loads several schemas at once, one per namespace, through an in-memory driver schema that
    /// imports each. Used to validate a SOAP envelope together with the bodies it may carry.
    static Result<Schema> load_all(const std::vector<std::pair<std::string, std::string>>& namespace_and_path);

    /// Validates a parsed document. Thread-safe: each call uses its own validation context.
    /// The error lists the first problems with line numbers.
    Result<bool> validate(const Document& document) const;

private:
    struct Free {
        void operator()(xmlSchemaPtr s) const noexcept;
    };
    explicit Schema(xmlSchemaPtr schema);
    std::shared_ptr<xmlSchema> schema_;
};

}  // namespace vikno::xml
