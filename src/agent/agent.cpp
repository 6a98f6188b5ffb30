#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <csignal>
#include <random>
#include <thread>

#include "agent/agent_options.hpp"
#include "agent/agent_state.hpp"
#include "agent/http_client.hpp"
#include "agent/pg_collect.hpp"
#include "agent/spool.hpp"
#include "core/build_info.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/time.hpp"

namespace gatehouse::agent {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
constexpr const char* kApi = "/api/v1";

std::atomic<bool> g_stop{false};
extern "C" void OnSignal(int) { g_stop.store(true); }

std::int64_t ParseEpoch(const json::value& text) {
    const auto t = core::ParseRfc3339(text.as_string());
    return t ? core::EpochSeconds(*t) : 0;
}

std::string HostName() {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    return name;
}

// host:port/db of a URL, without its user or password: the `target` label.
std::string TargetName(const std::string& url) {
    const auto parsed = boost::urls::parse_uri(url);
    if (!parsed) return "postgres";
    std::string name = parsed->host_address();
    if (parsed->has_port()) name += ":" + std::string(parsed->port());
    name += std::string(parsed->encoded_path());
    return name.empty() ? "postgres" : name;
}

std::string Problem(const HttpAnswer& answer) {
    boost::system::error_code ec;
    const auto body = json::parse(answer.body, ec);
    if (!ec && body.is_object() && body.as_object().contains("detail"))
        return std::string(body.as_object().at("detail").as_string());
    return "HTTP " + std::to_string(answer.status);
}

std::string KindOf(const HttpAnswer& answer) {
    boost::system::error_code ec;
    const auto body = json::parse(answer.body, ec);
    if (ec || !body.is_object()) return {};
    const auto* kind = body.as_object().if_contains("kind");
    return kind && kind->is_string() ? std::string(kind->as_string()) : std::string();
}

class Agent {
  public:
    explicit Agent(AgentOptions options) : o_(std::move(options)), dir_(o_.state_dir) {}

    int Run() {
        std::filesystem::create_directories(dir_);
        std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
        key_ = EnsureKey(dir_);
        auto state = ReadState(dir_);
        while (!state && !g_stop) {
            state = Enrol();
            if (!state) Sleep(Backoff());
        }
        if (!state) return refused_ ? 1 : 0;
        state_ = std::move(*state);
        failures_ = 0;
        client_ = std::make_unique<HttpClient>(
            o_.server,
            HttpClient::Tls{(dir_ / "ca.pem").string(), (dir_ / "cert.pem").string(), (dir_ / "key.pem").string()},
            std::chrono::seconds(15));
        spool_ = std::make_unique<Spool>(dir_ / "spool", o_.buffer_max_samples);
        for (const auto& url : o_.postgres)
            collectors_.push_back(std::make_unique<PgCollector>(PgTarget{TargetName(url), url}));
        core::LogInfo("agent.started", {{"collector_id", state_.collector_id},
                                        {"targets", collectors_.size()},
                                        {"spooled_samples", spool_->samples()}});
        while (!g_stop) {
            const auto now = Clock::now();
            if (now >= next_config_) PollConfig();
            if (now >= next_collect_) Collect();
            if (now >= next_push_) Push();
            Sleep(std::chrono::milliseconds(200));
        }
        core::LogInfo("agent.stopped",
                      {{"spooled_samples", spool_->samples()}, {"dropped_samples", spool_->dropped()}});
        return 0;
    }

