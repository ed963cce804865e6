// PipelineChoice: which pipelines of the configuration a command acts on,
// from its --pipeline option.  Commands that show (status, report, slot
// list, conflicts list) cover every pipeline unless one is named; commands
// that change one pipeline's state (state, slot drop, conflicts resolve)
// need it named as soon as the file has several, so that nobody rolls back
// or drops the wrong one by leaving the option out.
// Must not: connect to a database.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace tidemark::cli {

// The value of --pipeline as given on the command line.  Throws UsageError
// when it is empty.
std::string pipeline_option(std::string_view value);

// The names of the configuration's pipelines in file order: the
// [[pipelines]], or the one [source] describes.
std::vector<std::string> pipeline_names(const config::Config& config);

// `config` narrowed to pipeline `name` (every pipeline when unset), in the
// shape it came in: with [[pipelines]], the array holds the named one only,
// so pipelines_by_priority yields just it.  Throws UsageError naming the
// pipelines when `name` is unknown.
config::Config pipelines_named(const config::Config& config, const std::optional<std::string>& name);

// The one-pipeline configuration `command` acts on (select_pipeline): the named
// pipeline, or the only one.  Throws UsageError naming the pipelines when
// `name` is unknown, or unset while the file has several.
config::Config one_pipeline(const config::Config& config, const std::optional<std::string>& name,
                            std::string_view command);

}  // namespace tidemark::cli
