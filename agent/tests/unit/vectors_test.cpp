// The shared vectors of regress/vectors: for every NNN_name.bin the parser
// plus to_json must print exactly NNN_name.json (what tidemark.to_json
// printed for the same bytes), and every truncation of the payload must be
// refused with a FormatError.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "wire/format_error.hpp"
#include "wire/json.hpp"
#include "wire/parser.hpp"

#ifndef TIDEMARK_VECTOR_DIR
#error "TIDEMARK_VECTOR_DIR must point at regress/vectors"
#endif

namespace tidemark::wire {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<fs::path> vector_files() {
    std::vector<fs::path> out;
    if (!fs::is_directory(TIDEMARK_VECTOR_DIR)) return out;
    for (const auto& entry : fs::directory_iterator(TIDEMARK_VECTOR_DIR))
        if (entry.path().extension() == ".bin") out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

// The vectors' JSON is jsonb output, either plain (::text) or through
// jsonb_pretty; both list the same keys in the same (jsonb) order and
// differ only in whitespace outside strings.  This gives the ::text form,
// which is what to_json prints.
std::string compact_json(std::string_view text) {
    std::string out;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            out += c;
            if (c == '\\' && i + 1 < text.size())
                out += text[++i];
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c == '"') in_string = true;
        out += c;
        if (c == ',' || c == ':') out += ' ';
    }
    return out;
}

// Offsets where one message ends and the next begins.
std::vector<std::size_t> boundaries(std::string_view payload) {
    std::vector<std::size_t> out{0};
    Parser parser(payload);
    while (!parser.at_end()) {
        parser.next();
        out.push_back(parser.offset());
    }
    return out;
}

TEST(Vectors, CompactingJsonOnlyDropsWhitespaceOutsideStrings) {
    EXPECT_EQ(
        compact_json("{\n    \"a b\": [\n        1,\n        \"x, \\\"y\\\": z\"\n    ],\n    \"c\": [\n    ]\n}\n"),
        "{\"a b\": [1, \"x, \\\"y\\\": z\"], \"c\": []}");
}

TEST(Vectors, ParserPrintsWhatTheServerPrinted) {
    auto files = vector_files();
    if (files.empty()) GTEST_SKIP() << "no vectors in " << TIDEMARK_VECTOR_DIR;
    for (const auto& bin : files) {
        SCOPED_TRACE(bin.filename().string());
        fs::path json = bin;
        json.replace_extension(".json");
        ASSERT_TRUE(fs::exists(json)) << "vector without expected JSON: " << json;
        std::string expected = compact_json(read_file(json));
        std::string payload = read_file(bin);
        std::string actual;
        ASSERT_NO_THROW(actual = to_json(parse_all(payload)));
        EXPECT_EQ(actual, expected);
    }
}

TEST(Vectors, EveryTruncationIsRefused) {
    auto files = vector_files();
    if (files.empty()) GTEST_SKIP() << "no vectors in " << TIDEMARK_VECTOR_DIR;
    for (const auto& bin : files) {
        SCOPED_TRACE(bin.filename().string());
        std::string payload = read_file(bin);
        auto cuts = boundaries(payload);
        for (std::size_t n = 0; n < payload.size(); ++n) {
            std::string prefix = payload.substr(0, n);
            if (std::find(cuts.begin(), cuts.end(), n) != cuts.end()) {
                EXPECT_NO_THROW(parse_all(prefix)) << "cut between messages at " << n;
                continue;
            }
            try {
                parse_all(prefix);
                ADD_FAILURE() << "a prefix of " << n << " bytes was accepted";
            } catch (const FormatError& e) {
                EXPECT_LE(e.offset(), n) << e.what();
            }
        }
    }
}

}  // namespace
}  // namespace tidemark::wire
