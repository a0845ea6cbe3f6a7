#pragma once
// The part of reading a REST registry's JSON answer that is the same for every registry, as
// soap::open_answer is for SOAP: a 5xx is "unavailable" (retry), a body that is not a JSON object
// is "malformed" (retry), and the registry's error list is read safely (missing, empty, or a
// first entry that is not an object give an empty error). What remains for the plugin is the
// meaning of the object and of each status.

#include <vikno/answer_words.h>
#include <vikno/exchange.h>
#include <vikno/plugin.h>

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>

namespace vikno::rest {

using vikno::malformed;
using vikno::RegistryName;
using vikno::unavailable;

struct JsonAnswer {
    Poco::JSON::Object::Ptr json;           ///< set when the plugin should read the answer
    std::optional<Interpretation> decided;  ///< set when the answer already decides the case
};

/// HTTP 5xx: Retry ("unavailable"); not a JSON object: Retry ("malformed"). Otherwise the object.
JsonAnswer open_json_answer(const RegistryAnswer& answer, const RegistryName& registry);

struct ApiError {
    std::string code;
    std::string message;
};

/// The first entry of `{"errors": [{"code": ..., "message": ...}]}`, or an empty one.
ApiError first_error(const Poco::JSON::Object::Ptr& json);

/// A value of a parsed answer as compact JSON text, to copy it into the outcome document as the
/// registry wrote it (DocumentWriter::json_value).
std::string json_text_of(const Poco::Dynamic::Var& value);

}  // namespace vikno::rest
