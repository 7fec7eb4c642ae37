// kubectl's describe of a Service and of Endpoints, from the objects the API answers with.
#include "cli/service_description.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"

namespace nodrop::cli {
namespace {

manifest::Node json(const std::string& text) { return apiserver::parse_body(text).value(); }

const char kService[] = R"({
  "metadata": {"name": "web", "namespace": "default", "uid": "s1"},
  "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "clusterIP": "127.0.173.1",
           "clusterIPs": ["127.0.173.1"], "ipFamilies": ["IPv4"],
           "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None",
           "externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster",
           "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP",
                      "nodePort": 30080}]},
  "status": {"loadBalancer": {"ingress": [{"ip": "127.0.172.1", "ipMode": "VIP"}]}}})";

// The description of kService with its port's endpoints.
std::string service_text(const std::string& endpoints) {
  return std::string(
             "Name:                     web\n"
             "Namespace:                default\n"
             "Labels:                   <none>\n"
             "Annotations:              <none>\n"
             "Selector:                 app=web\n"
             "Type:                     LoadBalancer\n"
             "IP Family Policy:         SingleStack\n"
             "IP Families:              IPv4\n"
             "IP:                       127.0.173.1\n"
             "IPs:                      127.0.173.1\n"
             "LoadBalancer Ingress:     127.0.172.1 (VIP)\n"
             "Port:                     http  80/TCP\n"
             "TargetPort:               http/TCP\n"
             "NodePort:                 http  30080/TCP\n") +
         "Endpoints:                " + endpoints + "\n" +
         std::string(
             "Session Affinity:         None\n"
             "External Traffic Policy:  Cluster\n"
             "Internal Traffic Policy:  Cluster\n"
             "Events:                   <none>\n");
}

// Ready endpoints of the port's name only, at most three, then how many more.
TEST(DescribeService, LaidOutAsKubectlDescribesIt) {
  const manifest::Node slices = json(R"({"items": [{
    "ports": [{"name": "http", "port": 8080}],
    "endpoints": [{"addresses": ["127.0.171.1"], "conditions": {"ready": true}},
                  {"addresses": ["127.0.171.2"], "conditions": {"ready": false}},
                  {"addresses": ["127.0.171.3"]},
                  {"addresses": ["127.0.171.4"], "conditions": {"ready": true}},
                  {"addresses": ["127.0.171.5"], "conditions": {"ready": true}}]}]})");
  EXPECT_EQ(describe_service(json(kService), slices, json(R"({"items": []})"), WallTime{}),
            service_text("127.0.171.1:8080,127.0.171.3:8080,127.0.171.4:8080 + 1 more..."));
}

TEST(DescribeService, WithoutEndpointSlicesHasNoEndpoints) {
  EXPECT_EQ(describe_service(json(kService), json(R"({"items": []})"), json(R"({"items": []})"),
                             WallTime{}),
            service_text("<none>"));
}

TEST(DescribeEndpoints, ListsEachSubset) {
  const manifest::Node endpoints = json(R"({
    "metadata": {"name": "web", "namespace": "default"},
    "subsets": [{"addresses": [{"ip": "127.0.171.1"}, {"ip": "127.0.171.3"}],
                 "notReadyAddresses": [{"ip": "127.0.171.2"}],
                 "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}]})");
  EXPECT_EQ(describe_endpoints(endpoints, json(R"({"items": []})"), WallTime{}),
            "Name:         web\n"
            "Namespace:    default\n"
            "Labels:       <none>\n"
            "Annotations:  <none>\n"
            "Subsets:\n"
            "  Addresses:          127.0.171.1,127.0.171.3\n"
            "  NotReadyAddresses:  127.0.171.2\n"
            "  Ports:\n"
            "    Name  Port  Protocol\n"
            "    ----  ----  --------\n"
            "    http  8080  TCP\n"
            "\n"
            "Events:  <none>\n");
}

}  // namespace
}  // namespace nodrop::cli
