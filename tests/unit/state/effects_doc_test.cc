// docs/format.md's effect list equals the effect table: every effect documented with its name,
// arguments and summary, and nothing documented that the table lacks.
#include <catch2/catch.hpp>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/state/apply.h"

namespace st = strongbox::state;

namespace {

constexpr std::string_view kSectionHeading = "### Effects";

// The line docs/format.md must carry for an effect.
std::string DocLine(const st::EffectSpec& effect) {
  std::string syntax(effect.name);
  if (!effect.args.empty()) syntax += " " + std::string(effect.args);
  return "- `" + syntax + "` — " + std::string(effect.summary);
}

// The effect lines ("- `NAME ...` — summary") of the section, by name.
std::map<std::string, std::string> DocumentedEffects(const std::string& doc) {
  std::map<std::string, std::string> lines;
  std::istringstream in(doc);
  std::string line;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (line.rfind("#", 0) == 0) {
      in_section = line == kSectionHeading;
      continue;
    }
    if (!in_section || line.rfind("- `", 0) != 0) continue;
    std::string name = line.substr(3, line.find_first_of(" `", 3) - 3);
    INFO(line);
    CHECK(lines.emplace(name, line).second);  // documented once
  }
  return lines;
}

}  // namespace

TEST_CASE("docs/format.md lists exactly the effects of the table") {
  std::ifstream file(std::string(STRONGBOX_SOURCE_DIR) + "/docs/format.md");
  REQUIRE(file.good());
  std::stringstream doc;
  doc << file.rdbuf();
  std::map<std::string, std::string> documented = DocumentedEffects(doc.str());

  std::vector<std::string> problems;
  std::string expected_section;
  for (const st::EffectSpec& effect : st::EffectTable()) {
    std::string line = DocLine(effect);
    expected_section += line + "\n";
    auto it = documented.find(std::string(effect.name));
    if (it == documented.end()) {
      problems.push_back("not documented: " + line);
      continue;
    }
    if (it->second != line) problems.push_back("documented as: " + it->second);
    documented.erase(it);
  }
  for (const auto& [name, line] : documented) {
    problems.push_back("documented but not in the table: " + line);
  }
  if (!problems.empty()) {
    // Unwrapped, ready to paste into the section.
    std::cerr << "docs/format.md's '" << kSectionHeading << "' list should read:\n"
              << expected_section;
  }
  for (const std::string& problem : problems) {
    INFO(problem);
    CHECK(false);
  }
}
