#include "recorder.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/Timestamp.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace vikno::sim {
namespace {

std::string sequence_name(std::uint64_t n) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%06llu", static_cast<unsigned long long>(n));
    return buffer;
}

void write_file(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
}

}  // namespace

Recorder::Recorder(std::string dir) : dir_(std::move(dir)) {
    if (enabled()) {
        Poco::File(dir_).createDirectories();
        // Continue numbering after an earlier run into the same folder.
        std::ifstream index(dir_ + "/index.jsonl");
        std::string line;
        while (std::getline(index, line)) ++sequence_;
    }
}

void Recorder::record(const Request& request, const Response* response, const Annotation& annotation,
                      const std::string& fault) {
    if (!enabled()) return;
    std::lock_guard lock(mutex_);
    const std::string base = dir_ + "/" + sequence_name(++sequence_);

    std::ostringstream req;
    req << request.method << ' ' << request.target << " HTTP/1.1\r\n";
    for (const auto& [name, value] : request.headers) req << name << ": " << value << "\r\n";
    req << "\r\n" << request.body;
    write_file(base + "-request.http", req.str());

    if (response != nullptr) {
        std::ostringstream res;
        res << "HTTP/1.1 " << response->status << "\r\nContent-Type: " << response->content_type << "\r\n";
        for (const auto& [name, value] : response->headers) res << name << ": " << value << "\r\n";
        res << "\r\n" << response->body;
        write_file(base + "-response.http", res.str());
    }

    Poco::JSON::Object line(Poco::JSON_PRESERVE_KEY_ORDER);
    line.set("seq", sequence_);
    line.set("at", Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::ISO8601_FRAC_FORMAT));
    line.set("method", request.method);
    line.set("target", request.target);
    line.set("message_id", annotation.message_id);
    line.set("outcome", annotation.outcome);
    line.set("replay", annotation.replay);
    line.set("fault", fault);
    line.set("status", response != nullptr ? response->status : 0);
    std::ostringstream text;
    line.stringify(text);
    std::ofstream index(dir_ + "/index.jsonl", std::ios::app);
    index << text.str() << '\n';
}

}  // namespace vikno::sim
