// The case JSON a CNAP back-end submits: never a crash, always a case or field errors.
#include <vikno/case_json.h>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto parsed = vikno::parse_submitted_case(text);
    if (parsed) (void)vikno::case_to_json(parsed.value());
    return 0;
}
