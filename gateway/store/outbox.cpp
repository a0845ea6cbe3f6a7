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

OutboxItem claimed_at_submission(const Case& c, const std::string& message_id, const std::string& stored) {
    OutboxItem item{c.id, message_id, 0, c.service, {}};
    attach_submission(item, stored);
    return item;
}

}  // namespace vikno::gateway
