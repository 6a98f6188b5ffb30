#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace gatehouse::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t start = 1;
    while (start <= path.size()) {
        const std::size_t slash = path.find('/', start);
        const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
        parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

int Rank(Route::Segment::Kind kind) {
    return kind == Route::Segment::kLiteral ? 0 : kind == Route::Segment::kParam ? 1 : 2;
}

// Orders patterns from most to least specific, segment by segment.
bool MoreSpecific(const Route& a, const Route& b) {
    const auto& sa = a.segments();
    const auto& sb = b.segments();
    for (std::size_t i = 0; i < std::min(sa.size(), sb.size()); ++i) {
        if (Rank(sa[i].kind) != Rank(sb[i].kind)) return Rank(sa[i].kind) < Rank(sb[i].kind);
    }
    return sa.size() > sb.size();
}

bool Matches(const Route& route, const std::vector<std::string_view>& parts,
             std::vector<std::pair<std::string_view, std::string>>* params, std::string_view path) {
    const auto& segments = route.segments();
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& segment = segments[i];
        if (segment.kind == Route::Segment::kRest) {
            if (i > parts.size()) return false;
            if (params) {
                // The rest keeps its slashes and escapes: the proxy forwards it as it came.
                std::size_t offset = 0;
                for (std::size_t p = 0; p < i; ++p) offset += parts[p].size() + 1;
                params->emplace_back(segment.text, std::string(path.substr(std::min(path.size(), offset + 1))));
            }
            return true;
        }
        if (i >= parts.size()) return false;
        if (segment.kind == Route::Segment::kLiteral) {
            if (parts[i] != segment.text) return false;
        } else {
            if (parts[i].empty()) return false;
            if (params) {
                std::string decoded;
                if (!PercentDecode(parts[i], decoded)) return false;
                params->emplace_back(segment.text, std::move(decoded));
            }
        }
    }
    return segments.size() == parts.size();
}

}  // namespace

Route::Route(Verb method, std::string pattern, Access access, Handler handler, std::string summary,
             RouteOptions options)
    : method_(method),
      pattern_(std::move(pattern)),
      access_(access),
      handler_(std::move(handler)),
      summary_(std::move(summary)),
      options_(std::move(options)) {
    if (pattern_.empty() || pattern_.front() != '/')
        throw std::logic_error("route pattern must start with /: " + pattern_);
    if (!handler_) throw std::logic_error("route without handler: " + pattern_);
    if (pattern_ == "/") return;
    for (std::string_view part : SplitPath(pattern_)) {
        if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
            std::string name(part.substr(1, part.size() - 2));
            if (name.size() > 3 && name.ends_with("...")) {
                segments_.push_back({Segment::kRest, name.substr(0, name.size() - 3)});
            } else {
                segments_.push_back({Segment::kParam, std::move(name)});
            }
        } else {
            if (part.find_first_of("{}") != std::string_view::npos)
                throw std::logic_error("malformed pattern " + pattern_);
            segments_.push_back({Segment::kLiteral, std::string(part)});
        }
    }
    for (std::size_t i = 0; i + 1 < segments_.size(); ++i)
        if (segments_[i].kind == Segment::kRest) throw std::logic_error("{rest...} must be last: " + pattern_);
}

void Router::Add(Route route) {
    for (const auto& existing : routes_)
        if (existing.method() == route.method() && existing.pattern() == route.pattern())
            throw std::logic_error("duplicate route " + std::string(beast_http::to_string(route.method())) + " " +
                                   route.pattern());
    routes_.push_back(std::move(route));
    Sort();
}

void Router::Sort() { std::stable_sort(routes_.begin(), routes_.end(), MoreSpecific); }

RouteMatch Router::Find(Verb method, std::string_view path) const {
    RouteMatch match;
    if (path.empty() || path.front() != '/') return match;
    const auto parts = path == "/" ? std::vector<std::string_view>{} : SplitPath(path);
    const std::string* first_pattern = nullptr;
    const Route* get_fallback = nullptr;
    for (const auto& route : routes_) {
        if (!Matches(route, parts, nullptr, path)) continue;
        if (!first_pattern) first_pattern = &route.pattern();
        if (route.method() == method) {
            match.route = &route;
            break;
        }
        if (method == Verb::head && route.method() == Verb::get && !get_fallback) get_fallback = &route;
    }
    if (!match.route) match.route = get_fallback;
    if (match.route) {
        // A malformed escape in a parameter makes the path match nothing.
        if (!Matches(*match.route, parts, &match.params, path)) return RouteMatch{};
        match.kind = RouteMatch::kFound;
        return match;
    }
    if (!first_pattern) return match;
    match.kind = RouteMatch::kMethodNotAllowed;
    std::vector<std::string> methods;
    for (const auto& route : routes_) {
        if (route.pattern() != *first_pattern) continue;
        methods.emplace_back(beast_http::to_string(route.method()));
        if (route.method() == Verb::get) methods.emplace_back("HEAD");
    }
    std::sort(methods.begin(), methods.end());
    methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
    for (const auto& m : methods) match.allow += (match.allow.empty() ? "" : ", ") + m;
    return match;
}

bool PercentDecode(std::string_view text, std::string& out) {
    out.clear();
    out.reserve(text.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size()) return false;
        const int hi = hex(text[i + 1]);
        const int lo = hex(text[i + 2]);
        if (hi < 0 || lo < 0) return false;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return true;
}

}  // namespace gatehouse::http
