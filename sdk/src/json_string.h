#pragma once
// The SDK's one JSON string writer, shared by the case serialiser and DocumentWriter (private).

#include <string>
#include <string_view>

namespace vikno {

/// Appends `text` as a JSON string, escaped as Poco's Stringifier escapes it: ", \ and the control
/// characters; every other byte, '/' and non-ASCII included, as it is.
void append_json_string(std::string& out, std::string_view text);

}  // namespace vikno
