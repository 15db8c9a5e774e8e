#include "server/api_error.hpp"

#include <boost/json.hpp>

namespace budget::server {

ApiErrorInfo describe(ApiError error) {
    using s = http::status;
    switch (error) {
        case ApiError::malformed_request:
            return {s::bad_request, "malformed_request", "La requête est mal formée."};
        case ApiError::malformed_json:
            return {s::bad_request, "malformed_json",
                    "Le corps de la requête n'est pas un document JSON valide."};
        case ApiError::invalid_field:
            return {s::bad_request, "invalid_field",
                    "Un champ de la requête est absent ou n'a pas le bon type."};
        case ApiError::not_authenticated:
            return {s::unauthorized, "not_authenticated",
                    "Vous devez être identifié pour effectuer cette action."};
        case ApiError::forbidden:
            return {s::forbidden, "forbidden",
                    "Vous n'avez pas le droit d'effectuer cette action."};
        case ApiError::csrf_failed:
            return {s::forbidden, "csrf_failed",
                    "La requête n'a pas pu être authentifiée (jeton anti-falsification absent ou "
                    "invalide). Rechargez la page et réessayez."};
        case ApiError::not_found:
            return {s::not_found, "not_found", "La ressource demandée n'existe pas."};
        case ApiError::method_not_allowed:
            return {s::method_not_allowed, "method_not_allowed",
                    "Cette méthode n'est pas acceptée pour cette adresse."};
        case ApiError::conflict:
            return {s::conflict, "conflict", "La demande est en conflit avec l'état actuel."};
        case ApiError::too_large:
            return {s::payload_too_large, "too_large", "La requête est trop volumineuse."};
        case ApiError::headers_too_large:
            return {s::payload_too_large, "headers_too_large",
                    "Les en-têtes de la requête sont trop volumineux."};
        case ApiError::unprocessable:
            return {s::unprocessable_entity, "invalid",
                    "La demande est bien formée mais invalide."};
        case ApiError::rate_limited:
            return {s::too_many_requests, "rate_limited",
                    "Trop de tentatives. Patientez quelques instants avant de réessayer."};
        case ApiError::storage_unavailable:
            return {s::service_unavailable, "storage_unavailable",
                    "Le service est momentanément indisponible. Réessayez dans quelques instants ; "
                    "rien n'a été enregistré."};
        case ApiError::internal:
            return {s::internal_server_error, "internal_error",
                    "Une erreur interne est survenue ; rien n'a été enregistré."};
        case ApiError::shutting_down:
            return {s::service_unavailable, "shutting_down",
                    "Le service redémarre. Réessayez dans quelques instants."};
    }
    return {s::internal_server_error, "internal_error", "Une erreur interne est survenue."};
}

Response error_response(ApiError error, unsigned version, std::optional<std::string> message,
                        std::optional<std::string> code) {
    const auto info = describe(error);
    boost::json::object body{{"error",
                              {{"code", code ? *code : std::string(info.code)},
                               {"message", message ? *message : std::string(info.message)}}}};
    auto res = json_response(info.status, body, version);
    if (info.status == http::status::service_unavailable) res.set(http::field::retry_after, "2");
    if (info.status == http::status::too_many_requests) res.set(http::field::retry_after, "60");
    return res;
}

Response reject(ApiError error, unsigned version, std::string code, std::string message) {
    return error_response(error, version, std::move(message), std::move(code));
}

Response json_response(http::status status, const boost::json::value& body, unsigned version) {
    return text_response(status, boost::json::serialize(body), "application/json; charset=utf-8",
                         version);
}

Response text_response(http::status status, std::string body, std::string_view content_type,
                       unsigned version) {
    Response res{status, version};
    res.set(http::field::content_type, content_type);
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

}  // namespace budget::server
