#include "server/budgetctl_staff.hpp"

#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "config/files.hpp"
#include "labelling/questionnaire_toml.hpp"
#include "server/audit_log.hpp"
#include "server/budgetctl_redis.hpp"
#include "server/labelling_store.hpp"
#include "server/log.hpp"
#include "server/staff_auth.hpp"
#include "server/staff_initiatives.hpp"

namespace budget::server {

namespace json = boost::json;

namespace {

/// KEYS: user. ARGV: password hash, role, created at, replace (1/0).
/// Returns 1 when written, 0 when the user exists and replace was not asked.
constexpr const char* kAddUser = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 and ARGV[4] ~= '1' then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'password_hash', ARGV[1], 'role', ARGV[2], 'created_at', ARGV[3])
return 1
)lua";

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

}  // namespace

int run_user_command(const config::Config& config, const std::vector<std::string>& args,
                     std::istream& in, std::ostream& out, std::ostream& err) {
    if (args.empty() || args[0] != "add") {
        err << kUserUsage;
        return 2;
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
            return 2;
        }
    }
    const auto role = parse_staff_role(role_text);
    if (!role) {
        err << "budgetctl: --role must be committee or mission\n" << kUserUsage;
        return 2;
    }
    const auto username = normalize_username(username_text);
    if (!username) {
        err << "budgetctl: --username must be 1 to 64 characters among a-z, 0-9, '.', '_', '-', "
               "starting with a letter or digit\n";
        return 2;
    }
    const auto password = read_password(in, err);
    if (!password) {
        err << "budgetctl: no password on stdin\n";
        return 1;
    }
    if (auto problem = password_problem(*password)) {
        err << "budgetctl: " << *problem << "\n";
        return 1;
    }
    auto connection = SyncRedis::connect(config);
    if (auto* reason = std::get_if<std::string>(&connection)) {
        err << "budgetctl: " << *reason << "\n";
        return 1;
    }
    auto& redis = std::get<SyncRedis>(connection);
    const auto hash = hash_password(*password);
    const auto now = now_rfc3339();
    const auto written =
        redis.eval(kAddUser, {staff_user_key(*username)},
                   {hash, std::string(to_string(*role)), now, replace ? "1" : "0"});
    if (written.is_error()) {
        err << "budgetctl: Redis refused the user: " << written.str << "\n";
        return 1;
    }
    if (written.integer == 0) {
        err << "budgetctl: user " << *username
            << " exists already; add --replace to set a new password and role\n";
        return 1;
    }
    AuditEntry entry{operator_name(),
                     "operator",
                     replace ? "user_replace" : "user_add",
                     *username,
                     {{"role", to_string(*role)}},
                     ""};
    const auto audited = redis.command(audit_xadd(config.campaign.id, entry, now));
    if (audited.is_error())
        err << "budgetctl: warning: audit entry not written: " << audited.str << "\n";
    out << "user " << *username << " " << (replace ? "saved" : "added") << " (role "
        << to_string(*role) << ")\n";
    return 0;
}

int run_initiatives_command(const config::Config& config, const std::vector<std::string>& args,
                            std::ostream& out, std::ostream& err) {
    if (args.size() != 2 || args[0] != "import") {
        err << kInitiativesUsage;
        return 2;
    }
    const auto& path = args[1];
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
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    if (now >= config.campaign.vote_opens_unix) {
        err << "budgetctl: the vote opened at " << config.campaign.vote_opens
            << ": the ballot is sealed and initiatives can no longer be added\n";
        return 1;
    }

    const auto batch =
        validate_initiative_submission(body, *communes, largest_category_cap(*questionnaire), true);
    if (!batch.shape_error.empty()) {
        err << "budgetctl: " << path << ": " << batch.shape_error << "\n";
        return 1;
    }
    if (!batch.ok()) {
        err << "budgetctl: " << path << ": " << batch.errors.size()
            << " row(s) refused, nothing imported:\n"
            << row_errors_text(batch.errors);
        return 1;
    }

    auto connection = SyncRedis::connect(config);
    if (auto* reason = std::get_if<std::string>(&connection)) {
        err << "budgetctl: " << *reason << "\n";
        return 1;
    }
    auto& redis = std::get<SyncRedis>(connection);
    json::array ids;
    for (const auto& r : batch.records) ids.emplace_back(r.id);
    AuditEntry entry{operator_name(),
                     "operator",
                     "import",
                     path,
                     {{"count", batch.records.size()}, {"ids", ids}},
                     ""};
    const auto call = import_call(config.campaign.id, batch.records, entry, now_rfc3339());
    const auto reply = redis.eval(scripts::kImportInitiatives, call.keys, call.args);
    if (reply.is_error()) {
        err << "budgetctl: Redis refused the import: " << reply.str << "\n";
        return 1;
    }
    std::vector<std::string> existing;
    switch (import_outcome(reply, existing)) {
        case WriteOutcome::ok:
            out << "imported " << batch.records.size() << " initiative(s) into campaign "
                << config.campaign.id << ":";
            for (const auto& r : batch.records) out << " " << r.id;
            out << "\n";
            return 0;
        case WriteOutcome::conflict:
            err << "budgetctl: " << path << ": some ids exist already, nothing imported:\n"
                << row_errors_text(existing_id_errors(batch.records, existing));
            return 1;
        case WriteOutcome::sealed:
            err << "budgetctl: the ballot is sealed: initiatives can no longer be added\n";
            return 1;
        default:
            err << "budgetctl: unexpected answer from Redis; nothing imported\n";
            return 1;
    }
}

}  // namespace budget::server
