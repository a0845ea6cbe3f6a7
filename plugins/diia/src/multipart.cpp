#include "multipart.h"

namespace vikno::diia {
namespace {

// The value of `key="..."` in a Content-Disposition header line.
std::string quoted(const std::string& line, const std::string& key) {
    const auto at = line.find(key + "=\"");
    if (at == std::string::npos) return {};
    const auto start = at + key.size() + 2;
    const auto end = line.find('"', start);
    return end == std::string::npos ? std::string() : line.substr(start, end - start);
}

}  // namespace

std::string boundary_of(const std::string& content_type) {
    const auto at = content_type.find("boundary=");
    if (content_type.rfind("multipart/form-data", 0) != 0 || at == std::string::npos) return {};
    std::string boundary = content_type.substr(at + 9);
    if (const auto semicolon = boundary.find(';'); semicolon != std::string::npos) boundary.resize(semicolon);
    if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"')
        boundary = boundary.substr(1, boundary.size() - 2);
    return boundary.size() <= 70 ? boundary : std::string();
}

std::optional<std::vector<Part>> parse_multipart(const std::string& body, const std::string& boundary) {
    if (boundary.empty()) return std::nullopt;
    const std::string delimiter = "--" + boundary;
    std::vector<Part> parts;
    std::size_t pos = body.find(delimiter);
    if (pos != 0) return std::nullopt;
    while (true) {
        pos += delimiter.size();
        if (body.compare(pos, 2, "--") == 0) return parts;  // the closing delimiter
        if (body.compare(pos, 2, "\r\n") != 0) return std::nullopt;
        pos += 2;
        const auto head_end = body.find("\r\n\r\n", pos);
        if (head_end == std::string::npos) return std::nullopt;
        Part part;
        std::size_t line_start = pos;
        while (line_start < head_end) {
            auto line_end = body.find("\r\n", line_start);
            if (line_end == std::string::npos || line_end > head_end) line_end = head_end;
            const std::string line = body.substr(line_start, line_end - line_start);
            if (line.rfind("Content-Disposition:", 0) == 0) {
                part.name = quoted(line, "name");
                part.filename = quoted(line, "filename");
            } else if (line.rfind("Content-Type:", 0) == 0) {
                part.content_type = line.substr(13);
                if (!part.content_type.empty() && part.content_type.front() == ' ') part.content_type.erase(0, 1);
            }
            line_start = line_end + 2;
        }
        const auto next = body.find("\r\n" + delimiter, head_end + 4);
        if (next == std::string::npos) return std::nullopt;
        part.body = body.substr(head_end + 4, next - head_end - 4);
        parts.push_back(std::move(part));
        pos = next + 2;
        if (parts.size() > 100) return std::nullopt;
    }
}

std::string build_multipart(const std::vector<Part>& parts, const std::string& boundary) {
    std::string out;
    for (const auto& part : parts) {
        out += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part.name + "\"";
        if (!part.filename.empty()) out += "; filename=\"" + part.filename + "\"";
        out += "\r\n";
        if (!part.content_type.empty()) out += "Content-Type: " + part.content_type + "\r\n";
        out += "\r\n" + part.body + "\r\n";
    }
    return out + "--" + boundary + "--\r\n";
}

}  // namespace vikno::diia
