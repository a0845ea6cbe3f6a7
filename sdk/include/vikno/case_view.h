#pragma once
// What a plugin reads of a case (plugin interface version 6): the application as the CNAP
// submitted it, and nothing of the gateway's bookkeeping (status, history, times, idempotency key,
// callback address). Built by the gateway from its Case; no Poco type is part of it, so a plugin is
// tied neither to the gateway's model nor to its JSON library.

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vikno {

struct Office {
    std::string id;           ///< the CNAP office, e.g. `vinnytsia-po-01`
    std::string operator_id;  ///< the administrator who took the application
};

struct IdentityDocument {
    std::string type;  ///< `passport` (2 Cyrillic capitals + 6 digits) or `id_card` (9 digits)
    std::string number;
};

struct Applicant {
    std::string rnokpp;  ///< taxpayer card number, 10 digits; may be empty for those who refused it
    std::string last_name;
    std::string first_name;
    std::string patronymic;
    std::string birth_date;  ///< YYYY-MM-DD
    std::optional<IdentityDocument> document;
};

struct Attachment {
    std::string name;
    std::string media_type;
    std::string content_base64;
};

struct Case;

/// A read-only picture of a case for a plugin. The service's own fields (`subject`) are read by
/// dotted path: `child.last_name` inside objects, `files.0.hash` inside lists.
struct CaseView {
    std::string id;       ///< the gateway's case id, e.g. to quote as the registry's correlation number
    std::string service;  ///< a service code of the plugin, e.g. `drac.birth-extract`
    Office office;
    Applicant applicant;
    std::vector<Attachment> attachments;

    CaseView() = default;
    /// The view of a gateway case (implicit, so that a test or the gateway passes its Case).
    CaseView(const Case& c);  // NOLINT(google-explicit-constructor)

    /// The text at a dotted path inside the subject, or nullopt when the path is absent, null or not
    /// a scalar. Numbers and booleans are returned as their JSON text (`3`, `true`).
    std::optional<std::string> subject_text(std::string_view dotted_path) const;
    /// True when the dotted path names an object inside the subject.
    bool subject_has_object(std::string_view dotted_path) const;
    /// The number of items when the dotted path names a list inside the subject, else nullopt.
    std::optional<std::size_t> subject_count(std::string_view dotted_path) const;

    /// For tests and for building a view by hand: sets a scalar, marks an object, or a list's size.
    void set_subject_text(std::string dotted_path, std::string text);
    void set_subject_object(std::string dotted_path);
    void set_subject_count(std::string dotted_path, std::size_t count);

private:
    std::map<std::string, std::string, std::less<>> texts_;
    std::set<std::string, std::less<>> objects_;
    std::map<std::string, std::size_t, std::less<>> counts_;
};

}  // namespace vikno
