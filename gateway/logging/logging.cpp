#include "logging/logging.h"

#include <vikno/masking.h>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace vikno::gateway {
namespace {

class ScrubbingSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit ScrubbingSink(spdlog::sink_ptr inner) : inner_(std::move(inner)) {}

protected:
    void sink_it_(const spdlog::details::log_msg& message) override {
        const std::string scrubbed = masking::scrub(std::string_view(message.payload.data(), message.payload.size()));
        spdlog::details::log_msg copy(message);
        copy.payload = scrubbed;
        inner_->log(copy);
    }
    void flush_() override { inner_->flush(); }
    // The inner sink writes the line, so it is the one that needs the pattern.
    void set_pattern_(const std::string& pattern) override { inner_->set_pattern(pattern); }
    void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override {
        inner_->set_formatter(std::move(formatter));
    }

private:
    spdlog::sink_ptr inner_;
};

}  // namespace

void setup_logging(const LogConfig& config, const std::string& config_source) {
    spdlog::sink_ptr inner;
    if (config.file.empty()) {
        inner = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else {
        try {
            inner = std::make_shared<spdlog::sinks::basic_file_sink_mt>(config.file);
        } catch (const spdlog::spdlog_ex& e) {
            throw ConfigError(config_source + ": log.file: cannot open '" + config.file + "': " + e.what());
        }
    }
    auto logger = std::make_shared<spdlog::logger>("vikno", std::make_shared<ScrubbingSink>(inner));
    logger->set_level(spdlog::level::from_str(config.level));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%t] %v");
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

}  // namespace vikno::gateway
