#pragma once
// multipart/form-data bodies (RFC 7578), as Diia posts documents and signatures back.

#include <optional>
#include <string>
#include <vector>

namespace vikno::diia {

struct Part {
    std::string name;
    std::string filename;
    std::string content_type;
    std::string body;
};

/// The boundary parameter of a multipart Content-Type, or empty.
std::string boundary_of(const std::string& content_type);
/// The parts; nullopt when the body is not a well-formed multipart body with this boundary.
std::optional<std::vector<Part>> parse_multipart(const std::string& body, const std::string& boundary);
/// A multipart body of `parts` with `boundary` (the simulator's callback).
std::string build_multipart(const std::vector<Part>& parts, const std::string& boundary);

}  // namespace vikno::diia
