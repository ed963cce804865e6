// See copy_error.hpp.
#include "idp/copy_error.hpp"

namespace tidemark::idp {

CopyInterrupted::CopyInterrupted()
    : std::runtime_error(
          "the initial copy was interrupted; finished chunks are kept, unfinished tables are copied "
          "again on the next start") {}

}  // namespace tidemark::idp
