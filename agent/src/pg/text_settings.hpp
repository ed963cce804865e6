// The session settings under which a value's text form, written by one
// server, is read back the same by another: ISO dates and intervals in a
// form every server reads, and floats with every digit.  Text COPY (the
// fallback for types binary COPY cannot carry), the stream's text values
// and values read from the source's catalogs to be written on the target
// depend on them.
#pragma once

#include <string>
#include <string_view>

namespace tidemark::pg {

inline constexpr std::string_view kPortableTextSettings =
    "SET datestyle = 'ISO, YMD'; SET intervalstyle = 'postgres'; SET extra_float_digits = 3";

// kPortableTextSettings, and the client_encoding the session's text is
// exchanged in (the source's server encoding, so that text goes through
// one conversion at most); no encoding when `client_encoding` is empty.
std::string portable_text_sql(std::string_view client_encoding);

}  // namespace tidemark::pg
