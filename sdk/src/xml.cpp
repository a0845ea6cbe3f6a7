#include <vikno/xml.h>

#include <libxml/parser.h>
#include <libxml/xpathInternals.h>

#include <stdexcept>
#include <utility>

namespace vikno::xml {
namespace {

// Marks the context when a DOCTYPE appears and stops the parser before the internal subset (where
// entities would be declared) is read. A registry message never needs a DTD (SOAP 1.1, 3).
void refuse_doctype(void* context, const xmlChar* /*name*/, const xmlChar* /*external_id*/,
                    const xmlChar* /*system_id*/) {
    auto* parser = static_cast<xmlParserCtxtPtr>(context);
    parser->_private = parser;  // any non-null marker
    xmlStopParser(parser);
}

int depth_of(xmlNodePtr root) {
    int max_depth = 0;
    std::vector<std::pair<xmlNodePtr, int>> stack{{root, 1}};
    while (!stack.empty()) {
        auto [node, depth] = stack.back();
        stack.pop_back();
        max_depth = std::max(max_depth, depth);
        for (xmlNodePtr child = node->children; child != nullptr; child = child->next) {
            if (child->type == XML_ELEMENT_NODE) {
                stack.emplace_back(child, depth + 1);
            }
        }
    }
    return max_depth;
}

struct ParserContext {
    xmlParserCtxtPtr ptr = xmlNewParserCtxt();
    ~ParserContext() { xmlFreeParserCtxt(ptr); }
    ParserContext() = default;
    ParserContext(const ParserContext&) = delete;
    ParserContext& operator=(const ParserContext&) = delete;
};

const xmlChar* as_xml(const std::string& text) { return reinterpret_cast<const xmlChar*>(text.c_str()); }

}  // namespace

Document::Document(xmlDocPtr doc) : doc_(doc) {}
Document::~Document() = default;

void Document::Free::operator()(xmlDocPtr d) const noexcept { xmlFreeDoc(d); }
void Document::Free::operator()(xmlXPathContextPtr c) const noexcept { xmlXPathFreeContext(c); }

xmlNodePtr Document::root() const noexcept { return doc_ ? xmlDocGetRootElement(doc_.get()) : nullptr; }

void Document::bind(const std::string& prefix, const std::string& uri) {
    namespaces_[prefix] = uri;
    if (xpath_) xmlXPathRegisterNs(xpath_.get(), as_xml(prefix), as_xml(uri));
}

std::vector<xmlNodePtr> Document::nodes(const std::string& xpath, xmlNodePtr context) const {
    std::vector<xmlNodePtr> result;
    if (!xpath_) {
        xpath_.reset(xmlXPathNewContext(doc_.get()));
        if (!xpath_) return result;
        for (const auto& [prefix, uri] : namespaces_) {
            xmlXPathRegisterNs(xpath_.get(), as_xml(prefix), as_xml(uri));
        }
    }
    xpath_->node = context != nullptr ? context : reinterpret_cast<xmlNodePtr>(doc_.get());
    xmlXPathObjectPtr found = xmlXPathEvalExpression(as_xml(xpath), xpath_.get());
    if (found != nullptr && found->nodesetval != nullptr) {
        for (int i = 0; i < found->nodesetval->nodeNr; ++i) {
            result.push_back(found->nodesetval->nodeTab[i]);
        }
    }
    xmlXPathFreeObject(found);
    return result;
}

std::optional<std::string> Document::text(const std::string& xpath, xmlNodePtr context) const {
    const auto found = nodes(xpath, context);
    if (found.empty()) {
        return std::nullopt;
    }
    return node_text(found.front());
}

Result<Document> parse(std::string_view text, const ParseLimits& limits) {
    if (text.size() > limits.max_bytes) {
        return Error{"xml_too_large", "the XML document is " + std::to_string(text.size()) +
                                          " bytes, over the limit of " + std::to_string(limits.max_bytes)};
    }
    ParserContext parser;
    if (parser.ptr == nullptr) {
        return Error{"xml_malformed", "could not create an XML parser"};
    }
    parser.ptr->sax->internalSubset = refuse_doctype;
    // No network, no entity substitution, no DTD loading or defaults, no error printing to stderr.
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    xmlDocPtr doc =
        xmlCtxtReadMemory(parser.ptr, text.data(), static_cast<int>(text.size()), "message.xml", nullptr, options);
    if (parser.ptr->_private != nullptr) {
        xmlFreeDoc(doc);
        return Error{"xml_doctype_forbidden", "the XML document has a DOCTYPE; DTDs and entities are not accepted"};
    }
    if (doc == nullptr || !parser.ptr->wellFormed) {
        xmlFreeDoc(doc);
        const xmlError* error = xmlCtxtGetLastError(parser.ptr);
        std::string message = "the XML document is not well-formed";
        if (error != nullptr && error->message != nullptr) {
            message += " (line " + std::to_string(error->line) + ": " + error->message;
            while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
            message += ")";
        }
        return Error{"xml_malformed", message};
    }
    Document document(doc);
    if (document.root() == nullptr) {
        return Error{"xml_malformed", "the XML document has no root element"};
    }
    if (const int depth = depth_of(document.root()); depth > limits.max_depth) {
        return Error{"xml_too_deep", "the XML document nests " + std::to_string(depth) + " levels, over the limit of " +
                                         std::to_string(limits.max_depth)};
    }
    return document;
}

std::string node_text(xmlNodePtr node) {
    if (node == nullptr) {
        return {};
    }
    xmlChar* content = xmlNodeGetContent(node);
    std::string result = content != nullptr ? reinterpret_cast<const char*>(content) : "";
    xmlFree(content);
    return result;
}

std::string local_name(xmlNodePtr node) {
    return node != nullptr && node->name != nullptr ? reinterpret_cast<const char*>(node->name) : "";
}

std::string namespace_uri(xmlNodePtr node) {
    return node != nullptr && node->ns != nullptr && node->ns->href != nullptr
               ? reinterpret_cast<const char*>(node->ns->href)
               : "";
}

std::vector<xmlNodePtr> child_elements(xmlNodePtr node) {
    std::vector<xmlNodePtr> result;
    if (node == nullptr) return result;
    for (xmlNodePtr child = node->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) result.push_back(child);
    }
    return result;
}

