#include "server/api/initiative_rows.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <map>

namespace budget::server::api {

namespace json = boost::json;

namespace {

std::string quoted(std::string_view s) { return "«\u00a0" + std::string(s) + "\u00a0»"; }

std::string euros(std::int64_t amount) {
    // Thin spaces would be nicer, but messages must survive any terminal: a plain space.
    auto digits = std::to_string(amount);
    std::string out;
    const auto n = digits.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && (n - i) % 3 == 0) out += ' ';
        out += digits[i];
    }
    return out + " €";
}

/// One row being read: the record filled field by field, and everything wrong with it.
struct RowReader {
    const json::object& row;
    storage::InitiativeRecord record;
    InitiativeRowError problems;

    void fail(std::string message) { problems.errors.push_back(std::move(message)); }
};

/// The id, unique within the batch (`first_index_of_id` remembers the rows read so far).
void read_id(RowReader& r, std::map<std::string, std::size_t, std::less<>>& first_index_of_id) {
    const auto* id = r.row.if_contains("id");
    if (id && id->is_string()) {
        // Echoed in the answer even when invalid, so cut to a sane length.
        r.problems.id.assign(id->as_string().data(), id->as_string().size());
        if (r.problems.id.size() > 200) r.problems.id.resize(200);
    }
    if (!id || id->is_null()) {
        r.fail("Le champ «\u00a0id\u00a0» est obligatoire.");
    } else if (!id->is_string() || !is_valid_initiative_id(r.problems.id)) {
        r.fail(
            "L’identifiant doit compter 1 à 64 caractères parmi les lettres minuscules sans "
            "accent, les chiffres et le tiret (a-z, 0-9, -).");
    } else if (auto [it, inserted] = first_index_of_id.emplace(r.problems.id, r.problems.index);
               !inserted) {
        r.fail("L’identifiant " + quoted(r.problems.id) + " apparaît déjà à la ligne " +
               std::to_string(it->second) + " de ce lot.");
    } else {
        r.record.id = r.problems.id;
    }
}

/// A required text field, trimmed, of at most `max_chars` characters.
void read_text(RowReader& r, const char* field, std::size_t max_chars, bool multiline,
               std::string& out) {
    const auto* v = r.row.if_contains(field);
    if (!v || v->is_null()) return r.fail("Le champ " + quoted(field) + " est obligatoire.");
    if (!v->is_string()) {
        return r.fail("Le champ " + quoted(field) + " doit être une chaîne de caractères.");
    }
    auto text = trim_text(std::string_view(v->as_string().data(), v->as_string().size()));
    const auto length = clean_text_length(text, multiline);
    if (!length) {
        r.fail("Le champ " + quoted(field) + " contient des caractères invalides.");
    } else if (*length == 0) {
        r.fail("Le champ " + quoted(field) + " ne doit pas être vide.");
    } else if (*length > max_chars) {
        r.fail("Le champ " + quoted(field) + " dépasse " + std::to_string(max_chars) +
               " caractères (" + std::to_string(*length) + ").");
    } else {
        out = std::move(text);
    }
}

/// The commune, a string INSEE code of the département; its territory comes with it.
void read_commune(RowReader& r, const config::CommuneDirectory& communes) {
    const auto* commune = r.row.if_contains("commune");
    if (!commune || commune->is_null()) {
        return r.fail("Le champ «\u00a0commune\u00a0» (code INSEE) est obligatoire.");
    }
    if (!commune->is_string()) {
        return r.fail(
            "Le champ «\u00a0commune\u00a0» doit être un code INSEE écrit comme une chaîne, par "
            "exemple "
            "\"62041\".");
    }
    const std::string code(commune->as_string().data(),
                           std::min<std::size_t>(commune->as_string().size(), 20));
    if (const auto* found = communes.find(code)) {
        r.record.commune = found->code;
        r.record.territory = found->territory;
    } else {
        r.fail("La commune " + quoted(code) +
               " n’est pas un code INSEE de commune du département.");
    }
}

/// The amount asked, whole positive euros within the largest category cap.
void read_amount(RowReader& r, std::int64_t max_requested_eur) {
    const auto* amount = r.row.if_contains("requested_eur");
    if (!amount || amount->is_null()) {
        r.fail("Le champ «\u00a0requested_eur\u00a0» (montant demandé) est obligatoire.");
    } else if (!amount->is_int64() && !amount->is_uint64()) {
        r.fail(
            "Le montant demandé («\u00a0requested_eur\u00a0») doit être un nombre entier d’euros.");
    } else if (amount->is_int64() && amount->as_int64() <= 0) {
        r.fail("Le montant demandé doit être positif.");
    } else if (amount->is_uint64() || amount->as_int64() > max_requested_eur) {
        r.fail("Le montant demandé dépasse le plafond de la catégorie la mieux dotée (" +
               euros(max_requested_eur) + ").");
    } else {
        r.record.requested_eur = amount->as_int64();
    }
}

/// Fields the Mission may not set: the territory and the category are derived.
void refuse_unknown_fields(RowReader& r) {
    static constexpr std::array<std::string_view, 6> kKnownFields{
        "id", "title", "summary", "holder", "commune", "requested_eur"};
    for (const auto& [key, value] : r.row) {
        (void)value;
        if (std::find(kKnownFields.begin(), kKnownFields.end(), std::string_view(key)) ==
            kKnownFields.end()) {
            const std::string name(key.data(), std::min<std::size_t>(key.size(), 64));
            r.fail("Le champ " + quoted(name) +
                   " n’est pas reconnu (le territoire et la catégorie sont déduits, pas saisis).");
        }
    }
}

}  // namespace

