// See classifier.hpp.
#include "conflict/classifier.hpp"

#include <chrono>
#include <map>

#include "conflict/last_write_wins.hpp"
#include "conflict/soft_delete.hpp"

namespace tidemark::conflict {
namespace {

using apply::ChangeKind;
using apply::EntryOp;

std::int64_t micros(std::chrono::milliseconds d) { return static_cast<std::int64_t>(d.count()) * 1000; }

bool carries(const wire::Value& v) { return v.kind != wire::ValueKind::unchanged_toast; }

bool is_key(const apply::RelationInfo& rel, std::size_t col) {
    for (std::size_t k : rel.key)
        if (k == col) return true;
    return false;
}

// Resolution of a whole-row conflict by one strategy.  Returns whether
// the change is applied.
bool resolve_row(Decision& d, ConflictRecord& rec, Strategy strategy, Winner lww) {
    rec.strategy = strategy;
    switch (strategy) {
        case Strategy::source_wins:
            rec.resolution = "source";
            return true;
        case Strategy::target_wins:
            rec.resolution = "target";
            return false;
        case Strategy::last_write_wins:
            rec.resolution = lww == Winner::source ? "source" : "target";
            return lww == Winner::source;
        case Strategy::manual_review:
            rec.resolution = "pending";
            return false;
        case Strategy::error:
            d.error = rec.kind;
            rec.resolution = "pending";
            return false;
    }
    return false;
}

}  // namespace

std::string describe_key(const apply::RelationInfo& rel, const wire::Tuple& tuple) {
    std::string out;
    for (std::size_t k : rel.key) {
        if (!out.empty()) out += ", ";
        out += rel.columns[k].name + "=";
        if (k >= tuple.size()) continue;
        const wire::Value& v = tuple[k];
        if (v.kind == wire::ValueKind::text) {
            out += std::string(v.bytes.substr(0, 100));
        } else if (v.kind == wire::ValueKind::binary &&
                   (v.bytes.size() == 2 || v.bytes.size() == 4 || v.bytes.size() == 8) &&
                   (rel.columns[k].source_type == 20 || rel.columns[k].source_type == 21 ||
                    rel.columns[k].source_type == 23)) {
            std::uint64_t n = 0;
            for (char c : v.bytes) n = (n << 8) | static_cast<unsigned char>(c);
            std::int64_t value = v.bytes.size() == 8   ? static_cast<std::int64_t>(n)
                                 : v.bytes.size() == 4 ? static_cast<std::int32_t>(n)
                                                       : static_cast<std::int16_t>(n);
            out += std::to_string(value);
        } else if (v.kind == wire::ValueKind::binary) {
            out += "(" + std::to_string(v.bytes.size()) + " bytes)";
        } else {
            out += "NULL";
        }
    }
    return out;
}

Decision classify(const apply::RelationInfo& rel, const TablePolicy& table, const Policy& policy,
                  const apply::ConflatedEntry& entry, const TargetRow& target, std::int64_t now) {
    Decision d;
    d.op = entry.op;
    const wire::Tuple& tuple = entry.tuple();
    const std::int64_t commit_time = entry.last ? entry.last->txn.commit_time : 0;
    const ChangeKind first = entry.first ? entry.first->kind : ChangeKind::update;

    // A row whose soft-delete column becomes set is a delete.
    bool soft_delete = false;
    if (table.soft_delete_column && table.soft_delete == config::SoftDeleteMode::remove && d.op != EntryOp::remove &&
        *table.soft_delete_column < tuple.size() && marks_deleted(tuple[*table.soft_delete_column]).value_or(false)) {
        d.op = EntryOp::remove;
        soft_delete = true;
    }

    // The change's time: its version when that is a valid point in time,
    // else its commit time.
    const bool version_used = table.version_column && entry.op != EntryOp::remove;
    if (version_used && !target.source_version_valid) d.invalid_version = true;
    const std::int64_t source_time = table.version_is_time && target.source_version_valid && target.source_version_time
                                         ? *target.source_version_time
                                         : commit_time;
    if (source_time > now + micros(policy.max_clock_skew()))
        d.late.push_back(LateRecord{"future", now, source_time, true});
    auto finish = [&]() -> Decision {
        for (auto& l : d.late)
            if (l.reason == "future") l.applied = d.write;
        return std::move(d);
    };

    if (!target.exists) {
        if (target.tombstone_time && d.op != EntryOp::remove) {
            if (*target.tombstone_time > source_time) {
                d.write = false;
                d.late.push_back(LateRecord{"tombstone", target.tombstone_time, source_time, false});
                return finish();
            }
            d.clear_tombstone = true;
        }
        if (d.op == EntryOp::remove) {
            d.write = false;  // nothing to delete
            d.tombstone = true;
            if (first != ChangeKind::insert && !soft_delete) {
                ConflictRecord rec{"delete_missing", {}, table.row_strategy, "none"};
                if (table.row_strategy == Strategy::manual_review) rec.resolution = "pending";
                if (table.row_strategy == Strategy::error) {
                    d.error = rec.kind;
                    rec.resolution = "pending";
                }
                d.conflicts.push_back(std::move(rec));
            }
            return finish();
        }
        // An insert, or the re-insert of a deleted key: nothing to decide.
        if (first == ChangeKind::insert && d.op == EntryOp::upsert) return finish();
        if (d.clear_tombstone && d.op == EntryOp::upsert) return finish();
        ConflictRecord rec{"update_missing", {}, table.row_strategy, ""};
        switch (table.row_strategy) {
            case Strategy::error:
                d.error = rec.kind;
                rec.resolution = "pending";
                d.write = false;
                break;
            case Strategy::target_wins:
                rec.resolution = "target";
                d.write = false;
                break;
            case Strategy::manual_review:
                rec.resolution = "pending";
                d.write = false;
                break;
            case Strategy::last_write_wins:
            case Strategy::source_wins:
                // The whole row becomes an insert; a partial one cannot.
                d.write = d.op == EntryOp::upsert;
                rec.resolution = d.write ? "source" : "pending";
                break;
        }
        d.clear_tombstone = d.clear_tombstone && d.write;
        d.conflicts.push_back(std::move(rec));
        return finish();
    }
    d.clear_tombstone = false;

    // Which write is newer: the version column when both sides have a
    // valid one, else the commit times when someone else wrote the row.
    std::optional<int> cmp;
    std::optional<std::int64_t> target_time;
    std::int64_t compared_source_time = commit_time;
    if (table.version_column && target.version_cmp) {
        cmp = target.version_cmp;
        if (table.version_is_time) {
            target_time = target.target_version_time;
            compared_source_time = source_time;
        }
    } else if (!target.ours && target.commit_time) {
        std::int64_t t = policy.commit_time_step(*target.commit_time), s = policy.commit_time_step(commit_time);
        cmp = t > s ? 1 : (t < s ? -1 : 0);
        target_time = target.commit_time;
    }
    const bool foreign =
        target.commit_time ? !target.ours : (target.matches_expected ? !*target.matches_expected : false);
    const bool target_newer = cmp && *cmp > 0;

    if (target_newer && target_time && *target_time - compared_source_time > micros(policy.tolerance())) {
        d.write = false;
        d.late.push_back(LateRecord{"late", target_time, compared_source_time, false});
        return finish();
    }
    if (!foreign && !target_newer) {
        if (d.op == EntryOp::remove) d.tombstone = true;
        return finish();
    }

    const std::string target_origin =
        foreign ? std::string(policy.writer_origin(target.origin)) : policy.origin_name();
    const Winner lww = last_write_wins(cmp, Writer{policy.rank(policy.origin_name()), policy.origin_name()},
                                       Writer{policy.rank(target_origin), target_origin});
    if (d.op == EntryOp::remove) {
        ConflictRecord rec{first == ChangeKind::insert && !soft_delete ? "insert_exists" : "delete_differs",
                           {},
                           table.row_strategy,
                           ""};
        d.write = resolve_row(d, rec, table.row_strategy, lww);
        d.tombstone = d.write;
        d.conflicts.push_back(std::move(rec));
        return finish();
    }

    // Field level: the columns the change carries, grouped by strategy.
    const std::string kind = first == ChangeKind::insert ? "insert_exists" : "update_differs";
    std::map<Strategy, std::vector<std::size_t>> groups;
    std::vector<std::size_t> carried;
    for (std::size_t i = 0; i < tuple.size() && i < rel.columns.size(); ++i) {
        if (is_key(rel, i) || !carries(tuple[i])) continue;
        carried.push_back(i);
        groups[table.column_strategy[i]].push_back(i);
    }
    std::vector<bool> take(tuple.size(), false);
    std::size_t taken = 0;
    for (auto& [strategy, cols] : groups) {
        ConflictRecord rec{kind, cols, strategy, ""};
        if (resolve_row(d, rec, strategy, lww)) {
            for (std::size_t c : cols) take[c] = true;
            taken += cols.size();
        }
        d.conflicts.push_back(std::move(rec));
    }
    if (d.conflicts.empty()) {
        // Only key columns: the row is what it will be either way.
        ConflictRecord rec{kind, {}, table.row_strategy, ""};
        resolve_row(d, rec, table.row_strategy, lww);
        d.conflicts.push_back(std::move(rec));
        d.write = false;
        return finish();
    }
    if (taken == carried.size()) return finish();
    if (taken == 0) {
        d.write = false;
        return finish();
    }
    wire::Tuple only = tuple;
    for (std::size_t i = 0; i < only.size(); ++i)
        if (!is_key(rel, i) && !take[i]) only[i] = wire::Value{wire::ValueKind::unchanged_toast, {}};
    d.columns_only = std::move(only);
    d.op = EntryOp::partial_update;
    return finish();
}

}  // namespace tidemark::conflict
