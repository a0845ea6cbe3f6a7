#pragma once
// Safe XML for registry messages: parsing with no network, no DTD (so no external entities and no
// entity expansion), bounded size and depth; XPath extraction; a small escaping writer.

#include <vikno/result.h>

#include <libxml/tree.h>
#include <libxml/xpath.h>

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vikno::xml {

struct ParseLimits {
    std::size_t max_bytes = 4U * 1024U * 1024U;
    int max_depth = 64;
};

/// A parsed document. Owns the libxml2 tree; movable, not copyable; one thread at a time.
class Document {
public:
    explicit Document(xmlDocPtr doc);
    Document(Document&&) noexcept = default;
    Document& operator=(Document&&) noexcept = default;
    ~Document();

    xmlDocPtr get() const noexcept { return doc_.get(); }
    xmlNodePtr root() const noexcept;

    /// Makes `prefix` usable in XPath expressions for namespace `uri`.
    void bind(const std::string& prefix, const std::string& uri);

    /// Nodes matching `xpath`, evaluated relative to `context` (the document when null).
    std::vector<xmlNodePtr> nodes(const std::string& xpath, xmlNodePtr context = nullptr) const;
    /// Text content of the first node matching `xpath`, or nullopt when nothing matches.
    std::optional<std::string> text(const std::string& xpath, xmlNodePtr context = nullptr) const;

private:
    struct Free {
        void operator()(xmlDocPtr d) const noexcept;
        void operator()(xmlXPathContextPtr c) const noexcept;
    };
    std::unique_ptr<xmlDoc, Free> doc_;
    // One XPath context for all queries on this document (a plugin reads a dozen fields per answer);
    // created on first use, prefixes registered as they are bound.
    mutable std::unique_ptr<xmlXPathContext, Free> xpath_;
    std::map<std::string, std::string> namespaces_;
};

/// Parses untrusted XML. Refused with a clear error: over `max_bytes`, any DOCTYPE, deeper than
/// `max_depth`, not well-formed. Error codes: `xml_too_large`, `xml_doctype_forbidden`,
/// `xml_too_deep`, `xml_malformed`.
Result<Document> parse(std::string_view text, const ParseLimits& limits = {});

/// Text content of a node (concatenated text children), empty for null.
std::string node_text(xmlNodePtr node);
/// Local name and namespace URI of an element.
std::string local_name(xmlNodePtr node);
std::string namespace_uri(xmlNodePtr node);
/// Child elements only (text and comments skipped).
std::vector<xmlNodePtr> child_elements(xmlNodePtr node);
/// Serialises one element with its subtree; namespaces in scope are declared on it.
std::string serialize(xmlNodePtr node);

/// Escapes text for element content and attribute values.
std::string escape(std::string_view text);

/// Builds XML text with escaping and balanced tags:
///   Writer w; w.open("drac:Child", {{"xmlns:drac", ns}}).leaf("drac:LastName", name).close();
class Writer {
public:
    using Attributes = std::vector<std::pair<std::string, std::string>>;

    Writer& open(std::string_view qname, const Attributes& attributes = {});
    Writer& leaf(std::string_view qname, std::string_view text);
    /// Writes the leaf only when the text is not empty.
    Writer& leaf_if(std::string_view qname, std::string_view text);
    Writer& raw(std::string_view xml);
    Writer& close();
    /// The text so far; every opened element must be closed.
    std::string str() const;

private:
    std::string out_;
    std::vector<std::string> open_;
};

}  // namespace vikno::xml
