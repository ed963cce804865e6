// to_json: the text PostgreSQL prints for tidemark.to_json(payload)::text,
// byte for byte (jsonb key order and spacing), so the C reader and this
// parser can be checked against the same vectors.  Must not: be used on the
// apply path; it is for tests, tools and diagnostics.
#pragma once

#include <string>
#include <vector>

#include "wire/message.hpp"

namespace tidemark::wire {

std::string to_json(const Message& message);
// One message: its object; several: a JSON array of them (as to_json does
// for a batched payload).
std::string to_json(const std::vector<Message>& messages);

}  // namespace tidemark::wire
