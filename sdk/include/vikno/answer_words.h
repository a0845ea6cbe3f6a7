#pragma once
// How an answer that decides nothing is worded for the CNAP, the same for every registry, SOAP or
// REST: a malformed answer and an unavailable registry are both retried.

#include <vikno/plugin.h>

#include <string>

namespace vikno {

/// How the registry is named in the CNAP's messages: "Портал iGov" / "The iGov portal".
struct RegistryName {
    std::string uk;
    std::string en;
};

/// Retry: the registry sent something it should not have (`reason` says what, no personal data).
Interpretation malformed(const RegistryName& registry, const std::string& reason);
/// Retry: the registry is down or overloaded (`reason`, e.g. "HTTP 503").
Interpretation unavailable(const RegistryName& registry, const std::string& reason);

}  // namespace vikno
