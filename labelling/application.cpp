#include "labelling/application.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "labelling/utf8.hpp"

namespace budget::labelling {

namespace {

// Fields without a named limit in the header still get one, so that a draft stays small: a SIRET
// is 14 digits once normalised, an INSEE code 5 characters (10 leaves room for a mistyped one
// to be reported as unknown rather than as too long), an e-mail address 254 bytes (RFC 5321).
constexpr std::size_t kMaxSiretChars = 14;
constexpr std::size_t kMaxCommuneChars = 10;
constexpr std::size_t kMaxEmailChars = 254;
constexpr std::size_t kMinPhoneDigits = 10;
constexpr std::size_t kMaxAttachmentNameChars = 100;
constexpr std::size_t kPdfTrailerWindow = 1024;

struct LegalFormRow {
    LegalForm form;
    std::string_view id;
    std::string_view label;
};

constexpr std::array<LegalFormRow, 8> kLegalForms{{
    {LegalForm::association, "association", "Association"},
    {LegalForm::cooperative, "cooperative", "Coopérative"},
    {LegalForm::scic, "scic", "SCIC"},
    {LegalForm::scop, "scop", "SCOP"},
    {LegalForm::mutuelle, "mutuelle", "Mutuelle"},
    {LegalForm::fondation, "fondation", "Fondation"},
    {LegalForm::entreprise_esus, "entreprise_esus", "Entreprise ESUS"},
    {LegalForm::collectif_habitants, "collectif_habitants", "Collectif d’habitants"},
}};

struct StatusRow {
    ApplicationStatus status;
    std::string_view id;
    std::string_view label;
};

constexpr std::array<StatusRow, 9> kStatuses{{
    {ApplicationStatus::brouillon, "brouillon", "Brouillon"},
    {ApplicationStatus::deposee, "deposee", "Déposée"},
    {ApplicationStatus::recevable, "recevable", "Recevable"},
    {ApplicationStatus::irrecevable, "irrecevable", "Irrecevable"},
    {ApplicationStatus::labellisee, "labellisee", "Labellisée"},
    {ApplicationStatus::refusee, "refusee", "Refusée"},
    {ApplicationStatus::au_vote, "au_vote", "Au vote"},
    {ApplicationStatus::laureate, "laureate", "Lauréate"},
    {ApplicationStatus::non_retenue, "non_retenue", "Non retenue"},
}};

constexpr std::array<std::pair<Field, std::string_view>, 12> kFields{{
    {Field::holder, "holder"},
    {Field::legal_form, "legal_form"},
    {Field::siret, "siret"},
    {Field::contact_name, "contact_name"},
    {Field::contact_email, "contact_email"},
    {Field::contact_phone, "contact_phone"},
    {Field::commune, "commune"},
    {Field::title, "title"},
    {Field::summary, "summary"},
    {Field::description, "description"},
    {Field::requested_eur, "requested_eur"},
    {Field::self_assessment, "self_assessment"},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Code points of valid UTF-8 (the API only hands over JSON strings, which Boost.JSON checked):
/// every byte that is not a continuation byte starts one.
std::size_t code_points(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

/// Length of the valid UTF-8 sequence starting at `i`, or 0 when the bytes there are not one.
std::size_t sequence_at(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 1;
    if (c >= 0xF0) {
        n = 4;
    } else if (c >= 0xE0) {
        n = 3;
    } else if (c >= 0xC0) {
        n = 2;
    }
    if (i + n > s.size()) return 0;
    return first_invalid_utf8(s.substr(i, n)) ? 0 : n;
}

/// The code point of a valid sequence of `n` bytes.
char32_t decode(std::string_view s, std::size_t i, std::size_t n) {
    const auto b = [&](std::size_t k) {
        return static_cast<char32_t>(static_cast<unsigned char>(s[i + k]));
    };
    switch (n) {
        case 1:
            return b(0);
        case 2:
            return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
        case 3:
            return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
        default:
            return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) |
                   (b(3) & 0x3F);
    }
}

bool blank(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    });
}

bool luhn_valid(std::string_view digits) {
    int sum = 0;
    bool doubled = false;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        int d = *it - '0';
        if (doubled) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        sum += d;
        doubled = !doubled;
    }
    return sum % 10 == 0;
}

/// The same form as a resident's address (server/api plausible_email): one '@', a dotted domain,
/// nothing that could end or bend an SMTP command or a mail header.
bool plausible_email(std::string_view email) {
    if (email.size() < 3 || email.size() > kMaxEmailChars) return false;
    const auto at = email.find('@');
    if (at == 0 || at == std::string_view::npos ||
        email.find('@', at + 1) != std::string_view::npos)
        return false;
    const auto domain = email.substr(at + 1);
    if (domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
        domain.back() == '.' || domain.find("..") != std::string_view::npos)
        return false;
    return std::none_of(email.begin(), email.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' ||
               c == ';' || c == ':' || c == '\\' || c == '"' || c == '[' || c == ']';
    });
}

