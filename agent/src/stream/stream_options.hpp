// StreamOptions: the tidemark decoder options sent with START_REPLICATION
// (see decoder/options.c for their meaning and validation).  Owns turning
// them into the replication command's option list.
// Must not: validate what the decoder validates (it names bad values).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tidemark_protocol.h"

namespace tidemark::stream {

struct StreamOptions {
    int proto_version = TM_PROTO_VERSION_CURRENT;
    bool binary = true;
    // "schema.table" patterns with '*' wildcards; empty include = all.
    std::vector<std::string> include;
    std::vector<std::string> exclude;
    // "any" (default) or "none": skip changes that carry a replication origin.
    std::optional<std::string> origin;
    // Logical-message prefixes to forward; {"*"} for all, empty for none.
    std::vector<std::string> messages;
    std::optional<bool> skip_empty_xacts;
    bool streaming = false;
    std::optional<bool> publish_via_root;
    // Bytes per CopyData message; 0 = one message per write.
    std::optional<int> write_batch_size;
    // Options this agent does not know by name, passed through as given.
    std::vector<std::pair<std::string, std::string>> extra;
};

// ("proto_version" '1', "binary" 'true', ...), quoted for the replication
// command grammar (identifiers in double quotes, values in single quotes).
std::string option_clause(const StreamOptions& options);

// A value as a replication-grammar string literal: the walsender's lexer
// knows '' for a quote and nothing else, so no E'' form.
std::string replication_literal(std::string_view value);

}  // namespace tidemark::stream
