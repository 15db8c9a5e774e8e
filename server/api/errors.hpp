#pragma once
// Every refusal the API gives, in one table: the situation, its HTTP status, its stable code
// (docs/api.md) and its French message. Handlers name the situation and, when the message has
// blanks ({}), what fills them; they never write a status, a code or a sentence themselves.
//
//   co_return fail(Error::already_voted, version);
//   co_return fail(Error::too_young, version, {std::to_string(min_age)});

#include <boost/json/object.hpp>
#include <initializer_list>
#include <string>
#include <string_view>

#include "server/http/types.hpp"

namespace budget::server::api {

using http::Request;
using http::RequestContext;
using http::Response;

enum class Error {
    // --- generic and transport -----------------------------------------------------------------
    malformed_request,
    not_json_content,
    malformed_json,
    body_not_object,
    too_large,
    headers_too_large,
    not_found,
    method_not_allowed,
    storage_unavailable,
    internal,
    shutting_down,
    // --- request fields (request_body.hpp); the first {} is the field's name --------------------
    field_missing,
    field_not_string,
    field_too_long,  ///< {} field, {} maximum length
    field_invalid_text,
    field_not_integer,
    field_not_list,
    field_too_many_items,
    field_not_string_list,
    field_invalid_id,
    field_unknown_value,  ///< {} field, {} the values it may take
    // --- residents: identity, codes, ballot -----------------------------------------------------
    invalid_email,
    invalid_name,
    invalid_birth_date,
    implausible_birth_date,
    code_format,
    code_wrong,       ///< {} tries left (2 or more)
    code_wrong_last,  ///< one try left
    code_dead,
    too_young,  ///< {} minimum age
    not_resident,
    unknown_commune,  ///< {} the code given (an excerpt)
    email_already_used,
    address_rate_limited,
    codes_rate_limited,
    delivery_failed,
    vote_not_open,         ///< {} opening, {} closing (French dates); phase in `extra`
    vote_not_yet_open,     ///< {} opening, {} closing (French dates); phase in `extra`
    vote_closed,           ///< {} opening, {} closing (French dates); phase in `extra`
    vote_closed_recorded,  ///< the close is recorded: no ballot is accepted, whatever the clock
    voter_not_authenticated,
    invalid_idempotency_key,
    invalid_choices,  ///< {} what is wrong (choice_problem_text)
    already_voted,
    idempotency_key_reused,
    storage_not_durable,
    storage_misconfigured,
    ballot_outcome_unknown,
    // --- residents: identity methods and age bands ([identity], issue 15) ---------------------
    method_not_offered,          ///< the e-mail path when [identity] methods lacks "email"
    method_not_allowed_for_age,  ///< an adult on the e-mail path when adult_methods lacks it
    commune_not_declared,        ///< a ballot from a session without a territory yet
    // --- staff ----------------------------------------------------------------------------------
    resident_origin_refused,
    origin_refused,
    csrf_failed,
    staff_not_authenticated,
    staff_session_expired,
    committee_only,
    mission_only,
    invalid_credentials,
    login_rate_limited,
    ballot_sealed,
    unknown_initiative,           ///< {} the id (an excerpt)
    unknown_labelled_initiative,  ///< {} the id (an excerpt)
    not_sealed_yet,               ///< {} when the vote opens
    not_sealed,
    invalid_initiatives_one,    ///< rows in `extra`
    invalid_initiatives_many,   ///< {} how many; rows in `extra`
    invalid_initiatives_shape,  ///< {} what is wrong
    answers_not_object,
    too_many_answers,
    invalid_answers,  ///< {} the problems' sentences; problems in `extra`
    already_decided,
    invalid_decision,
    justification_not_text,
    justification_too_long,   ///< {} maximum length
    invalid_category,         ///< {} the categories
    justification_to_label,   ///< gate in `extra`
    justification_to_refuse,  ///< gate in `extra`
    concurrent_change,
    invalid_limit,
    // --- tally, publication, log
    // ------------------------------------------------------------------
    vote_not_closed,
    unknown_rule,
    already_published,
    ballot_shards_mismatch,  ///< {} shards used, {} shards configured
    corrupt_log,             ///< {} the reason
    tree_head_unreadable,
    tree_head_unreadable_in_shard,    ///< {} shard
    log_not_extending_head,           ///< {} tree size
    log_not_extending_head_in_shard,  ///< {} shard, {} tree size
    tally_failed,                     ///< {} the reason
    no_tally,
    not_published,
    ballots_not_published,
    unknown_ballot,
    no_tree_head,
    invalid_range,
    beyond_log,
    invalid_query,
    single_shard,
    invalid_shard,  ///< {} the last shard
    not_in_tree,
    // --- FranceConnect -------------------------------------------------------------------------
    residence_already_declared,  ///< POST /auth/residence with a session that has a territory
    // --- initiative holders and the Mission's admissibility (issue 17) --------------------------
    holder_not_authenticated,
    field_not_boolean,       ///< {} the field's name
    invalid_application,     ///< {} the problems' sentences; problems in `extra`
    application_incomplete,  ///< {} the problems' sentences; problems in `extra`
    call_not_open,           ///< {} when the call runs (call_period_text)
    call_not_scheduled,      ///< no call for initiatives in the configuration
    too_many_applications,   ///< {} the maximum
    application_not_found,
    application_locked,
    already_submitted,
    application_changed,
    attachment_too_large,  ///< {} the maximum in Mo
    attachment_not_pdf,
    attachment_wrong_type,
    too_many_attachments,  ///< {} the maximum
    attachment_not_found,
    reason_required,  ///< {} the minimum length
    reason_too_long,  ///< {} the maximum length
    application_not_submitted,
    initiative_exists,  ///< {} the id
};

/// A row of the table.
struct ErrorEntry {
    http::status status;
    std::string_view code;     ///< stable, snake_case, documented
    std::string_view message;  ///< French; `{}` are filled in order
};

/// The row of an error.
const ErrorEntry& entry(Error error);

/// The message of `error` with its blanks filled by `args`, in order.
std::string error_message(Error error, std::initializer_list<std::string_view> args = {});

/// `{"error":{"code","message"}}` with the status of `error`, Retry-After on 503 (2 s) and 429
/// (60 s).
Response fail(Error error, unsigned version, std::initializer_list<std::string_view> args = {});
/// The same with more fields in the `error` object (rows, problems, gate...).
Response fail_with(Error error, unsigned version, boost::json::object extra,
                   std::initializer_list<std::string_view> args = {});
/// A 429 saying when to come back.
Response fail_retry_after(Error error, unsigned version, long long retry_after_s);

/// The transport's failures worded by the table (the HTTP server's ErrorResponder).
Response transport_error(http::TransportError error, unsigned version);

}  // namespace budget::server::api
