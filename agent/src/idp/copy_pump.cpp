// See copy_pump.hpp.
#include "idp/copy_pump.hpp"

#include "idp/copy_error.hpp"
#include "pg/database_error.hpp"

namespace tidemark::idp {
namespace {

constexpr std::int64_t kProgressEveryRows = 4096;
// Small against any rate allowed (32kB/s at least), large against a row.
constexpr std::uint64_t kThrottleEveryBytes = 16 * 1024;
// How long one wait for source data lasts before the stop request is
// looked at again.
constexpr std::chrono::milliseconds kPoll{500};

// Aborts the target's COPY unless the pump finished it.
class CopyInGuard {
public:
    explicit CopyInGuard(pg::Connection& target) : target_(target) {}
    ~CopyInGuard() {
        if (active_) target_.abort_copy("tidemark abandoned this chunk");
    }
    CopyInGuard(const CopyInGuard&) = delete;
    CopyInGuard& operator=(const CopyInGuard&) = delete;
    void release() noexcept { active_ = false; }

private:
    pg::Connection& target_;
    bool active_ = true;
};

}  // namespace

PumpResult pump_copy(pg::Connection& source, const std::string& copy_out, pg::Connection& target,
                     const std::string& copy_in, const PumpProgress& progress, CopyThrottle* throttle,
                     std::stop_token stop, const std::string& context) {
    pg::Result in = target.exec(copy_in, "while starting the COPY into the target " + context);
    if (in.status() != PGRES_COPY_IN)
        throw pg::DatabaseError("XX000", "the target did not enter COPY IN", "", "", context);
    CopyInGuard guard(target);
    pg::Result out = source.exec(copy_out, "while starting the COPY out of the source " + context);
    if (out.status() != PGRES_COPY_OUT)
        throw pg::DatabaseError("XX000", "the source did not enter COPY OUT", "", "", context);

    std::string read_context = "while reading COPY data from the source " + context;
    std::string write_context = "while writing COPY data to the target " + context;
    PumpResult result;
    std::int64_t pending_rows = 0;
    std::int64_t pending_bytes = 0;
    std::int64_t source_rows = -1;
    std::uint64_t unthrottled = 0;
    for (;;) {
        pg::CopyRead read = source.get_copy_data(kPoll, read_context);
        if (read.status == pg::CopyStatus::data) {
            target.put_copy_data(read.buffer.view(), write_context);
            pending_bytes += static_cast<std::int64_t>(read.buffer.size());
            if (throttle && (unthrottled += read.buffer.size()) >= kThrottleEveryBytes) {
                throttle->take(unthrottled, stop);
                unthrottled = 0;
            }
            if (++pending_rows >= kProgressEveryRows) {
                if (stop.stop_requested()) throw CopyInterrupted();
                if (progress) progress(pending_rows, pending_bytes);
                result.bytes += pending_bytes;
                pending_rows = pending_bytes = 0;
            }
        } else if (read.status == pg::CopyStatus::done) {
            source_rows = read.result.affected_rows();
            break;
        } else if (stop.stop_requested()) {
            throw CopyInterrupted();
        }
    }
    guard.release();
    pg::Result done = target.end_copy("while finishing the COPY into the target " + context);
    result.bytes += pending_bytes;
    result.rows = done.affected_rows();
    if (progress && (pending_rows || pending_bytes)) progress(pending_rows, pending_bytes);
    if (result.rows != source_rows)
        throw pg::DatabaseError("XX000",
                                "the source sent " + std::to_string(source_rows) + " rows but the target took " +
                                    std::to_string(result.rows),
                                "", "", context);
    return result;
}

}  // namespace tidemark::idp
