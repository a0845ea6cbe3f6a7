#pragma once
// The outcome document a plugin gives back (Outcome::document_json), written without any JSON
// library: fields keep the order they were set in, a key set twice keeps its first place and its
// last value.
//
//   result.outcome.document_json = DocumentWriter()
//       .text("extract_number", number)
//       .boolean("already_assigned", again)
//       .json();

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vikno {

class DocumentWriter {
public:
    DocumentWriter& text(std::string_view key, std::string_view value);
    DocumentWriter& integer(std::string_view key, std::int64_t value);
    DocumentWriter& boolean(std::string_view key, bool value);
    DocumentWriter& texts(std::string_view key, const std::vector<std::string>& values);
    DocumentWriter& object(std::string_view key, const DocumentWriter& inner);
    DocumentWriter& objects(std::string_view key, const std::vector<DocumentWriter>& items);
    /// A value that is JSON text already (e.g. copied from a registry's JSON answer). The gateway
    /// checks the whole document; a value that is not JSON fails the case.
    DocumentWriter& json_value(std::string_view key, std::string value_json);

    bool empty() const noexcept { return fields_.empty(); }
    /// The document: one JSON object, compact.
    std::string json() const;

private:
    DocumentWriter& put(std::string_view key, std::string value_json);

    std::vector<std::pair<std::string, std::string>> fields_;  // key, value as JSON text
};

}  // namespace vikno
