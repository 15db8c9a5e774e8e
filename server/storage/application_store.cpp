#include "server/storage/application_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <limits>
#include <set>
#include <stdexcept>

#include "server/core/blocking.hpp"
#include "server/core/crypto.hpp"
#include "server/core/log.hpp"
#include "server/storage/detail/failures.hpp"
#include "server/storage/keys.hpp"

namespace budget::server::storage {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;
using labelling::ApplicationStatus;

namespace {

// The scripts read the stored JSON with cjson only to check it; they never re-encode it (cjson
// would lose the key order and turn an empty list into an object): the new JSON is built here.
// Where a script's check depends on the whole record (a decision, the notifier's mark, a holder's
// save that must keep the notifier's mark), C++ reads the record, builds the next one and the
// script replaces it only if it is still the very string read ('retry' otherwise).

/// KEYS: applications, holder_apps:<owner>, audit.
/// ARGV: id, application JSON, applications allowed per holder, audit field/value pairs.
/// Returns 'ok', 'too_many' or 'exists' (the id is taken: nothing written).
constexpr const char* kCreate = R"lua(
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'exists' end
if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[3]) then return 'too_many' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('XADD', KEYS[3], '*', unpack(ARGV, 4))
return 'ok'
)lua";

/// KEYS: applications, audit.
/// ARGV: id, owner, expected status, updated_at read, JSON read, next JSON, attachments in next,
///       attachments allowed, audit (1/0), audit field/value pairs.
/// Returns 'ok', 'unknown' (none, or another owner's), 'locked' (not in the expected status, or
/// decided), 'stale' (updated since), 'too_many_attachments' or 'retry' (something the holder
/// does not see changed, the notifier's mark: read again and keep it).
constexpr const char* kReplace = R"lua(
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return 'unknown' end
local a = cjson.decode(stored)
if a.owner ~= ARGV[2] then return 'unknown' end
if a.status ~= ARGV[3] or (a.status ~= 'brouillon' and a.status ~= 'deposee') then
  return 'locked'
end
if a.updated_at ~= ARGV[4] then return 'stale' end
if tonumber(ARGV[7]) > tonumber(ARGV[8]) then return 'too_many_attachments' end
if stored ~= ARGV[5] then return 'retry' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[6])
if ARGV[9] == '1' then redis.call('XADD', KEYS[2], '*', unpack(ARGV, 10)) end
return 'ok'
)lua";

/// KEYS: applications, initiatives, labelling_version, sealed ballot, audit.
/// ARGV: id, JSON read, next JSON, admissible (1/0), initiative id, initiative JSON, audit
///       field/value pairs.
/// Returns 'ok', 'unknown', 'locked' (not deposee), 'sealed', 'initiative_exists' or 'retry'.
constexpr const char* kDecide = R"lua(
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return 'unknown' end
if cjson.decode(stored).status ~= 'deposee' then return 'locked' end
if redis.call('HEXISTS', KEYS[4], 'document') == 1 then return 'sealed' end
if ARGV[4] == '1' and redis.call('HEXISTS', KEYS[2], ARGV[5]) == 1 then
  return 'initiative_exists'
end
if stored ~= ARGV[2] then return 'retry' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[2], ARGV[5], ARGV[6])
  redis.call('INCR', KEYS[3])
end
redis.call('XADD', KEYS[5], '*', unpack(ARGV, 7))
return 'ok'
)lua";

/// KEYS: applications. ARGV: id, JSON read, next JSON.
/// Returns 'ok', 'unknown' or 'retry' (changed since read).
constexpr const char* kCompareAndSet = R"lua(
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return 'unknown' end
if stored ~= ARGV[2] then return 'retry' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 'ok'
)lua";

/// KEYS: session. ARGV: owner, email, csrf token, created at, ttl (s).
constexpr const char* kOpenSession = R"lua(
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'email', ARGV[2], 'csrf', ARGV[3],
           'created_at', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
)lua";

/// Reads back when another writer got in between a read and a compare-and-set: a few times,
/// then the caller is told to read again itself.
constexpr int kCasAttempts = 5;

