#include "http/content_codec.hpp"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <zlib.h>

#include <stdexcept>

#include "core/text.hpp"

namespace gatehouse::http {
namespace {

enum class Coding { identity, gzip, br, other };

Coding CodingOf(std::string_view encoding) {
    const auto lower = core::AsciiLower(encoding);
    if (lower.empty() || lower == "identity") return Coding::identity;
    if (lower == "gzip" || lower == "x-gzip") return Coding::gzip;
    if (lower == "br") return Coding::br;
    return Coding::other;
}

std::optional<std::string> Gunzip(std::string_view body, std::size_t max_bytes) {
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    zs.avail_in = static_cast<uInt>(body.size());
    std::string out;
    char chunk[65536];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        zs.next_out = reinterpret_cast<Bytef*>(chunk);
        zs.avail_out = sizeof chunk;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) break;
        out.append(chunk, sizeof chunk - zs.avail_out);
        if (out.size() > max_bytes || (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0)) break;
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || out.size() > max_bytes) return std::nullopt;
    return out;
}

std::string Gzip(std::string_view body) {
    z_stream zs{};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    zs.avail_in = static_cast<uInt>(body.size());
    std::string out(deflateBound(&zs, static_cast<uLong>(body.size())), '\0');
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(out.size() - zs.avail_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
    return out;
}

std::optional<std::string> Unbrotli(std::string_view body, std::size_t max_bytes) {
    auto* state = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
    if (!state) return std::nullopt;
    const auto* next_in = reinterpret_cast<const std::uint8_t*>(body.data());
    std::size_t avail_in = body.size();
    std::string out;
    BrotliDecoderResult rc = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
    while (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
        std::uint8_t chunk[65536];
        std::uint8_t* next_out = chunk;
        std::size_t avail_out = sizeof chunk;
        rc = BrotliDecoderDecompressStream(state, &avail_in, &next_in, &avail_out, &next_out, nullptr);
        out.append(reinterpret_cast<const char*>(chunk), sizeof chunk - avail_out);
        if (out.size() > max_bytes) break;
    }
    BrotliDecoderDestroyInstance(state);
    if (rc != BROTLI_DECODER_RESULT_SUCCESS || out.size() > max_bytes) return std::nullopt;
    return out;
}

std::string Brotli(std::string_view body) {
    std::size_t size = BrotliEncoderMaxCompressedSize(body.size());
    if (size == 0) size = body.size() + 1024;
    std::string out(size, '\0');
    // Quality 5: most of brotli's gain at a small part of its best setting's CPU, for every rewritten response.
    if (!BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, body.size(),
                               reinterpret_cast<const std::uint8_t*>(body.data()), &size,
                               reinterpret_cast<std::uint8_t*>(out.data())))
        throw std::runtime_error("BrotliEncoderCompress failed");
    out.resize(size);
    return out;
}

}  // namespace

bool CanDecode(std::string_view content_encoding) { return CodingOf(content_encoding) != Coding::other; }

std::optional<std::string> DecodeBody(std::string_view content_encoding, std::string_view body, std::size_t max_bytes) {
    switch (CodingOf(content_encoding)) {
        case Coding::identity:
            if (body.size() > max_bytes) return std::nullopt;
            return std::string(body);
        case Coding::gzip:
            return Gunzip(body, max_bytes);
        case Coding::br:
            return Unbrotli(body, max_bytes);
        case Coding::other:
            break;
    }
    return std::nullopt;
}

std::string EncodeBody(std::string_view content_encoding, std::string_view body) {
    switch (CodingOf(content_encoding)) {
        case Coding::gzip:
            return Gzip(body);
        case Coding::br:
            return Brotli(body);
        default:
            return std::string(body);
    }
}

}  // namespace gatehouse::http
