#include "console/quality.h"

#include <vikno/case_json.h>
#include <vikno/masking.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <functional>
#include <sstream>

namespace vikno::gateway::console {
namespace {

constexpr std::size_t kReasonLength = 160;

std::string utc_day(std::int64_t epoch_ms) {
    const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
    return text;
}

// A note is the gateway's or a plugin's text, never meant to hold personal data; scrubbed all the
// same, because a figure page is the last place one should surface.
std::string reason_of(const std::string& note) {
    std::string reason = masking::scrub(note.empty() ? "(no reason given)" : note);
    if (reason.size() > kReasonLength) {
        std::size_t cut = kReasonLength;  // not inside a character: reasons are mostly Ukrainian
        while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0U) == 0x80U) --cut;
        reason = reason.substr(0, cut) + "...";
    }
    return reason;
}

class Groups {
public:
    void add(const std::string& key, const CaseRow& row) {
        auto& g = groups_[key];
        g.group.key = key;
        ++g.group.cases;
        const std::string& s = row.status;
        if (s == "completed" || s == "partly_completed") {
            ++g.group.completed;
        } else if (s == "rejected") {
            ++g.group.rejected;
            ++g.group.reasons[reason_of(row.last_note)];
        } else if (s == "failed") {
            ++g.group.failed;
            ++g.group.reasons[reason_of(row.last_note)];
        } else if (s == "cancelled") {
            ++g.group.cancelled;
        } else {
            ++g.group.in_progress;
            return;
        }
        g.durations.push_back(std::max<std::int64_t>(0, row.updated_ms - row.created_ms));
    }

    std::vector<QualityGroup> finish() {
        std::vector<QualityGroup> out;
        for (auto& [key, g] : groups_) {
            std::sort(g.durations.begin(), g.durations.end());
            g.group.median_ms = percentile(g.durations, 0.5);
            g.group.p90_ms = percentile(g.durations, 0.9);
            out.push_back(std::move(g.group));
        }
        // The busiest first: what a supervisor looks at.
        std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.cases > b.cases; });
        return out;
    }

private:
    struct Entry {
        QualityGroup group;
        std::vector<std::int64_t> durations;
    };
    std::map<std::string, Entry> groups_;
};

Poco::JSON::Array::Ptr groups_json(const std::vector<QualityGroup>& groups) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& g : groups) {
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        item->set("key", g.key);
        item->set("cases", g.cases);
        item->set("completed", g.completed);
        item->set("rejected", g.rejected);
        item->set("failed", g.failed);
        item->set("cancelled", g.cancelled);
        item->set("in_progress", g.in_progress);
        if (g.median_ms) item->set("median_ms", *g.median_ms);
        if (g.p90_ms) item->set("p90_ms", *g.p90_ms);
        Poco::JSON::Array::Ptr reasons = new Poco::JSON::Array;
        for (const auto& [reason, count] : g.reasons) {
            Poco::JSON::Object::Ptr r = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            r->set("reason", reason);
            r->set("count", count);
            reasons->add(r);
        }
        item->set("reasons", reasons);
        array->add(item);
    }
    return array;
}

std::string csv_field(const std::string& text) {
    // Quoted always, quotes doubled (RFC 4180); a leading = + - @ is defused so that a spreadsheet
    // does not run a reason as a formula.
    std::string out = "\"";
    if (!text.empty() && std::string("=+-@").find(text[0]) != std::string::npos) out += '\'';
    for (const char ch : text) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}

std::string optional_number(const std::optional<std::int64_t>& value) {
    return value ? std::to_string(*value) : std::string();
}

}  // namespace

std::optional<std::int64_t> percentile(const std::vector<std::int64_t>& sorted, double p) {
    if (sorted.empty()) return std::nullopt;
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    return sorted[std::min(sorted.size(), std::max<std::size_t>(rank, 1)) - 1];
}

QualityReport quality_report(const std::vector<CaseRow>& rows, bool truncated) {
    QualityReport report;
    report.cases = static_cast<std::int64_t>(rows.size());
    report.truncated = truncated;
    Groups offices;
    Groups operators;
    Groups services;
    std::map<std::string, std::int64_t> days;
    for (const auto& row : rows) {
        offices.add(row.office, row);
        operators.add(row.operator_id.empty() ? "(none)" : row.office + " / " + row.operator_id, row);
        services.add(row.service, row);
        ++days[utc_day(row.created_ms)];
    }
    report.per_day.assign(days.begin(), days.end());
    report.offices = offices.finish();
    report.operators = operators.finish();
    report.services = services.finish();
    return report;
}

std::string quality_json(const QualityReport& report) {
    Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
    json.set("cases", report.cases);
    json.set("truncated", report.truncated);
    Poco::JSON::Array::Ptr days = new Poco::JSON::Array;
    for (const auto& [day, count] : report.per_day) {
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        item->set("day", day);
        item->set("cases", count);
        days->add(item);
    }
    json.set("per_day", days);
    json.set("offices", groups_json(report.offices));
    json.set("operators", groups_json(report.operators));
    json.set("services", groups_json(report.services));
    return to_json_text(json);
}

std::string quality_csv(const QualityReport& report) {
    std::ostringstream out;
    out << "group,key,cases,completed,rejected,failed,cancelled,in_progress,median_ms,p90_ms,reasons\r\n";
    const auto groups = [&](const char* name, const std::vector<QualityGroup>& list) {
        for (const auto& g : list) {
            std::string reasons;
            for (const auto& [reason, count] : g.reasons) {
                reasons += (reasons.empty() ? "" : "; ") + reason + " (" + std::to_string(count) + ")";
            }
            out << name << ',' << csv_field(g.key) << ',' << g.cases << ',' << g.completed << ',' << g.rejected << ','
                << g.failed << ',' << g.cancelled << ',' << g.in_progress << ',' << optional_number(g.median_ms) << ','
                << optional_number(g.p90_ms) << ',' << csv_field(reasons) << "\r\n";
        }
    };
    groups("office", report.offices);
    groups("operator", report.operators);
    groups("service", report.services);
    for (const auto& [day, count] : report.per_day) out << "day," << csv_field(day) << ',' << count << ",,,,,,,,\r\n";
    return out.str();
}

}  // namespace vikno::gateway::console
