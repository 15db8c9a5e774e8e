#include "voting/canonical_json.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <vector>

namespace budget::voting {

namespace {
bool write(const boost::json::value& v, std::string& out) {
    switch (v.kind()) {
        case boost::json::kind::object: {
            const auto& o = v.as_object();
            std::vector<const boost::json::key_value_pair*> items;
            items.reserve(o.size());
            for (const auto& kv : o) items.push_back(&kv);
            std::sort(items.begin(), items.end(),
                      [](auto* a, auto* b) { return a->key() < b->key(); });
            out += '{';
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (i) out += ',';
                out += boost::json::serialize(boost::json::string(items[i]->key()));
                out += ':';
                if (!write(items[i]->value(), out)) return false;
            }
            out += '}';
            return true;
        }
        case boost::json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& item : v.as_array()) {
                if (!first) out += ',';
                first = false;
                if (!write(item, out)) return false;
            }
            out += ']';
            return true;
        }
        case boost::json::kind::double_:
            return false;  // no floats in a signed document: their text is not portable
        default:
            out += boost::json::serialize(v);
            return true;
    }
}
}  // namespace

std::optional<std::string> canonical_json(const boost::json::value& value) {
    std::string out;
    if (!write(value, out)) return std::nullopt;
    return out;
}

}  // namespace budget::voting
