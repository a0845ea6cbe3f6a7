#pragma once
// Reading audit entries as a person does, shared by `vikno audit` and the web console: the entry's
// fields, the filters of `vikno audit list`, and wire bytes laid out for reading.

#include <Poco/JSON/Object.h>

#include <string>
#include <string_view>

namespace vikno::gateway::audit {

/// One line of entries.jsonl; an empty object when the line is not JSON (the verifier names it).
Poco::JSON::Object::Ptr parse_entry(const std::string& line);
/// A member as text; empty when absent.
std::string entry_field(const Poco::JSON::Object::Ptr& entry, const std::string& name);
/// An exchange's outcome, or a case event's status.
std::string entry_outcome(const Poco::JSON::Object::Ptr& entry);

/// `vikno audit list`'s filters; an empty one does not filter. Times are RFC 3339 UTC, compared as
/// text (the log writes them in one fixed format).
struct EntryFilter {
    std::string case_id;
    std::string registry;
    std::string office;
    std::string service;
    std::string outcome;
    std::string from;
    std::string to;

    bool matches(const Poco::JSON::Object::Ptr& entry) const;
    /// False only when the entry's line cannot match (a wanted id, registry, office or service is
    /// nowhere in it): a cheap test before parsing, so that reading a large log for one case parses
    /// that case's entries only. A value JSON could escape is not tested here.
    bool may_match(std::string_view line) const;
};

/// Wire bytes for a reader: the HTTP head as it is, an XML or JSON body indented.
std::string readable_wire(const std::string& wire);

}  // namespace vikno::gateway::audit
