#include "server/api/staff_initiatives.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>

namespace budget::server {

namespace json = boost::json;

namespace {

std::string quoted(std::string_view s) { return "« " + std::string(s) + " »"; }

std::optional<std::size_t> text_length_impl(std::string_view s, bool multiline) {
    std::size_t i = 0, chars = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
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
        if (i + n >= s.size() && n > 0) return std::nullopt;
        for (std::size_t k = 1; k <= n; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return std::nullopt;
        }
        i += n + 1;
        ++chars;
    }
    return chars;
}

std::string trim_impl(std::string_view s) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

/// Reads a required text field into `out`, or adds why it cannot be read to `errors`.
void read_text(const json::object& row, const char* field, std::size_t max_chars, bool multiline,
               std::string& out, std::vector<std::string>& errors) {
    const auto* v = row.if_contains(field);
    if (!v || v->is_null()) {
        errors.push_back("Le champ " + quoted(field) + " est obligatoire.");
        return;
    }
    if (!v->is_string()) {
        errors.push_back("Le champ " + quoted(field) + " doit être une chaîne de caractères.");
        return;
    }
    auto text = trim_text(std::string_view(v->as_string().data(), v->as_string().size()));
    const auto length = clean_text_length(text, multiline);
    if (!length) {
        errors.push_back("Le champ " + quoted(field) + " contient des caractères invalides.");
    } else if (*length == 0) {
        errors.push_back("Le champ " + quoted(field) + " ne doit pas être vide.");
    } else if (*length > max_chars) {
        errors.push_back("Le champ " + quoted(field) + " dépasse " + std::to_string(max_chars) +
                         " caractères (" + std::to_string(*length) + ").");
    } else {
        out = std::move(text);
    }
}

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

}  // namespace

std::optional<std::size_t> clean_text_length(std::string_view text, bool multiline) {
    return text_length_impl(text, multiline);
}

std::string trim_text(std::string_view text) { return trim_impl(text); }

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
        if (const auto* batch = o.if_contains("initiatives")) {
            if (!batch->is_array()) {
                out.shape_error = "Le champ « initiatives » doit être une liste d'initiatives.";
                return out;
            }
            if (o.size() != 1) {
                out.shape_error =
                    "Un lot s'écrit {\"initiatives\": [...]}, sans autre champ à côté de la liste.";
                return out;
            }
            list = &batch->as_array();
        } else {
            out.rows.push_back(body);
            return out;
        }
    } else {
        out.shape_error = allow_bare_array
                              ? "Le fichier doit contenir une initiative, une liste d'initiatives "
                                "ou {\"initiatives\": [...]}."
                              : "Le corps doit être une initiative ou {\"initiatives\": [...]}.";
        return out;
    }
    if (list->empty()) {
        out.shape_error = "La liste d'initiatives est vide : rien à enregistrer.";
    } else if (list->size() > kMaxBatchRows) {
        out.shape_error = "Un lot compte au plus " + std::to_string(kMaxBatchRows) +
                          " initiatives (ici " + std::to_string(list->size()) + ") : découpez-le.";
    } else {
        out.rows.assign(list->begin(), list->end());
    }
    return out;
}