/// Digits, spaces, dots and a leading '+' ("+33 6 12 34 56 78", "06.12.34.56.78"), at most
/// kMaxPhoneChars characters, at least kMinPhoneDigits digits.
bool plausible_phone(std::string_view phone) {
    if (phone.size() > kMaxPhoneChars) return false;
    std::size_t digits = 0;
    for (std::size_t i = 0; i < phone.size(); ++i) {
        const char c = phone[i];
        if (is_digit(c)) {
            ++digits;
        } else if (!(c == ' ' || c == '.' || (c == '+' && i == 0))) {
            return false;
        }
    }
    return digits >= kMinPhoneDigits;
}

/// Code points a file name never keeps: C0 and C1 controls, and the bidirectional overrides
/// that would let "fdp.exe" be drawn as "exe.pdf".
bool unwanted_in_name(char32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == '"' || cp == '\'' || cp == '\\' ||
           cp == '/' || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

bool ends_with_pdf(std::string_view s) {
    if (s.size() < 4) return false;
    const auto tail = s.substr(s.size() - 4);
    return tail[0] == '.' && (tail[1] == 'p' || tail[1] == 'P') &&
           (tail[2] == 'd' || tail[2] == 'D') && (tail[3] == 'f' || tail[3] == 'F');
}

/// The first `n` code points of valid UTF-8.
std::string_view first_code_points(std::string_view s, std::size_t n) {
    std::size_t i = 0;
    std::size_t seen = 0;
    while (i < s.size()) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            if (seen == n) break;
            ++seen;
        }
        ++i;
    }
    return s.substr(0, i);
}

std::string_view trim_spaces_and_dots(std::string_view s) {
    const auto unwanted = [](char c) { return c == ' ' || c == '.'; };
    while (!s.empty() && unwanted(s.front())) s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

}  // namespace

// ---- legal forms ------------------------------------------------------------------------------

const std::vector<LegalForm>& legal_forms() {
    static const std::vector<LegalForm> forms = [] {
        std::vector<LegalForm> all;
        for (const auto& row : kLegalForms) all.push_back(row.form);
        return all;
    }();
    return forms;
}

std::string_view to_string(LegalForm form) {
    for (const auto& row : kLegalForms) {
        if (row.form == form) return row.id;
    }
    return {};
}

std::optional<LegalForm> parse_legal_form(std::string_view id) {
    for (const auto& row : kLegalForms) {
        if (row.id == id) return row.form;
    }
    return std::nullopt;
}

std::string_view french_label(LegalForm form) {
    for (const auto& row : kLegalForms) {
        if (row.form == form) return row.label;
    }
    return {};
}

// ---- SIRET ------------------------------------------------------------------------------------

bool siret_valid(std::string_view siret) {
    if (siret.size() != 14 || !std::all_of(siret.begin(), siret.end(), is_digit)) return false;
    // La Poste's establishments share the SIREN 356000000 and are numbered so that the sum of
    // their digits is a multiple of 5; its head office, 356 000 000 00048, keeps the Luhn key.
    if (siret.substr(0, 9) == "356000000" && siret != "35600000000048") {
        int sum = 0;
        for (const char c : siret) sum += c - '0';
        return sum % 5 == 0;
    }
    return luhn_valid(siret);
}

std::string normalise_siret(std::string_view typed) {
    std::string out;
    out.reserve(typed.size());
    for (std::size_t i = 0; i < typed.size(); ++i) {
        const char c = typed[i];
        if (c == ' ' || c == '\t') continue;
        // A pasted number may carry the no-break spaces of French typography: U+00A0 (C2 A0)
        // and U+202F (E2 80 AF).
        if (typed.substr(i, 2) == "\xC2\xA0") {
            ++i;
            continue;
        }
        if (typed.substr(i, 3) == "\xE2\x80\xAF") {
            i += 2;
            continue;
        }
        out.push_back(c);
    }
    return out;
}

// ---- statuses ---------------------------------------------------------------------------------

