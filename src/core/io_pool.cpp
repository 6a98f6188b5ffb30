#include "core/io_pool.hpp"

namespace gatehouse::core {

IoContextPool::IoContextPool(std::size_t threads) {
    if (threads == 0) threads = 1;
    for (std::size_t i = 0; i < threads; ++i) {
        contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
        guards_.emplace_back(contexts_.back()->get_executor());
    }
}

IoContextPool::~IoContextPool() { Stop(); }

boost::asio::io_context& IoContextPool::Next() {
    return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void IoContextPool::Run() {
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < contexts_.size(); ++i) threads.emplace_back([this, i] { contexts_[i]->run(); });
    contexts_.front()->run();
    for (auto& thread : threads) thread.join();
}

void IoContextPool::Stop() {
    guards_.clear();
    for (auto& context : contexts_) context->stop();
}

}  // namespace gatehouse::core
