// RunContext: what one agent process shares among the pipelines it runs:
// the stop that signals request.  Must not: hold anything that belongs
// to one pipeline (each pipeline's state lives on its target).
#pragma once

#include <stop_token>

namespace tidemark::sync {

struct RunContext {
    std::stop_source stop;
};

}  // namespace tidemark::sync