std::string_view to_string(ApplicationStatus status) {
    for (const auto& row : kStatuses) {
        if (row.status == status) return row.id;
    }
    return {};
}

std::optional<ApplicationStatus> parse_application_status(std::string_view id) {
    for (const auto& row : kStatuses) {
        if (row.id == id) return row.status;
    }
    return std::nullopt;
}

std::string_view french_label(ApplicationStatus status) {
    for (const auto& row : kStatuses) {
        if (row.status == status) return row.label;
    }
    return {};
}

bool holder_may_edit(ApplicationStatus status, bool call_open) {
    return call_open &&
           (status == ApplicationStatus::brouillon || status == ApplicationStatus::deposee);
}

std::vector<StatusEvent> full_history(const std::vector<StatusEvent>& recorded,
                                      const CampaignFacts& facts) {
    std::vector<StatusEvent> history = recorded;
    // Only an admitted file goes on: the committee decides on initiatives, and the Mission's
    // admission is what makes one. A history already past recevable gets nothing twice.
    if (history.empty() || history.back().status != ApplicationStatus::recevable) return history;
    if (!facts.decided) return history;
    history.push_back({facts.labelled ? ApplicationStatus::labellisee : ApplicationStatus::refusee,
                       facts.decided_at, facts.justification});
    if (!facts.labelled || !facts.on_ballot) return history;
    history.push_back({ApplicationStatus::au_vote, facts.ballot_at, {}});
    if (!facts.published) return history;
    history.push_back({facts.winner ? ApplicationStatus::laureate : ApplicationStatus::non_retenue,
                       facts.published_at,
                       {}});
    return history;
}

// ---- the file ---------------------------------------------------------------------------------

std::string_view to_string(Field field) {
    for (const auto& [f, name] : kFields) {
        if (f == field) return name;
    }
    return {};
}

std::vector<FieldProblem> draft_errors(const ApplicationFields& fields,
                                       const Questionnaire& questionnaire) {
    std::vector<FieldProblem> problems;
    const auto limit = [&](Field field, const std::string& value, std::size_t max) {
        if (code_points(value) > max) {
            problems.push_back({field, FieldProblemKind::too_long, std::to_string(max)});
        }
    };
    limit(Field::holder, fields.holder, kMaxHolderChars);
    if (!fields.legal_form.empty() && !parse_legal_form(fields.legal_form)) {
        problems.push_back({Field::legal_form, FieldProblemKind::invalid, {}});
    }
    limit(Field::siret, fields.siret, kMaxSiretChars);
    limit(Field::contact_name, fields.contact_name, kMaxContactChars);
    limit(Field::contact_email, fields.contact_email, kMaxEmailChars);
    limit(Field::contact_phone, fields.contact_phone, kMaxPhoneChars);
    limit(Field::commune, fields.commune, kMaxCommuneChars);
    limit(Field::title, fields.title, kMaxTitleChars);
    limit(Field::summary, fields.summary, kMaxSummaryChars);
    limit(Field::description, fields.description, kMaxDescriptionChars);
    if (fields.requested_eur < 0) {
        problems.push_back({Field::requested_eur, FieldProblemKind::invalid, {}});
    }
    // Answers in id order (the map's): the same draft always gives the same list.
    for (const auto& [id, value] : fields.self_assessment) {
        const auto* question = find_question(questionnaire, id);
        if (question == nullptr) {
            problems.push_back({Field::self_assessment, FieldProblemKind::unknown_question, id});
        } else if (value < question->scale.min || value > question->scale.max) {
            problems.push_back({Field::self_assessment, FieldProblemKind::out_of_range, id});
        }
    }
    return problems;
}