InitiativeBatch validate_initiatives(const std::vector<json::value>& rows,
                                     const config::CommuneDirectory& communes,
                                     std::int64_t max_requested_eur) {
    static const std::vector<std::string> kKnownFields{"id",     "title",   "summary",
                                                       "holder", "commune", "requested_eur"};
    InitiativeBatch batch;
    std::map<std::string, std::size_t, std::less<>> first_index_of_id;
    for (std::size_t index = 0; index < rows.size(); ++index) {
        InitiativeRowError problems;
        problems.index = index;
        InitiativeRecord record;
        if (!rows[index].is_object()) {
            problems.errors.push_back("La ligne doit être un objet JSON décrivant une initiative.");
            batch.errors.push_back(std::move(problems));
            continue;
        }
        const auto& row = rows[index].as_object();

        if (const auto* id = row.if_contains("id"); id && id->is_string()) {
            problems.id.assign(id->as_string().data(), id->as_string().size());
            if (problems.id.size() > 200) problems.id.resize(200);
        }
        if (const auto* id = row.if_contains("id"); !id || id->is_null()) {
            problems.errors.push_back("Le champ « id » est obligatoire.");
        } else if (!id->is_string() || !is_valid_initiative_id(problems.id)) {
            problems.errors.push_back(
                "L'identifiant doit compter 1 à 64 caractères parmi les lettres minuscules sans "
                "accent, les chiffres et le tiret (a-z, 0-9, -).");
        } else if (auto [it, inserted] = first_index_of_id.emplace(problems.id, index); !inserted) {
            problems.errors.push_back("L'identifiant " + quoted(problems.id) +
                                      " apparaît déjà à la ligne " + std::to_string(it->second) +
                                      " de ce lot.");
        } else {
            record.id = problems.id;
        }

        read_text(row, "title", kMaxTitleChars, false, record.title, problems.errors);
        read_text(row, "summary", kMaxSummaryChars, true, record.summary, problems.errors);
        read_text(row, "holder", kMaxHolderChars, false, record.holder, problems.errors);

        if (const auto* commune = row.if_contains("commune"); !commune || commune->is_null()) {
            problems.errors.push_back("Le champ « commune » (code INSEE) est obligatoire.");
        } else if (!commune->is_string()) {
            problems.errors.push_back(
                "Le champ « commune » doit être un code INSEE écrit comme une chaîne, par exemple "
                "\"62041\".");
        } else {
            const std::string code(commune->as_string().data(),
                                   std::min<std::size_t>(commune->as_string().size(), 20));
            if (const auto* found = communes.find(code)) {
                record.commune = found->code;
                record.territory = found->territory;
            } else {
                problems.errors.push_back("La commune " + quoted(code) +
                                          " n'est pas un code INSEE de commune du département.");
            }
        }

        const auto* amount = row.if_contains("requested_eur");
        if (!amount || amount->is_null()) {
            problems.errors.push_back(
                "Le champ « requested_eur » (montant demandé) est obligatoire.");
        } else if (!amount->is_int64() && !amount->is_uint64()) {
            problems.errors.push_back(
                "Le montant demandé (« requested_eur ») doit être un nombre entier d'euros.");
        } else if (amount->is_int64() && amount->as_int64() <= 0) {
            problems.errors.push_back("Le montant demandé doit être positif.");
        } else if (amount->is_uint64() || amount->as_int64() > max_requested_eur) {
            problems.errors.push_back(
                "Le montant demandé dépasse le plafond de la catégorie la "
                "mieux dotée (" +
                euros(max_requested_eur) + ").");
        } else {
            record.requested_eur = amount->as_int64();
        }

        for (const auto& [key, value] : row) {
            (void)value;
            if (std::find(kKnownFields.begin(), kKnownFields.end(), std::string_view(key)) ==
                kKnownFields.end()) {
                const std::string name(key.data(), std::min<std::size_t>(key.size(), 64));
                problems.errors.push_back(
                    "Le champ " + quoted(name) +
                    " n'est pas reconnu (le territoire et la catégorie sont déduits, pas saisis).");
            }
        }

        if (problems.errors.empty()) {
            batch.records.push_back(std::move(record));
        } else {
            batch.errors.push_back(std::move(problems));
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

std::vector<InitiativeRowError> existing_id_errors(const std::vector<InitiativeRecord>& records,
                                                   const std::vector<std::string>& existing_ids) {
    std::vector<InitiativeRowError> out;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (std::find(existing_ids.begin(), existing_ids.end(), records[i].id) !=
            existing_ids.end()) {
            out.push_back({i,
                           records[i].id,
                           {"Une initiative d'identifiant " + quoted(records[i].id) +
                            " existe déjà ; une initiative enregistrée ne se remplace pas par un "
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

}  // namespace budget::server