std::string serialize(xmlNodePtr node) {
    if (node == nullptr) return {};
    // Copy into a document of its own so that namespaces declared on ancestors are declared here.
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr copy = xmlDocCopyNode(node, doc, 1);
    xmlDocSetRootElement(doc, copy);
    xmlReconciliateNs(doc, copy);
    xmlBufferPtr buffer = xmlBufferCreate();
    xmlNodeDump(buffer, doc, copy, 0, 0);
    std::string result(reinterpret_cast<const char*>(xmlBufferContent(buffer)),
                       static_cast<std::size_t>(xmlBufferLength(buffer)));
    xmlBufferFree(buffer);
    xmlFreeDoc(doc);
    return result;
}

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        switch (ch) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out += ch;
        }
    }
    return out;
}

Writer& Writer::open(std::string_view qname, const Attributes& attributes) {
    out_ += '<';
    out_ += qname;
    for (const auto& [name, value] : attributes) {
        out_ += ' ';
        out_ += name;
        out_ += "=\"";
        out_ += escape(value);
        out_ += '"';
    }
    out_ += '>';
    open_.emplace_back(qname);
    return *this;
}

Writer& Writer::leaf(std::string_view qname, std::string_view text) {
    out_ += '<';
    out_ += qname;
    out_ += '>';
    out_ += escape(text);
    out_ += "</";
    out_ += qname;
    out_ += '>';
    return *this;
}

Writer& Writer::leaf_if(std::string_view qname, std::string_view text) {
    return text.empty() ? *this : leaf(qname, text);
}

Writer& Writer::raw(std::string_view xml) {
    out_ += xml;
    return *this;
}

Writer& Writer::close() {
    if (open_.empty()) {
        throw std::logic_error("xml::Writer::close without an open element");
    }
    out_ += "</";
    out_ += open_.back();
    out_ += '>';
    open_.pop_back();
    return *this;
}

std::string Writer::str() const {
    if (!open_.empty()) {
        throw std::logic_error("xml::Writer: element '" + open_.back() + "' is not closed");
    }
    return out_;
}

}  // namespace vikno::xml
