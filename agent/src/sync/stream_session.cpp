// See stream_session.hpp.
#include "sync/stream_session.hpp"

#include <atomic>
#include <thread>
#include <variant>

#include "apply/apply_session.hpp"
#include "apply/batch_writer.hpp"
#include "apply/idp_gate.hpp"
#include "apply/relation_registry.hpp"
#include "catalog/table_pattern.hpp"
#include "checkpoint/replication_origin.hpp"
#include "conflict/detector.hpp"
#include "log/event.hpp"
#include "pg/database_error.hpp"
#include "schema/source_catalog.hpp"
#include "slot/slot_watch.hpp"
#include "state/source_relations.hpp"
#include "state/table_record.hpp"
#include "state/version_keeper.hpp"
#include "stream/receive_timeout.hpp"
#include "stream/replication_connection.hpp"
#include "stream/stream_reader.hpp"
#include "sync/payload_queue.hpp"
#include "sync/pipeline_observer.hpp"
#include "sync/sequence_follower.hpp"
#include "tidemark_protocol.h"
#include "wire/parser.hpp"

namespace tidemark::sync {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The queue holds at most this much parsed payload: memory stays flat
// however far behind the target is, and a few batches' worth is all the
// applier needs to never wait on the network.
constexpr std::size_t kQueueBytes = 24u * 1024 * 1024;
constexpr std::size_t kQueueItems = 8192;
// How long a stop waits for the source transaction in flight to end.
constexpr milliseconds kStopGrace{10000};
// --once, while nothing arrives: how often the reader asks for a
// keepalive, whose position tells whether the target is reached.
constexpr milliseconds kKeepaliveRequest{250};
// How often, however busy the stream, an overdue batch is committed and
// the target's flushed WAL is read (Applier::on_tick).
constexpr milliseconds kTickInterval{200};

// Whether another tidemark pipeline keeps its state in this target
// database: another source writes into it.  (Replication origins are per
// cluster and cannot tell databases apart.)
bool other_tidemark_sources(pg::Connection& target, const std::string& pipeline) {
    pg::Result r = target.exec_params("SELECT EXISTS (SELECT 1 FROM tidemark.pipelines WHERE name <> $1)", {pipeline},
                                      "while looking for other tidemark sources writing into the target");
    return r.value(0, 0) == "t";
}

// The reader thread's work.  Everything it learns goes through the queue,
// in stream order, errors included.
void read_stream(stream::StreamReader& reader, PayloadQueue& queue, const std::atomic<std::uint64_t>& durable,
                 bool request_keepalives, std::stop_token stop, PipelineObserver* observer) {
    pg::Lsn confirmed = reader.confirmed_flush();
    auto feedback = [&](bool reply_requested) {
        pg::Lsn d(durable.load());
        reader.send_feedback(std::max(reader.received(), d), d, d, reply_requested);
        confirmed = std::max(confirmed, d);
    };
    auto deliver = [&](QueueItem& item) {
        // While the applier is behind, the walsender must still hear from
        // us or it ends the connection (wal_sender_timeout).
        while (!queue.push(item, milliseconds(1000))) {
            if (stop.stop_requested() || queue.closed()) return;
            feedback(false);
        }
    };
    try {
        auto last_request = Clock::now();
        while (!stop.stop_requested()) {
            if (pg::Lsn(durable.load()) > confirmed) feedback(false);
            auto event = reader.read(milliseconds(100));
            if (!event) {
                if (request_keepalives && Clock::now() - last_request >= kKeepaliveRequest) {
                    feedback(true);
                    last_request = Clock::now();
                }
                continue;
            }
            if (auto* x = std::get_if<stream::XLogData>(&*event)) {
                if (observer) observer->server_end(x->wal_end);
                auto payload = std::make_shared<apply::Payload>();
                payload->wal_end = x->wal_end;
                std::size_t offset = x->payload_offset;
                payload->buffer = std::move(x->buffer);
                payload->messages = wire::parse_all(payload->buffer.view().substr(offset));
                QueueItem item{QueueItem::Kind::payload, std::move(payload), {}, {}};
                deliver(item);
            } else if (auto* k = std::get_if<stream::Keepalive>(&*event)) {
                if (observer) observer->server_end(k->wal_end);
                // A keepalive carries no data: when the queue is full the
                // next one will do.
                QueueItem item{QueueItem::Kind::keepalive, nullptr, k->wal_end, {}};
                queue.push(item, milliseconds(0));
            } else {
                QueueItem item{QueueItem::Kind::end, nullptr, {}, {}};
                deliver(item);
                return;
            }
        }
    } catch (...) {
        QueueItem item{QueueItem::Kind::error, nullptr, {}, std::current_exception()};
        deliver(item);
    }
}

StreamOutcome apply_queue(apply::Applier& applier, PayloadQueue& queue, std::atomic<std::uint64_t>& durable,
                          std::atomic<long long>& applied_transactions, const std::optional<pg::Lsn>& catch_up,
                          std::stop_token stop, state::VersionKeeper& versions, PipelineObserver* observer) {
    // The queue's fill is sampled for the metrics once a second, not per item.
    auto next_queue_sample = Clock::now();
    auto publish = [&] {
        if (observer) {
            observer->after_apply(applier.counters(), applier.durable());
            if (auto now = Clock::now(); now >= next_queue_sample) {
                observer->queue(queue.stats());
                next_queue_sample = now + std::chrono::seconds(1);
            }
        }
        // What the reader confirms: durable, and not past the rollback
        // window's floor (state/version_schedule.hpp).
        versions.after_apply(applier.counters().transactions, applier.durable());
        durable.store(versions.confirmable(applier.durable()).value());
        // The slot watch's heartbeats arrive as transactions carrying one
        // tidemark message: they must not count as the source being busy.
        const auto& c = applier.counters();
        applied_transactions.store(c.transactions - c.watermarks);
    };
    auto reached = [&](pg::Lsn position) {
        return catch_up && position >= *catch_up && !applier.in_source_transaction();
    };
    auto finish = [&](StreamEnd end) {
        applier.commit_now();
        publish();
        return StreamOutcome{end, applier.durable()};
    };
    std::optional<Clock::time_point> stop_deadline;
    auto next_tick = Clock::now();
    for (;;) {
        auto now = Clock::now();
        if (now >= next_tick) {
            applier.on_tick(now);
            publish();
            next_tick = now + kTickInterval;
        }
        if (stop.stop_requested()) {
            if (!stop_deadline) stop_deadline = now + kStopGrace;
            if (!applier.in_source_transaction()) return finish(StreamEnd::stopped);
            if (now >= *stop_deadline) {
                log::warn(
                    "stopping inside a source transaction; it is rolled back on the target and will be "
                    "streamed again next time");
                applier.abandon();
                return StreamOutcome{StreamEnd::stopped, applier.durable()};
            }
        }
        milliseconds wait(100);
        if (auto d = applier.deadline()) {
            auto left = std::chrono::duration_cast<milliseconds>(*d - now);
            wait = std::clamp(left, milliseconds(0), wait);
        }
        auto item = queue.pop(wait);
        if (!item) {
            next_tick = Clock::now();
            continue;
        }
        switch (item->kind) {
            case QueueItem::Kind::payload:
                applier.process(item->payload);
                publish();
                if (reached(applier.last_seen_end())) return finish(StreamEnd::caught_up);
                break;
            case QueueItem::Kind::keepalive:
                applier.on_keepalive(item->wal_end);
                publish();
                if (reached(item->wal_end)) return finish(StreamEnd::caught_up);
                break;
            case QueueItem::Kind::end:
                throw pg::DatabaseError(std::string(pg::kConnectionFailure), "the source ended the replication stream",
                                        "", "", "while streaming changes", true);
            case QueueItem::Kind::error:
                std::rethrow_exception(item->error);
        }
    }
}

}  // namespace

