#include "server/programs/budgetctl_staff.hpp"

#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <variant>

#include "config/files.hpp"
#include "labelling/questionnaire_toml.hpp"
#include "server/api/initiative_rows.hpp"
#include "server/api/staff_auth.hpp"
#include "server/core/clock.hpp"
#include "server/core/log.hpp"
#include "server/programs/budgetctl_redis.hpp"
#include "server/storage/audit_log.hpp"
#include "server/storage/labelling_store.hpp"
#include "server/storage/staff_store.hpp"
#include "voting/phase.hpp"

namespace budget::server::programs {

namespace json = boost::json;

namespace {

constexpr const char* kUserUsage =
    "usage: budgetctl --config FILE user add --role committee|mission --username U [--replace]\n"
    "       (the password is read from stdin, one line, at least 12 characters)\n";
constexpr const char* kInitiativesUsage =
    "usage: budgetctl --config FILE initiatives import FILE.json\n";

/// Who runs budgetctl, for the audit log.
std::string operator_name() {
    if (const auto* pw = ::getpwuid(::getuid())) return std::string("budgetctl:") + pw->pw_name;
    return "budgetctl:uid" + std::to_string(::getuid());
}

/// Why a store call failed, for the operator.
std::string_view store_failure(storage::StoreError error) {
    switch (error) {
        case storage::StoreError::outcome_unknown:
            return "Redis did not confirm the write; check before trying again";
        case storage::StoreError::corrupt:
            return "the data in Redis does not read back";
        default:
            return "Redis is unavailable";
    }
}

std::optional<std::string> read_line_without_echo(std::istream& in, std::ostream& err,
                                                  const char* prompt) {
    err << prompt << std::flush;
    termios old{};
    const bool tty = ::tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    const bool ok = static_cast<bool>(std::getline(in, line));
    if (tty) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
        err << "\n";
    }
    if (!ok) return std::nullopt;
    return line;
}

std::optional<std::string> read_password(std::istream& in, std::ostream& err) {
    if (&in == &std::cin && ::isatty(STDIN_FILENO)) {
        auto first = read_line_without_echo(in, err, "Password: ");
        if (!first) return std::nullopt;
        auto again = read_line_without_echo(in, err, "Password (again): ");
        if (!again || *again != *first) {
            err << "budgetctl: the two passwords differ\n";
            return std::nullopt;
        }
        return first;
    }
    std::string line;
    if (!std::getline(in, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

/// The arguments of `user add`.
struct UserRequest {
    api::StaffRole role = api::StaffRole::committee;
    std::string username;
    bool replace = false;
};

/// Reads `add --role R --username U [--replace]`; std::nullopt (usage written) on misuse.
std::optional<UserRequest> parse_user_args(const std::vector<std::string>& args,
                                           std::ostream& err) {
    if (args.empty() || args[0] != "add") {
        err << kUserUsage;
        return std::nullopt;
    }
    std::string role_text, username_text;
    bool replace = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--role" && i + 1 < args.size()) {
            role_text = args[++i];
        } else if (args[i] == "--username" && i + 1 < args.size()) {
            username_text = args[++i];
        } else if (args[i] == "--replace") {
            replace = true;
        } else {
            err << "budgetctl: unexpected argument " << args[i] << "\n" << kUserUsage;
            return std::nullopt;
        }
    }
    const auto role = api::parse_staff_role(role_text);
    if (!role) {
        err << "budgetctl: --role must be committee or mission\n" << kUserUsage;
        return std::nullopt;
    }
    auto username = api::normalize_username(username_text);
    if (!username) {
        err << "budgetctl: --username must be 1 to 64 characters among a-z, 0-9, '.', '_', '-', "
               "starting with a letter or digit\n";
        return std::nullopt;
    }
    return UserRequest{*role, std::move(*username), replace};
}

/// The initiatives of an import file, validated; otherwise the exit code, the reason written.
std::variant<api::InitiativeBatch, int> read_initiatives_file(const config::Config& config,
                                                              const std::string& path,
                                                              std::ostream& err) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        err << "budgetctl: cannot read " << path << "\n";
        return 1;
    }
    std::stringstream text;
    text << file.rdbuf();
    boost::system::error_code ec;
    const auto body = json::parse(text.str(), ec);
    if (ec) {
        err << "budgetctl: " << path << " is not valid JSON: " << ec.message() << "\n";
        return 1;
    }
    std::optional<config::CommuneDirectory> communes;
    try {
        communes =
            config::CommuneDirectory::load(config.labelling.communes, config.labelling.territories);
    } catch (const config::ConfigError& e) {
        err << "budgetctl: " << e.what() << "\n";
        return 2;
    }
    const auto questionnaire_text = config::read_text_file(config.labelling.questionnaire);
    if (!questionnaire_text) {
        err << "budgetctl: " << config.labelling.questionnaire << ": cannot open the file\n";
        return 2;
    }
    auto questionnaire =
        labelling::parse_questionnaire_toml(*questionnaire_text, config.labelling.questionnaire);
    if (!questionnaire) {
        err << "budgetctl: " << questionnaire.error().message() << "\n";
        return 2;
    }
    const voting::VoteWindow window{config.campaign.vote_opens_unix,
                                    config.campaign.vote_closes_unix};
    if (voting::vote_has_opened(window, SystemClock().now())) {
        err << "budgetctl: the vote opened at " << config.campaign.vote_opens
            << ": the ballot is sealed and initiatives can no longer be added\n";
        return 1;
    }
    auto batch = api::validate_initiative_submission(
        body, *communes, api::largest_category_cap(*questionnaire), true);
    if (!batch.shape_error.empty()) {
        err << "budgetctl: " << path << ": " << batch.shape_error << "\n";
        return 1;
    }
    if (!batch.ok()) {
        err << "budgetctl: " << path << ": " << batch.errors.size()
            << " row(s) refused, nothing imported:\n"
            << api::row_errors_text(batch.errors);
        return 1;
    }
    return batch;
}

}  // namespace

