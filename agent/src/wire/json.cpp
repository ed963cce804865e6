// See json.hpp.  The shape is decoder/reader.c's (its header comment is
// the contract); the text is jsonb's output: object keys sorted by length
// then bytewise, ", " between items and ": " after keys.
#include "wire/json.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <utility>

#include "pg/lsn.hpp"
#include "pg/timestamp.hpp"

namespace tidemark::wire {
namespace {

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n;
        unsigned min_second = 0x80, max_second = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0) min_second = 0xA0;
            if (c == 0xED) max_second = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0) min_second = 0x90;
            if (c == 0xF4) max_second = 0x8F;
        } else {
            return false;
        }
        if (i + n > s.size()) return false;
        auto second = static_cast<unsigned char>(s[i + 1]);
        if (second < min_second || second > max_second) return false;
        for (std::size_t k = 2; k < n; ++k) {
            auto cont = static_cast<unsigned char>(s[i + k]);
            if (cont < 0x80 || cont > 0xBF) return false;
        }
        i += n;
    }
    return true;
}

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

std::string string(std::string_view s) {
    if (has_nul(s) || !valid_utf8(s))
        throw std::invalid_argument("to_json: a string is not valid UTF-8 or holds a NUL byte");
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
    return out;
}

std::string hex(std::string_view bytes) {
    constexpr char digits[] = "0123456789abcdef";
    std::string out = "\\x";
    out.reserve(bytes.size() * 2 + 2);
    for (char c : bytes) {
        auto b = static_cast<unsigned char>(c);
        out += digits[b >> 4];
        out += digits[b & 0xF];
    }
    return string(out);
}

std::string boolean(bool b) { return b ? "true" : "false"; }
std::string lsn(std::uint64_t v) { return string(pg::Lsn(v).to_string()); }

// The reader refuses times outside years 1..9999; so does this.
std::string time(std::int64_t t) {
    if (!pg::in_four_digit_years(t))
        throw std::invalid_argument("to_json: time " + std::to_string(t) + " is outside years 1 to 9999");
    return string(pg::format_timestamp(t));
}

class Object {
public:
    Object& add(std::string key, std::string rendered) {
        fields_.emplace_back(std::move(key), std::move(rendered));
        return *this;
    }
    std::string str() {
        std::stable_sort(fields_.begin(), fields_.end(), [](const auto& a, const auto& b) {
            if (a.first.size() != b.first.size()) return a.first.size() < b.first.size();
            return a.first < b.first;
        });
        std::string out = "{";
        for (std::size_t i = 0; i < fields_.size(); ++i) {
            if (i) out += ", ";
            out += string(fields_[i].first);
            out += ": ";
            out += fields_[i].second;
        }
        return out + "}";
    }

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

template <typename T, typename F>
std::string array(const std::vector<T>& items, F render) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += render(items[i]);
    }
    return out + "]";
}

std::string value(const Value& v) {
    switch (v.kind) {
        case ValueKind::null: return "null";
        case ValueKind::unchanged_toast: return "{\"unchanged_toast\": true}";
        case ValueKind::text: return "{\"text\": " + string(v.bytes) + "}";
        case ValueKind::binary: return "{\"binary\": " + hex(v.bytes) + "}";
    }
    return "null";
}

std::string tuple(const Tuple& t) { return array(t, value); }

void add_xid(Object& o, const std::optional<std::uint64_t>& xid) {
    if (xid) o.add("xid", std::to_string(*xid));
}

void add_old(Object& o, OldKind kind, const Tuple& old) {
    if (kind == OldKind::none) return;
    o.add("old_kind", string(kind == OldKind::key ? "key" : "full"));
    o.add("old", tuple(old));
}

std::string_view replica_identity(ReplicaIdentity ri) {
    switch (ri) {
        case ReplicaIdentity::default_key: return "default";
        case ReplicaIdentity::nothing: return "nothing";
        case ReplicaIdentity::full: return "full";
        case ReplicaIdentity::index: return "index";
    }
    return "default";
}

