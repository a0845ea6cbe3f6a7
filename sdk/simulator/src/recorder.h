#pragma once
// Writes each request and its answer to the record folder: NNNNNN-request.http and
// NNNNNN-response.http (HTTP message format), and one line per exchange in index.jsonl.

#include <vikno/sim/simulator.h>

#include <mutex>
#include <string>

namespace vikno::sim {

class Recorder {
public:
    explicit Recorder(std::string dir);
    bool enabled() const { return !dir_.empty(); }
    /// `fault` is `none`, `error`, `malformed` or `drop`; `response` is null for a dropped connection.
    void record(const Request& request, const Response* response, const Annotation& annotation,
                const std::string& fault);

private:
    std::string dir_;
    std::mutex mutex_;
    std::uint64_t sequence_ = 0;
};

}  // namespace vikno::sim
