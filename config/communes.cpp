#include "config/communes.hpp"

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <toml.hpp>

#include "config/config.hpp"
#include "labelling/utf8.hpp"

namespace budget::config {

namespace {
std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot read");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}
}  // namespace

CommuneDirectory CommuneDirectory::load(const std::string& communes_json,
                                        const std::string& territories_toml) {
    CommuneDirectory d;
    std::map<std::string, std::string> territory_of_epci;
    try {
        const auto text = read_text(territories_toml);
        if (const auto bad = labelling::first_invalid_utf8(text)) {
            throw ConfigError(territories_toml + ": not valid UTF-8 (byte " + std::to_string(*bad) +
                              ")");
        }
        std::istringstream in(text);
        const auto root = toml::parse(in, territories_toml);
        for (const auto& [key, _] : root.as_table()) {
            if (key != "territory")
                throw ConfigError(territories_toml + ": [" + key + "]: unknown key");
        }
        for (const auto& t : toml::find<toml::array>(root, "territory")) {
            for (const auto& [key, _] : t.as_table()) {
                if (key != "id" && key != "label" && key != "epci")
                    throw ConfigError(territories_toml + ": [[territory]] " + key +
                                      ": unknown key");
            }
            Territory territory{toml::find<std::string>(t, "id"),
                                toml::find<std::string>(t, "label")};
            for (const auto& epci : toml::find<std::vector<std::string>>(t, "epci")) {
                if (!territory_of_epci.emplace(epci, territory.id).second)
                    throw ConfigError(territories_toml + ": EPCI " + epci +
                                      " is claimed by two territories");
            }
            d.territories_.push_back(std::move(territory));
        }
    } catch (const ConfigError&) {
        throw;
    } catch (const std::exception& e) {
        std::string what = e.what();
        what = what.substr(0, what.find('\n'));
        throw ConfigError(territories_toml + ": " + what);
    }

    boost::system::error_code ec;
    const auto doc = boost::json::parse(read_text(communes_json), ec);
    if (ec || !doc.is_object() || !doc.as_object().contains("communes"))
        throw ConfigError(communes_json + ": not a commune list (regenerate it with the build)");
    for (const auto& item : doc.at("communes").as_array()) {
        const auto& o = item.as_object();
        Commune c;
        c.code = boost::json::value_to<std::string>(o.at("code"));
        c.name = boost::json::value_to<std::string>(o.at("nom"));
        c.postal_codes = boost::json::value_to<std::vector<std::string>>(o.at("codes_postaux"));
        c.epci = boost::json::value_to<std::string>(o.at("epci"));
        const auto t = territory_of_epci.find(c.epci);
        if (t == territory_of_epci.end())
            throw ConfigError(territories_toml + ": commune " + c.code + " (" + c.name +
                              "), EPCI " + c.epci + ", belongs to no territory");
        c.territory = t->second;
        d.communes_.emplace(c.code, std::move(c));
    }
    if (d.communes_.empty()) throw ConfigError(communes_json + ": no commune");
    return d;
}

const Commune* CommuneDirectory::find(std::string_view insee_code) const {
    const auto it = communes_.find(insee_code);
    return it == communes_.end() ? nullptr : &it->second;
}

const Territory* CommuneDirectory::territory(std::string_view id) const {
    for (const auto& t : territories_) {
        if (t.id == id) return &t;
    }
    return nullptr;
}

}  // namespace budget::config
