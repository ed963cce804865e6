// CopyBuffer: RAII owner of one row of COPY data as libpq hands it out
// (PQgetCopyData), so that parsed messages can point into it without a copy.
// Must not: copy the bytes.
#pragma once

#include <cstddef>
#include <string_view>

namespace tidemark::pg {

class CopyBuffer {
public:
    CopyBuffer() noexcept = default;
    // Takes ownership of memory allocated by libpq.
    CopyBuffer(char* data, std::size_t size) noexcept : data_(data), size_(size) {}
    ~CopyBuffer();
    CopyBuffer(CopyBuffer&& other) noexcept;
    CopyBuffer& operator=(CopyBuffer&& other) noexcept;
    CopyBuffer(const CopyBuffer&) = delete;
    CopyBuffer& operator=(const CopyBuffer&) = delete;

    const char* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    std::string_view view() const noexcept { return {data_, size_}; }
    bool empty() const noexcept { return size_ == 0; }

private:
    char* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace tidemark::pg