struct Render {
    Object o;

    void operator()(const Begin& m) {
        o.add("final_lsn", lsn(m.final_lsn)).add("commit_time", time(m.commit_time)).add("xid", std::to_string(m.xid));
        if (m.origin_name)
            o.add("origin", Object().add("name", string(*m.origin_name)).add("lsn", lsn(m.origin_lsn)).str());
    }
    void operator()(const Commit& m) {
        o.add("commit_lsn", lsn(m.commit_lsn)).add("end_lsn", lsn(m.end_lsn)).add("commit_time", time(m.commit_time));
    }
    void operator()(const Relation& m) {
        add_xid(o, m.xid);
        o.add("relid", std::to_string(m.relid))
            .add("schema_version", std::to_string(m.schema_version))
            .add("namespace", string(m.ns))
            .add("name", string(m.name))
            .add("replica_identity", string(replica_identity(m.replica_identity)));
        o.add("columns", array(m.columns, [](const Column& c) {
                  Object col;
                  col.add("name", string(c.name))
                      .add("type_oid", std::to_string(c.type_oid))
                      .add("typmod", std::to_string(c.typmod));
                  if (!c.type_name.empty()) col.add("type_name", string(c.type_name));
                  col.add("identity", boolean(c.identity))
                      .add("primary_key", boolean(c.primary_key))
                      .add("not_null", boolean(c.not_null));
                  return col.str();
              }));
    }
    void operator()(const Insert& m) {
        add_xid(o, m.xid);
        o.add("relid", std::to_string(m.relid)).add("new", tuple(m.new_tuple));
    }
    void operator()(const Update& m) {
        add_xid(o, m.xid);
        o.add("relid", std::to_string(m.relid));
        add_old(o, m.old_kind, m.old_tuple);
        o.add("new", tuple(m.new_tuple));
    }
    void operator()(const Delete& m) {
        add_xid(o, m.xid);
        o.add("relid", std::to_string(m.relid));
        add_old(o, m.old_kind, m.old_tuple);
    }
    void operator()(const Truncate& m) {
        add_xid(o, m.xid);
        o.add("cascade", boolean(m.cascade)).add("restart_identity", boolean(m.restart_identity));
        o.add("relids", array(m.relids, [](std::uint32_t r) { return std::to_string(r); }));
    }
    void operator()(const LogicalMessage& m) {
        add_xid(o, m.xid);
        o.add("transactional", boolean(m.transactional))
            .add("lsn", lsn(m.lsn))
            .add("prefix", string(m.prefix))
            .add("content", hex(m.content));
        // As the reader run in a UTF8 database: the text form only when it
        // is valid UTF-8 without NUL.
        if (!has_nul(m.content) && valid_utf8(m.content)) o.add("content_text", string(m.content));
    }
    void operator()(const StreamStart& m) { o.add("xid", std::to_string(m.xid)).add("first", boolean(m.first)); }
    void operator()(const StreamStop&) {}
    void operator()(const StreamCommit& m) {
        o.add("xid", std::to_string(m.xid))
            .add("commit_lsn", lsn(m.commit_lsn))
            .add("end_lsn", lsn(m.end_lsn))
            .add("commit_time", time(m.commit_time));
    }
    void operator()(const StreamAbort& m) {
        o.add("xid", std::to_string(m.xid)).add("subxid", std::to_string(m.subxid));
    }
    void operator()(const Unknown& m) {
        o.add("code", std::to_string(m.code)).add("length", std::to_string(m.body.size()));
    }
};

}  // namespace

std::string to_json(const Message& message) {
    Render r;
    r.o.add("type", string(type_name(message)));
    std::visit(r, message);
    return r.o.str();
}

std::string to_json(const std::vector<Message>& messages) {
    if (messages.size() == 1) return to_json(messages.front());
    return array(messages, [](const Message& m) { return to_json(m); });
}

}  // namespace tidemark::wire
