// How kubectl orders and ages core/v1 Events (its SortableEvents and getInterval, shared by
// `describe` and `events`): an event was last seen at its series' last observation, else its
// lastTimestamp, else its eventTime; its age is that of its first sighting (eventTime, else
// firstTimestamp), with "(xN over AGE)" for a repeated one; its message is trimmed.
#pragma once

#include <string>
#include <vector>

#include "base/time.h"
#include "manifest/node.h"

namespace nodrop::cli {

// The items of an EventList, oldest last-seen first. Ties (timestamps have whole seconds) keep the
// API's order; kubectl's sort.Sort keeps it too for up to 12 events (an insertion sort) but not
// beyond, so two events of the same second may be listed the other way round by kubectl.
std::vector<const manifest::Node*> events_by_last_seen(const manifest::Node& event_list);

// "76s", "3m (x2 over 5m)": the AGE / LAST SEEN cell.
std::string event_interval(const manifest::Node& event, WallTime now);

// The message without leading and trailing white space.
std::string event_message(const manifest::Node& event);

}  // namespace nodrop::cli
