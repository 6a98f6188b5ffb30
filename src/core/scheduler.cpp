#include "core/scheduler.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <mutex>
#include <vector>

#include "core/errc.hpp"
#include "core/log.hpp"

namespace gatehouse::core {

namespace asio = boost::asio;

namespace {

// One per job. The timer lives on the job's own strand, so Stop() (from any thread) touches it only
// through that strand, while separate jobs still run in parallel on a multi-threaded executor.
struct Job {
    Job(const asio::any_io_executor& executor, std::string job_name, std::chrono::milliseconds job_period,
        std::function<asio::awaitable<void>()> job_fn, std::chrono::milliseconds job_first_delay)
        : strand(asio::make_strand(executor)),
          timer(strand),
          name(std::move(job_name)),
          period(job_period),
          fn(std::move(job_fn)),
          first_delay(job_first_delay) {}

    asio::strand<asio::any_io_executor> strand;
    asio::steady_timer timer;
    std::string name;
    std::chrono::milliseconds period;
    std::function<asio::awaitable<void>()> fn;
    std::chrono::milliseconds first_delay;
    std::atomic<bool> stopped{false};
};

// Takes one shared_ptr by value: the frame keeps its job alive after the Scheduler is gone.
asio::awaitable<void> RunJob(std::shared_ptr<Job> job) {
    std::chrono::milliseconds delay = job->first_delay;
    for (;;) {
        if (job->stopped.load()) co_return;
        job->timer.expires_after(delay);
        const auto [ec] = co_await job->timer.async_wait(asio::as_tuple(asio::use_awaitable));
        const bool stop = ec || job->stopped.load();
        if (stop) co_return;
        try {
            co_await job->fn();
        } catch (const std::exception& e) {
            LogError("scheduler.job_failed", {{"job", job->name}, {"error", e.what()}});
        } catch (...) {
            LogError("scheduler.job_failed", {{"job", job->name}, {"error", "unknown exception"}});
        }
        // Measured from the end of the run, so a slow run delays the next one instead of overlapping it.
        delay = job->period;
    }
}

}  // namespace

struct Scheduler::Impl {
    explicit Impl(asio::any_io_executor ex) : executor(std::move(ex)) {}

    asio::any_io_executor executor;
    std::mutex mutex;
    bool stopped = false;
    std::vector<std::shared_ptr<Job>> jobs;
};

Scheduler::Scheduler(asio::any_io_executor executor) : impl_(std::make_shared<Impl>(std::move(executor))) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Every(std::string name, std::chrono::milliseconds period, std::function<asio::awaitable<void>()> job,
                      std::chrono::milliseconds first_delay) {
    auto state = std::make_shared<Job>(impl_->executor, std::move(name), period, std::move(job), first_delay);
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->stopped) return;
        impl_->jobs.push_back(state);
    }
    asio::co_spawn(state->strand, RunJob(state), [name = state->name](std::exception_ptr error) {
        if (error) LogError("scheduler.loop_failed", {{"job", name}, {"error", What(error)}});
    });
}

void Scheduler::Stop() {
    std::vector<std::shared_ptr<Job>> jobs;
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopped = true;
        jobs.swap(impl_->jobs);
    }
    for (auto& job : jobs) {
        job->stopped.store(true);
        asio::post(job->strand, [job] { job->timer.cancel(); });
    }
}

}  // namespace gatehouse::core
