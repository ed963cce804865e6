// JSON text for the agent's own documents (dead-letter changes, the sync
// report): string quoting and a small object/array writer.  Must not: be
// used for the wire format's JSON (wire::to_json matches the decoder's).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tidemark::apply {

// A JSON string literal.  Bytes that are not valid UTF-8 become U+FFFD,
// so the result is always valid JSON.
std::string json_string(std::string_view text);

// Builds {"key": value, ...} keeping insertion order; values are JSON
// text already.
class JsonObject {
public:
    JsonObject& raw(std::string_view key, std::string value);
    JsonObject& str(std::string_view key, std::string_view value);
    JsonObject& num(std::string_view key, long long value);
    JsonObject& num(std::string_view key, double value);
    JsonObject& boolean(std::string_view key, bool value);
    JsonObject& null(std::string_view key);
    std::string text() const;

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

std::string json_array(const std::vector<std::string>& items);

}  // namespace tidemark::apply
