// See retention_alarm.hpp.
#include "slot/retention_alarm.hpp"

namespace tidemark::slot {

RetentionVerdict RetentionAlarm::check(std::uint64_t retained) noexcept {
    if (max_ && retained > *max_) {
        // The alert says more than the warning would: no warning follows
        // when the size then drops to between the two limits.
        warned_ = true;
        return RetentionVerdict::alert;
    }
    if (retained > warn_) {
        if (warned_) return RetentionVerdict::quiet;
        warned_ = true;
        return RetentionVerdict::warn;
    }
    warned_ = false;
    return RetentionVerdict::quiet;
}

}  // namespace tidemark::slot
