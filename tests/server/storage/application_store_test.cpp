// Integration: holders' applications, sessions and attachment files against a real redis-server
// and a real directory (issue 17).
#include "server/storage/application_store.hpp"

#include <sys/stat.h>

#include <boost/asio/thread_pool.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "server/core/crypto.hpp"
#include "server/redis/blocking_client.hpp"
#include "server/redis/cluster.hpp"
#include "server/storage/keys.hpp"
#include "tests/server/support/process_support.hpp"

using namespace budget;
using namespace budget::test;
using labelling::ApplicationStatus;
using server::storage::ApplicationStore;
using server::storage::ApplicationWrite;
using server::storage::AttachmentMeta;
using server::storage::AuditEntry;
using server::storage::HolderSessionRecord;
using server::storage::InitiativeRecord;
using server::storage::StoredApplication;
using server::storage::StoreError;
namespace keys = server::storage::keys;
namespace fs = std::filesystem;

namespace {

const std::string kOwner(32, 'a');
const std::string kOther(32, 'b');

StoredApplication draft(std::string id, std::string owner, std::string created_at) {
    StoredApplication a;
    a.id = std::move(id);
    a.owner = std::move(owner);
    a.owner_email = "porteur@example.org";
    a.created_at = created_at;
    a.updated_at = std::move(created_at);
    a.fields.holder = "Les Jardins partagés";
    a.fields.title = "Un jardin";
    return a;
}

AuditEntry audit(std::string action, std::string target = "") {
    return AuditEntry{
        "holder:" + kOwner.substr(0, 12), "holder", std::move(action), std::move(target), {}, ""};
}

InitiativeRecord initiative_of(const StoredApplication& a) {
    return InitiativeRecord{
        a.id,    a.fields.title,        a.fields.summary, a.fields.holder, a.fields.commune,
        "arras", a.fields.requested_eur};
}

/// A redis-server, a client, a pool and the store of campaign "t" over them.
struct Fixture {
    TempDir dir;
    RedisServer redis{dir.path() + "/redis"};
    boost::asio::thread_pool pool{1};
    std::unique_ptr<server::redis::BlockingClient> client;
    fs::path attachments = fs::path(dir.path()) / "data" / "attachments";
    std::unique_ptr<ApplicationStore> store;

    Fixture() {
        auto connected =
            server::redis::BlockingClient::connect(server::redis::Target::parse_url(redis.url()));
        REQUIRE(std::holds_alternative<std::unique_ptr<server::redis::BlockingClient>>(connected));
        client = std::move(std::get<std::unique_ptr<server::redis::BlockingClient>>(connected));
        store = std::make_unique<ApplicationStore>(client->client(), "t", attachments, pool);
    }
    ~Fixture() { pool.join(); }

    template <typename T>
    T run(boost::asio::awaitable<T> work) {
        return client->run(std::move(work));
    }