void append_audit(std::vector<std::string>& args, const AuditEntry& audit) {
    for (auto& f : audit_fields(audit, now_rfc3339())) args.push_back(std::move(f));
}

std::string text_of(const redis::Reply& hash, std::string_view field) {
    const auto* v = hash.field(field);
    return v ? v->str : std::string();
}

// ---- the stored JSON, read strictly --------------------------------------------------------

/// Thrown inside the reader for any wrong shape; caught at its top.
struct BadShape {};

const json::value& member(const json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (!v) throw BadShape{};
    return *v;
}

std::string text(const json::object& o, std::string_view name) {
    const auto& v = member(o, name);
    if (!v.is_string()) throw BadShape{};
    return std::string(v.get_string());
}

std::int64_t integer(const json::object& o, std::string_view name) {
    const auto& v = member(o, name);
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= std::numeric_limits<std::int64_t>::max())
        return static_cast<std::int64_t>(v.get_uint64());
    throw BadShape{};
}

const json::object& object(const json::object& o, std::string_view name) {
    const auto& v = member(o, name);
    if (!v.is_object()) throw BadShape{};
    return v.get_object();
}

const json::array& array(const json::object& o, std::string_view name) {
    const auto& v = member(o, name);
    if (!v.is_array()) throw BadShape{};
    return v.get_array();
}

const json::object& as_object(const json::value& v) {
    if (!v.is_object()) throw BadShape{};
    return v.get_object();
}

ApplicationStatus status(const json::object& o, std::string_view name) {
    const auto parsed = labelling::parse_application_status(text(o, name));
    if (!parsed) throw BadShape{};
    return *parsed;
}

json::object fields_json(const labelling::ApplicationFields& f) {
    json::object answers;
    for (const auto& [question, value] : f.self_assessment) answers[question] = value;
    return json::object{{"holder", f.holder},
                        {"legal_form", f.legal_form},
                        {"siret", f.siret},
                        {"contact_name", f.contact_name},
                        {"contact_email", f.contact_email},
                        {"contact_phone", f.contact_phone},
                        {"commune", f.commune},
                        {"title", f.title},
                        {"summary", f.summary},
                        {"description", f.description},
                        {"requested_eur", f.requested_eur},
                        {"self_assessment", std::move(answers)}};
}

labelling::ApplicationFields fields_from(const json::object& o) {
    labelling::ApplicationFields f;
    f.holder = text(o, "holder");
    f.legal_form = text(o, "legal_form");
    f.siret = text(o, "siret");
    f.contact_name = text(o, "contact_name");
    f.contact_email = text(o, "contact_email");
    f.contact_phone = text(o, "contact_phone");
    f.commune = text(o, "commune");
    f.title = text(o, "title");
    f.summary = text(o, "summary");
    f.description = text(o, "description");
    f.requested_eur = integer(o, "requested_eur");
    for (const auto& [question, value] : object(o, "self_assessment")) {
        if (!value.is_int64() || value.get_int64() < std::numeric_limits<int>::min() ||
            value.get_int64() > std::numeric_limits<int>::max())
            throw BadShape{};
        f.self_assessment.emplace(std::string(question), static_cast<int>(value.get_int64()));
    }
    return f;
}

/// Oldest first; ties (the same instant) by id, so that the order is the same at every read.
void sort_oldest_first(std::vector<StoredApplication>& list) {
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
        return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
    });
}

/// The applications of an HMGET / HVALS-like list of JSON strings (nil entries skipped; an
/// unreadable one logged and skipped: one broken record does not hide the others).
std::vector<StoredApplication> read_list(const redis::Reply& reply, std::string_view owner) {
    std::vector<StoredApplication> out;
    for (const auto& e : reply.elements) {
        if (e.type != redis::Reply::Type::string) continue;
        auto a = application_from_stored_json(e.str);
        if (!a) {
            log_event("error", "application_unreadable", {{"length", e.str.size()}});
            continue;
        }
        if (!owner.empty() && a->owner != owner) continue;
        out.push_back(std::move(*a));
    }
    sort_oldest_first(out);
    return out;
}

