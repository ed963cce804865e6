// See policy.hpp.
#include "conflict/policy.hpp"

#include <algorithm>

#include "apply/apply_error.hpp"
#include "checkpoint/replication_origin.hpp"

namespace tidemark::conflict {
namespace {

constexpr std::string_view kOriginPrefix = "tidemark_";
constexpr std::string_view kCopySuffix = "_copy";

// The length of `origin` without a "_copy<digits>" suffix.
std::size_t without_copy_suffix(std::string_view origin) {
    std::size_t pos = origin.rfind(kCopySuffix);
    if (pos == std::string_view::npos || pos + kCopySuffix.size() == origin.size()) return origin.size();
    for (std::size_t i = pos + kCopySuffix.size(); i < origin.size(); ++i)
        if (origin[i] < '0' || origin[i] > '9') return origin.size();
    return pos;
}

std::optional<std::size_t> column_index(const apply::RelationInfo& rel, std::string_view name) {
    for (std::size_t i = 0; i < rel.columns.size(); ++i)
        if (rel.columns[i].name == name) return i;
    return std::nullopt;
}

bool is_time_type(std::string_view type) { return type.starts_with("timestamp") || type == "date"; }

}  // namespace

Policy::Policy(const config::Config& config, std::string source_name, std::string origin_name)
    : source_name_(std::move(source_name)),
      origin_name_(std::move(origin_name)),
      conflicts_(config.conflicts),
      late_(config.late_data) {
    config::LateDataConfig defaults;
    const config::LateDataConfig& l = late_ ? *late_ : defaults;
    tolerance_ = l.tolerance;
    max_clock_skew_ = l.max_clock_skew;
    tombstone_retention_ = l.tombstone_retention;
    if (conflicts_) {
        for (const auto& source : conflicts_->source_priority) priority_.push_back(checkpoint::origin_name_for(source));
        commit_time_step_ = std::max<std::int64_t>(1, conflicts_->commit_time_resolution.count());
        local_source_ = conflicts_->local_source;
        if (!local_source_.empty()) local_origin_ = checkpoint::origin_name_for(local_source_);
    }
}

std::int64_t Policy::commit_time_step(std::int64_t commit_time) const noexcept {
    if (!steps_) return commit_time;
    // Floor division: times before 2000 are negative.
    std::int64_t q = commit_time / commit_time_step_;
    if (commit_time % commit_time_step_ < 0) --q;
    return q;
}

std::string_view Policy::writer_origin(std::string_view origin) const noexcept {
    return origin.empty() ? std::string_view(local_origin_) : origin;
}

TablePolicy Policy::for_relation(const apply::RelationInfo& rel) const {
    TablePolicy p;
    if (conflicts_) p.row_strategy = conflicts_->default_strategy;
    p.column_strategy.assign(rel.columns.size(), p.row_strategy);
    auto missing = [&](std::string_view what, std::string_view column) {
        return apply::ApplyError(std::string(what) + " names column \"" + std::string(column) + "\" of " +
                                 rel.source_table + ", which the table does not have; fix the column name in " +
                                 std::string(what) + " and run again");
    };
    if (conflicts_) {
        for (const auto& rule : conflicts_->rules) {
            if (rule.schema != rel.source_schema || rule.name != rel.source_name) continue;
            for (const auto& col : rule.columns) {
                auto i = column_index(rel, col);
                if (!i) throw missing("[[conflicts.rules]] for " + rule.table, col);
                p.column_strategy[*i] = rule.strategy;
            }
        }
    }
    if (late_) {
        for (const auto& t : late_->tables) {
            if (t.schema != rel.source_schema || t.name != rel.source_name) continue;
            if (t.version_column) {
                auto i = column_index(rel, *t.version_column);
                if (!i) throw missing("[[late_data.tables]] version_column for " + t.table, *t.version_column);
                p.version_column = *i;
                p.version_is_time = is_time_type(rel.columns[*i].target_type);
            }
            if (t.soft_delete_column) {
                auto i = column_index(rel, *t.soft_delete_column);
                if (!i) throw missing("[[late_data.tables]] soft_delete_column for " + t.table, *t.soft_delete_column);
                p.soft_delete_column = *i;
                p.soft_delete = t.soft_delete;
            }
        }
    }
    return p;
}

bool Policy::is_ours(std::string_view origin) const noexcept {
    return origin.substr(0, without_copy_suffix(origin)) == origin_name_;
}

int Policy::rank(std::string_view origin) const noexcept {
    origin = writer_origin(origin);
    if (origin.empty()) return static_cast<int>(priority_.size()) + 1;
    std::string_view name = origin.substr(0, without_copy_suffix(origin));
    auto it = std::find(priority_.begin(), priority_.end(), name);
    return static_cast<int>(it - priority_.begin());
}

std::string source_of_origin(std::string_view origin) {
    std::string_view name = origin.substr(0, without_copy_suffix(origin));
    if (name.starts_with(kOriginPrefix) && name.size() > kOriginPrefix.size()) name.remove_prefix(kOriginPrefix.size());
    return std::string(name);
}

std::string writer_label(std::string_view source) { return source.empty() ? "local" : std::string(source); }

}  // namespace tidemark::conflict