std::optional<std::size_t> clean_text_length(std::string_view text, bool multiline) {
    std::size_t i = 0, chars = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t n = 0;
        if (c < 0x80) {
            const bool allowed_control = multiline && (c == '\n' || c == '\t' || c == '\r');
            if ((c < 0x20 && !allowed_control) || c == 0x7f) return std::nullopt;
        } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
            n = 1;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
        } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
            n = 3;
        } else {
            return std::nullopt;
        }
        if (i + n >= text.size() && n > 0) return std::nullopt;
        for (std::size_t k = 1; k <= n; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return std::nullopt;
        }
        i += n + 1;
        ++chars;
    }
    return chars;
}

std::string trim_text(std::string_view text) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return std::string(text);
}

bool is_valid_initiative_id(std::string_view id) {
    if (id.empty() || id.size() > kMaxInitiativeIdLength) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

std::int64_t largest_category_cap(const labelling::Questionnaire& questionnaire) {
    std::int64_t cap = 0;
    for (const auto& category : questionnaire.categories) cap = std::max(cap, category.cap_eur);
    return cap;
}

RowsOrShapeError initiative_rows(const json::value& body, bool allow_bare_array) {
    RowsOrShapeError out;
    const json::array* list = nullptr;
    if (body.is_array() && allow_bare_array) {
        list = &body.as_array();
    } else if (body.is_object()) {
        const auto& o = body.as_object();
        const auto* batch = o.if_contains("initiatives");
        if (!batch) {
            out.rows.push_back(body);
            return out;
        }
        if (!batch->is_array()) {
            out.shape_error =
                "Le champ «\u00a0initiatives\u00a0» doit être une liste d’initiatives.";
            return out;
        }
        if (o.size() != 1) {
            out.shape_error =
                "Un lot s’écrit {\"initiatives\": [...]}, sans autre champ à côté de la liste.";
            return out;
        }
        list = &batch->as_array();
    } else {
        out.shape_error = allow_bare_array
                              ? "Le fichier doit contenir une initiative, une liste d’initiatives "
                                "ou {\"initiatives\": [...]}."
                              : "Le corps doit être une initiative ou {\"initiatives\": [...]}.";
        return out;
    }
    if (list->empty()) {
        out.shape_error = "La liste d’initiatives est vide\u00a0: rien à enregistrer.";
    } else if (list->size() > kMaxBatchRows) {
        out.shape_error = "Un lot compte au plus " + std::to_string(kMaxBatchRows) +
                          " initiatives (ici " + std::to_string(list->size()) +
                          ")\u00a0: découpez-le.";
    } else {
        out.rows.assign(list->begin(), list->end());
    }
    return out;
}

InitiativeBatch validate_initiatives(const std::vector<json::value>& rows,
                                     const config::CommuneDirectory& communes,
                                     std::int64_t max_requested_eur) {
    InitiativeBatch batch;
    std::map<std::string, std::size_t, std::less<>> first_index_of_id;
    for (std::size_t index = 0; index < rows.size(); ++index) {
        if (!rows[index].is_object()) {
            batch.errors.push_back(
                {index, "", {"La ligne doit être un objet JSON décrivant une initiative."}});
            continue;
        }
        RowReader r{rows[index].as_object(), {}, {index, "", {}}};
        read_id(r, first_index_of_id);
        read_text(r, "title", kMaxTitleChars, false, r.record.title);
        read_text(r, "summary", kMaxSummaryChars, true, r.record.summary);
        read_text(r, "holder", kMaxHolderChars, false, r.record.holder);
        read_commune(r, communes);
        read_amount(r, max_requested_eur);
        refuse_unknown_fields(r);
        if (r.problems.errors.empty()) {
            batch.records.push_back(std::move(r.record));
        } else {
            batch.errors.push_back(std::move(r.problems));
        }
    }
    if (!batch.errors.empty()) batch.records.clear();
    return batch;
}

InitiativeBatch validate_initiative_submission(const json::value& body,
                                               const config::CommuneDirectory& communes,
                                               std::int64_t max_requested_eur,
                                               bool allow_bare_array) {
    auto rows = initiative_rows(body, allow_bare_array);
    if (!rows.shape_error.empty()) {
        InitiativeBatch batch;
        batch.shape_error = std::move(rows.shape_error);
        return batch;
    }
    return validate_initiatives(rows.rows, communes, max_requested_eur);
}

std::vector<InitiativeRowError> existing_id_errors(
    const std::vector<storage::InitiativeRecord>& records,
    const std::vector<std::string>& existing_ids) {
    std::vector<InitiativeRowError> out;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (std::find(existing_ids.begin(), existing_ids.end(), records[i].id) !=
            existing_ids.end()) {
            out.push_back(
                {i,
                 records[i].id,
                 {"Une initiative d’identifiant " + quoted(records[i].id) +
                  " existe déjà\u202f; une initiative enregistrée ne se remplace pas par un "
                  "import."}});
        }
    }
    return out;
}

json::array row_errors_json(const std::vector<InitiativeRowError>& errors) {
    json::array rows;
    for (const auto& e : errors) {
        json::array messages;
        for (const auto& m : e.errors) messages.emplace_back(m);
        rows.push_back(json::object{{"index", e.index},
                                    {"id", e.id.empty() ? json::value(nullptr) : json::value(e.id)},
                                    {"errors", std::move(messages)}});
    }
    return rows;
}

std::string row_errors_text(const std::vector<InitiativeRowError>& errors) {
    std::string out;
    for (const auto& e : errors) {
        for (const auto& m : e.errors) {
            out += "ligne " + std::to_string(e.index);
            if (!e.id.empty()) out += " (" + e.id + ")";
            out += " : " + m + "\n";
        }
    }
    return out;
}

}  // namespace budget::server::api
