#include "server/api/otp_delivery.hpp"

#include <catch2/catch.hpp>

using budget::server::api::mime_header_text;
using budget::server::api::smtp_data_text;

TEST_CASE("An ASCII subject is sent as it is", "[otp_delivery]") {
    CHECK(mime_header_text("Votre code") == "Votre code");
}

TEST_CASE("A subject with accents is sent as RFC 2047 encoded words", "[otp_delivery]") {
    CHECK(mime_header_text("Déposé") == "=?UTF-8?B?RMOpcG9zw6k=?=");
}

TEST_CASE("A long subject is split into words of at most 75 characters between code points",
          "[otp_delivery]") {
    std::string subject;
    for (int i = 0; i < 40; ++i) subject += "é";  // 80 bytes, two-byte code points
    const auto encoded = mime_header_text(subject);
    REQUIRE(encoded.find("\r\n ") != std::string::npos);
    std::size_t start = 0;
    int words = 0;
    while (start < encoded.size()) {
        auto end = encoded.find("\r\n ", start);
        if (end == std::string::npos) end = encoded.size();
        const auto word = encoded.substr(start, end - start);
        CHECK(word.size() <= 75);
        CHECK(word.rfind("=?UTF-8?B?", 0) == 0);
        ++words;
        start = end == encoded.size() ? end : end + 3;
    }
    CHECK(words == 2);
    // 45 bytes would cut the 23rd "é" in two: the first word carries 22 of them (44 bytes).
    CHECK(encoded.substr(0, encoded.find("\r\n ")) ==
          "=?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=");
}

TEST_CASE("Every line of a message ends with CRLF whatever the text used", "[otp_delivery]") {
    CHECK(smtp_data_text("a\nb\r\nc\rd") == "a\r\nb\r\nc\r\nd\r\n");
    CHECK(smtp_data_text("fin\n") == "fin\r\n");
    CHECK(smtp_data_text("") == "");
}

TEST_CASE("A line starting with a dot is doubled so no text can end the message early",
          "[otp_delivery]") {
    CHECK(smtp_data_text(".\nMAIL FROM:<x>") == "..\r\nMAIL FROM:<x>\r\n");
    CHECK(smtp_data_text("a.b\n.c") == "a.b\r\n..c\r\n");
}

TEST_CASE("The code message is in French with its typography", "[otp_delivery]") {
    const auto body = budget::server::api::otp_message_body("123456", 10);
    CHECK(body.find("est\u00a0: 123456") != std::string::npos);
    CHECK(body.find('\'') == std::string::npos);
}
