// See copy_buffer.hpp.
#include "pg/copy_buffer.hpp"

#include <libpq-fe.h>

#include <utility>

namespace tidemark::pg {

CopyBuffer::~CopyBuffer() {
    if (data_) PQfreemem(data_);
}

CopyBuffer::CopyBuffer(CopyBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

CopyBuffer& CopyBuffer::operator=(CopyBuffer&& other) noexcept {
    if (this != &other) {
        if (data_) PQfreemem(data_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

}  // namespace tidemark::pg
