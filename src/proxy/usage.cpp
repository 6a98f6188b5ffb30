#include "proxy/usage.hpp"

#include "core/time.hpp"

namespace gatehouse::proxy {

UsageBook::Entry& UsageBook::EntryOf(const gateway::TokenEntry& token) {
    auto& entry = sessions_[token.id];
    if (entry.view.token_id.empty()) {
        entry.view.token_id = token.id;
        entry.view.user_id = token.user_id;
        entry.view.route_id = token.route_id;
        entry.view.first_seen = core::NowRfc3339();
    }
    entry.changed = true;
    return entry;
}

void UsageBook::Record(const Request& request) {
    requests_.fetch_add(1, std::memory_order_relaxed);
    bytes_in_.fetch_add(request.bytes_in, std::memory_order_relaxed);
    bytes_out_.fetch_add(request.bytes_out, std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    auto& entry = EntryOf(*request.token);
    auto& view = entry.view;
    ++view.requests;
    view.bytes_in += static_cast<std::int64_t>(request.bytes_in);
    view.bytes_out += static_cast<std::int64_t>(request.bytes_out);
    if (view.client_address != request.client_address) view.client_address = std::string(request.client_address);
    if (view.user_agent != request.user_agent) view.user_agent = std::string(request.user_agent.substr(0, 512));
}

void UsageBook::WebSocketOpened(const gateway::TokenEntry& token) {
    websockets_open_.fetch_add(1);
    websockets_total_.fetch_add(1);
    std::lock_guard lock(mutex_);
    ++EntryOf(token).view.open_websockets;
}

void UsageBook::WebSocketClosed(const gateway::TokenEntry& token) {
    websockets_open_.fetch_sub(1);
    std::lock_guard lock(mutex_);
    auto& view = EntryOf(token).view;
    if (view.open_websockets > 0) --view.open_websockets;
}

std::vector<gateway::SessionView> UsageBook::TakeChanged() {
    const auto now = core::NowRfc3339();
    std::vector<gateway::SessionView> changed;
    std::lock_guard lock(mutex_);
    for (auto& [id, entry] : sessions_) {
        if (!entry.changed) continue;
        entry.changed = false;
        entry.view.last_seen = now;
        changed.push_back(entry.view);
    }
    return changed;
}

void UsageBook::AddMetrics(metrics::Registry& registry) {
    registry.Add([this](metrics::Writer& w) {
        w.Family("gatehouse_gateway_requests_total", "counter", "Requests proxied to gateway upstreams");
        w.Sample("gatehouse_gateway_requests_total", "", static_cast<double>(requests_.load()));
        w.Family("gatehouse_gateway_bytes_total", "counter", "Body bytes proxied (in: from clients, out: to clients)");
        w.Sample("gatehouse_gateway_bytes_total", "direction=\"in\"", static_cast<double>(bytes_in_.load()));
        w.Sample("gatehouse_gateway_bytes_total", "direction=\"out\"", static_cast<double>(bytes_out_.load()));
        w.Family("gatehouse_gateway_websockets_open", "gauge", "WebSockets tunnelled through the gateway now");
        w.Sample("gatehouse_gateway_websockets_open", "", static_cast<double>(websockets_open_.load()));
        w.Family("gatehouse_gateway_websockets_total", "counter", "WebSockets tunnelled through the gateway");
        w.Sample("gatehouse_gateway_websockets_total", "", static_cast<double>(websockets_total_.load()));
    });
}

}  // namespace gatehouse::proxy
