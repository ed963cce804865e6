// See pattern_overlap.hpp.  Each pattern becomes a small automaton over
// "schema", a separator and "table"; a breadth-first walk over the sets of
// states of the two include patterns and of every exclude pattern finds
// the shortest name the includes accept and no exclude does.
#include "catalog/pattern_overlap.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "catalog/table_pattern.hpp"

namespace tidemark::catalog {
namespace {

// The symbol between the schema and the table: no character of a name.
constexpr int kSeparator = -1;

struct Token {
    enum Kind { literal, star, separator } kind;
    char c = 0;
};

using Glob = std::vector<Token>;
using States = std::vector<std::size_t>;  // sorted positions in a Glob

void append_glob(Glob& out, const std::string& glob) {
    for (std::size_t i = 0; i < glob.size(); ++i) {
        if (glob[i] == '*') {
            out.push_back({Token::star});
        } else {
            if (glob[i] == '\\' && i + 1 < glob.size()) ++i;
            out.push_back({Token::literal, glob[i]});
        }
    }
}

Glob to_glob(const TablePattern& p) {
    Glob g;
    append_glob(g, p.schema_glob());
    g.push_back({Token::separator});
    append_glob(g, p.table_glob());
    return g;
}

Glob any_table() { return {{Token::star}, {Token::separator}, {Token::star}}; }

// Adds the positions reachable without reading: a star may match nothing.
States closure(const Glob& g, States s) {
    States out;
    for (std::size_t p : s) {
        while (true) {
            out.push_back(p);
            if (p < g.size() && g[p].kind == Token::star)
                ++p;
            else
                break;
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

States step(const Glob& g, const States& s, int symbol) {
    States next;
    for (std::size_t p : s) {
        if (p >= g.size()) continue;
        const Token& t = g[p];
        if (t.kind == Token::star && symbol != kSeparator)
            next.push_back(p);
        else if (t.kind == Token::literal && symbol == static_cast<unsigned char>(t.c))
            next.push_back(p + 1);
        else if (t.kind == Token::separator && symbol == kSeparator)
            next.push_back(p + 1);
    }
    return closure(g, std::move(next));
}

bool accepts(const Glob& g, const States& s) { return !s.empty() && s.back() == g.size(); }

// A character that no pattern names, standing for "any other character";
// a letter when one is free, so the example reads as a name.
int filler(const std::vector<const Glob*>& globs) {
    std::set<int> used;
    for (const Glob* g : globs)
        for (const Token& t : *g)
            if (t.kind == Token::literal) used.insert(static_cast<unsigned char>(t.c));
    for (int c : std::string("xyzqwkjv0123456789_"))
        if (!used.count(c)) return c;
    for (int c = 1; c < 256; ++c)
        if (!used.count(c)) return c;
    return 'x';
}

std::optional<std::string> common_name(const Glob& a, const Glob& b, const std::vector<Glob>& excludes) {
    std::vector<const Glob*> globs{&a, &b};
    for (const Glob& e : excludes) globs.push_back(&e);
    std::set<int> alphabet{kSeparator, filler(globs)};
    for (const Glob* g : globs)
        for (const Token& t : *g)
            if (t.kind == Token::literal) alphabet.insert(static_cast<unsigned char>(t.c));

    using State = std::vector<States>;  // one set per glob, in `globs` order
    State start;
    for (const Glob* g : globs) start.push_back(closure(*g, {0}));
    std::map<State, std::pair<State, int>> parent;  // how each state was reached
    std::deque<State> queue{start};
    parent.emplace(start, std::make_pair(State{}, 0));
    // Far beyond what real patterns reach; a bound keeps a pathological
    // configuration from hanging the loader.
    constexpr std::size_t kMaxStates = 200000;
    while (!queue.empty() && parent.size() < kMaxStates) {
        State s = std::move(queue.front());
        queue.pop_front();
        // An exclude that accepts this name still lets longer ones through.
        bool excluded = false;
        for (std::size_t i = 2; i < globs.size(); ++i) excluded = excluded || accepts(*globs[i], s[i]);
        if (!excluded && accepts(a, s[0]) && accepts(b, s[1])) {
            std::string name;
            for (State at = s; at != start;) {
                const auto& [from, symbol] = parent.at(at);
                name.insert(name.begin(), symbol == kSeparator ? '.' : static_cast<char>(symbol));
                at = from;
            }
            return name;
        }
        for (int symbol : alphabet) {
            State next;
            for (std::size_t i = 0; i < globs.size(); ++i) next.push_back(step(*globs[i], s[i], symbol));
            if (next[0].empty() || next[1].empty()) continue;
            if (parent.emplace(next, std::make_pair(s, symbol)).second) queue.push_back(std::move(next));
        }
    }
    return std::nullopt;
}

struct Include {
    Glob glob;
    std::string text;
};

std::vector<Include> includes(const std::vector<std::string>& items) {
    std::vector<Include> out;
    for (const auto& item : items)
        for (const auto& p : TablePattern::parse_list(item)) out.push_back({to_glob(p), p.text()});
    if (out.empty()) out.push_back({any_table(), "*.*"});
    return out;
}

}  // namespace

std::optional<SharedTable> shared_table(const FilterPatterns& a, const FilterPatterns& b) {
    std::vector<Glob> excludes;
    for (const auto* list : {&a.exclude, &b.exclude})
        for (const auto& item : *list)
            for (const auto& p : TablePattern::parse_list(item)) excludes.push_back(to_glob(p));
    auto includes_a = includes(a.include);
    auto includes_b = includes(b.include);
    for (const auto& ia : includes_a)
        for (const auto& ib : includes_b)
            if (auto name = common_name(ia.glob, ib.glob, excludes)) return SharedTable{*name, ia.text, ib.text};
    return std::nullopt;
}

}  // namespace tidemark::catalog
