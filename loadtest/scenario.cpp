#include "loadtest/scenario.hpp"

#include <charconv>
#include <stdexcept>
#include <toml.hpp>

namespace budget::loadtest {

namespace {

std::string to_text(const toml::value& v) {
    if (v.is_string()) return v.as_string().str;
    if (v.is_integer()) return std::to_string(v.as_integer());
    if (v.is_floating()) return std::to_string(v.as_floating());
    if (v.is_boolean()) return v.as_boolean() ? "true" : "false";
    if (v.is_array()) {
        std::string out;
        for (const auto& e : v.as_array()) {
            if (!e.is_string()) throw std::runtime_error("lists hold strings only");
            if (!out.empty()) out += ',';
            out += e.as_string().str;
        }
        return out;
    }
    throw std::runtime_error("unsupported value type");
}

long long to_integer(std::string_view key, std::string_view text) {
    long long n = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || p != text.data() + text.size())
        throw std::runtime_error(std::string(key) + ": not an integer: " + std::string(text));
    return n;
}

double to_double(std::string_view key, std::string_view text) {
    try {
        std::size_t used = 0;
        const std::string s(text);
        const double d = std::stod(s, &used);
        if (used != s.size()) throw std::invalid_argument("trailing");
        return d;
    } catch (const std::exception&) {
        throw std::runtime_error(std::string(key) + ": not a number: " + std::string(text));
    }
}

bool to_bool(std::string_view key, std::string_view text) {
    if (text == "true" || text == "1" || text == "yes") return true;
    if (text == "false" || text == "0" || text == "no") return false;
    throw std::runtime_error(std::string(key) + ": not a boolean: " + std::string(text));
}

int to_int(std::string_view key, std::string_view text) {
    const auto n = to_integer(key, text);
    if (n < 0 || n > 100'000'000) throw std::runtime_error(std::string(key) + ": out of range");
    return static_cast<int>(n);
}

}  // namespace

Mode parse_mode(std::string_view text) {
    if (text == "journey") return Mode::journey;
    if (text == "ballots-only" || text == "ballots_only") return Mode::ballots_only;
    throw std::runtime_error("mode: expected \"journey\" or \"ballots-only\", got " +
                             std::string(text));
}

std::string_view mode_name(Mode m) { return m == Mode::journey ? "journey" : "ballots-only"; }

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        auto part = text.substr(0, comma);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        if (!part.empty()) out.emplace_back(part);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

