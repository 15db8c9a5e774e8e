#pragma once
// The communes of the département (official list, generated from @etalab/decoupage-administratif)
// and the territory each belongs to, through the EPCI -> territory table of territories.toml.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace budget::config {

struct Territory {
    std::string id;
    std::string label;
};

struct Commune {
    std::string code;  ///< INSEE code, e.g. "62041"
    std::string name;
    std::vector<std::string> postal_codes;
    std::string epci;
    std::string territory;  ///< territory id
};

class CommuneDirectory {
  public:
    /// Loads both files; throws ConfigError with a one-line reason (e.g. a commune whose EPCI no
    /// territory claims, an EPCI claimed twice, an unknown key).
    static CommuneDirectory load(const std::string& communes_json,
                                 const std::string& territories_toml);

    const Commune* find(std::string_view insee_code) const;
    const Territory* territory(std::string_view id) const;
    const std::vector<Territory>& territories() const { return territories_; }
    const std::map<std::string, Commune, std::less<>>& communes() const { return communes_; }

  private:
    std::vector<Territory> territories_;
    std::map<std::string, Commune, std::less<>> communes_;
};

}  // namespace budget::config