    server::redis::Reply command(std::vector<std::string> args) {
        auto r = client->command(std::move(args));
        REQUIRE(r.has_value());
        return *r;
    }
    long long audit_length() { return command({"XLEN", keys::audit("t")}).integer; }
    std::string last_audit_action() {
        const auto r = command({"XREVRANGE", keys::audit("t"), "+", "-", "COUNT", "1"});
        REQUIRE(r.elements.size() == 1);
        return r.elements[0].elements[1].field("action")->str;
    }
    /// Everything an application write may touch, to compare before and after a refusal.
    std::string everything() {
        // Sorted: a hash table's order may change between two reads (incremental rehashing).
        std::map<std::string, std::string> fields;
        for (const auto& key : {keys::applications("t"), keys::initiatives("t")}) {
            const auto all = command({"HGETALL", key}).elements;
            for (std::size_t i = 0; i + 1 < all.size(); i += 2) {
                fields[key + " " + all[i].str] = all[i + 1].str;
            }
        }
        std::string out;
        for (const auto& [field, value] : fields) out += field + "=" + value + "\n";
        const auto version = command({"GET", keys::labelling_version("t")});
        out += "version=" + version.str + "\naudit=" + std::to_string(audit_length());
        return out;
    }
    StoredApplication stored(const std::string& id) {
        auto a = run(store->get(id));
        REQUIRE(a.has_value());
        REQUIRE(a->has_value());
        return **a;
    }
    /// Creates a draft and submits it (brouillon -> deposee) as the API would.
    StoredApplication submitted(const std::string& id, const std::string& at) {
        auto a = draft(id, kOwner, at);
        a.fields.summary = "Résumé";
        a.fields.commune = "62041";
        a.fields.requested_eur = 4000;
        REQUIRE(run(store->create(a, audit("application_created", id))).value() ==
                ApplicationWrite::ok);
        auto next = stored(id);
        next.status = ApplicationStatus::deposee;
        next.history.push_back({ApplicationStatus::deposee, at, ""});
        REQUIRE(run(store->replace(next, ApplicationStatus::brouillon, at,
                                   audit("application_submitted", id)))
                    .value() == ApplicationWrite::ok);
        return stored(id);
    }
};

StoredApplication full_application() {
    StoredApplication a;
    a.id = "d-0123456789";
    a.owner = kOwner;
    a.owner_email = "zoé@exemple.fr";
    a.status = ApplicationStatus::recevable;
    a.fields.holder = "Coopérative « L’Étincelle » — 日本";
    a.fields.legal_form = "scic";
    a.fields.siret = "73282932000074";
    a.fields.contact_name = "Zoé Dupont-Ærø";
    a.fields.contact_email = "contact@etincelle.fr";
    a.fields.contact_phone = "+33 6 12 34 56 78";
    a.fields.commune = "62041";
    a.fields.title = "Un atelier \"vélo\" \\ partagé\n";
    a.fields.summary = "Réparer ensemble\u202f!";
    a.fields.description = std::string(3000, 'x') + "\u00a0🚲";
    a.fields.requested_eur = 12345;
    a.fields.self_assessment = {{"q1", 3}, {"q2", 0}, {"q10", -1}};
    a.attachments = {
        AttachmentMeta{std::string(64, 'e'), "budget prévisionnel.pdf", 5242880,
                       "2026-10-02T10:00:00Z"},
        AttachmentMeta{std::string(64, 'f'), "statuts.pdf", 1, "2026-10-02T11:00:00Z"}};
    a.history = {{ApplicationStatus::brouillon, "2026-10-01T09:00:00Z", ""},
                 {ApplicationStatus::deposee, "2026-10-03T09:00:00Z", ""},
                 {ApplicationStatus::recevable, "2026-10-05T09:00:00Z", "Dossier complet ✓"}};
    a.created_at = "2026-10-01T09:00:00Z";
    a.updated_at = "2026-10-05T09:00:00Z";
    a.notified = "deposee";
    return a;
}

void check_same(const StoredApplication& a, const StoredApplication& b) {
    CHECK(a.id == b.id);
    CHECK(a.owner == b.owner);
    CHECK(a.owner_email == b.owner_email);
    CHECK(a.status == b.status);
    CHECK(a.fields.holder == b.fields.holder);
    CHECK(a.fields.legal_form == b.fields.legal_form);
    CHECK(a.fields.siret == b.fields.siret);
    CHECK(a.fields.contact_name == b.fields.contact_name);
    CHECK(a.fields.contact_email == b.fields.contact_email);
    CHECK(a.fields.contact_phone == b.fields.contact_phone);
    CHECK(a.fields.commune == b.fields.commune);
    CHECK(a.fields.title == b.fields.title);
    CHECK(a.fields.summary == b.fields.summary);
    CHECK(a.fields.description == b.fields.description);
    CHECK(a.fields.requested_eur == b.fields.requested_eur);
    CHECK(a.fields.self_assessment == b.fields.self_assessment);
    REQUIRE(a.attachments.size() == b.attachments.size());
    for (std::size_t i = 0; i < a.attachments.size(); ++i) {
        CHECK(a.attachments[i].sha256 == b.attachments[i].sha256);
        CHECK(a.attachments[i].name == b.attachments[i].name);
        CHECK(a.attachments[i].size == b.attachments[i].size);
        CHECK(a.attachments[i].uploaded_at == b.attachments[i].uploaded_at);
    }
    REQUIRE(a.history.size() == b.history.size());
    for (std::size_t i = 0; i < a.history.size(); ++i) {
        CHECK(a.history[i].status == b.history[i].status);
        CHECK(a.history[i].at == b.history[i].at);
        CHECK(a.history[i].reason == b.history[i].reason);
    }
    CHECK(a.created_at == b.created_at);
    CHECK(a.updated_at == b.updated_at);
    CHECK(a.notified == b.notified);
}

int mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return static_cast<int>(st.st_mode & 07777);
}

}  // namespace