void apply_override(Scenario& s, std::string_view key, std::string_view value) {
    // Keys may carry their section ("scenario.residents") or not ("residents").
    for (std::string_view section : {"scenario.", "target.", "check."}) {
        if (key.substr(0, section.size()) == section) {
            key.remove_prefix(section.size());
            break;
        }
    }
    using Setter = void (*)(Scenario&, std::string_view, std::string_view);
    struct Entry {
        std::string_view key;
        Setter set;
    };
    static constexpr Entry kKeys[] = {
        {"name", [](Scenario& s, auto, auto v) { s.name = v; }},
        {"mode", [](Scenario& s, auto, auto v) { s.mode = parse_mode(v); }},
        {"residents", [](Scenario& s, auto k, auto v) { s.residents = to_int(k, v); }},
        {"connections", [](Scenario& s, auto k, auto v) { s.connections = to_int(k, v); }},
        {"prepare_connections",
         [](Scenario& s, auto k, auto v) { s.prepare_connections = to_int(k, v); }},
        {"rate", [](Scenario& s, auto k, auto v) { s.rate = to_double(k, v); }},
        {"think_ms", [](Scenario& s, auto k, auto v) { s.think_ms = to_int(k, v); }},
        {"seed", [](Scenario& s, auto k,
                    auto v) { s.seed = static_cast<std::uint64_t>(to_integer(k, v)); }},
        {"timeout_ms", [](Scenario& s, auto k, auto v) { s.timeout_ms = to_int(k, v); }},
        {"ballot_retries", [](Scenario& s, auto k, auto v) { s.ballot_retries = to_int(k, v); }},
        {"code_timeout_ms", [](Scenario& s, auto k, auto v) { s.code_timeout_ms = to_int(k, v); }},
        {"mix.wrong_code", [](Scenario& s, auto k, auto v) { s.mix.wrong_code = to_double(k, v); }},
        {"mix.invalid_ballot",
         [](Scenario& s, auto k, auto v) { s.mix.invalid_ballot = to_double(k, v); }},
        {"mix.duplicate", [](Scenario& s, auto k, auto v) { s.mix.duplicate = to_double(k, v); }},
        {"mix.fetch_ballot",
         [](Scenario& s, auto k, auto v) { s.mix.fetch_ballot = to_double(k, v); }},
        {"url", [](Scenario& s, auto, auto v) { s.url = v; }},
        {"outbox", [](Scenario& s, auto, auto v) { s.outbox = v; }},
        {"redis", [](Scenario& s, auto, auto v) { s.redis = v; }},
        {"campaign", [](Scenario& s, auto, auto v) { s.campaign = v; }},
        {"ballot_shards", [](Scenario& s, auto k, auto v) { s.ballot_shards = to_int(k, v); }},
        {"max_choices", [](Scenario& s, auto k, auto v) { s.max_choices = to_int(k, v); }},
        {"choices", [](Scenario& s, auto, auto v) { s.choices = split_list(v); }},
        {"communes", [](Scenario& s, auto, auto v) { s.communes = split_list(v); }},
        {"enabled", [](Scenario& s, auto k, auto v) { s.check = to_bool(k, v); }},
        {"tolerate_errors", [](Scenario& s, auto k, auto v) { s.tolerate_errors = to_bool(k, v); }},
    };
    for (const auto& e : kKeys) {
        if (e.key == key) {
            e.set(s, key, value);
            return;
        }
    }
    throw std::runtime_error("unknown scenario key: " + std::string(key));
}

Scenario load_scenario(const std::string& path) {
    toml::value root;
    try {
        root = toml::parse(path);
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot read scenario " + path + ": " + e.what());
    }
    Scenario s;
    for (const auto& [section, table] : root.as_table()) {
        if (section != "scenario" && section != "mix" && section != "target" && section != "check")
            throw std::runtime_error(path + ": unknown section [" + section + "]");
        if (!table.is_table()) throw std::runtime_error(path + ": " + section + " is not a table");
        for (const auto& [key, value] : table.as_table()) {
            const auto full = section == "mix" ? "mix." + key : key;
            try {
                apply_override(s, full, to_text(value));
            } catch (const std::exception& e) {
                throw std::runtime_error(path + ": [" + section + "] " + key + ": " + e.what());
            }
        }
    }
    validate(s);
    return s;
}

void validate(const Scenario& s) {
    auto require = [](bool ok, const char* what) {
        if (!ok) throw std::runtime_error(what);
    };
    require(s.residents >= 1, "residents must be at least 1");
    require(s.connections >= 1, "connections must be at least 1");
    require(s.rate >= 0, "rate must be >= 0");
    require(s.timeout_ms >= 1 && s.code_timeout_ms >= 1, "timeouts must be positive");
    for (const double share :
         {s.mix.wrong_code, s.mix.invalid_ballot, s.mix.duplicate, s.mix.fetch_ballot})
        require(share >= 0 && share <= 1, "mix shares must be within 0..1");
    require(s.ballot_shards >= 1, "ballot_shards must be at least 1");
    require(s.ballot_retries >= 0 && s.ballot_retries <= 20, "ballot_retries must be 0..20");
    require(s.max_choices >= 1, "max_choices must be at least 1");
    require(!s.communes.empty(), "communes must not be empty");
    require(s.url.rfind("http://", 0) == 0, "url must start with http://");
}

}  // namespace budget::loadtest
