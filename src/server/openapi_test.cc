// docs/openapi.yaml against the router's table: every route documented, nothing documented that
// is not routed. The document is read with a small line-based reader of its `paths:` section
// (path keys indented two spaces, operations four), not a YAML library: the test then also
// keeps the document in that plain shape.
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include <gtest/gtest.h>

#include "core/test_paths.h"
#include "server/router.h"

namespace xinyong::server {
namespace {

using test::SourceDir;

using Operation = std::pair<std::string, std::string>;  // method (upper case), path

size_t Indent(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

// The operations under `paths:`. Unknown keys at the operation level (parameters, summary,
// servers, $ref, ...) are not operations and are skipped. With `roles`, also each operation's
// `x-roles: [a, b]` (the roles that may call it) as "a, b".
std::set<Operation> DocumentedOperations(std::istream& in, std::string* error,
                                         std::map<Operation, std::string>* roles = nullptr) {
  static const std::set<std::string> kMethods = {"get",     "put",  "post",  "delete",
                                                 "options", "head", "patch", "trace"};
  std::set<Operation> out;
  bool in_paths = false;
  std::string path;
  std::optional<Operation> operation;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string_view l(line);
    size_t indent = Indent(l);
    std::string_view text = l.substr(indent);
    if (text.empty() || text.front() == '#') continue;
    if (indent == 0) {
      in_paths = text == "paths:";
      path.clear();
      continue;
    }
    if (!in_paths) continue;
    if (indent == 2) {
      // `  /api/v1/subjects/{code}:` or `  "/api/v1/x":`
      if (text.back() != ':') {
        *error = "line " + std::to_string(number) + ": a path key should end with ':'";
        return {};
      }
      std::string_view key = text.substr(0, text.size() - 1);
      if (key.size() >= 2 && (key.front() == '"' || key.front() == '\'') &&
          key.back() == key.front()) {
        key = key.substr(1, key.size() - 2);
      }
      if (!key.starts_with('/')) {
        *error = "line " + std::to_string(number) + ": a path should start with '/'";
        return {};
      }
      path.assign(key);
      operation.reset();
      continue;
    }
    if (indent == 4 && !path.empty() && text.back() == ':') {
      std::string key(text.substr(0, text.size() - 1));
      operation.reset();
      if (kMethods.contains(key)) {
        for (char& c : key) c = static_cast<char>(c - 'a' + 'A');
        operation.emplace(key, path);
        out.emplace(std::move(key), path);
      }
      continue;
    }
    constexpr std::string_view kRoles = "x-roles: [";
    if (indent == 6 && operation && roles != nullptr && text.starts_with(kRoles) &&
        text.back() == ']') {
      (*roles)[*operation] =
          std::string(text.substr(kRoles.size(), text.size() - kRoles.size() - 1));
    }
  }
  return out;
}

TEST(OpenApiTest, DocumentsEveryRouteAndNothingElse) {
  const std::string file = SourceDir() + "/docs/openapi.yaml";
  std::ifstream in(file);
  ASSERT_TRUE(in) << "cannot read " << file;
  std::string error;
  std::set<Operation> documented = DocumentedOperations(in, &error);
  ASSERT_TRUE(error.empty()) << file << ": " << error;
  ASSERT_FALSE(documented.empty()) << file << " has no operations under paths:";

  std::set<Operation> routed;
  for (const RouteInfo& r : Routes()) routed.emplace(std::string(r.method), std::string(r.pattern));

  std::string missing, extra;
  for (const auto& [method, path] : routed) {
    if (!documented.contains({method, path})) missing += "\n  " + method + " " + path;
  }
  for (const auto& [method, path] : documented) {
    if (!routed.contains({method, path})) extra += "\n  " + method + " " + path;
  }
  EXPECT_TRUE(missing.empty()) << "routes of src/server/router.cc that " << file
                               << " does not describe:" << missing;
  EXPECT_TRUE(extra.empty()) << "operations described in " << file
                             << " that the router does not serve:" << extra;
}

TEST(OpenApiTest, DocumentsTheRolesOfEveryRoute) {
  const std::string file = SourceDir() + "/docs/openapi.yaml";
  std::ifstream in(file);
  ASSERT_TRUE(in) << "cannot read " << file;
  std::string error;
  std::map<Operation, std::string> roles;
  DocumentedOperations(in, &error, &roles);
  ASSERT_TRUE(error.empty()) << file << ": " << error;
  for (const RouteInfo& r : Routes()) {
    const Operation op(std::string(r.method), std::string(r.pattern));
    auto it = roles.find(op);
    if (it == roles.end()) {
      ADD_FAILURE() << file << ": " << op.first << " " << op.second
                    << " has no x-roles; the router admits: " << r.roles.Names();
      continue;
    }
    EXPECT_EQ(it->second, r.roles.Names()) << file << ": x-roles of " << op.first << " " << op.second;
  }
}

TEST(OpenApiTest, ReaderFindsOperationsOnlyUnderPaths) {
  std::istringstream doc(
      "openapi: 3.0.3\n"
      "info:\n"
      "  title: x\n"
      "paths:\n"
      "  # a comment\n"
      "  /a:\n"
      "    parameters: []\n"
      "    get:\n"
      "      responses: {}\n"
      "    post:\n"
      "      x-roles: [operator, subject]\n"
      "      description: |\n"
      "        get:\n"
      "  \"/b/{id}\":\n"
      "    delete:\n"
      "components:\n"
      "  /c:\n"
      "    get:\n");
  std::string error;
  std::map<Operation, std::string> roles;
  std::set<Operation> ops = DocumentedOperations(doc, &error, &roles);
  EXPECT_TRUE(error.empty()) << error;
  EXPECT_EQ(ops, (std::set<Operation>{{"GET", "/a"}, {"POST", "/a"}, {"DELETE", "/b/{id}"}}));
  EXPECT_EQ(roles, (std::map<Operation, std::string>{{{"POST", "/a"}, "operator, subject"}}));

  std::istringstream bad("paths:\n  api/v1/x:\n    get:\n");
  DocumentedOperations(bad, &error);
  EXPECT_NE(error.find("line 2"), std::string::npos) << error;
}

TEST(OpenApiTest, RouteTableIsTheOneTheRouterMatches) {
  // The table the router exposes is the API's: methods it serves, paths under /api/v1.
  bool found_profile = false;
  for (const RouteInfo& r : Routes()) {
    EXPECT_TRUE(r.method == "GET" || r.method == "POST" || r.method == "DELETE") << r.method;
    EXPECT_TRUE(r.pattern.starts_with("/api/v1/")) << r.pattern;
    found_profile |= r.method == "GET" && r.pattern == "/api/v1/subjects/{code}";
  }
  EXPECT_TRUE(found_profile);
}

}  // namespace
}  // namespace xinyong::server
