#pragma once
// What a registry's answer meant for a case, as a plugin gives it to the gateway.

#include <string>

namespace vikno {

/// What the registry's answer meant, in both languages the CNAP shows.
struct Outcome {
    std::string registry_reference;  ///< the registry's number for the extract or record
    std::string message_uk;
    std::string message_en;
    /// The result document as the text of one JSON object, written with DocumentWriter
    /// (document_writer.h); empty when there is none. The gateway refuses an answer whose document
    /// is not a JSON object (the case fails, naming the plugin), so a plugin cannot store garbage.
    std::string document_json;
};

}  // namespace vikno
