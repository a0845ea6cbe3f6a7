#pragma once
// JSON form of the case, as the REST API and the store use it.

#include <vikno/case.h>
#include <vikno/result.h>

#include <string>
#include <string_view>

namespace vikno {

/// Parses a case as a CNAP submits it (service, office, applicant, subject, attachments) and checks
/// the common fields: required values, identifier check digits, dates. Every problem is reported,
/// each with its field path. Server-owned fields (id, status, history, outcome) are refused.
Result<Case, FieldErrors> parse_submitted_case(std::string_view json);

/// The whole case (submission plus status, history and outcome) as JSON.
Poco::JSON::Object::Ptr case_to_json(const Case& c);
/// Only the submitted part; what the store keeps as the case document.
Poco::JSON::Object::Ptr submission_to_json(const Case& c);

Poco::JSON::Object::Ptr outcome_to_json(const Outcome& outcome);
Outcome outcome_from_json(const Poco::JSON::Object::Ptr& json);
/// A plugin's outcome document (Outcome::document_json) as an object, its members in the order
/// written; null when the text is empty or not one JSON object.
Poco::JSON::Object::Ptr parse_outcome_document(std::string_view json);

/// Compact JSON text of an object, byte for byte what Poco's stringify writes, faster.
std::string to_json_text(const Poco::JSON::Object::Ptr& json);
std::string to_json_text(const Poco::JSON::Object& json);

}  // namespace vikno