StreamOutcome stream_changes(const config::Config& config, const state::PipelineRecord& pipeline,
                             pg::Lsn fallback_start, const std::optional<pg::Lsn>& catch_up, std::stop_token stop,
                             apply::ApplyCounters& applied, PipelineObserver* observer, AbandonedSessions& abandoned) {
    fence_abandoned_sessions(config, pipeline, abandoned);
    checkpoint::ReplicationOrigin origin(pipeline.origin_name);
    auto repl = stream::ReplicationConnection::connect(config.source.conninfo, "tidemark");
    abandoned.walsender_pid = repl.connection().backend_pid();
    std::string encoding = repl.connection().parameter_status("server_encoding");
    apply::ApplySession session = apply::ApplySession::open(config.target.conninfo, origin, {encoding});
    abandoned.apply_pid = session.connection().backend_pid();
    pg::Lsn start = origin.progress(session.connection()).value_or(fallback_start);

    // A network path that went quiet must hold neither the stream nor the
    // short source sessions (catalog reads, slot watch, sequence copies).
    stream::ReceiveTimeout silence = stream::fit_receive_timeout(repl.connection(), config.source.receive_timeout);
    if (silence.note) log::info(*silence.note, {{"pipeline", pipeline.name}});

    schema::SourceCatalog source_catalog(config.source.conninfo, config.source.receive_timeout);
    schema::TargetTypes target_types(config.target.conninfo, source_catalog);
    apply::RelationRegistry registry({config.target.create_tables, config.sync.auto_add_columns},
                                     apply::IdpGate(state::load_tables(session.connection(), pipeline.name)),
                                     state::SourceRelations::load(session.connection(), pipeline.name),
                                     source_catalog, target_types);
    // A [conflicts] or [late_data] section turns detection on; without
    // them nothing is probed and the apply path is unchanged.
    std::optional<conflict::Detector> detector;
    if (config.conflicts || config.late_data) {
        conflict::Policy policy(config, pipeline.name, pipeline.origin_name);
        policy.use_commit_time_steps(other_tidemark_sources(session.connection(), pipeline.name));
        if (policy.commit_time_steps())
            log::info("another tidemark source writes into this target: commit times compare by steps of "
                      "[conflicts] commit_time_resolution",
                      {{"resolution_us", std::to_string(policy.commit_time_resolution())}});
        detector.emplace(pipeline.name, std::move(policy));
    }
    apply::ApplierSettings applier_settings{static_cast<std::size_t>(config.sync.batch_size),
                                            config.sync.max_batch_latency};
    if (detector) {
        if (detector->policy().commit_time_steps())
            applier_settings.commit_time_step = detector->policy().commit_time_resolution();
        detector->arm_existing_tables(session.connection(),
                                      catalog::TableFilter(config.source.include, config.source.exclude));
    }
    apply::BatchWriter writer(session,
                              {pipeline.name, config.sync.on_error,
                               config.sync.auto_add_columns ? &target_types : nullptr},
                              std::move(detector));
    apply::Applier applier(session, registry, writer, applier_settings, start);

    stream::StreamOptions options;
    options.binary = config.sync.binary;
    options.include = config.source.include;
    options.exclude = config.source.exclude;
    options.messages = {TM_WATERMARK_PREFIX};
    // The copy moves a partitioned table through its root, and the gate
    // knows the root: changes must arrive under the root's name too.
    options.publish_via_root = true;
    // The copy never reads schema tidemark; neither does the stream. Where
    // the source is itself a tidemark target (two databases replicating to
    // each other), that schema holds the other agent's state, which must
    // not land in this target's.
    options.exclude.push_back("tidemark.*");
    // "none": the source's transactions that carry a replication origin
    // (rows another agent or a subscription applied there) are not sent,
    // so two databases replicating to each other do not echo changes back.
    if (config.source.origin == config::OriginFilter::none) options.origin = "none";
    state::VersionKeeper versions(session.connection(), pipeline.name, config.state);
    stream::StreamReaderSettings reader_settings;
    reader_settings.initial_flush = versions.confirmable(start);
    reader_settings.receive_timeout = silence.value;
    auto reader = stream::StreamReader::start(std::move(repl), pipeline.slot_name, start, options, reader_settings);
    log::info("streaming changes", {{"pipeline", pipeline.name},
                                    {"slot", pipeline.slot_name},
                                    {"from", start.to_string()},
                                    {"until", catch_up ? catch_up->to_string() : std::string("stopped")}});

    PayloadQueue queue(kQueueBytes, kQueueItems);
    std::atomic<std::uint64_t> durable{versions.confirmable(start).value()};
    std::atomic<long long> applied_transactions{0};
    slot::SlotWatch::UsageListener on_usage;
    if (observer) on_usage = [observer](std::int64_t retained) { observer->slot_retained(retained); };
    slot::SlotWatch watch(config, pipeline.slot_name, applied_transactions, std::move(on_usage));
    // --once copies the sequences when it has caught up; a stream without
    // end keeps them current instead.
    std::optional<SequenceFollower> sequences;
    if (!catch_up && config.sync.sequence_interval.count() > 0) sequences.emplace(config);
    if (observer) observer->session_started(start);
    std::stop_source reader_stop;
    std::thread thread(read_stream, std::ref(reader), std::ref(queue), std::cref(durable), catch_up.has_value(),
                       reader_stop.get_token(), observer);
    auto join_reader = [&] {
        reader_stop.request_stop();
        queue.close();
        if (thread.joinable()) thread.join();
    };

    StreamOutcome outcome;
    try {
        outcome = apply_queue(applier, queue, durable, applied_transactions, catch_up, stop, versions, observer);
    } catch (...) {
        join_reader();
        applier.abandon();
        apply::merge(applied, applier.counters());
        throw;
    }
    join_reader();
    apply::merge(applied, applier.counters());
    try {
        versions.take("stream session ended", outcome.durable);
    } catch (const pg::DatabaseError& e) {
        log::warn("could not record a version of the pipeline's state at the end of the stream session",
                  {{"error", e.what()}});
    }
    // The final confirmation; closing the connection then ends the
    // walsender cleanly (libpq sends Terminate).
    const pg::Lsn confirm = versions.confirmable(outcome.durable);
    try {
        if (reader.connection().is_ok())
            reader.send_feedback(std::max(reader.received(), outcome.durable), confirm, confirm);
    } catch (const pg::DatabaseError& e) {
        log::warn("could not send the final position to the source; it is sent again on the next start",
                  {{"error", e.what()}});
    }
    log::info("stream applied", {{"applied_lsn", outcome.durable.to_string()},
                                 {"transactions", std::to_string(applier.counters().transactions)},
                                 {"skipped_already_copied", std::to_string(applier.counters().skipped_by_gate)}});
    abandoned = {};
    return outcome;
}

}  // namespace tidemark::sync
