#include "audit/log_files.h"

#include "audit/audit_log.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vikno::gateway::audit {

Lines read_lines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    Lines out;
    std::size_t start = 0;
    for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
        out.lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    out.torn_bytes = text.size() - start;
    return out;
}

void for_each_line(const std::string& path, const std::function<bool(std::uint64_t, std::string_view)>& visit) {
    for_each_line_from(path, 0, 0,
                       [&](std::uint64_t seq, std::uint64_t, std::string_view line) { return visit(seq, line); });
}

void for_each_line_from(const std::string& path, std::uint64_t offset, std::uint64_t first_seq,
                        const std::function<bool(std::uint64_t, std::uint64_t, std::string_view)>& visit) {
    std::ifstream in(path, std::ios::binary);
    if (!in.seekg(static_cast<std::streamoff>(offset))) return;
    std::string pending;  // the start of a line the block before did not finish
    std::vector<char> block(1 << 20);
    std::uint64_t seq = first_seq;
    std::uint64_t line_start = offset;
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        const std::string_view text(block.data(), static_cast<std::size_t>(in.gcount()));
        std::size_t start = 0;
        for (auto end = text.find('\n'); end != std::string_view::npos; end = text.find('\n', start)) {
            bool more = true;
            if (pending.empty()) {
                more = visit(seq++, line_start, text.substr(start, end - start));
                line_start += end - start + 1;
            } else {
                pending.append(text.substr(start, end - start));
                more = visit(seq++, line_start, pending);
                line_start += pending.size() + 1;
                pending.clear();
            }
            if (!more) return;
            start = end + 1;
        }
        pending.append(text.substr(start));
    }
}

std::optional<std::string> last_complete_line(const std::string& path, bool cut_torn_tail) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return std::nullopt;
    const auto size = static_cast<std::uint64_t>(in.tellg());
    // Read backwards, a block at a time, until the newline that ends the last line and the one before it.
    std::string tail;  // the file's bytes from `from` on
    std::uint64_t from = size;
    std::optional<std::uint64_t> end;  // where the last complete line's newline is
    constexpr std::uint64_t kBlock = 64 * 1024;
    while (from > 0) {
        const std::uint64_t start = from > kBlock ? from - kBlock : 0;
        std::string block(from - start, '\0');
        in.seekg(static_cast<std::streamoff>(start));
        if (!in.read(block.data(), static_cast<std::streamsize>(block.size()))) return std::nullopt;
        tail.insert(0, block);
        from = start;
        if (!end) {
            const auto at = tail.rfind('\n');
            if (at == std::string::npos) continue;
            end = from + at;
        }
        const auto before = *end > from ? tail.rfind('\n', *end - from - 1) : std::string::npos;
        if (before != std::string::npos || from == 0) {
            const std::uint64_t line_start = before == std::string::npos ? from : from + before + 1;
            std::string line = tail.substr(line_start - from, *end - line_start);
            in.close();
            if (cut_torn_tail && *end + 1 < size) std::filesystem::resize_file(path, *end + 1);
            return line;
        }
    }
    if (cut_torn_tail && size > 0) std::filesystem::resize_file(path, 0);  // one torn line and nothing else
    return std::nullopt;
}

std::optional<std::string> line_at(const std::string& path, std::uint64_t seq) {
    std::optional<std::string> found;
    for_each_line(path, [&](std::uint64_t at, std::string_view line) {
        if (at == seq) found = std::string(line);
        return at < seq;
    });
    return found;
}

std::optional<std::string> entry_line_at(const std::string& path, std::uint64_t seq, std::uint64_t offset) {
    std::ifstream in(path, std::ios::binary);
    if (!in.seekg(static_cast<std::streamoff>(offset))) return std::nullopt;
    std::string line;
    std::vector<char> block(16 * 1024);  // an exchange's line is a few KiB: usually one read
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        const std::string_view text(block.data(), static_cast<std::size_t>(in.gcount()));
        if (const auto end = text.find('\n'); end != std::string_view::npos) {
            line.append(text.substr(0, end));
            // entry_line() begins every line with its seq.
            if (!line.starts_with("{\"seq\":" + std::to_string(seq) + ",")) return std::nullopt;
            return line;
        }
        line.append(text);
    }
    return std::nullopt;  // past the end, or a torn last line
}

std::optional<Checkpoint> parse_checkpoint(const std::string& line) {
    try {
        Poco::JSON::Parser parser;
        const auto json = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
        Checkpoint c;
        c.tree_size = json->getValue<std::uint64_t>("tree_size");
        const auto root = from_hex(json->getValue<std::string>("root"));
        if (!root) return std::nullopt;
        c.root = *root;
        c.at = json->getValue<std::string>("at");
        c.algorithm = json->getValue<std::string>("algorithm");
        c.key_id = json->getValue<std::string>("key_id");
        auto signature = crypto::base64_decode(json->getValue<std::string>("signature"));
        if (!signature) return std::nullopt;
        c.signature = signature.value();
        if (json->has("previous_size")) c.previous_size = json->getValue<std::uint64_t>("previous_size");
        if (const auto proof = json->getArray("consistency")) {
            for (std::size_t i = 0; i < proof->size(); ++i) {
                const auto hash = from_hex(proof->getElement<std::string>(static_cast<unsigned>(i)));
                if (!hash) return std::nullopt;
                c.consistency.push_back(*hash);
            }
        }
        return c;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string check_checkpoint_signature(const Checkpoint& checkpoint, const std::vector<crypto::Certificate>& trusted) {
    const crypto::Algorithm* algorithm = crypto::algorithm_by_name(checkpoint.algorithm);
    if (algorithm == nullptr) return "its algorithm '" + checkpoint.algorithm + "' is not accepted";
    for (const auto& certificate : trusted) {
        if (certificate.thumbprint() != checkpoint.key_id) continue;
        auto raw = crypto::from_der_signature(*algorithm, checkpoint.signature);
        if (!raw) return "its signature is not well-formed";
        // A checkpoint stays valid after the certificate expires: check the key at signing time.
        auto verified = crypto::pinned_verifier(certificate)
                            ->verify(*algorithm, checkpoint_text(checkpoint.tree_size, checkpoint.root, checkpoint.at),
                                     raw.value(), certificate.not_before() + 1);
        return verified ? std::string()
                        : "its signature does not verify with the audit key (" + verified.error().message + ")";
    }
    return "it is signed by key " + checkpoint.key_id + ", which is none of the trusted audit certificates";
}

}  // namespace vikno::gateway::audit
