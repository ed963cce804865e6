// See conflation.hpp.
#include "apply/conflation.hpp"

namespace tidemark::apply {
namespace {

bool has_unchanged(const wire::Tuple& t) {
    for (const auto& v : t)
        if (v.kind == wire::ValueKind::unchanged_toast) return true;
    return false;
}

// `newer` over `older`: columns the newer change left unchanged keep the
// older value (which may itself be unchanged).
wire::Tuple overlay(const wire::Tuple& older, const wire::Tuple& newer) {
    wire::Tuple out = newer;
    for (std::size_t i = 0; i < out.size() && i < older.size(); ++i)
        if (out[i].kind == wire::ValueKind::unchanged_toast) out[i] = older[i];
    return out;
}

}  // namespace

std::optional<std::string> key_bytes(const RelationInfo& relation, const wire::Tuple& tuple) {
    std::string key;
    for (std::size_t col : relation.key) {
        if (col >= tuple.size()) return std::nullopt;
        const wire::Value& v = tuple[col];
        if (v.kind != wire::ValueKind::text && v.kind != wire::ValueKind::binary) return std::nullopt;
        key += static_cast<char>(v.kind);
        std::size_t n = v.bytes.size();
        for (int shift = 56; shift >= 0; shift -= 8) key += static_cast<char>((n >> shift) & 0xFF);
        key.append(v.bytes);
    }
    return key;
}

TableConflation::TableConflation(std::shared_ptr<const RelationInfo> relation)
    : relation_(std::move(relation)), kinds_(relation_->columns.size()) {}

bool TableConflation::fits_arrays(const wire::Tuple& tuple) const {
    if (tuple.size() != relation_->columns.size()) return false;
    for (std::size_t i = 0; i < tuple.size(); ++i) {
        const wire::Value& v = tuple[i];
        if (v.kind != wire::ValueKind::text && v.kind != wire::ValueKind::binary) continue;
        if (v.kind == wire::ValueKind::binary && relation_->columns[i].array_type == 0) return false;
        if (kinds_[i] && *kinds_[i] != v.kind) return false;
    }
    return true;
}

bool TableConflation::absorb(const Change& change) {
    if (change.kind == ChangeKind::truncate) return false;
    const bool keyed = relation_->keyed();
    const wire::Tuple& values = change.kind == ChangeKind::remove ? change.old_tuple : change.new_tuple;
    if (!fits_arrays(values)) return false;
    bool taken = false;
    if (!keyed) {
        if (change.kind != ChangeKind::insert) return false;
        inserts_.push_back(&change.new_tuple);
        taken = true;
    } else if (change.kind == ChangeKind::update) {
        taken = absorb_update(change);
    } else {
        auto key = key_bytes(*relation_, values);
        if (!key) return false;
        bool insert = change.kind == ChangeKind::insert;
        ConflatedEntry entry{insert ? EntryOp::upsert : EntryOp::remove, &values, std::nullopt, &change, &change};
        auto [it, inserted] = index_.try_emplace(std::move(*key), entries_.size());
        if (inserted) {
            entries_.push_back(std::move(entry));
        } else {
            entry.first = entries_[it->second].first;
            entries_[it->second] = std::move(entry);
        }
        taken = true;
    }
    if (taken)
        for (std::size_t i = 0; i < values.size() && i < kinds_.size(); ++i)
            if (values[i].kind == wire::ValueKind::text || values[i].kind == wire::ValueKind::binary)
                kinds_[i] = values[i].kind;
    return taken;
}

bool TableConflation::absorb_update(const Change& change) {
    auto new_key = key_bytes(*relation_, change.new_tuple);
    if (!new_key) return false;
    if (change.old_kind != wire::OldKind::none) {
        auto old_key = key_bytes(*relation_, change.old_tuple);
        if (!old_key || *old_key != *new_key) return false;
    }
    auto it = index_.find(*new_key);
    ConflatedEntry* existing = it == index_.end() ? nullptr : &entries_[it->second];
    ConflatedEntry entry;
    if (!has_unchanged(change.new_tuple)) {
        entry = ConflatedEntry{EntryOp::upsert, &change.new_tuple, std::nullopt, nullptr, nullptr};
    } else if (!existing) {
        entry = ConflatedEntry{EntryOp::partial_update, &change.new_tuple, std::nullopt, nullptr, nullptr};
    } else if (existing->op == EntryOp::remove) {
        // An update of a row deleted earlier in the batch has nothing to
        // take the unchanged values from.
        return false;
    } else {
        entry = ConflatedEntry{existing->op, nullptr, overlay(existing->tuple(), change.new_tuple), nullptr, nullptr};
        if (entry.op == EntryOp::partial_update && !has_unchanged(*entry.merged)) entry.op = EntryOp::upsert;
    }
    entry.first = existing ? existing->first : &change;
    entry.last = &change;
    if (existing)
        *existing = std::move(entry);
    else {
        index_.emplace(std::move(*new_key), entries_.size());
        entries_.push_back(std::move(entry));
    }
    return true;
}

}  // namespace tidemark::apply