  private:
    void Sleep(Clock::duration d) {
        const auto until = Clock::now() + d;
        while (!g_stop && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }

    // Doubling up to a minute, with jitter (0.5 .. 1.5), so a fleet that lost its server does not come back at once.
    Clock::duration Backoff() {
        const double base = std::min(60.0, static_cast<double>(1 << std::min(failures_++, 6)));
        std::uniform_real_distribution<double> jitter(0.5, 1.5);
        return std::chrono::milliseconds(static_cast<std::int64_t>(base * jitter(rng_) * 1000));
    }

    void Adopt(const json::object& answer) {
        WriteFileAtomically(dir_ / "cert.pem", std::string(answer.at("certificate").as_string()));
        WriteFileAtomically(dir_ / "ca.pem", std::string(answer.at("ca_certificate").as_string()));
        state_.collector_id = std::string(answer.at("collector_id").as_string());
        state_.token = std::string(answer.at("token").as_string());
        state_.token_expires = ParseEpoch(answer.at("token_expires_at"));
        state_.certificate_expires = ParseEpoch(answer.at("certificate_expires_at"));
        state_.certificate_issued = core::EpochSeconds();
        if (state_.config.empty()) state_.config = answer.at("config").as_object();
        WriteState(dir_, state_);
    }

    std::optional<AgentState> Enrol() {
        try {
            HttpClient api(o_.api_url, HttpClient::Tls{o_.api_ca_file, {}, {}}, std::chrono::seconds(15));
            const std::string name = o_.name.empty() ? HostName() : o_.name;
            const json::object body{{"name", name},
                                    {"hostname", o_.hostname.empty() ? HostName() : o_.hostname},
                                    {"csr", MakeCsr(key_, name)}};
            const auto answer =
                api.Request("POST", std::string(kApi) + "/collectors/register", json::serialize(body),
                            {{"Authorization", "Bearer " + o_.enrol_token}, {"Content-Type", "application/json"}});
            if (answer.status != 201) {
                core::LogError("agent.enrolment_refused", {{"status", answer.status}, {"detail", Problem(answer)}});
                // A refused token will not work later either: stop rather than retry for ever.
                if (answer.status >= 400 && answer.status < 500) {
                    refused_ = true;
                    g_stop.store(true);
                }
                return std::nullopt;
            }
            Adopt(json::parse(answer.body).as_object());
            core::LogInfo("agent.enrolled", {{"collector_id", state_.collector_id}});
            return state_;
        } catch (const std::exception& e) {
            core::LogWarn("agent.enrolment_failed", {{"error", e.what()}});
            return std::nullopt;
        }
    }

    // A new certificate (same key: it never leaves this host) and token over mTLS.
    bool Renew() {
        try {
            const json::object body{{"csr", MakeCsr(key_, state_.collector_id)}};
            const auto answer =
                client_->Request("POST", std::string(kApi) + "/collectors/" + state_.collector_id + "/renew",
                                 json::serialize(body), {{"Content-Type", "application/json"}});
            if (answer.status != 200) {
                core::LogError("agent.renewal_refused", {{"status", answer.status}, {"detail", Problem(answer)}});
                return false;
            }
            Adopt(json::parse(answer.body).as_object());
            client_->Reset();  // the next connection presents the new certificate
            core::LogInfo("agent.renewed", {{"certificate_expires", state_.certificate_expires}});
            return true;
        } catch (const std::exception& e) {
            core::LogWarn("agent.renewal_failed", {{"error", e.what()}});
            return false;
        }
    }

    void RenewIfDue() {
        const auto now = core::EpochSeconds();
        const auto life = std::max<std::int64_t>(1, state_.certificate_expires - state_.certificate_issued);
        // The token a few minutes before it ends; the certificate once two thirds of its life are gone.
        if (now >= state_.token_expires - 300 || now >= state_.certificate_expires - life / 3) Renew();
    }

    std::int64_t Interval(const char* group, std::int64_t fallback) const {
        const auto* intervals = state_.config.if_contains("intervals");
        if (!intervals || !intervals->is_object()) return fallback;
        const auto* seconds = intervals->as_object().if_contains(group);
        return seconds && seconds->is_int64() ? seconds->as_int64() : fallback;
    }

    void PollConfig() {
        next_config_ = Clock::now() + std::chrono::seconds(o_.config_poll_s);
        try {
            RenewIfDue();
            std::map<std::string, std::string> headers{{"Authorization", "Bearer " + state_.token}};
            if (!state_.config_etag.empty()) headers["If-None-Match"] = state_.config_etag;
            const auto answer = client_->Request(
                "GET", std::string(kApi) + "/collectors/" + state_.collector_id + "/config", "", headers);
            if (answer.status == 200) {
                state_.config = json::parse(answer.body).as_object();
                state_.config_etag = answer.headers.count("etag") ? answer.headers.at("etag") : "";
                WriteState(dir_, state_);
                SyncTargets();
                core::LogInfo("agent.config", {{"version", state_.config.at("version")}});
            }
        } catch (const std::exception& e) {
            core::LogWarn("agent.config_failed", {{"error", e.what()}});
        }
    }

    // Targets the server's config names (without passwords) beside the ones given on the command line.
    void SyncTargets() {
        const auto* targets = state_.config.if_contains("postgres");
        if (!targets || !targets->is_array()) return;
        std::erase_if(collectors_, [this](const auto& c) { return c->target().name.rfind("config:", 0) == 0; });
        for (const auto& t : targets->as_array())
            collectors_.push_back(std::make_unique<PgCollector>(
                PgTarget{"config:" + std::string(t.at("name").as_string()), std::string(t.at("url").as_string())}));
    }

    void Collect() {
        const std::int64_t fast = std::min({Interval("connections", 15), Interval("transactions", 15),
                                            Interval("activity", 15), Interval("replication", 30)});
        next_collect_ = Clock::now() + std::chrono::seconds(std::max<std::int64_t>(1, fast));
        const bool sizes = Clock::now() >= next_sizes_;
        if (sizes) next_sizes_ = Clock::now() + std::chrono::seconds(Interval("database_size", 300));
        const auto ts =
            std::chrono::duration_cast<std::chrono::milliseconds>(core::Clock::now().time_since_epoch()).count();
        for (auto& collector : collectors_) {
            auto samples = collector->Collect(sizes, ts);
            for (std::size_t start = 0; start < samples.size(); start += o_.batch_max_samples) {
                const auto end = std::min(samples.size(), start + o_.batch_max_samples);
                json::array items;
                for (std::size_t i = start; i < end; ++i) {
                    json::object labels;
                    for (const auto& [k, v] : samples[i].labels) labels[k] = v;
                    items.push_back(json::object{{"name", samples[i].name},
                                                 {"labels", std::move(labels)},
                                                 {"time", static_cast<double>(samples[i].ts_ms) / 1000.0},
                                                 {"value", samples[i].value}});
                }
                // The batch id is fixed here, so a push whose answer was lost is stored once when sent again.
                spool_->Add(json::serialize(json::object{{"batch_id", core::NewUuidV7()},
                                                         {"agent_version", core::kVersion},
                                                         {"samples", std::move(items)}}),
                            end - start);
            }
        }
    }

    void Push() {
        RenewIfDue();
        while (!g_stop) {
            auto item = spool_->Oldest();
            if (!item) break;
            HttpAnswer answer;
            try {
                answer = client_->Request(
                    "POST", std::string(kApi) + "/metrics", item->body,
                    {{"Authorization", "Bearer " + state_.token}, {"Content-Type", "application/json"}});
            } catch (const std::exception& e) {
                const auto wait = Backoff();
                core::LogWarn("agent.push_failed",
                              {{"error", e.what()},
                               {"spooled_samples", spool_->samples()},
                               {"retry_in_ms", std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()}});
                next_push_ = Clock::now() + wait;
                return;
            }
            if (answer.status == 200) {
                spool_->Remove(*item);
                failures_ = 0;
                continue;
            }
            if (answer.status == 401 && KindOf(answer) == "token_invalid" && Renew()) continue;
            if (answer.status >= 400 && answer.status < 500 && answer.status != 401 && answer.status != 429) {
                // The server will refuse this batch whatever happens: drop it rather than block the ones after it.
                core::LogError("agent.batch_refused", {{"status", answer.status}, {"detail", Problem(answer)}});
                spool_->Remove(*item);
                continue;
            }
            next_push_ = Clock::now() + Backoff();
            core::LogWarn("agent.push_refused", {{"status", answer.status}, {"detail", Problem(answer)}});
            return;
        }
        next_push_ = Clock::now() + std::chrono::seconds(1);
    }

    AgentOptions o_;
    std::filesystem::path dir_;
    std::string key_;
    AgentState state_;
    std::unique_ptr<HttpClient> client_;
    std::unique_ptr<Spool> spool_;
    std::vector<std::unique_ptr<PgCollector>> collectors_;
    Clock::time_point next_config_{}, next_collect_{}, next_push_{}, next_sizes_{};
    int failures_ = 0;
    bool refused_ = false;
    std::mt19937 rng_{std::random_device{}()};
};

}  // namespace

int RunAgent(AgentOptions options) {
    ::umask(0077);  // key, certificate, state and spool are for this user only
    if (options.server.empty() || options.api_url.empty())
        throw std::runtime_error("--server and --api-url are required");
    std::signal(SIGTERM, OnSignal);
    std::signal(SIGINT, OnSignal);
    Agent agent(std::move(options));
    return agent.Run();
}

}  // namespace gatehouse::agent
