#include "store/placeholders.hpp"

#include <cctype>

namespace gatehouse::store::detail {
namespace {

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$'; }

// Length of a dollar-quote tag ($$ or $name$) starting at sql[i], or 0 when there is none.
std::size_t DollarTagLength(std::string_view sql, std::size_t i) {
    if (i > 0 && IsIdentChar(sql[i - 1])) return 0;  // part of an identifier like a$b, or $1
    std::size_t j = i + 1;
    if (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])) != 0) return 0;
    while (j < sql.size() && sql[j] != '$') {
        if (!IsIdentChar(sql[j])) return 0;
        ++j;
    }
    return j < sql.size() ? j - i + 1 : 0;
}

}  // namespace

std::string ToPostgresPlaceholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    int next = 1;
    std::size_t i = 0;
    const std::size_t n = sql.size();
    // Copies sql[i..end) verbatim and moves past it.
    auto copy_to = [&](std::size_t end) {
        out.append(sql.substr(i, end - i));
        i = end;
    };
    while (i < n) {
        const char c = sql[i];
        if (c == '?') {
            out += '$';
            out += std::to_string(next++);
            ++i;
        } else if (c == '\'' || c == '"') {
            // '' and "" escapes fall out naturally: they close and reopen the literal.
            const bool backslash_escapes =
                c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !IsIdentChar(sql[i - 2]));
            std::size_t j = i + 1;
            while (j < n && sql[j] != c) j += (backslash_escapes && sql[j] == '\\') ? 2 : 1;
            copy_to(j < n ? j + 1 : n);
        } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
            const std::size_t eol = sql.find('\n', i);
            copy_to(eol == std::string_view::npos ? n : eol + 1);
        } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
            // PostgreSQL block comments nest.
            int depth = 0;
            std::size_t j = i;
            while (j < n) {
                if (sql.compare(j, 2, "/*") == 0) {
                    ++depth;
                    j += 2;
                } else if (sql.compare(j, 2, "*/") == 0) {
                    j += 2;
                    if (--depth == 0) break;
                } else {
                    ++j;
                }
            }
            copy_to(std::min(j, n));
        } else if (std::size_t tag = c == '$' ? DollarTagLength(sql, i) : 0; tag != 0) {
            const std::size_t close = sql.find(sql.substr(i, tag), i + tag);
            copy_to(close == std::string_view::npos ? n : close + tag);
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

}  // namespace gatehouse::store::detail
