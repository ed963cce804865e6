// See chunk_plan.hpp.
#include "idp/chunk_plan.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tidemark::idp {
namespace {

// Pages counted to estimate the rows of a table that was never analyzed:
// enough to average out a few odd pages, little enough to cost nothing.
constexpr std::int64_t kSamplePages = 64;

// Table locks a planning transaction holds at most: far below the
// max_locks_per_transaction (64) times connections that a server shares.
constexpr int kCountsPerSavepoint = 32;

std::string tid(std::int64_t page) { return "(" + std::to_string(page) + ",0)"; }

}  // namespace

std::optional<std::string> Chunk::lower_bound() const {
    return first_page ? std::optional<std::string>(tid(*first_page)) : std::nullopt;
}

std::optional<std::string> Chunk::upper_bound() const {
    return end_page ? std::optional<std::string>(tid(*end_page)) : std::nullopt;
}

std::string Chunk::where_clause() const {
    std::string out;
    if (first_page) out += " WHERE ctid >= '" + tid(*first_page) + "'::pg_catalog.tid";
    if (end_page)
        out += std::string(first_page ? " AND" : " WHERE") + " ctid < '" + tid(*end_page) + "'::pg_catalog.tid";
    return out;
}

std::vector<Chunk> plan_chunks(std::int64_t pages, double estimated_rows, std::int64_t chunk_rows,
                               bool tid_range_scans) {
    if (chunk_rows < 1) throw std::invalid_argument("chunk_rows must be at least 1");
    std::vector<Chunk> chunks;
    if (!tid_range_scans || pages <= 1 || estimated_rows <= static_cast<double>(chunk_rows)) {
        chunks.push_back(Chunk{0, std::nullopt, std::nullopt});
        return chunks;
    }
    double wanted = std::ceil(estimated_rows / static_cast<double>(chunk_rows));
    std::int64_t count = wanted >= static_cast<double>(pages) ? pages : static_cast<std::int64_t>(wanted);
    std::int64_t per_chunk = (pages + count - 1) / count;
    count = (pages + per_chunk - 1) / per_chunk;
    for (std::int64_t i = 0; i < count; ++i) {
        Chunk c;
        c.number = static_cast<int>(i);
        if (i > 0) c.first_page = i * per_chunk;
        if (i + 1 < count) c.end_page = (i + 1) * per_chunk;
        chunks.push_back(c);
    }
    return chunks;
}

std::string from_clause(const catalog::SourceTable& table) {
    return std::string(table.kind == catalog::TableKind::partitioned ? "FROM " : "FROM ONLY ") + table.qualified();
}

namespace {

// nullopt when only counting the rows of the first pages can tell.
std::optional<double> estimate_from_statistics(pg::Connection& source, const catalog::SourceTable& table) {
    if (table.pages == 0) return 0;
    // A partitioned table's pages are its largest leaf's, which says
    // nothing of the rows of the others: its statistics are taken as is.
    if (table.kind == catalog::TableKind::partitioned && table.estimated_rows >= 0) return table.estimated_rows;
    if (table.estimated_rows > 0 && table.stats_pages > 0)
        return table.estimated_rows / static_cast<double>(table.stats_pages) * static_cast<double>(table.pages);
    if (table.estimated_rows >= 0 && table.stats_pages == 0 && source.server_version() < 140000)
        return table.estimated_rows;
    if (source.server_version() < 140000) return -1;
    return std::nullopt;
}

double count_first_pages(pg::Connection& source, const catalog::SourceTable& table) {
    std::int64_t sample = std::min(table.pages, kSamplePages);
    Chunk first{0, std::nullopt, sample};
    pg::Result r = source.exec("SELECT count(*) " + from_clause(table) + first.where_clause(),
                               "while estimating the size of " + table.qualified());
    double rows = std::stod(std::string(r.value(0, 0)));
    return rows / static_cast<double>(sample) * static_cast<double>(table.pages);
}

}  // namespace

std::vector<double> estimate_rows(pg::Connection& source, const std::vector<catalog::SourceTable>& tables) {
    std::vector<double> estimates;
    auto let_the_locks_go = [&] {
        source.exec("ROLLBACK TO SAVEPOINT tidemark_counts; RELEASE SAVEPOINT tidemark_counts",
                    "while estimating the sizes of the tables");
    };
    int held = 0;
    for (const auto& t : tables) {
        if (auto known = estimate_from_statistics(source, t)) {
            estimates.push_back(*known);
            continue;
        }
        if (held == 0) source.exec("SAVEPOINT tidemark_counts", "while estimating the sizes of the tables");
        estimates.push_back(count_first_pages(source, t));
        if (++held == kCountsPerSavepoint) {
            let_the_locks_go();
            held = 0;
        }
    }
    if (held > 0) let_the_locks_go();
    return estimates;
}

}  // namespace tidemark::idp
