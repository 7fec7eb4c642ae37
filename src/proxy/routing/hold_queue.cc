#include "proxy/routing/hold_queue.h"

#include <algorithm>
#include <vector>

namespace nodrop::proxy {

HoldQueue::~HoldQueue() {
  for (auto& [ticket, held] : held_) loop_.cancel(held.timer);
}

std::optional<HoldTicket> HoldQueue::hold(std::function<void(HoldOutcome)> resume) {
  if (held_.size() >= policy_.max_waiting) return std::nullopt;
  const HoldTicket ticket = next_ticket_++;
  const runtime::TimerId timer = loop_.run_after(policy_.max_wait, [this, ticket] {
    const auto found = held_.find(ticket);
    if (found == held_.end()) return;
    auto resume_later = std::move(found->second.resume);
    held_.erase(found);
    resume_later(HoldOutcome::kTimedOut);
  });
  held_.emplace(ticket, Held{std::move(resume), timer});
  return ticket;
}

void HoldQueue::cancel(HoldTicket ticket) {
  const auto found = held_.find(ticket);
  if (found == held_.end()) return;
  loop_.cancel(found->second.timer);
  held_.erase(found);
}

void HoldQueue::release() {
  // Tickets grow with time, so sorting them resumes the oldest first.
  std::vector<HoldTicket> tickets;
  tickets.reserve(held_.size());
  for (const auto& entry : held_) tickets.push_back(entry.first);
  std::sort(tickets.begin(), tickets.end());
  for (const HoldTicket ticket : tickets) {
    const auto found = held_.find(ticket);
    if (found == held_.end()) continue;  // cancelled by an earlier resume
    loop_.cancel(found->second.timer);
    auto resume = std::move(found->second.resume);
    held_.erase(found);
    resume(HoldOutcome::kEndpointAvailable);
  }
}

}  // namespace nodrop::proxy
