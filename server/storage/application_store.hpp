#pragma once
// Holder accounts' sessions and applications (issue 17), and the PDF attachments on disk.
//
// Keys (keys.hpp), all under the campaign's hash tag so that admission (which also writes the
// labelling) is one script in one slot:
//   budget:{c<id>}:applications              hash  application id -> application JSON
//                                                  (to_stored_json below, fixed key order)
//   budget:{c<id>}:holder_apps:<owner>       set   the application ids of one holder (`owner`:
//                                                  keyed hash of the normalised e-mail, 32 hex)
//   budget:{c<id>}:holder_session:<sha256>   hash  owner, email, csrf, created_at; TTL absolute
//   budget:{c<id>}:initiatives, labelling_version, audit   (labelling_store.hpp), written by
//                                                  admit() in the same script
// Holder one-time codes use a second CodeStore whose campaign is "<id>:h" (own keys, own rate
// limits): keys::email("<id>:h", hash).
//
// Attachments: `<data_dir>/attachments/<sha256>.pdf`, written to a temporary file, fsynced, then
// renamed, so a reader never sees half a file; the same bytes are stored once. The application
// JSON holds their metadata; a file no application names any more stays until the next purge
// (it is content addressed; remove_attachment_files below, called by storage::PurgeStore).
//
// Every write is one Lua script: it checks the status (and the seal for admit), writes, and
// appends its audit entry in the same step; nothing half-written.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "labelling/application.hpp"
#include "server/redis/client.hpp"
#include "server/storage/audit_log.hpp"
#include "server/storage/initiative_record.hpp"
#include "server/storage/store_result.hpp"

namespace budget::server::storage {

struct AttachmentMeta {
    std::string sha256;  ///< lower-case hex of the bytes
    std::string name;    ///< labelling::clean_attachment_name of what the holder sent
    std::int64_t size = 0;
    std::string uploaded_at;
};

/// An application as stored.
struct StoredApplication {
    std::string id;
    std::string owner;        ///< keyed hash of the holder's normalised e-mail
    std::string owner_email;  ///< the holder's account address (status e-mails go there)
    labelling::ApplicationStatus status = labelling::ApplicationStatus::brouillon;
    labelling::ApplicationFields fields;
    std::vector<AttachmentMeta> attachments;
    std::vector<labelling::StatusEvent> history;  ///< recorded steps only (brouillon..irrecevable)
    std::string created_at;
    std::string updated_at;
    /// The last status the holder was told about by e-mail (the notifier's mark), "" if none.
    std::string notified;
};

/// The stored JSON (fixed key order) and back; std::nullopt when it does not parse.
std::string to_stored_json(const StoredApplication& application);
std::optional<StoredApplication> application_from_stored_json(std::string_view text);

struct HolderSessionRecord {
    std::string owner;
    std::string email;
    std::string csrf_token;
    std::string created_at;
};

enum class ApplicationWrite {
    ok,
    unknown,   ///< no application of that id, or not this owner's
    locked,    ///< the status forbids it (submitted and decided, or not submitted)
    too_many,  ///< the holder has kMaxApplicationsPerHolder applications already
    too_many_attachments,
    initiative_exists,  ///< admit: an initiative of that id exists (an import took it)
    sealed,             ///< admit: the ballot is sealed
    stale,              ///< the application changed since `updated_at` was read: read again
};

inline constexpr int kMaxApplicationsPerHolder = 5;

class ApplicationStore {
  public:
    /// `attachments_dir`: `<data_dir>/attachments` (created on first use, mode 0700); file work
    /// runs on `pool`, never on an I/O thread.
    ApplicationStore(redis::Client& redis, std::string campaign,
                     std::filesystem::path attachments_dir, boost::asio::thread_pool& pool);

    // -- holder sessions (like staff sessions: the cookie holds the id, Redis its SHA-256) --
    boost::asio::awaitable<StoreResult<void>> open_session(std::string session_id,
                                                           HolderSessionRecord session,
                                                           std::chrono::seconds ttl);
    boost::asio::awaitable<StoreResult<std::optional<HolderSessionRecord>>> session(
        std::string session_id);
    boost::asio::awaitable<StoreResult<void>> close_session(std::string session_id);

