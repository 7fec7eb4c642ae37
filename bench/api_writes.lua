-- wrk's script for bench/api_writes.sh: each request is one write to nodrop's Kubernetes API.
-- WRITE is the kind of write:
--   pod                create a Pod bound to a node that does not exist (stored, never run)
--   deployment         create a Deployment of 0 replicas (its ReplicaSet is written too)
--   pod-patch          a JSON merge patch of one label on one of TARGETS pods made beforehand
--   deployment-patch   the same on TARGETS Deployments
-- Names are unique per thread and request: RUN-THREAD-N.
local write = os.getenv("WRITE")
local token = os.getenv("API_TOKEN")
local run = os.getenv("RUN")
local targets = tonumber(os.getenv("TARGETS") or "64")
local thread_number = 0

function setup(thread)
  thread_number = thread_number + 1
  thread:set("thread_id", thread_number)
end

local count = 0
local paths = {
  pod = "/api/v1/namespaces/default/pods",
  deployment = "/apis/apps/v1/namespaces/default/deployments",
}

local function pod(name)
  return '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"' .. name ..
      '","labels":{"bench":"api-writes"}},"spec":{"nodeName":"absent","containers":' ..
      '[{"name":"app","image":"demo-app:v1","command":["/bin/true"]}]}}'
end

local function deployment(name)
  return '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"' .. name ..
      '"},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"' .. name ..
      '"}},"template":{"metadata":{"labels":{"app":"' .. name .. '"}},"spec":{"containers":' ..
      '[{"name":"app","image":"demo-app:v1","command":["/bin/true"]}]}}}}'
end

function request()
  count = count + 1
  local headers = {["Authorization"] = "Bearer " .. token}
  if write == "pod" or write == "deployment" then
    headers["Content-Type"] = "application/json"
    local name = run .. "-" .. thread_id .. "-" .. count
    local body = write == "pod" and pod(name) or deployment(name)
    return wrk.format("POST", paths[write], headers, body)
  end
  headers["Content-Type"] = "application/merge-patch+json"
  local kind = write == "pod-patch" and "pod" or "deployment"
  local target = "target-" .. ((thread_id * 7919 + count) % targets)
  local body = '{"metadata":{"labels":{"n":"' .. thread_id .. "-" .. count .. '"}}}'
  return wrk.format("PATCH", paths[kind] .. "/" .. target, headers, body)
end