ApplicationWrite write_outcome(std::string_view s) {
    if (s == "ok") return ApplicationWrite::ok;
    if (s == "unknown") return ApplicationWrite::unknown;
    if (s == "locked") return ApplicationWrite::locked;
    if (s == "too_many") return ApplicationWrite::too_many;
    if (s == "too_many_attachments") return ApplicationWrite::too_many_attachments;
    if (s == "initiative_exists") return ApplicationWrite::initiative_exists;
    if (s == "sealed") return ApplicationWrite::sealed;
    // 'exists' (create: the id is taken, draw another) and 'stale' alike: try again afresh.
    return ApplicationWrite::stale;
}

// ---- attachment files ----------------------------------------------------------------------

bool is_sha256_hex(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

/// The directory, made 0700 if it is not there (its parents with the usual mode).
bool ensure_directory(const fs::path& dir) {
    std::error_code ec;
    if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return false;
    return fs::is_directory(dir, ec);
}

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const auto n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

void fsync_directory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

/// Writes `bytes` as `<dir>/<sha>.pdf` through a temporary file of the same directory (mode
/// 0600, fsynced, renamed): a reader sees the whole file or none. Blocking: runs on the pool.
StoreResult<std::string> write_file(const fs::path& dir, const std::string& bytes) {
    auto sha = crypto::sha256_hex(bytes);
    const auto target = dir / (sha + ".pdf");
    std::error_code ec;
    const auto size = fs::file_size(target, ec);
    if (!ec && size == bytes.size()) return sha;  // the same bytes, stored before
    if (!ensure_directory(dir)) {
        log_event("error", "attachment_dir_failed",
                  {{"dir", dir.string()}, {"reason", std::strerror(errno)}});
        return StoreError::unavailable;
    }
    auto temp = (dir / ".upload-XXXXXX").string();
    const int fd = ::mkostemp(temp.data(), O_CLOEXEC);  // mode 0600
    if (fd < 0) {
        log_event("error", "attachment_write_failed", {{"reason", std::strerror(errno)}});
        return StoreError::unavailable;
    }
    const bool written = write_all(fd, bytes) && ::fsync(fd) == 0;
    const int saved = errno;
    const bool closed = ::close(fd) == 0;
    if (!written || !closed || ::rename(temp.c_str(), target.c_str()) != 0) {
        log_event("error", "attachment_write_failed",
                  {{"reason", std::strerror(written && closed ? errno : saved)}});
        ::unlink(temp.c_str());
        return StoreError::unavailable;
    }
    fsync_directory(dir);
    return sha;
}

/// The bytes of `<dir>/<sha>.pdf`, checked against their name; blocking: runs on the pool.
StoreResult<std::optional<std::string>> read_file(const fs::path& dir, const std::string& sha) {
    const auto path = dir / (sha + ".pdf");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return std::optional<std::string>();
        log_event("error", "attachment_read_failed", {{"reason", std::strerror(errno)}});
        return StoreError::unavailable;
    }
    std::string bytes;
    char buffer[65536];
    for (;;) {
        const auto n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            log_event("error", "attachment_read_failed", {{"reason", std::strerror(errno)}});
            ::close(fd);
            return StoreError::unavailable;
        }
        if (n == 0) break;
        bytes.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (crypto::sha256_hex(bytes) != sha) {
        log_event("error", "attachment_corrupt", {{"sha256", sha}});
        return StoreError::corrupt;
    }
    return std::optional<std::string>(std::move(bytes));
}