std::vector<FieldProblem> submission_problems(
    const ApplicationFields& fields, const Questionnaire& questionnaire,
    const std::function<bool(std::string_view)>& commune_known) {
    std::vector<FieldProblem> problems;
    const auto add = [&](Field field, FieldProblemKind kind, std::string detail = {}) {
        problems.push_back({field, kind, std::move(detail)});
    };
    const auto required = [&](Field field, const std::string& value) {
        if (blank(value)) {
            add(field, FieldProblemKind::missing);
            return false;
        }
        return true;
    };

    required(Field::holder, fields.holder);
    if (required(Field::legal_form, fields.legal_form) && !parse_legal_form(fields.legal_form)) {
        add(Field::legal_form, FieldProblemKind::invalid);
    }
    if (!fields.siret.empty()) {
        if (fields.siret.size() != 14 ||
            !std::all_of(fields.siret.begin(), fields.siret.end(), is_digit)) {
            add(Field::siret, FieldProblemKind::invalid);
        } else if (!siret_valid(fields.siret)) {
            add(Field::siret, FieldProblemKind::bad_siret_key);
        }
    }
    required(Field::contact_name, fields.contact_name);
    if (required(Field::contact_email, fields.contact_email) &&
        !plausible_email(fields.contact_email)) {
        add(Field::contact_email, FieldProblemKind::invalid);
    }
    if (!fields.contact_phone.empty() && !plausible_phone(fields.contact_phone)) {
        add(Field::contact_phone, FieldProblemKind::invalid);
    }
    if (required(Field::commune, fields.commune) && !commune_known(fields.commune)) {
        add(Field::commune, FieldProblemKind::unknown_commune);
    }
    required(Field::title, fields.title);
    required(Field::summary, fields.summary);
    required(Field::description, fields.description);
    if (fields.requested_eur == 0) {
        add(Field::requested_eur, FieldProblemKind::missing);
    } else if (fields.requested_eur < 0) {
        add(Field::requested_eur, FieldProblemKind::invalid);
    } else if (!questionnaire.categories.empty()) {
        std::int64_t cap = 0;
        for (const auto& category : questionnaire.categories) cap = std::max(cap, category.cap_eur);
        if (fields.requested_eur > cap) {
            add(Field::requested_eur, FieldProblemKind::over_cap, std::to_string(cap));
        }
    }
    std::size_t unanswered = 0;
    for (const auto& marker : questionnaire.markers) {
        for (const auto& question : marker.questions) {
            if (!fields.self_assessment.contains(question.id)) ++unanswered;
        }
    }
    if (unanswered > 0) {
        add(Field::self_assessment, FieldProblemKind::incomplete, std::to_string(unanswered));
    }
    return problems;
}

MarkerScores self_assessment_scores(const Questionnaire& questionnaire, const Answers& answers) {
    MarkerScores scores;
    for (const auto& marker : questionnaire.markers) {
        // Each marker alone, through score_evaluation itself: the holder's radar is computed
        // exactly as a committee member's, never by a second formula that could drift.
        Questionnaire one;
        one.markers.push_back(marker);
        Evaluation evaluation;
        bool complete = true;
        for (const auto& question : marker.questions) {
            const auto it = answers.find(question.id);
            if (it == answers.end()) {
                complete = false;
                break;
            }
            evaluation.answers.emplace(question.id, it->second);
        }
        if (!complete) continue;
        const auto scored = score_evaluation(one, evaluation);
        if (scored.has_value()) {
            const auto score = scored->find(marker.id);
            if (score != scored->end()) scores.emplace(marker.id, score->second);
        }
    }
    return scores;
}

// ---- attachments ------------------------------------------------------------------------------

bool looks_like_pdf(std::string_view bytes) {
    if (!bytes.starts_with("%PDF-1.") && !bytes.starts_with("%PDF-2.")) return false;
    const auto tail =
        bytes.substr(bytes.size() > kPdfTrailerWindow ? bytes.size() - kPdfTrailerWindow : 0);
    return tail.find("%%EOF") != std::string_view::npos;
}

std::string clean_attachment_name(std::string_view name) {
    // The last path component, whichever separator the sender's system uses.
    const auto slash = name.find_last_of("/\\");
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);

    std::string kept;
    kept.reserve(name.size());
    for (std::size_t i = 0; i < name.size();) {
        const auto n = sequence_at(name, i);
        if (n == 0) {  // not UTF-8: the byte is dropped
            ++i;
            continue;
        }
        if (!unwanted_in_name(decode(name, i, n))) kept.append(name.substr(i, n));
        i += n;
    }

    // Leading dots would hide the file on the staff's computer; spaces around are noise.
    std::string_view stem = kept;
    while (!stem.empty() && stem.back() == ' ') stem.remove_suffix(1);
    if (ends_with_pdf(stem)) stem.remove_suffix(4);
    stem = trim_spaces_and_dots(stem);
    while (!stem.empty() && (stem.back() == ' ' || stem.back() == '.')) stem.remove_suffix(1);
    if (stem.empty()) return "document.pdf";
    stem = first_code_points(stem, kMaxAttachmentNameChars - 4);
    while (!stem.empty() && (stem.back() == ' ' || stem.back() == '.')) stem.remove_suffix(1);
    return std::string(stem) + ".pdf";
}

}  // namespace budget::labelling
