#include "loadtest/run_record.hpp"

#include <boost/json/parse.hpp>
#include <cstdio>
#include <string>

namespace budget::loadtest {

namespace json = boost::json;

std::string_view step_name(Step s) {
    switch (s) {
        case Step::connect:
            return "connect";
        case Step::challenge:
            return "challenge";
        case Step::code_wait:
            return "code_wait";
        case Step::verify_wrong:
            return "verify_wrong";
        case Step::verify:
            return "verify";
        case Step::fetch_ballot:
            return "fetch_ballot";
        case Step::ballot_invalid:
            return "ballot_invalid";
        case Step::ballot:
            return "ballot";
        case Step::ballot_duplicate:
            return "ballot_duplicate";
    }
    return "?";
}

double StepStats::throughput() const {
    if (!first_start || count() == 0) return 0;
    const auto span = std::chrono::duration<double>(last_end - *first_start).count();
    return span > 0 ? static_cast<double>(count()) / span : 0;
}

std::string error_code_of(const std::string& body) {
    boost::system::error_code ec;
    const auto v = json::parse(body, ec);
    if (ec || !v.is_object()) return "";
    const auto* e = v.as_object().if_contains("error");
    if (!e || !e->is_object()) return "";
    const auto* code = e->as_object().if_contains("code");
    return code && code->is_string() ? std::string(code->as_string()) : "";
}

bool RunRecord::record(Step step, Clock::time_point start, int status, const std::string& body,
                       const std::string& transport_error, int expected_status,
                       const std::string& expected_code) {
    const auto end = Clock::now();
    auto& s = steps[static_cast<std::size_t>(step)];
    if (!s.first_start || start < *s.first_start) s.first_start = start;
    if (end > s.last_end) s.last_end = end;
    s.latency.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(end - start).count()));
    ++s.statuses[status];
    if (status == 0) ++transport_errors;
    if (status == 503) ++server_unavailable;
    if (expected_status == 0) return true;
    const auto code = status >= 400 ? error_code_of(body) : std::string();
    if (status == expected_status && (expected_code.empty() || code == expected_code)) return true;
    auto& u = unexpected[{step, status, code}];
    if (u.count++ == 0) u.example = status == 0 ? transport_error : body.substr(0, 300);
    return false;
}

void RunRecord::record_wait(Step step, Clock::time_point start, bool found) {
    const auto end = Clock::now();
    auto& s = steps[static_cast<std::size_t>(step)];
    if (!s.first_start || start < *s.first_start) s.first_start = start;
    if (end > s.last_end) s.last_end = end;
    s.latency.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(end - start).count()));
    ++s.statuses[found ? 1 : 0];
    if (!found && step == Step::code_wait) ++codes_missing;
    if (!found && step == Step::connect) ++transport_errors;
}

void RunRecord::add_receipt(Receipt r) {
    if (!residents_with_receipt.insert(r.resident).second) ++double_receipts;
    receipts.push_back(std::move(r));
}

namespace {

std::string ms(std::uint64_t micros) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(micros) / 1000.0);
    return buf;
}

}  // namespace

void print_report(std::ostream& out, const RunRecord& r) {
    const auto total = std::chrono::duration<double>(r.finished - r.started).count();
    char line[512];
    std::snprintf(line, sizeof line,
                  "\n== load report: %.2f s, %llu residents done, %llu abandoned ==\n", total,
                  static_cast<unsigned long long>(r.residents_done),
                  static_cast<unsigned long long>(r.residents_abandoned));
    out << line;
    std::snprintf(line, sizeof line, "%-17s %8s %10s %8s %8s %8s %8s %9s %9s  %s\n", "step",
                  "count", "per s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "mean ms",
                  "statuses");
    out << line;
    for (std::size_t i = 0; i < kStepCount; ++i) {
        const auto& s = r.steps[i];
        if (s.count() == 0) continue;
        std::string statuses;
        for (const auto& [status, n] : s.statuses) {
            if (!statuses.empty()) statuses += ' ';
            const auto step = static_cast<Step>(i);
            const std::string label = step == Step::code_wait ? (status ? "found" : "missing")
                                      : step == Step::connect ? (status ? "ok" : "failed")
                                      : status                ? std::to_string(status)
                                                              : "none";
            statuses += label + ":" + std::to_string(n);
        }
        const auto& h = s.latency;
        std::snprintf(line, sizeof line, "%-17s %8llu %10.1f %8s %8s %8s %8s %9s %9.2f  %s\n",
                      std::string(step_name(static_cast<Step>(i))).c_str(),
                      static_cast<unsigned long long>(s.count()), s.throughput(),
                      ms(h.percentile(0.5)).c_str(), ms(h.percentile(0.9)).c_str(),
                      ms(h.percentile(0.99)).c_str(), ms(h.percentile(0.999)).c_str(),
                      ms(h.max()).c_str(), h.mean() / 1000.0, statuses.c_str());
        out << line;
    }
    if (r.ballot_phase) {
        const auto& p = *r.ballot_phase;
        const auto& h = r.steps[static_cast<std::size_t>(Step::ballot)].latency;
        std::snprintf(line, sizeof line,
                      "\nballots-only phase: %llu ballots at %d connections in %.3f s = %.0f "
                      "ballots/s, p50 %s ms, p99 %s ms, p99.9 %s ms, max %s ms (sessions prepared "
                      "untimed in %.2f s)\n",
                      static_cast<unsigned long long>(p.ballots), p.connections, p.seconds,
                      p.seconds > 0 ? static_cast<double>(p.ballots) / p.seconds : 0.0,
                      ms(h.percentile(0.5)).c_str(), ms(h.percentile(0.99)).c_str(),
                      ms(h.percentile(0.999)).c_str(), ms(h.max()).c_str(), r.prepare_seconds);
        out << line;
    }
    out << "\nreceipts: " << r.receipts.size()
        << ", ballots without a clear answer: " << r.ballots_unknown
        << ", ballots sent again with their key: " << r.ballot_retries
        << ", transport errors: " << r.transport_errors << ", 503 answers: " << r.server_unavailable
        << ", codes never seen: " << r.codes_missing << "\n";
    if (!r.unexpected.empty()) {
        out << "unexpected answers:\n";
        for (const auto& [key, u] : r.unexpected) {
            const auto& [step, status, code] = key;
            out << "  " << step_name(step) << ": " << (status ? std::to_string(status) : "none")
                << (code.empty() ? "" : " " + code) << " x" << u.count << "  e.g. " << u.example
                << "\n";
        }
    }
}

}  // namespace budget::loadtest