/// Removes `<dir>/<sha>.pdf` files not in `named` (all with `named_too`) older than `grace`;
/// blocking: runs on the pool. A missing directory has nothing to remove.
StoreResult<std::int64_t> remove_files(const fs::path& dir, const std::set<std::string>& named,
                                       bool named_too, bool dry_run, std::chrono::seconds grace) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) return std::int64_t{0};
    const auto now = fs::file_time_type::clock::now();
    std::int64_t removed = 0;
    fs::directory_iterator it(dir, ec);
    if (ec) {
        log_event("error", "attachment_dir_failed",
                  {{"dir", dir.string()}, {"reason", ec.message()}});
        return StoreError::unavailable;
    }
    for (const auto& entry : it) {
        const auto name = entry.path().filename().string();
        if (name.size() != 68 || !name.ends_with(".pdf") || !is_sha256_hex(name.substr(0, 64)))
            continue;
        if (!named_too && named.contains(name.substr(0, 64))) continue;
        std::error_code time_ec;
        const auto written = fs::last_write_time(entry.path(), time_ec);
        if (time_ec || now - written < grace) continue;
        if (!dry_run) {
            if (::unlink(entry.path().c_str()) != 0 && errno != ENOENT) {
                log_event("error", "attachment_remove_failed", {{"reason", std::strerror(errno)}});
                return StoreError::unavailable;
            }
        }
        ++removed;
    }
    if (!dry_run && removed > 0) fsync_directory(dir);
    return removed;
}

/// `a` without the holder's personal data (blank_personal_data); whether anything changed.
bool blank(StoredApplication& a) {
    const bool personal = a.owner != ApplicationStore::kPurgedOwner || !a.owner_email.empty() ||
                          !a.fields.contact_name.empty() || !a.fields.contact_email.empty() ||
                          !a.fields.contact_phone.empty() || !a.attachments.empty();
    a.owner = ApplicationStore::kPurgedOwner;
    a.owner_email.clear();
    a.fields.contact_name.clear();
    a.fields.contact_email.clear();
    a.fields.contact_phone.clear();
    a.attachments.clear();
    return personal;
}

}  // namespace

// ---- the stored JSON -----------------------------------------------------------------------

std::string to_stored_json(const StoredApplication& a) {
    json::array attachments;
    for (const auto& m : a.attachments) {
        attachments.push_back(json::object{{"sha256", m.sha256},
                                           {"name", m.name},
                                           {"size", m.size},
                                           {"uploaded_at", m.uploaded_at}});
    }
    json::array history;
    for (const auto& e : a.history) {
        history.push_back(json::object{
            {"status", labelling::to_string(e.status)}, {"at", e.at}, {"reason", e.reason}});
    }
    json::object o{{"id", a.id},
                   {"owner", a.owner},
                   {"owner_email", a.owner_email},
                   {"status", labelling::to_string(a.status)},
                   {"created_at", a.created_at},
                   {"updated_at", a.updated_at},
                   {"notified", a.notified},
                   {"fields", fields_json(a.fields)},
                   {"attachments", std::move(attachments)},
                   {"history", std::move(history)}};
    return json::serialize(o);
}

