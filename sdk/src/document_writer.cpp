#include "json_string.h"

#include <vikno/document_writer.h>

namespace vikno {

DocumentWriter& DocumentWriter::put(std::string_view key, std::string value_json) {
    for (auto& [name, value] : fields_) {
        if (name == key) {
            value = std::move(value_json);
            return *this;
        }
    }
    fields_.emplace_back(std::string(key), std::move(value_json));
    return *this;
}

DocumentWriter& DocumentWriter::text(std::string_view key, std::string_view value) {
    std::string quoted;
    quoted.reserve(value.size() + 2);
    append_json_string(quoted, value);
    return put(key, std::move(quoted));
}

DocumentWriter& DocumentWriter::integer(std::string_view key, std::int64_t value) {
    return put(key, std::to_string(value));
}

DocumentWriter& DocumentWriter::boolean(std::string_view key, bool value) { return put(key, value ? "true" : "false"); }

DocumentWriter& DocumentWriter::texts(std::string_view key, const std::vector<std::string>& values) {
    std::string list = "[";
    for (const auto& value : values) {
        if (list.size() > 1) list += ',';
        append_json_string(list, value);
    }
    list += ']';
    return put(key, std::move(list));
}

DocumentWriter& DocumentWriter::object(std::string_view key, const DocumentWriter& inner) {
    return put(key, inner.json());
}

DocumentWriter& DocumentWriter::objects(std::string_view key, const std::vector<DocumentWriter>& items) {
    std::string list = "[";
    for (const auto& item : items) {
        if (list.size() > 1) list += ',';
        list += item.json();
    }
    list += ']';
    return put(key, std::move(list));
}

DocumentWriter& DocumentWriter::json_value(std::string_view key, std::string value_json) {
    return put(key, std::move(value_json));
}

std::string DocumentWriter::json() const {
    std::string out = "{";
    for (const auto& [key, value] : fields_) {
        if (out.size() > 1) out += ',';
        append_json_string(out, key);
        out += ':';
        out += value;
    }
    out += '}';
    return out;
}

}  // namespace vikno
