#pragma once
// The offline duplicate audit (issue 15): the record of one verified identity as the Mission
// opens it, and the finder of likely duplicates among them. Three rules, each a lead for a person
// to investigate, never a proof:
//   close_names        same birth date and commune, names at edit distance <= 2 (also with the
//                      birth name and the given names swapped); a record without a commune (a
//                      FranceConnect resident recorded before declaring it) matches any commune;
//   close_birth_dates  the same names (in any order) with birth dates <= 31 days apart;
//   busy_network       many identities verified from one client network in one hour.
//
// Two records with the same names (in any order) and the same birth date are no lead: they share
// a ballot key (voting::identity_claims), so the ballot script lets only one of them vote; they
// are a resident who verified twice (two devices, a new session), and are not listed.
//
// Pure: plain values in, pairs out. Never quadratic over all records: records are put in buckets
// first (birth date and commune, names, network and hour) and compared within a bucket only.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "voting/eligibility.hpp"

namespace budget::voting {

/// One verified identity, as sealed for the audit. Nothing in it names a ballot, and the time is
/// an hour bucket, never an instant.
struct AuditRecord {
    // The names as the deduplication compares them (voting::name_key, given_name_keys).
    std::string birth_name;
    std::string usage_name;                ///< "" when none
    std::vector<std::string> given_names;  ///< one by one, in the order given
    // The names as the person wrote them (voting::display_name), for the Mission to read.
    std::string shown_birth_name;
    std::string shown_usage_name;
    std::string shown_given_names;
    Date birth_date;
    std::string commune;         ///< INSEE code; "" when not declared yet
    std::string method;          ///< "email" or "franceconnect"
    std::string mailbox_domain;  ///< e-mail path only ("" otherwise)
    std::string hour;            ///< "YYYY-MM-DDTHH", Europe/Paris civil time
    std::string network;         ///< keyed hash of the client network ("" when unknown)

    friend bool operator==(const AuditRecord&, const AuditRecord&) = default;
};

/// The record as the JSON that is sealed (version 1).
std::string audit_record_json(const AuditRecord& record);
/// A record read back from audit_record_json's output; std::nullopt for anything else (a field
/// missing or of the wrong type, another version, a date that is none).
std::optional<AuditRecord> parse_audit_record(std::string_view json);

/// The optimal-string-alignment Damerau–Levenshtein distance (insertions, deletions,
/// substitutions, transpositions of adjacent characters; bytes compared), or `bound + 1` as soon
/// as it is known to exceed `bound`.
int edit_distance(std::string_view a, std::string_view b, int bound);

/// The days from `a` to `b` (negative when `b` is earlier).
long days_between(const Date& a, const Date& b);

/// The smallest edit distance between the names of two records: given names then birth (or
/// usage) name, against the same or swapped.
int name_distance(const AuditRecord& a, const AuditRecord& b, int bound);

struct DuplicateRules {
    int max_name_distance = 2;        ///< close_names
    int max_days_apart = 31;          ///< close_birth_dates
    int network_hour_threshold = 20;  ///< busy_network: this many identities or more
    /// At most this many pairs are listed (an attack can make millions); `truncated` says so.
    std::size_t max_pairs = 1'000'000;
};

/// Two records that look like one person, and why.
struct DuplicatePair {
    std::size_t first = 0, second = 0;  ///< indices in the records given, first < second
    bool close_names = false;           ///< same birth date and commune, names close
    bool close_birth_dates = false;     ///< same names, birth dates close
    int name_distance = 0;              ///< the names' edit distance
    long days_apart = 0;                ///< between the birth dates (>= 0)
    friend bool operator==(const DuplicatePair&, const DuplicatePair&) = default;
};

/// Many identities verified from one network in one hour.
struct BusyNetwork {
    std::string network;
    std::string hour;
    std::vector<std::size_t> records;  ///< indices, ascending
};

struct Duplicates {
    std::vector<DuplicatePair> pairs;        ///< by (first, second)
    std::vector<BusyNetwork> busy_networks;  ///< largest first
    bool truncated = false;                  ///< more pairs than rules.max_pairs
};

Duplicates find_duplicates(const std::vector<AuditRecord>& records,
                           const DuplicateRules& rules = {});

}  // namespace budget::voting
