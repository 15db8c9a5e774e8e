#include "voting/identity.hpp"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace budget::voting {

namespace {

// ---------------------------------------------------------------- ICU, created once

const icu::Normalizer2& nfkc() {
    UErrorCode status = U_ZERO_ERROR;
    const auto* n = icu::Normalizer2::getNFKCInstance(status);
    if (U_FAILURE(status) || n == nullptr) throw std::runtime_error("ICU: no NFKC data");
    return *n;
}

const icu::Normalizer2& nfc() {
    UErrorCode status = U_ZERO_ERROR;
    const auto* n = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status) || n == nullptr) throw std::runtime_error("ICU: no NFC data");
    return *n;
}

/// Latin letters to ASCII ("ł" -> "l", "æ" -> "ae", "ø" -> "o"), then whatever combining mark
/// is left dropped. A transliterator is not thread-safe: it is built once and used under a
/// lock (a name is a few letters; the lock is held for microseconds, and only on the
/// verification path, never the ballot's).
class ToAscii {
  public:
    ToAscii() {
        UErrorCode status = U_ZERO_ERROR;
        UParseError parse{};
        transliterator_.reset(icu::Transliterator::createInstance(
            "NFD; Latin-ASCII; [:Nonspacing Mark:] Remove; NFC", UTRANS_FORWARD, parse, status));
        if (U_FAILURE(status) || !transliterator_)
            throw std::runtime_error(std::string("ICU: no Latin-ASCII transliterator: ") +
                                     u_errorName(status));
    }
    void operator()(icu::UnicodeString& text) const {
        const std::lock_guard lock(mutex_);
        transliterator_->transliterate(text);
    }

  private:
    std::unique_ptr<icu::Transliterator> transliterator_;
    mutable std::mutex mutex_;
};

const ToAscii& to_ascii() {
    static const ToAscii instance;
    return instance;
}

// ---------------------------------------------------------------- what a name may hold

/// Characters no one sees, that a copy and paste brings along: zero-width space and joiners,
/// word joiner, byte order mark, soft hyphen, bidirectional marks (all of general category
/// Cf, "format").
bool invisible(UChar32 c) { return u_charType(c) == U_FORMAT_CHAR; }

/// The apostrophes a keyboard, a word processor or a phone types: ' ’ ‘ ‛ ʼ ʻ ` ´ ′.
bool apostrophe(UChar32 c) {
    switch (c) {
        case 0x0027:
        case 0x2019:
        case 0x2018:
        case 0x201B:
        case 0x02BC:
        case 0x02BB:
        case 0x0060:
        case 0x00B4:
        case 0x2032:
            return true;
        default:
            return false;
    }
}

/// What separates the parts of a name and is not part of its key: spaces, every dash, dots
/// ("St. Pierre"), the middle dot.
bool separator(UChar32 c) {
    const auto type = u_charType(c);
    return type == U_SPACE_SEPARATOR || type == U_DASH_PUNCTUATION || c == '.' || c == 0x00B7;
}

bool letter_or_mark(UChar32 c) { return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK)) != 0; }

/// Letters of the Latin script (as every French civil register writes names), or marks that
/// combine with them. Another script is refused, not transliterated: "Jеan" with a Cyrillic
/// "е" must not be a second person, nor a name typed in two scripts two people.
bool latin(UChar32 c) {
    UErrorCode status = U_ZERO_ERROR;
    const auto script = uscript_getScript(c, &status);
    if (U_FAILURE(status)) return false;
    if (U_GET_GC_MASK(c) & U_GC_M_MASK)
        return script == USCRIPT_INHERITED || script == USCRIPT_LATIN || script == USCRIPT_COMMON;
    return script == USCRIPT_LATIN;
}

enum class Read { key, empty, refused };

struct NameRead {
    Read read = Read::refused;
    std::string key;
};

/// The key of one name, or why there is none.
NameRead read_name(std::string_view utf8) {
    const auto raw = icu::UnicodeString::fromUTF8(
        icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
    // Invisible characters and apostrophes go before normalisation: NFKC makes "´" a space and
    // a combining accent, which would otherwise land on the next letter.
    icu::UnicodeString cleaned;
    for (int32_t i = 0; i < raw.length();) {
        const UChar32 c = raw.char32At(i);
        i += U16_LENGTH(c);
        if (c == 0xFFFD) return {Read::refused, {}};  // not UTF-8
        if (invisible(c) || apostrophe(c)) continue;
        cleaned.append(c);
    }
    UErrorCode status = U_ZERO_ERROR;
    auto text = nfkc().normalize(cleaned, status);
    if (U_FAILURE(status)) return {Read::refused, {}};
    text.foldCase();
    icu::UnicodeString kept;
    for (int32_t i = 0; i < text.length();) {
        const UChar32 c = text.char32At(i);
        i += U16_LENGTH(c);
        if (invisible(c) || apostrophe(c) || separator(c)) continue;
        if (!letter_or_mark(c) || !latin(c)) return {Read::refused, {}};
        kept.append(c);
    }
    to_ascii()(kept);
    std::string out;
    kept.toUTF8String(out);
    for (auto& ch : out) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        // A Latin letter the transliteration does not know (none in any register we know of):
        // refused rather than keyed on bytes that another spelling would not give.
        if (ch < 'a' || ch > 'z') return {Read::refused, {}};
    }
    if (out.empty()) return {Read::empty, {}};
    return {Read::key, std::move(out)};
}

