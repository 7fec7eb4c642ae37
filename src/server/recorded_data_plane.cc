#include "server/recorded_data_plane.h"

#include <fmt/format.h>

#include "proxy/routing/categorize.h"

namespace nodrop::server {

std::vector<Ipv4Endpoint> RecordedDataPlane::Record::pickable() const {
  std::vector<Ipv4Endpoint> addresses;
  if (tables.empty()) return addresses;
  const Table& last = tables.back();
  for (std::size_t i = 0; i < last.endpoints.size(); ++i) {
    if (last.states[i] != proxy::EndpointState::kDraining) {
      addresses.push_back(last.endpoints[i].address);
    }
  }
  return addresses;
}

class RecordedDataPlane::Listener final : public DataPlaneListener {
 public:
  Listener(RecordedDataPlane& plane, Record& record) : plane_(plane), record_(record) {}
  ~Listener() override {
    record_.closed = plane_.loop_.clock().now();
    plane_.open_.erase(record_.options.listen);
  }

  Result<proxy::Generation> set_endpoints(std::span<const proxy::Endpoint> endpoints) override {
    if (endpoints.size() > proxy::kMaxEndpointsPerTable) {
      return Status(StatusCode::kResourceExhausted, "too many endpoints for one table");
    }
    Table table;
    table.at = plane_.loop_.clock().now();
    table.generation = ++generation_;
    table.endpoints.assign(endpoints.begin(), endpoints.end());
    table.states = proxy::categorize_endpoints(endpoints, record_.options.traffic);
    record_.tables.push_back(std::move(table));
    if (on_applied_) on_applied_();  // applied at once, in virtual time
    return generation_;
  }
  bool applied(proxy::Generation generation) const override { return generation <= generation_; }
  std::shared_ptr<proxy::EndpointCounters> counters(const Ipv4Endpoint& address) const override {
    const auto found = record_.counters.find(address);
    return found == record_.counters.end() ? nullptr : found->second;
  }
  void on_applied(std::function<void()> callback) override { on_applied_ = std::move(callback); }

 private:
  RecordedDataPlane& plane_;
  Record& record_;
  proxy::Generation generation_ = 0;
  std::function<void()> on_applied_;
};

class RecordedDataPlane::Responder final : public HealthCheckResponder {
 public:
  Responder(RecordedDataPlane& plane, Ipv4Endpoint address) : plane_(plane), address_(address) {}
  ~Responder() override { plane_.responders_.erase(address_); }

 private:
  RecordedDataPlane& plane_;
  Ipv4Endpoint address_;
};

// Answers HTTP GETs to a responder's address from that responder; anything else is refused.
class RecordedDataPlane::Prober final : public runtime::Prober {
 public:
  explicit Prober(RecordedDataPlane& plane) : plane_(plane) {}
  ~Prober() override {
    for (const auto& [id, timer] : pending_) plane_.loop_.cancel(timer);
  }

  runtime::ProbeId probe(const runtime::ProbeSpec& spec, DoneCallback done) override {
    const runtime::ProbeId id = next_id_++;
    runtime::ProbeOutcome outcome{runtime::ProbeResult::kFailure, "connection refused"};
    if (const auto* http = std::get_if<runtime::HttpGetAction>(&spec.action)) {
      const Result<Ipv4Address> host = parse_ipv4_address(http->host);
      if (host.is_ok()) {
        if (auto answer = plane_.health_check(Ipv4Endpoint{*host, http->port})) {
          outcome = answer->status >= 200 && answer->status < 400
                        ? runtime::ProbeOutcome{runtime::ProbeResult::kSuccess, ""}
                        : runtime::ProbeOutcome{
                              runtime::ProbeResult::kFailure,
                              fmt::format("HTTP probe failed with statuscode: {}", answer->status)};
        }
      }
    }
    pending_[id] = plane_.loop_.run_after(runtime::Duration::zero(), [this, id, outcome, done] {
      pending_.erase(id);
      done(outcome);
    });
    return id;
  }
  bool cancel(runtime::ProbeId probe) override {
    const auto found = pending_.find(probe);
    if (found == pending_.end()) return false;
    plane_.loop_.cancel(found->second);
    pending_.erase(found);
    return true;
  }

 private:
  RecordedDataPlane& plane_;
  runtime::ProbeId next_id_ = 1;
  std::map<runtime::ProbeId, runtime::TimerId> pending_;
};

RecordedDataPlane::RecordedDataPlane(runtime::EventLoop& loop)
    : loop_(loop), prober_(std::make_unique<Prober>(*this)) {}

RecordedDataPlane::~RecordedDataPlane() = default;

Result<std::unique_ptr<DataPlaneListener>> RecordedDataPlane::listen(
    const proxy::ProxyOptions& options) {
  if (held_.count(options.listen) != 0 || open_.count(options.listen) != 0 ||
      responders_.count(options.listen) != 0) {
    return Status(StatusCode::kIoError,
                  "bind " + options.listen.to_string() + ": Address already in use");
  }
  auto record = std::make_unique<Record>();
  record->options = options;
  record->opened = loop_.clock().now();
  Record& kept = *record;
  records_.push_back(std::move(record));
  open_[options.listen] = &kept;
  return std::unique_ptr<DataPlaneListener>(std::make_unique<Listener>(*this, kept));
}

Result<std::unique_ptr<HealthCheckResponder>> RecordedDataPlane::serve_health_check(
    const Ipv4Endpoint& address, HealthCheckTarget target) {
  if (held_.count(address) != 0 || open_.count(address) != 0 || responders_.count(address) != 0) {
    return Status(StatusCode::kIoError, "bind " + address.to_string() + ": Address already in use");
  }
  responders_[address] = std::move(target);
  return std::unique_ptr<HealthCheckResponder>(std::make_unique<Responder>(*this, address));
}

runtime::Prober& RecordedDataPlane::health_prober() { return *prober_; }

std::vector<const RecordedDataPlane::Record*> RecordedDataPlane::records(
    const Ipv4Endpoint& address) const {
  std::vector<const Record*> found;
  for (const auto& record : records_) {
    if (record->options.listen == address) found.push_back(record.get());
  }
  return found;
}

const RecordedDataPlane::Record* RecordedDataPlane::open(const Ipv4Endpoint& address) const {
  const auto found = open_.find(address);
  return found == open_.end() ? nullptr : found->second;
}

std::vector<Ipv4Endpoint> RecordedDataPlane::listening() const {
  std::vector<Ipv4Endpoint> addresses;
  for (const auto& [address, record] : open_) addresses.push_back(address);
  return addresses;
}

std::optional<HealthCheckAnswer> RecordedDataPlane::health_check(
    const Ipv4Endpoint& address) const {
  const auto found = responders_.find(address);
  if (found == responders_.end()) return std::nullopt;
  const HealthCheckTarget& target = found->second;
  return health_check_answer(target.namespace_name, target.name, target.local_endpoints());
}

proxy::EndpointCounters& RecordedDataPlane::counters(const Ipv4Endpoint& listen,
                                                     const Ipv4Endpoint& endpoint) {
  Record* record = open_.at(listen);
  std::shared_ptr<proxy::EndpointCounters>& counters = record->counters[endpoint];
  if (counters == nullptr) counters = std::make_shared<proxy::EndpointCounters>();
  return *counters;
}

}  // namespace nodrop::server
