#pragma once
// gzip and brotli bodies: the proxy's rewriter decodes, rewrites and encodes again; pushes arrive gzipped.

#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::http {

/// Whether the rewriter can decode `content_encoding`: empty, identity, gzip (x-gzip) or br.
bool CanDecode(std::string_view content_encoding);

/// The decoded body; nullopt when it is corrupt or decodes to more than `max_bytes`.
std::optional<std::string> DecodeBody(std::string_view content_encoding, std::string_view body, std::size_t max_bytes);
/// The body encoded with `content_encoding` (one CanDecode accepts).
std::string EncodeBody(std::string_view content_encoding, std::string_view body);

}  // namespace gatehouse::http