/// Separates given names: spaces (of any width) and commas, as birth certificates list them.
bool given_name_break(UChar32 c) { return c == ',' || u_isUWhiteSpace(c); }

std::string format_date(const Date& d) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", d.year, d.month, d.day);
    return buffer;
}

}  // namespace

std::optional<std::string> name_key(std::string_view name) {
    auto r = read_name(name);
    if (r.read != Read::key) return std::nullopt;
    return std::move(r.key);
}

std::optional<std::vector<std::string>> given_name_keys(std::string_view given_names) {
    const auto text = icu::UnicodeString::fromUTF8(
        icu::StringPiece(given_names.data(), static_cast<int32_t>(given_names.size())));
    std::vector<std::string> keys;
    int32_t start = 0;
    for (int32_t i = 0; i <= text.length();) {
        const UChar32 c = i < text.length() ? text.char32At(i) : ' ';
        const auto next = i + (i < text.length() ? U16_LENGTH(c) : 1);
        if (given_name_break(c)) {
            std::string piece;
            text.tempSubStringBetween(start, i).toUTF8String(piece);
            auto r = read_name(piece);
            // A piece with nothing in it ("Jean - Marie") separates, it is not a name.
            if (r.read == Read::refused) return std::nullopt;
            if (r.read == Read::key) keys.push_back(std::move(r.key));
            start = next;
        }
        i = next;
    }
    if (keys.empty()) return std::nullopt;
    return keys;
}

std::optional<std::string> display_name(std::string_view name) {
    if (!name_key(name)) return std::nullopt;
    const auto raw = icu::UnicodeString::fromUTF8(
        icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
    icu::UnicodeString visible;
    bool space = false;
    for (int32_t i = 0; i < raw.length();) {
        const UChar32 c = raw.char32At(i);
        i += U16_LENGTH(c);
        if (invisible(c)) continue;
        if (u_isUWhiteSpace(c)) {
            space = true;
            continue;
        }
        if (space && !visible.isEmpty()) visible.append(UChar32(' '));
        space = false;
        visible.append(c);
    }
    UErrorCode status = U_ZERO_ERROR;
    const auto composed = nfc().normalize(visible, status);
    if (U_FAILURE(status)) return std::nullopt;
    std::string out;
    composed.toUTF8String(out);
    return out;
}

std::optional<std::vector<std::string>> identity_claims(const CivilIdentity& person) {
    const auto birth = name_key(person.birth_name);
    if (!birth) return std::nullopt;
    std::vector<std::string> surnames{*birth};
    if (!person.usage_name.empty()) {
        auto usage = read_name(person.usage_name);
        if (usage.read == Read::refused) return std::nullopt;
        // A usage name of nothing but spaces is no usage name.
        if (usage.read == Read::key && usage.key != *birth)
            surnames.push_back(std::move(usage.key));
    }
    const auto given = given_name_keys(person.given_names);
    if (!given) return std::nullopt;
    // The first given name (the one a person goes by), all of them in order (which also
    // joins "Je an" into "jean"), and all of them in alphabetical order (another order).
    std::string in_order, sorted_order;
    for (const auto& g : *given) in_order += g;
    auto sorted = *given;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& g : sorted) sorted_order += g;
    const std::string components[3] = {given->front(), in_order, sorted_order};

    const auto date = format_date(person.birth_date);
    std::vector<std::string> claims;
    for (const auto& surname : surnames) {
        for (const auto& g : components) {
            // Ordered pair: the same two names swapped (birth name given as first name) give
            // the same material. '|' is never part of a key.
            const auto& a = std::min(surname, g);
            const auto& b = std::max(surname, g);
            auto material = date + "|" + a + "|" + b;
            if (std::find(claims.begin(), claims.end(), material) == claims.end())
                claims.push_back(std::move(material));
        }
    }
    return claims;
}

std::optional<std::string> canonical_mailbox(std::string_view email) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!email.empty() && blank(email.front())) email.remove_prefix(1);
    while (!email.empty() && blank(email.back())) email.remove_suffix(1);
    if (email.size() < 3 || email.size() > 254) return std::nullopt;
    const auto at = email.find('@');
    if (at == std::string_view::npos || at == 0 ||
        email.find('@', at + 1) != std::string_view::npos)
        return std::nullopt;
    std::string local(email.substr(0, at)), domain(email.substr(at + 1));
    for (auto* part : {&local, &domain}) {
        for (auto& c : *part) {
            const auto u = static_cast<unsigned char>(c);
            // Nothing that quotes, comments, routes or ends a line: those are not one mailbox
            // we could tell from another.
            if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' ||
                c == ',' || c == ';' || c == ':' || c == '\\' || c == '"' || c == '[' || c == ']')
                return std::nullopt;
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
    }
    if (domain.size() < 3 || domain.find('.') == std::string::npos || domain.front() == '.' ||
        domain.back() == '.' || domain.find("..") != std::string::npos)
        return std::nullopt;
    // "+tag" delivers to the same mailbox (sub-addressing, RFC 5233).
    local = local.substr(0, local.find('+'));
    if (domain == "googlemail.com") domain = "gmail.com";
    // Gmail ignores dots in the local part: "j.dupont" and "jdupont" are one mailbox.
    if (domain == "gmail.com") std::erase(local, '.');
    if (local.empty() || local.front() == '.' || local.back() == '.') return std::nullopt;
    return local + "@" + domain;
}

}  // namespace budget::voting
