#include "server/storage/initiative_record.hpp"

#include <boost/json.hpp>

namespace budget::server::storage {

namespace json = boost::json;

std::string to_stored_json(const InitiativeRecord& r) {
    json::object o{{"id", r.id},
                   {"title", r.title},
                   {"summary", r.summary},
                   {"holder", r.holder},
                   {"commune", r.commune},
                   {"territory", r.territory},
                   {"requested_eur", r.requested_eur}};
    return json::serialize(o);
}

std::optional<InitiativeRecord> record_from_stored_json(std::string_view text) {
    boost::system::error_code ec;
    const auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& o = v.as_object();
    try {
        InitiativeRecord r;
        r.id = json::value_to<std::string>(o.at("id"));
        r.title = json::value_to<std::string>(o.at("title"));
        r.summary = json::value_to<std::string>(o.at("summary"));
        r.holder = json::value_to<std::string>(o.at("holder"));
        r.commune = json::value_to<std::string>(o.at("commune"));
        r.territory = json::value_to<std::string>(o.at("territory"));
        r.requested_eur = o.at("requested_eur").to_number<std::int64_t>();
        return r;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace budget::server::storage