    // -- applications --
    /// Creates `application` (status brouillon, history [brouillon]) for its owner, within
    /// kMaxApplicationsPerHolder; audited.
    boost::asio::awaitable<StoreResult<ApplicationWrite>> create(StoredApplication application,
                                                                 AuditEntry audit);
    /// One application, or std::nullopt when there is none of that id.
    boost::asio::awaitable<StoreResult<std::optional<StoredApplication>>> get(std::string id);
    /// The owner's applications, oldest first.
    boost::asio::awaitable<StoreResult<std::vector<StoredApplication>>> of_owner(std::string owner);
    /// Every application, oldest first (the Mission's list filters out drafts itself).
    boost::asio::awaitable<StoreResult<std::vector<StoredApplication>>> all();

    /// Replaces the application of that id with `next`, provided it still belongs to
    /// next.owner, is still in `expected_status` and its updated_at is still `read_at` (else
    /// stale). The caller builds `next` from what it read (fields, attachments, status,
    /// history); the script checks and writes; `audit` is appended unless its action is empty
    /// (draft saves are not audited, a submitted file's edits are).
    boost::asio::awaitable<StoreResult<ApplicationWrite>> replace(
        StoredApplication next, labelling::ApplicationStatus expected_status, std::string read_at,
        AuditEntry audit);

    /// The Mission's decision: status deposee -> recevable (and `initiative` written to the
    /// campaign's initiatives, labelling_version bumped) or irrecevable, the history event
    /// appended, audited; refused when not deposee (locked), when the ballot is sealed, or when
    /// an initiative of that id exists.
    boost::asio::awaitable<StoreResult<ApplicationWrite>> decide_admissibility(
        std::string id, bool admissible, labelling::StatusEvent event,
        std::optional<InitiativeRecord> initiative, AuditEntry audit);

    /// The notifier's mark: sets `notified` to `status` if it is still `previous` (so that two
    /// budgetd processes do not send the same e-mail twice); true when this call set it.
    boost::asio::awaitable<StoreResult<bool>> mark_notified(std::string id, std::string previous,
                                                            std::string status);

    // -- attachment files --
    /// Writes the bytes to `<sha256>.pdf` unless present; returns the hex SHA-256.
    boost::asio::awaitable<StoreResult<std::string>> write_attachment(std::string bytes);
    /// The bytes of a stored attachment; std::nullopt when there is no such file.
    boost::asio::awaitable<StoreResult<std::optional<std::string>>> read_attachment(
        std::string sha256);

    // -- the purge (issue 18), called by PurgeStore --
    /// The holders' stage: in every application, the account e-mail, the owner's keyed hash
    /// (replaced by kPurgedOwner), the contact name, e-mail and phone blanked and the attachment
    /// list emptied; the structure, title, texts, amount, statuses and history stay (public, or
    /// the Mission's record). Each one a compare-and-set of the very JSON read. The applications
    /// changed (or, with `dry_run`, that would be).
    boost::asio::awaitable<StoreResult<std::int64_t>> blank_personal_data(bool dry_run);
    /// Removes the attachment files that no application names (all of them when `named_too`),
    /// leaving a file younger than kAttachmentGrace: an upload may be between its write and the
    /// record naming it. The files removed (or, with `dry_run`, that would be).
    boost::asio::awaitable<StoreResult<std::int64_t>> remove_attachment_files(bool named_too,
                                                                              bool dry_run);

    /// What an application's owner becomes at the holders' stage (never a keyed hash).
    static constexpr const char* kPurgedOwner = "purged";
    static constexpr std::chrono::seconds kAttachmentGrace{3600};

  private:
    redis::Client& redis_;
    std::string campaign_;
    std::filesystem::path attachments_dir_;
    boost::asio::thread_pool& pool_;
    redis::Script create_script_, replace_script_, decide_script_, notified_script_;
};

}  // namespace budget::server::storage
