#pragma once
// The e-mails a holder receives at each status of their application (issue 17), and the
// notifier that sends them.
//
// Statuses are recorded (brouillon, déposée, recevable, irrecevable) or derived from the
// labelling, the sealed ballot and the results (labelling::full_history), so no single write
// can send the e-mail of a derived one. The notifier looks instead: every few seconds it computes
// each application's current status and, where it differs from the last one told
// (`StoredApplication::notified`), claims the change with a compare-and-set in Redis (so two
// budgetd processes never send it twice) and sends one e-mail naming the new status. A change
// is told once even if several happened between two looks (the e-mail names the newest and the
// page shows them all); a failed delivery is retried at the next look.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>

#include "labelling/application.hpp"

namespace budget::server::api {

struct HolderNotice {
    std::string subject;
    std::string text;
};

/// The French e-mail telling a holder that their application `title` reached `event.status`;
/// `page_url` is the absolute address of the holder's page.
HolderNotice holder_notice(const labelling::StatusEvent& event, const std::string& title,
                           const std::string& page_url);

}  // namespace budget::server::api
