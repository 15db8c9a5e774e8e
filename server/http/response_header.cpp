#include "server/http/response_header.hpp"

namespace budget::server::http {

void serialize_header(const Response& res, std::string& out) {
    // As basic_fields::writer does: "HTTP/X.Y ### ", the reason (the stored one, else the
    // standard one for the code), CRLF, each field's "Name: value\r\n", then CRLF.
    const unsigned version = res.version();
    const unsigned code = res.result_int();
    const auto reason = res.reason();
    const char start[] = {'H',
                          'T',
                          'T',
                          'P',
                          '/',
                          static_cast<char>('0' + version / 10),
                          '.',
                          static_cast<char>('0' + version % 10),
                          ' ',
                          static_cast<char>('0' + code / 100),
                          static_cast<char>('0' + code / 10 % 10),
                          static_cast<char>('0' + code % 10),
                          ' '};
    out.clear();
    out.append(start, sizeof start).append(reason.data(), reason.size()).append("\r\n");
    for (const auto& field : res) {
        const auto name = field.name_string();
        const auto value = field.value();
        out.append(name.data(), name.size())
            .append(": ")
            .append(value.data(), value.size())
            .append("\r\n");
    }
    out.append("\r\n");
}

}  // namespace budget::server::http
