#pragma once
// What a load run plays: how many residents, how fast, which mistakes they make, and where the
// engine under test lives. Read from a TOML scenario file, then overridden from the command line.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace budget::loadtest {

enum class Mode {
    journey,       ///< every resident: challenge, code from the outbox, verify, (fetch), vote
    ballots_only,  ///< phase 1 prepares the sessions untimed, phase 2 times the ballots alone
};

/// Shares (0..1) of residents who do something besides the plain journey.
struct Mix {
    double wrong_code = 0.0;      ///< first send a wrong code (expect 401 invalid_code)
    double invalid_ballot = 0.0;  ///< first send a ballot naming an unknown id (expect 422)
    double duplicate = 0.0;       ///< after the receipt, vote again (expect 409 already_voted)
    double fetch_ballot = 0.0;    ///< GET /api/v1/initiatives before voting (status not checked)
};

struct Scenario {
    std::string name = "custom";
    Mode mode = Mode::journey;
    int residents = 100;
    int connections = 16;         ///< concurrent keep-alive connections (one coroutine each)
    int prepare_connections = 0;  ///< ballots-only phase 1; 0 = same as connections
    double rate = 0.0;            ///< residents started per second; 0 = as fast as possible
    int think_ms = 0;             ///< random pause 0..think_ms between a resident's steps
    std::uint64_t seed = 0;       ///< 0 = random
    int timeout_ms = 30000;       ///< per request
    /// Ballots are sent with an Idempotency-Key and, when the answer is lost or 503, sent again
    /// with the same key up to this many times (0: never), half a second apart.
    int ballot_retries = 0;
    int code_timeout_ms = 15000;  ///< wait for a code to show in the outbox
    Mix mix;

    std::string url = "http://127.0.0.1:8080";
    std::string outbox = "var/outbox.jsonl";
    std::string redis = "redis://127.0.0.1:6379";
    std::string campaign = "2026";
    int ballot_shards = 1;
    int max_choices = 3;
    std::vector<std::string> choices;  ///< empty: read from the ballot definition
    std::vector<std::string> communes{"62041", "62193", "62160", "62119", "62498", "62765"};

    bool check = true;             ///< check the outcome in Redis afterwards
    bool tolerate_errors = false;  ///< transport errors and 503 do not fail the verdict
};

/// Reads a scenario file; unknown sections or keys and bad values throw std::runtime_error.
Scenario load_scenario(const std::string& path);

/// Applies one `key=value` override, `key` as in the file (`residents`, `mix.duplicate`...).
void apply_override(Scenario& s, std::string_view key, std::string_view value);

/// Checks the values hang together; throws std::runtime_error naming the first bad one.
void validate(const Scenario& s);

Mode parse_mode(std::string_view text);
std::string_view mode_name(Mode m);
std::vector<std::string> split_list(std::string_view text);

}  // namespace budget::loadtest
