#include "server/redis/resp.hpp"

#include <charconv>

namespace budget::server::redis {

void format_command(const std::vector<std::string>& args, std::string& out) {
    char number[24];
    const auto append_number = [&](char prefix, std::size_t n) {
        out += prefix;
        const auto end = std::to_chars(number, number + sizeof number, n).ptr;
        out.append(number, end).append("\r\n");
    };
    out.clear();
    append_number('*', args.size());
    for (const auto& arg : args) {
        append_number('$', arg.size());
        out.append(arg).append("\r\n");
    }
}

}  // namespace budget::server::redis
