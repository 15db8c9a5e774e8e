#pragma once
// Who a person is, as the deduplication compares them (issue 15): names normalised with ICU
// (NFKC, case folding, Latin-ASCII transliteration; spaces, hyphens, apostrophes and invisible
// characters removed), the materials of the keys one person is deduplicated by, whichever way
// they proved who they are (FranceConnect's identité pivot or a declared identity), and the
// canonical mailbox that one e-mail address stands for.
//
// Pure: plain values in, values out. The server turns each material into a keyed hash.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "voting/eligibility.hpp"

namespace budget::voting {

/// A person as the civil register names them (FranceConnect's identité pivot), or as a
/// resident declares it on the e-mail path.
struct CivilIdentity {
    std::string
        birth_name;  ///< nom de naissance (FranceConnect's family_name; the form's last name)
    std::string usage_name;   ///< nom d'usage (FranceConnect's preferred_username); may be empty
    std::string given_names;  ///< prénoms, separated by spaces as FranceConnect gives them
    Date birth_date;
};

/// One name as the deduplication compares it: NFKC, case folded, transliterated to ASCII,
/// spaces, hyphens, apostrophes and invisible characters removed ("D’Artagnan", "d'artagnan",
/// "DArtagnan" -> "dartagnan"; "Łukasz" -> "lukasz"). std::nullopt when no letter is left, or
/// when the text holds what no civil register writes in a name (digits, symbols, controls).
std::optional<std::string> name_key(std::string_view name);

/// The given names one by one, each as name_key makes it ("Jean-Pierre  Marie" ->
/// {"jeanpierre", "marie"}); std::nullopt as name_key.
std::optional<std::vector<std::string>> given_name_keys(std::string_view given_names);

/// The name as a person reads it, for the sealed audit record: NFC, invisible characters
/// removed, runs of spaces made one; std::nullopt as name_key.
std::optional<std::string> display_name(std::string_view name);

/// The materials of the keys one person is deduplicated by. Two records of the same person
/// share at least one when: the birth name and the given names are swapped, the given names
/// come in another order, a middle name is added after the first, a name is split or joined
/// ("Je an" / "Jean"), the usage name is given for the birth name. Every material starts with
/// the birth date, so that all the keys of one person fall in one ballot shard.
/// std::nullopt when a name is not one (name_key).
std::optional<std::vector<std::string>> identity_claims(const CivilIdentity& person);

/// The mailbox an address delivers to, for "one ballot per mailbox": trimmed, lower case, the
/// "+tag" of the local part removed, and dots removed for gmail.com and googlemail.com (which
/// is the same domain). std::nullopt when it is not an address.
std::optional<std::string> canonical_mailbox(std::string_view email);

}  // namespace budget::voting
