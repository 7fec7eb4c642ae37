// Reading a kubeconfig and choosing which one: the one `nodrop up` writes, the refusals that name
// their field, and the order of --kubeconfig, --data-dir, NODROP_DATA_DIR, KUBECONFIG and the
// default data dir.
#include "cli/kubeconfig.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/strings.h"

namespace nodrop::cli {
namespace {

const char kPem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

// The text server/kubernetes_api.cc writes.
std::string nodrop_kubeconfig() {
  return "apiVersion: v1\nkind: Config\nclusters:\n- name: nodrop\n  cluster:\n"
         "    server: https://127.0.170.250:40001\n    certificate-authority-data: " +
         base64_encode(kPem) +
         "\nusers:\n- name: nodrop\n  user:\n    token: abc123\ncontexts:\n- name: nodrop\n"
         "  context:\n    cluster: nodrop\n    user: nodrop\n    namespace: default\n"
         "current-context: nodrop\n";
}

// The same kubeconfig with another user.
std::string with_user(const std::string& user) {
  std::string text = nodrop_kubeconfig();
  return text.replace(text.find("token: abc123"), 13, user);
}

TEST(Kubeconfig, ReadsTheOneNodropUpWrites) {
  Result<Kubeconfig> config = parse_kubeconfig(nodrop_kubeconfig(), "/nowhere");
  ASSERT_TRUE(config.is_ok()) << config.status().message();
  EXPECT_EQ(config->server, "https://127.0.170.250:40001");
  EXPECT_EQ(config->ca_certificate_pem, kPem);
  EXPECT_EQ(config->token, "abc123");
  EXPECT_EQ(config->namespace_name, "default");
}

TEST(Kubeconfig, FollowsTheCurrentContextAmongSeveral) {
  const std::string text =
      "clusters:\n- {name: a, cluster: {server: 'https://a:1', certificate-authority-data: " +
      base64_encode(kPem) + "}}\n- {name: b, cluster: {server: 'https://b:2', " +
      "certificate-authority-data: " + base64_encode(kPem) + "}}\n" +
      "users:\n- {name: u, user: {token: t1}}\n- {name: v, user: {token: t2}}\n" +
      "contexts:\n- {name: one, context: {cluster: a, user: u}}\n" +
      "- {name: two, context: {cluster: b, user: v, namespace: prod}}\ncurrent-context: two\n";
  Result<Kubeconfig> config = parse_kubeconfig(text, "/");
  ASSERT_TRUE(config.is_ok()) << config.status().message();
  EXPECT_EQ(config->server, "https://b:2");
  EXPECT_EQ(config->token, "t2");
  EXPECT_EQ(config->namespace_name, "prod");
}

TEST(Kubeconfig, RefusalsNameTheFieldAndSayWhatToDo) {
  std::string text = nodrop_kubeconfig();
  const auto message_of = [](const std::string& changed) {
    return parse_kubeconfig(changed, "/").status().message();
  };
  std::string no_ca = text;
  no_ca.replace(no_ca.find("certificate-authority-data"), 26, "insecure-skip-tls-verify");
  no_ca.replace(no_ca.find("verify: ") + 8,
                no_ca.find('\n', no_ca.find("verify: ")) - no_ca.find("verify: ") - 8, "true");
  EXPECT_EQ(message_of(no_ca),
            "clusters[nodrop].cluster.insecure-skip-tls-verify: not supported; give the cluster's "
            "certificate-authority");
  EXPECT_EQ(message_of(with_user("exec: {command: aws}")),
            "users[nodrop].user.exec: not supported by nodrop's verbs; use a token or a client "
            "certificate");
  EXPECT_EQ(message_of(with_user("client-certificate-data: eA==")),
            "users[nodrop].user.client-certificate: given without client-key");
  EXPECT_EQ(message_of(with_user("{token: abc123, username: u, password: p}")),
            "users[nodrop].user: username/password or bearer token may be set, but not both");
  EXPECT_EQ(message_of(with_user("{}")),
            "users[nodrop].user: no token, client certificate or username");
  std::string other_context = text;
  other_context.replace(other_context.find("current-context: nodrop"), 23, "current-context: x");
  EXPECT_EQ(message_of(other_context), "contexts: no entry named \"x\"");
  EXPECT_EQ(message_of("[1, 2]"), "not a kubeconfig: expected one mapping");
}

TEST(Kubeconfig, ClientCertificatesAndBasicAuthenticationAreRead) {
  Result<Kubeconfig> config = parse_kubeconfig(
      with_user("{client-certificate-data: Y2VydA==, client-key-data: a2V5}"), "/");
  ASSERT_TRUE(config.is_ok()) << config.status().message();
  EXPECT_EQ(config->client_certificate_pem, "cert");
  EXPECT_EQ(config->client_key_pem, "key");
  EXPECT_EQ(config->token, "");
  config = parse_kubeconfig(with_user("{username: admin, password: secret}"), "/");
  ASSERT_TRUE(config.is_ok()) << config.status().message();
  EXPECT_EQ(config->username, "admin");
  EXPECT_EQ(config->password, "secret");
}

TEST(LocateKubeconfig, FlagsComeFirstThenNodropsDataDirThenKubeconfigThenTheDefault) {
  const ClusterEnvironment everything{.kubeconfig = "/k/config",
                                      .nodrop_data_dir = "/env-data",
                                      .xdg_state_home = "/state",
                                      .home = "/home/u"};
  EXPECT_EQ(locate_kubeconfig("/flag/config", "/flag-data", everything)->path, "/flag/config");
  Result<KubeconfigSource> data_flag = locate_kubeconfig("", "/flag-data", everything);
  EXPECT_EQ(data_flag->path, "/flag-data/kubeconfig");
  EXPECT_EQ(data_flag->data_dir, "/flag-data");
  EXPECT_EQ(locate_kubeconfig("", "", everything)->path, "/env-data/kubeconfig");
  ClusterEnvironment no_data_dir = everything;
  no_data_dir.nodrop_data_dir.clear();
  EXPECT_EQ(locate_kubeconfig("", "", no_data_dir)->path, "/k/config");
  EXPECT_EQ(locate_kubeconfig("", "", no_data_dir)->data_dir, "");
  no_data_dir.kubeconfig.clear();
  EXPECT_EQ(locate_kubeconfig("", "", no_data_dir)->path, "/state/nodrop/kubeconfig");
  no_data_dir.xdg_state_home.clear();
  EXPECT_EQ(locate_kubeconfig("", "", no_data_dir)->path, "/home/u/.local/state/nodrop/kubeconfig");
  EXPECT_TRUE(locate_kubeconfig("", "", no_data_dir)->default_data_dir);
  EXPECT_FALSE(locate_kubeconfig("", "", everything)->default_data_dir);
  EXPECT_FALSE(locate_kubeconfig("", "", ClusterEnvironment{}).is_ok());
}

TEST(LoadKubeconfig, TheDefaultDataDirWithoutOneSaysToRunNodropUp) {
  Result<Kubeconfig> missing = load_kubeconfig(
      {.path = "/no/home/kubeconfig", .data_dir = "/no/home", .default_data_dir = true});
  EXPECT_EQ(
      missing.status().message(),
      "no cluster at data dir /no/home (it has no kubeconfig): start one with `nodrop up`, or "
      "name another with --data-dir DIR or --kubeconfig FILE");
}

TEST(LoadKubeconfig, ADataDirWithoutOneSaysHowToStartACluster) {
  Result<Kubeconfig> missing =
      load_kubeconfig({.path = "/no/such/dir/kubeconfig", .data_dir = "/no/such/dir"});
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().message(),
            "no cluster at data dir /no/such/dir (it has no kubeconfig): start one with "
            "`nodrop up --data-dir /no/such/dir`, or name another with --data-dir DIR or "
            "--kubeconfig FILE");
}

TEST(LoadKubeconfig, ReadsTheTokenFromAFileBesideIt) {
  static int text_holder = 0;
  // Unique per process and test: ctest runs tests of this binary in parallel processes.
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() /
      ("nodrop-kubeconfig-" + std::to_string(reinterpret_cast<std::uintptr_t>(&text_holder)) + "-" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::create_directories(directory);
  const std::string text = with_user("tokenFile: token.txt");
  std::ofstream(directory / "config") << text;
  std::ofstream(directory / "token.txt") << "from-file\n";
  Result<Kubeconfig> config = load_kubeconfig({.path = (directory / "config").string()});
  std::filesystem::remove_all(directory);
  ASSERT_TRUE(config.is_ok()) << config.status().message();
  EXPECT_EQ(config->token, "from-file");
}

}  // namespace
}  // namespace nodrop::cli