// ---- the stored JSON (no Redis) ------------------------------------------------------------

TEST_CASE("an application's stored JSON reads back whole, unicode and all, in a fixed order",
          "[applications]") {
    const auto a = full_application();
    const auto text = server::storage::to_stored_json(a);
    CHECK(text.rfind(R"({"id":"d-0123456789","owner":")", 0) == 0);
    CHECK(text.find(R"("fields":{"holder":)") != std::string::npos);
    CHECK(text.find(R"("history":[{"status":"brouillon","at":)") != std::string::npos);
    const auto back = server::storage::application_from_stored_json(text);
    REQUIRE(back.has_value());
    check_same(*back, a);
    CHECK(server::storage::to_stored_json(*back) == text);

    SECTION("an application without attachments or answers keeps empty lists, not objects") {
        const auto empty = server::storage::to_stored_json(draft("d-1", kOwner, "t0"));
        CHECK(empty.find(R"("attachments":[])") != std::string::npos);
        CHECK(empty.find(R"("self_assessment":{})") != std::string::npos);
        CHECK(server::storage::application_from_stored_json(empty).has_value());
    }
}

TEST_CASE("a stored application of the wrong shape does not read", "[applications]") {
    const auto text = server::storage::to_stored_json(full_application());
    auto changed = [&](const std::string& from, const std::string& to) {
        auto t = text;
        const auto at = t.find(from);
        REQUIRE(at != std::string::npos);
        return t.replace(at, from.size(), to);
    };
    using server::storage::application_from_stored_json;
    CHECK_FALSE(application_from_stored_json("").has_value());
    CHECK_FALSE(application_from_stored_json("[]").has_value());
    CHECK_FALSE(application_from_stored_json(text.substr(0, text.size() - 1)).has_value());
    CHECK_FALSE(
        application_from_stored_json(changed(R"("status":"recevable")", R"("status":"accepted")"))
            .has_value());
    CHECK_FALSE(
        application_from_stored_json(changed(R"("owner_email":)", R"("email":)")).has_value());
    CHECK_FALSE(application_from_stored_json(
                    changed(R"("requested_eur":12345)", R"("requested_eur":"12345")"))
                    .has_value());
    CHECK_FALSE(application_from_stored_json(changed(R"("q1":3)", R"("q1":3.5)")).has_value());
    CHECK_FALSE(
        application_from_stored_json(changed(R"("size":1,)", R"("size":null,)")).has_value());
    CHECK_FALSE(application_from_stored_json(changed(R"("status":"deposee")", R"("status":"")"))
                    .has_value());
    CHECK_FALSE(
        application_from_stored_json(changed(R"("notified":"deposee")", R"("notified":false)"))
            .has_value());
}

TEST_CASE("the holders' keys lie in the campaign's slot and never hold a session id",
          "[applications]") {
    using server::redis::key_hash_slot;
    const auto slot = key_hash_slot(keys::sealed_ballot("2026"));
    CHECK(keys::applications("2026") == "budget:{c2026}:applications");
    CHECK(keys::holder_applications("2026", kOwner) == "budget:{c2026}:holder_apps:" + kOwner);
    const auto session = keys::holder_session("2026", "secret-session-id");
    CHECK(session ==
          "budget:{c2026}:holder_session:" + server::crypto::sha256_hex("secret-session-id"));
    for (const auto& key :
         {keys::applications("2026"), keys::holder_applications("2026", kOwner), session,
          keys::initiatives("2026"), keys::labelling_version("2026"), keys::audit("2026")}) {
        CHECK(key_hash_slot(key) == slot);
    }
    // Holders' codes: their own campaign string, so their own keys and counters.
    CHECK(keys::email_code(keys::holder_codes_campaign("2026"), std::string(32, 'c')) ==
          "budget:{c2026:h:e" + std::string(32, 'c') + "}:otp");
}

// ---- sessions ------------------------------------------------------------------------------

TEST_CASE("a holder's session lives its absolute TTL, under the hash of its id, until closed",
          "[integration][applications]") {
    Fixture f;
    const HolderSessionRecord record{kOwner, "porteur@example.org", "csrf-token", "2026-10-01"};
    REQUIRE(f.run(f.store->open_session("the-session-id", record, std::chrono::seconds(600)))
                .has_value());
    const auto key = keys::holder_session("t", "the-session-id");
    const auto ttl = f.command({"TTL", key}).integer;
    CHECK(ttl > 590);
    CHECK(ttl <= 600);
    CHECK(f.command({"KEYS", "*the-session-id*"}).elements.empty());

    auto read = f.run(f.store->session("the-session-id"));
    REQUIRE(read.has_value());
    REQUIRE(read->has_value());
    CHECK((*read)->owner == kOwner);
    CHECK((*read)->email == "porteur@example.org");
    CHECK((*read)->csrf_token == "csrf-token");
    CHECK((*read)->created_at == "2026-10-01");
    // Reading does not extend it: the TTL is absolute.
    CHECK(f.command({"TTL", key}).integer <= ttl);

    auto other = f.run(f.store->session("another-id"));
    REQUIRE(other.has_value());
    CHECK_FALSE(other->has_value());

    REQUIRE(f.run(f.store->close_session("the-session-id")).has_value());
    auto closed = f.run(f.store->session("the-session-id"));
    REQUIRE(closed.has_value());
    CHECK_FALSE(closed->has_value());

    SECTION("a session past its TTL is gone") {
        REQUIRE(f.run(f.store->open_session("short", record, std::chrono::seconds(1))).has_value());
        CHECK(eventually(
            [&] {
                auto s = f.run(f.store->session("short"));
                return s.has_value() && !s->has_value();
            },
            std::chrono::seconds(3)));
    }
}

// ---- create, list ---------------------------------------------------------------------------

TEST_CASE("a holder creates drafts up to the limit, each audited, the next refused unwritten",
          "[integration][applications]") {
    Fixture f;
    for (int i = 0; i < server::storage::kMaxApplicationsPerHolder; ++i) {
        const auto id = "d-000000000" + std::to_string(i);
        auto a = draft(id, kOwner, "2026-10-01T09:00:0" + std::to_string(i) + "Z");
        // Whatever the caller says, a new file is a draft whose history is its creation.
        a.status = ApplicationStatus::recevable;
        a.history = {{ApplicationStatus::laureate, "x", "y"}};
        REQUIRE(f.run(f.store->create(a, audit("application_created", id))).value() ==
                ApplicationWrite::ok);
        CHECK(f.last_audit_action() == "application_created");
    }
    const auto before = f.everything();
    CHECK(f.audit_length() == server::storage::kMaxApplicationsPerHolder);
    CHECK(f.run(f.store->create(draft("d-9999999999", kOwner, "2026-10-02T00:00:00Z"),
                                audit("application_created")))
              .value() == ApplicationWrite::too_many);
    CHECK(f.everything() == before);

    const auto first = f.stored("d-0000000000");
    CHECK(first.status == ApplicationStatus::brouillon);
    REQUIRE(first.history.size() == 1);
    CHECK(first.history[0].status == ApplicationStatus::brouillon);
    CHECK(first.history[0].at == "2026-10-01T09:00:00Z");
    CHECK(first.fields.holder == "Les Jardins partagés");

    SECTION("another holder still may create") {
        CHECK(f.run(f.store->create(draft("d-aaaaaaaaaa", kOther, "2026-10-02T00:00:00Z"),
                                    audit("application_created")))
                  .value() == ApplicationWrite::ok);
    }
    SECTION("an id already taken is not overwritten") {
        CHECK(f.run(f.store->create(draft("d-0000000000", kOther, "2026-10-02T00:00:00Z"),
                                    audit("application_created")))
                  .value() == ApplicationWrite::stale);
        CHECK(f.everything() == before);
    }
    SECTION("an unknown id is none") {
        auto none = f.run(f.store->get("d-ffffffffff"));
        REQUIRE(none.has_value());
        CHECK_FALSE(none->has_value());
    }
}

TEST_CASE("a holder's list holds their own applications, oldest first",
          "[integration][applications]") {
    Fixture f;
    // Created out of order; the same instant twice (then by id).
    for (const auto& [id, at] : std::vector<std::pair<std::string, std::string>>{
             {"d-0000000003", "2026-10-03T00:00:00Z"},
             {"d-0000000001", "2026-10-01T00:00:00Z"},
             {"d-0000000004", "2026-10-03T00:00:00Z"},
             {"d-0000000002", "2026-10-02T00:00:00Z"}}) {
        REQUIRE(
            f.run(f.store->create(draft(id, kOwner, at), audit("application_created"))).value() ==
            ApplicationWrite::ok);
    }
    REQUIRE(f.run(f.store->create(draft("d-0000000000", kOther, "2026-09-01T00:00:00Z"),
                                  audit("application_created")))
                .value() == ApplicationWrite::ok);

    auto mine = f.run(f.store->of_owner(kOwner));
    REQUIRE(mine.has_value());
    std::vector<std::string> ids;
    for (const auto& a : *mine) ids.push_back(a.id);
    CHECK(ids ==
          std::vector<std::string>{"d-0000000001", "d-0000000002", "d-0000000003", "d-0000000004"});

    auto everyone = f.run(f.store->all());
    REQUIRE(everyone.has_value());
    ids.clear();
    for (const auto& a : *everyone) ids.push_back(a.id);
    CHECK(ids == std::vector<std::string>{"d-0000000000", "d-0000000001", "d-0000000002",
                                          "d-0000000003", "d-0000000004"});

    auto nobody = f.run(f.store->of_owner(std::string(32, 'c')));
    REQUIRE(nobody.has_value());
    CHECK(nobody->empty());
}

// ---- replace ---------------------------------------------------------------------------------

TEST_CASE("a save replaces the file only when it is the owner's, in its status, unchanged since",
          "[integration][applications]") {
    Fixture f;
    const auto t0 = "2026-10-01T09:00:00Z";
    REQUIRE(f.run(f.store->create(draft("d-0000000001", kOwner, t0), audit("application_created")))
                .value() == ApplicationWrite::ok);
    auto next = f.stored("d-0000000001");
    next.fields.title = "Un jardin partagé, plus grand";
    next.updated_at = "2026-10-01T09:05:00Z";

    SECTION("a draft save is written, unaudited") {
        const auto audited = f.audit_length();
        CHECK(
            f.run(f.store->replace(next, ApplicationStatus::brouillon, t0, AuditEntry{})).value() ==
            ApplicationWrite::ok);
        CHECK(f.stored("d-0000000001").fields.title == "Un jardin partagé, plus grand");
        CHECK(f.stored("d-0000000001").updated_at == "2026-10-01T09:05:00Z");
        CHECK(f.audit_length() == audited);
        SECTION("the next save based on the old read is stale") {
            const auto before = f.everything();
            next.fields.title = "Autre";
            CHECK(f.run(f.store->replace(next, ApplicationStatus::brouillon, t0, AuditEntry{}))
                      .value() == ApplicationWrite::stale);
            CHECK(f.everything() == before);
        }
    }
    SECTION("an audited save appends its entry") {
        CHECK(f.run(f.store->replace(next, ApplicationStatus::brouillon, t0,
                                     audit("application_updated", next.id)))
                  .value() == ApplicationWrite::ok);
        CHECK(f.last_audit_action() == "application_updated");
    }
    SECTION("refusals write nothing") {
        const auto before = f.everything();
        // Another holder's file answers as an unknown one.
        auto stolen = next;
        stolen.owner = kOther;
        CHECK(f.run(f.store->replace(stolen, ApplicationStatus::brouillon, t0,
                                     audit("application_updated")))
                  .value() == ApplicationWrite::unknown);
        auto unknown = next;
        unknown.id = "d-ffffffffff";
        CHECK(f.run(f.store->replace(unknown, ApplicationStatus::brouillon, t0,
                                     audit("application_updated")))
                  .value() == ApplicationWrite::unknown);
        CHECK(f.run(f.store->replace(next, ApplicationStatus::deposee, t0,
                                     audit("application_updated")))
                  .value() == ApplicationWrite::locked);
        CHECK(f.run(f.store->replace(next, ApplicationStatus::brouillon, "2026-10-01T08:00:00Z",
                                     audit("application_updated")))
                  .value() == ApplicationWrite::stale);
        auto crowded = next;
        for (int i = 0; i <= labelling::kMaxAttachments; ++i) {
            crowded.attachments.push_back({std::string(64, 'a' + i), "a.pdf", 10, t0});
        }
        CHECK(f.run(f.store->replace(crowded, ApplicationStatus::brouillon, t0,
                                     audit("attachment_added")))
                  .value() == ApplicationWrite::too_many_attachments);
        CHECK(f.everything() == before);
    }
}

TEST_CASE("a file the Mission decided on is frozen for its holder", "[integration][applications]") {
    Fixture f;
    const auto a = f.submitted("d-0000000001", "2026-10-01T09:00:00Z");
    REQUIRE(
        f.run(f.store->decide_admissibility(
                  a.id, false,
                  {ApplicationStatus::irrecevable, "2026-10-04T09:00:00Z", "Hors du territoire."},
                  std::nullopt, audit("application_inadmissible", a.id)))
            .value() == ApplicationWrite::ok);
    auto decided = f.stored(a.id);
    const auto before = f.everything();
    decided.fields.title = "Changé";
    // Even a caller that expects the decided status may not edit it.
    CHECK(f.run(f.store->replace(decided, ApplicationStatus::irrecevable, decided.updated_at,
                                 audit("application_updated")))
              .value() == ApplicationWrite::locked);
    CHECK(f.run(f.store->replace(decided, ApplicationStatus::deposee, decided.updated_at,
                                 audit("application_updated")))
              .value() == ApplicationWrite::locked);
    CHECK(f.everything() == before);
}

// ---- the Mission's decision --------------------------------------------------------------------

TEST_CASE("an admissible application becomes an initiative, in one audited step",
          "[integration][applications]") {
    Fixture f;
    const auto a = f.submitted("d-0000000001", "2026-10-01T09:00:00Z");
    const auto audited = f.audit_length();
    REQUIRE(f.run(f.store->decide_admissibility(
                      a.id, true, {ApplicationStatus::recevable, "2026-10-04T09:00:00Z", "Complet"},
                      initiative_of(a), audit("application_admissible", a.id)))
                .value() == ApplicationWrite::ok);

    const auto decided = f.stored(a.id);
    CHECK(decided.status == ApplicationStatus::recevable);
    CHECK(decided.updated_at == "2026-10-04T09:00:00Z");
    REQUIRE(decided.history.size() == 3);
    CHECK(decided.history[2].status == ApplicationStatus::recevable);
    CHECK(decided.history[2].reason == "Complet");
    CHECK(decided.fields.title == a.fields.title);

    const auto stored = f.command({"HGET", keys::initiatives("t"), a.id});
    const auto record = server::storage::record_from_stored_json(stored.str);
    REQUIRE(record.has_value());
    CHECK(record->title == "Un jardin");
    CHECK(record->holder == "Les Jardins partagés");
    CHECK(record->commune == "62041");
    CHECK(record->territory == "arras");
    CHECK(record->requested_eur == 4000);
    CHECK(f.command({"GET", keys::labelling_version("t")}).str == "1");
    CHECK(f.audit_length() == audited + 1);
    CHECK(f.last_audit_action() == "application_admissible");

    SECTION("a second decision is refused, nothing written") {
        const auto before = f.everything();
        CHECK(f.run(f.store->decide_admissibility(
                        a.id, false,
                        {ApplicationStatus::irrecevable, "2026-10-05T09:00:00Z", "Finalement non."},
                        std::nullopt, audit("application_inadmissible", a.id)))
                  .value() == ApplicationWrite::locked);
        CHECK(f.everything() == before);
    }
}

TEST_CASE("an inadmissible application keeps its reason and writes no initiative",
          "[integration][applications]") {
    Fixture f;
    const auto a = f.submitted("d-0000000001", "2026-10-01T09:00:00Z");
    REQUIRE(
        f.run(f.store->decide_admissibility(a.id, false,
                                            {ApplicationStatus::irrecevable, "2026-10-04T09:00:00Z",
                                             "Le projet ne relève pas de l’ESS."},
                                            std::nullopt, audit("application_inadmissible", a.id)))
            .value() == ApplicationWrite::ok);
    const auto decided = f.stored(a.id);
    CHECK(decided.status == ApplicationStatus::irrecevable);
    REQUIRE(decided.history.size() == 3);
    CHECK(decided.history[2].status == ApplicationStatus::irrecevable);
    CHECK(decided.history[2].reason == "Le projet ne relève pas de l’ESS.");
    CHECK(f.command({"HLEN", keys::initiatives("t")}).integer == 0);
    CHECK(f.command({"GET", keys::labelling_version("t")}).is_nil());
    CHECK(f.last_audit_action() == "application_inadmissible");
}

TEST_CASE("the Mission's decision is refused, unwritten, on a draft, a sealed ballot or a taken id",
          "[integration][applications]") {
    Fixture f;
    const auto a = f.submitted("d-0000000001", "2026-10-01T09:00:00Z");
    const labelling::StatusEvent yes{ApplicationStatus::recevable, "2026-10-04T09:00:00Z", ""};
    const auto admit = [&](const std::string& id) {
        auto app = f.stored(id);
        return f.run(f.store->decide_admissibility(id, true, yes, initiative_of(app),
                                                   audit("application_admissible", id)));
    };

    SECTION("a draft is not decided on") {
        REQUIRE(f.run(f.store->create(draft("d-0000000002", kOwner, "2026-10-02T00:00:00Z"),
                                      audit("application_created")))
                    .value() == ApplicationWrite::ok);
        const auto before = f.everything();
        CHECK(admit("d-0000000002").value() == ApplicationWrite::locked);
        CHECK(f.everything() == before);
    }
    SECTION("an unknown id") {
        const auto before = f.everything();
        CHECK(f.run(f.store->decide_admissibility("d-ffffffffff", false, yes, std::nullopt,
                                                  audit("application_inadmissible")))
                  .value() == ApplicationWrite::unknown);
        CHECK(f.everything() == before);
    }
    SECTION("once the ballot is sealed") {
        f.command({"HSET", keys::sealed_ballot("t"), "document", "{}"});
        const auto before = f.everything();
        CHECK(admit(a.id).value() == ApplicationWrite::sealed);
        CHECK(f.run(f.store->decide_admissibility(a.id, false, yes, std::nullopt,
                                                  audit("application_inadmissible")))
                  .value() == ApplicationWrite::sealed);
        CHECK(f.everything() == before);
    }
    SECTION("when an import took the id") {
        InitiativeRecord imported{a.id, "Importée", "", "Autre", "62041", "arras", 100};
        f.command(
            {"HSET", keys::initiatives("t"), a.id, server::storage::to_stored_json(imported)});
        const auto before = f.everything();
        CHECK(admit(a.id).value() == ApplicationWrite::initiative_exists);
        CHECK(f.everything() == before);
        // Inadmissible writes no initiative: nothing stands in its way.
        CHECK(f.run(f.store->decide_admissibility(a.id, false, yes, std::nullopt,
                                                  audit("application_inadmissible")))
                  .value() == ApplicationWrite::ok);
    }
}

// ---- the notifier's mark ---------------------------------------------------------------------

TEST_CASE("the notifier's mark is set once from the status it expected, and survives a save",
          "[integration][applications]") {
    Fixture f;
    const auto a = f.submitted("d-0000000001", "2026-10-01T09:00:00Z");
    CHECK(f.run(f.store->mark_notified(a.id, "", "deposee")).value());
    // The second process, which read "" too, sends nothing.
    CHECK_FALSE(f.run(f.store->mark_notified(a.id, "", "deposee")).value());
    CHECK_FALSE(f.run(f.store->mark_notified("d-ffffffffff", "", "deposee")).value());
    const auto marked = f.stored(a.id);
    CHECK(marked.notified == "deposee");
    CHECK(marked.updated_at == a.updated_at);

    // The holder's save was based on a read before the mark: the mark is kept.
    auto next = a;
    next.fields.title = "Nouveau titre";
    next.updated_at = "2026-10-02T00:00:00Z";
    REQUIRE(f.run(f.store->replace(next, ApplicationStatus::deposee, a.updated_at,
                                   audit("application_updated", a.id)))
                .value() == ApplicationWrite::ok);
    const auto saved = f.stored(a.id);
    CHECK(saved.fields.title == "Nouveau titre");
    CHECK(saved.notified == "deposee");

    CHECK(f.run(f.store->mark_notified(a.id, "deposee", "recevable")).value());
    CHECK(f.stored(a.id).notified == "recevable");
}

// ---- attachment files ------------------------------------------------------------------------

TEST_CASE("an attachment is written once by its content, private, and read back whole",
          "[integration][applications]") {
    Fixture f;
    const std::string bytes = "%PDF-1.7\n" + std::string(200000, '\0') + "é\n%%EOF\n";
    const auto sha = f.run(f.store->write_attachment(bytes));
    REQUIRE(sha.has_value());
    CHECK(*sha == server::crypto::sha256_hex(bytes));
    const auto path = f.attachments / (*sha + ".pdf");
    REQUIRE(fs::exists(path));
    CHECK(fs::file_size(path) == bytes.size());
    CHECK(mode_of(path) == 0600);
    CHECK(mode_of(f.attachments) == 0700);

    // The same bytes again: the same name, the file not rewritten, nothing left over.
    const auto written_at = fs::last_write_time(path);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto again = f.run(f.store->write_attachment(bytes));
    REQUIRE(again.has_value());
    CHECK(*again == *sha);
    CHECK(fs::last_write_time(path) == written_at);
    CHECK(std::distance(fs::directory_iterator(f.attachments), fs::directory_iterator()) == 1);

    const auto read = f.run(f.store->read_attachment(*sha));
    REQUIRE(read.has_value());
    REQUIRE(read->has_value());
    CHECK(**read == bytes);

    SECTION("another file is another name") {
        const auto other = f.run(f.store->write_attachment("%PDF-1.4 autre %%EOF"));
        REQUIRE(other.has_value());
        CHECK(*other != *sha);
        CHECK(std::distance(fs::directory_iterator(f.attachments), fs::directory_iterator()) == 2);
    }
    SECTION("an unknown attachment is none") {
        const auto none = f.run(f.store->read_attachment(std::string(64, '0')));
        REQUIRE(none.has_value());
        CHECK_FALSE(none->has_value());
    }
    SECTION("a file whose bytes no longer match its name is corrupt") {
        std::ofstream(path, std::ios::binary | std::ios::trunc) << "%PDF-1.7 altered %%EOF";
        const auto altered = f.run(f.store->read_attachment(*sha));
        REQUIRE_FALSE(altered.has_value());
        CHECK(altered.error() == StoreError::corrupt);
    }
}

TEST_CASE("an attachment name other than 64 lower-case hex digits touches no file",
          "[integration][applications]") {
    Fixture f;
    const std::string bytes = "%PDF-1.7 secret %%EOF";
    const auto sha = f.run(f.store->write_attachment(bytes));
    REQUIRE(sha.has_value());
    // A file beside the directory that a path would reach.
    fs::create_directories(f.attachments.parent_path());
    std::ofstream(f.attachments.parent_path() / "secret.pdf") << bytes;
    std::string upper = *sha;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const auto& bad :
         {upper, sha->substr(0, 63), *sha + "0", std::string("../secret"), "../" + sha->substr(3),
          std::string(), std::string(64, 'g'), sha->substr(0, 60) + "/../"}) {
        const auto read = f.run(f.store->read_attachment(bad));
        REQUIRE(read.has_value());
        CHECK_FALSE(read->has_value());
    }
}