std::optional<StoredApplication> application_from_stored_json(std::string_view stored) {
    boost::system::error_code ec;
    const auto v = json::parse(stored, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& o = v.get_object();
    try {
        StoredApplication a;
        a.id = text(o, "id");
        a.owner = text(o, "owner");
        a.owner_email = text(o, "owner_email");
        a.status = status(o, "status");
        a.created_at = text(o, "created_at");
        a.updated_at = text(o, "updated_at");
        a.notified = text(o, "notified");
        a.fields = fields_from(object(o, "fields"));
        for (const auto& item : array(o, "attachments")) {
            const auto& m = as_object(item);
            a.attachments.push_back(AttachmentMeta{text(m, "sha256"), text(m, "name"),
                                                   integer(m, "size"), text(m, "uploaded_at")});
        }
        for (const auto& item : array(o, "history")) {
            const auto& e = as_object(item);
            a.history.push_back(
                labelling::StatusEvent{status(e, "status"), text(e, "at"), text(e, "reason")});
        }
        if (a.id.empty() || a.owner.empty()) return std::nullopt;
        return a;
    } catch (const BadShape&) {
        return std::nullopt;
    }
}

// ---- the store -----------------------------------------------------------------------------

ApplicationStore::ApplicationStore(redis::Client& redis, std::string campaign,
                                   std::filesystem::path attachments_dir,
                                   boost::asio::thread_pool& pool)
    : redis_(redis),
      campaign_(std::move(campaign)),
      attachments_dir_(std::move(attachments_dir)),
      pool_(pool),
      create_script_(kCreate),
      replace_script_(kReplace),
      decide_script_(kDecide),
      notified_script_(kCompareAndSet) {}

asio::awaitable<StoreResult<void>> ApplicationStore::open_session(std::string session_id,
                                                                  HolderSessionRecord session,
                                                                  std::chrono::seconds ttl) {
    std::vector<std::string> keys{keys::holder_session(campaign_, session_id)};
    std::vector<std::string> args{std::move(session.owner), std::move(session.email),
                                  std::move(session.csrf_token), std::move(session.created_at),
                                  std::to_string(std::max<std::int64_t>(ttl.count(), 1))};
    // Not a member: the header's four scripts are the applications'; this one is shared.
    static const redis::Script session_script(kOpenSession);
    auto r = co_await redis_.eval(session_script, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "open_holder_session");
    co_return StoreResult<void>();
}

asio::awaitable<StoreResult<std::optional<HolderSessionRecord>>> ApplicationStore::session(
    std::string session_id) {
    std::vector<std::string> cmd{"HGETALL", keys::holder_session(campaign_, session_id)};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::read_failure(r.error(), "holder_session");
    HolderSessionRecord s{text_of(*r, "owner"), text_of(*r, "email"), text_of(*r, "csrf"),
                          text_of(*r, "created_at")};
    if (s.owner.empty() || s.email.empty() || s.csrf_token.empty())
        co_return std::optional<HolderSessionRecord>();
    co_return std::optional<HolderSessionRecord>(std::move(s));
}

asio::awaitable<StoreResult<void>> ApplicationStore::close_session(std::string session_id) {
    std::vector<std::string> cmd{"DEL", keys::holder_session(campaign_, session_id)};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::write_failure(r.error(), "close_holder_session");
    co_return StoreResult<void>();
}

asio::awaitable<StoreResult<ApplicationWrite>> ApplicationStore::create(
    StoredApplication application, AuditEntry audit) {
    // A new file is a draft whose history starts with its creation, whatever the caller filled.
    application.status = ApplicationStatus::brouillon;
    if (application.updated_at.empty()) application.updated_at = application.created_at;
    application.history = {
        labelling::StatusEvent{ApplicationStatus::brouillon, application.created_at, ""}};
    std::vector<std::string> keys{keys::applications(campaign_),
                                  keys::holder_applications(campaign_, application.owner),
                                  keys::audit(campaign_)};
    std::vector<std::string> args{application.id, to_stored_json(application),
                                  std::to_string(kMaxApplicationsPerHolder)};
    append_audit(args, audit);
    auto r = co_await redis_.eval(create_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "create_application");
    co_return write_outcome(r->str);
}

asio::awaitable<StoreResult<std::optional<StoredApplication>>> ApplicationStore::get(
    std::string id) {
    std::vector<std::string> cmd{"HGET", keys::applications(campaign_), id};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::read_failure(r.error(), "application");
    if (r->is_nil()) co_return std::optional<StoredApplication>();
    auto a = application_from_stored_json(r->str);
    if (!a || a->id != id) {
        log_event("error", "application_unreadable", {{"id", id}});
        co_return StoreError::corrupt;
    }
    co_return std::optional<StoredApplication>(std::move(*a));
}

asio::awaitable<StoreResult<std::vector<StoredApplication>>> ApplicationStore::of_owner(
    std::string owner) {
    std::vector<std::string> cmd{"SMEMBERS", keys::holder_applications(campaign_, owner)};
    auto ids = co_await redis_.command(std::move(cmd));
    if (!ids) co_return detail::read_failure(ids.error(), "holder_applications");
    if (ids->elements.empty()) co_return std::vector<StoredApplication>();
    std::vector<std::string> get{"HMGET", keys::applications(campaign_)};
    for (const auto& id : ids->elements) get.push_back(id.str);
    auto r = co_await redis_.command(std::move(get));
    if (!r) co_return detail::read_failure(r.error(), "holder_applications");
    // Only the owner's own, even should the set and the hash ever disagree.
    co_return read_list(*r, owner);
}

asio::awaitable<StoreResult<std::vector<StoredApplication>>> ApplicationStore::all() {
    std::vector<std::string> cmd{"HVALS", keys::applications(campaign_)};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::read_failure(r.error(), "applications");
    co_return read_list(*r, "");
}

asio::awaitable<StoreResult<ApplicationWrite>> ApplicationStore::replace(
    StoredApplication next, labelling::ApplicationStatus expected_status, std::string read_at,
    AuditEntry audit) {
    for (int attempt = 0; attempt < kCasAttempts; ++attempt) {
        // The stored string, to replace only that one, and the notifier's mark to keep: the
        // holder's copy may predate it.
        std::vector<std::string> cmd{"HGET", keys::applications(campaign_), next.id};
        auto current = co_await redis_.command(std::move(cmd));
        if (!current) co_return detail::read_failure(current.error(), "application");
        if (current->is_nil()) co_return ApplicationWrite::unknown;
        const auto stored = application_from_stored_json(current->str);
        if (!stored) {
            log_event("error", "application_unreadable", {{"id", next.id}});
            co_return StoreError::corrupt;
        }
        next.notified = stored->notified;
        std::vector<std::string> keys{keys::applications(campaign_), keys::audit(campaign_)};
        std::vector<std::string> args{next.id,
                                      next.owner,
                                      std::string(labelling::to_string(expected_status)),
                                      read_at,
                                      current->str,
                                      to_stored_json(next),
                                      std::to_string(next.attachments.size()),
                                      std::to_string(labelling::kMaxAttachments),
                                      audit.action.empty() ? "0" : "1"};
        if (!audit.action.empty()) append_audit(args, audit);
        auto r = co_await redis_.eval(replace_script_, std::move(keys), std::move(args));
        if (!r) co_return detail::write_failure(r.error(), "replace_application");
        if (r->str != "retry") co_return write_outcome(r->str);
    }
    co_return ApplicationWrite::stale;
}

asio::awaitable<StoreResult<ApplicationWrite>> ApplicationStore::decide_admissibility(
    std::string id, bool admissible, labelling::StatusEvent event,
    std::optional<InitiativeRecord> initiative, AuditEntry audit) {
    if (admissible && !initiative)
        throw std::invalid_argument("an admissible application needs its initiative");
    event.status = admissible ? ApplicationStatus::recevable : ApplicationStatus::irrecevable;
    const auto& c = campaign_;
    for (int attempt = 0; attempt < kCasAttempts; ++attempt) {
        std::vector<std::string> cmd{"HGET", keys::applications(c), id};
        auto current = co_await redis_.command(std::move(cmd));
        if (!current) co_return detail::read_failure(current.error(), "application");
        if (current->is_nil()) co_return ApplicationWrite::unknown;
        auto next = application_from_stored_json(current->str);
        if (!next) {
            log_event("error", "application_unreadable", {{"id", id}});
            co_return StoreError::corrupt;
        }
        next->status = event.status;
        next->updated_at = event.at;
        next->history.push_back(event);
        std::vector<std::string> keys{keys::applications(c), keys::initiatives(c),
                                      keys::labelling_version(c), keys::sealed_ballot(c),
                                      keys::audit(c)};
        std::vector<std::string> args{id,
                                      current->str,
                                      to_stored_json(*next),
                                      admissible ? "1" : "0",
                                      initiative ? initiative->id : std::string(),
                                      initiative ? to_stored_json(*initiative) : std::string()};
        append_audit(args, audit);
        auto r = co_await redis_.eval(decide_script_, std::move(keys), std::move(args));
        if (!r) co_return detail::write_failure(r.error(), "decide_admissibility");
        if (r->str != "retry") co_return write_outcome(r->str);
    }
    co_return ApplicationWrite::stale;
}

asio::awaitable<StoreResult<bool>> ApplicationStore::mark_notified(std::string id,
                                                                   std::string previous,
                                                                   std::string status) {
    for (int attempt = 0; attempt < kCasAttempts; ++attempt) {
        std::vector<std::string> cmd{"HGET", keys::applications(campaign_), id};
        auto current = co_await redis_.command(std::move(cmd));
        if (!current) co_return detail::read_failure(current.error(), "application");
        if (current->is_nil()) co_return false;
        auto next = application_from_stored_json(current->str);
        if (!next) {
            log_event("error", "application_unreadable", {{"id", id}});
            co_return StoreError::corrupt;
        }
        if (next->notified != previous) co_return false;
        // Not an edit of the holder's: updated_at stays, so that their next save is not stale.
        next->notified = status;
        std::vector<std::string> keys{keys::applications(campaign_)};
        std::vector<std::string> args{id, current->str, to_stored_json(*next)};
        auto r = co_await redis_.eval(notified_script_, std::move(keys), std::move(args));
        if (!r) co_return detail::write_failure(r.error(), "mark_notified");
        if (r->str == "ok") co_return true;
        if (r->str == "unknown") co_return false;
    }
    co_return false;
}

asio::awaitable<StoreResult<std::int64_t>> ApplicationStore::blank_personal_data(bool dry_run) {
    std::vector<std::string> cmd{"HGETALL", keys::applications(campaign_)};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::read_failure(r.error(), "applications");
    std::int64_t changed = 0;
    for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2) {
        const auto& id = r->elements[i].str;
        std::string read = r->elements[i + 1].str;
        for (int attempt = 0;; ++attempt) {
            auto next = application_from_stored_json(read);
            if (!next) {
                // Left as it is and said: the operator sees it in the log, the count misses it.
                log_event("error", "application_unreadable", {{"id", id}});
                break;
            }
            if (!blank(*next)) break;
            if (dry_run) {
                ++changed;
                break;
            }
            std::vector<std::string> keys{keys::applications(campaign_)};
            std::vector<std::string> args{id, read, to_stored_json(*next)};
            auto set = co_await redis_.eval(notified_script_, std::move(keys), std::move(args));
            if (!set) co_return detail::write_failure(set.error(), "blank_application");
            if (set->str == "ok") {
                ++changed;
                break;
            }
            if (set->str == "unknown") break;
            // Changed since read (the notifier's mark): read again, a few times.
            if (attempt + 1 >= kCasAttempts) co_return StoreError::outcome_unknown;
            std::vector<std::string> again{"HGET", keys::applications(campaign_), id};
            auto current = co_await redis_.command(std::move(again));
            if (!current) co_return detail::read_failure(current.error(), "application");
            if (current->is_nil()) break;
            read = current->str;
        }
    }
    co_return changed;
}

