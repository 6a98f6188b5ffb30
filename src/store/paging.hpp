#pragma once
// Keyset pagination shared by every list: ids are UUIDv7 (time-ordered), a page is read with one
// row more than asked, and the last id shown is the cursor of the next page.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse::store {

template <class T>
struct Page {
    std::vector<T> items;
    std::optional<std::string> next_cursor;
};

/// A cursor from a client: an id or empty. Throws core::Error(invalid_argument) for anything else,
/// so a cursor never reaches SQL as more than a harmless id.
std::string CheckCursor(std::string_view cursor);

/// The page of `limit` items out of `rows` (read with limit + 1 rows), with the next cursor when
/// there are more. T has an `id`.
template <class T>
Page<T> Paged(std::vector<T> rows, std::size_t limit) {
    Page<T> page;
    const bool more = rows.size() > limit;
    if (more) rows.resize(limit);
    page.items = std::move(rows);
    if (more && !page.items.empty()) page.next_cursor = page.items.back().id;
    return page;
}

}  // namespace gatehouse::store
