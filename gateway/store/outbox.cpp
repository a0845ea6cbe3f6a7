#include "store/outbox.h"

#include <vikno/case_json.h>

namespace vikno::gateway {

void attach_submission(OutboxItem& item, const std::string& stored) {
    auto parsed = parse_submitted_case(stored);
    if (!parsed) return;
    auto taken = std::make_shared<Case>(std::move(parsed).value());
    taken->id = item.case_id;
    item.submission = std::move(taken);
}

}  // namespace vikno::gateway