asio::awaitable<StoreResult<std::int64_t>> ApplicationStore::remove_attachment_files(bool named_too,
                                                                                     bool dry_run) {
    std::set<std::string> named;
    if (!named_too) {
        // From the stored text rather than the parsed records: a record that does not read
        // back must not lose its files.
        std::vector<std::string> cmd{"HVALS", keys::applications(campaign_)};
        auto r = co_await redis_.command(std::move(cmd));
        if (!r) co_return detail::read_failure(r.error(), "applications");
        constexpr std::string_view kField = "\"sha256\":\"";
        for (const auto& e : r->elements) {
            for (auto at = e.str.find(kField); at != std::string::npos;
                 at = e.str.find(kField, at + 1)) {
                named.insert(e.str.substr(at + kField.size(), 64));
            }
        }
    }
    auto work = [dir = attachments_dir_, named = std::move(named), named_too, dry_run] {
        return remove_files(dir, named, named_too, dry_run, kAttachmentGrace);
    };
    auto result = co_await run_blocking(pool_, std::move(work));
    co_return result;
}

asio::awaitable<StoreResult<std::string>> ApplicationStore::write_attachment(std::string bytes) {
    auto work = [dir = attachments_dir_, bytes = std::move(bytes)] {
        return write_file(dir, bytes);
    };
    auto result = co_await run_blocking(pool_, std::move(work));
    co_return result;
}

asio::awaitable<StoreResult<std::optional<std::string>>> ApplicationStore::read_attachment(
    std::string sha256) {
    // Checked before any path is built: nothing but 64 lower-case hex digits names a file.
    if (!is_sha256_hex(sha256)) co_return std::optional<std::string>();
    auto work = [dir = attachments_dir_, sha = std::move(sha256)] { return read_file(dir, sha); };
    auto result = co_await run_blocking(pool_, std::move(work));
    co_return result;
}

}  // namespace budget::server::storage