int run_user_command(const config::Config& config, const std::vector<std::string>& args,
                     std::istream& in, std::ostream& out, std::ostream& err) {
    const auto request = parse_user_args(args, err);
    if (!request) return 2;
    const auto password = read_password(in, err);
    if (!password) {
        err << "budgetctl: no password on stdin\n";
        return 1;
    }
    if (auto problem = api::password_problem(*password)) {
        err << "budgetctl: " << *problem << "\n";
        return 1;
    }
    auto connection = connect_redis(config);
    if (auto* reason = std::get_if<std::string>(&connection)) {
        err << "budgetctl: " << *reason << "\n";
        return 1;
    }
    auto& client = *std::get<std::unique_ptr<redis::BlockingClient>>(connection);
    const std::string role(api::to_string(request->role));
    storage::StaffStore staff(client.client());
    storage::StaffUser user{api::hash_password(*password), role, now_rfc3339()};
    const auto written =
        client.run(staff.add_user(request->username, std::move(user), request->replace));
    if (!written) {
        err << "budgetctl: the user was not saved: " << store_failure(written.error()) << "\n";
        return 1;
    }
    if (!*written) {
        err << "budgetctl: user " << request->username
            << " exists already; add --replace to set a new password and role\n";
        return 1;
    }
    storage::AuditLog audit(client.client(), config.campaign.id);
    storage::AuditEntry entry{
        operator_name(),   "operator",       request->replace ? "user_replace" : "user_add",
        request->username, {{"role", role}}, ""};
    if (!client.run(audit.append(std::move(entry)))) {
        err << "budgetctl: warning: audit entry not written\n";
    }
    out << "user " << request->username << " " << (request->replace ? "saved" : "added")
        << " (role " << role << ")\n";
    return 0;
}

int run_initiatives_command(const config::Config& config, const std::vector<std::string>& args,
                            std::ostream& out, std::ostream& err) {
    if (args.size() != 2 || args[0] != "import") {
        err << kInitiativesUsage;
        return 2;
    }
    const auto& path = args[1];
    const auto read = read_initiatives_file(config, path, err);
    if (const auto* exit_code = std::get_if<int>(&read)) return *exit_code;
    const auto& batch = std::get<api::InitiativeBatch>(read);

    auto connection = connect_redis(config);
    if (auto* reason = std::get_if<std::string>(&connection)) {
        err << "budgetctl: " << *reason << "\n";
        return 1;
    }
    auto& client = *std::get<std::unique_ptr<redis::BlockingClient>>(connection);
    json::array ids;
    for (const auto& r : batch.records) ids.emplace_back(r.id);
    const storage::AuditEntry entry{operator_name(),
                                    "operator",
                                    "import",
                                    path,
                                    {{"count", batch.records.size()}, {"ids", ids}},
                                    ""};
    storage::LabellingStore labelling(client.client(), config.campaign.id);
    std::vector<std::string> existing;
    switch (client.run(labelling.import(batch.records, entry, existing))) {
        case storage::WriteOutcome::ok:
            out << "imported " << batch.records.size() << " initiative(s) into campaign "
                << config.campaign.id << ":";
            for (const auto& r : batch.records) out << " " << r.id;
            out << "\n";
            return 0;
        case storage::WriteOutcome::conflict:
            err << "budgetctl: " << path << ": some ids exist already, nothing imported:\n"
                << api::row_errors_text(api::existing_id_errors(batch.records, existing));
            return 1;
        case storage::WriteOutcome::sealed:
            err << "budgetctl: the ballot is sealed: initiatives can no longer be added\n";
            return 1;
        default:
            err << "budgetctl: Redis is unavailable or gave an unexpected answer; nothing "
                   "imported\n";
            return 1;
    }
}

}  // namespace budget::server::programs
