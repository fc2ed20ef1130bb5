// replication.id: load, save, promotion, and the PSYNC continuation rule.
#include "engine/replication/history.h"

#include <sys/random.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/io/durable_write.h"

namespace strongbox::engine::replication {

namespace {

std::string TermHex(uint32_t term) { return absl::StrCat(absl::Hex(term, absl::kZeroPad8)); }

bool IsHistoryId(std::string_view id) {
  if (id.size() != kHistoryIdChars) return false;
  for (char c : id) {
    if (!absl::ascii_isxdigit(c) || absl::ascii_isupper(c)) return false;
  }
  return true;
}

}  // namespace

History InitialHistory(const format::DatasetId& dataset) {
  uint32_t hash = 2166136261u;
  for (uint8_t byte : dataset) hash = (hash ^ byte) * 16777619u;
  return History{format::DatasetIdHex(dataset) + TermHex(hash), "", 0};
}

absl::StatusOr<History> LoadHistory(io::FileSystem& fs, const std::string& dir,
                                    const format::DatasetId& dataset) {
  std::string path = absl::StrCat(dir, "/", std::string(kHistoryFile));
  auto file = fs.Open(path, io::FileSystem::OpenMode::kRead);
  if (absl::IsNotFound(file.status())) return InitialHistory(dataset);
  if (!file.ok()) return file.status();
  auto size = (*file)->Size();
  if (!size.ok()) return size.status();
  auto text = (*file)->ReadAt(0, *size);
  if (!text.ok()) return text.status();
  // "history <id>\nprevious <id|-> <lsn>\n"
  std::vector<std::string> words = absl::StrSplit(*text, absl::ByAnyChar(" \n"), absl::SkipEmpty());
  History h;
  bool ok = words.size() == 5 && words[0] == "history" && words[2] == "previous" &&
            IsHistoryId(words[1]) && absl::SimpleAtoi(words[4], &h.previous_lsn_last);
  if (ok) {
    h.id = words[1];
    if (words[3] != "-") h.previous_id = words[3];
  }
  format::DatasetId of_id{};
  if (!ok || !DatasetOfHistory(h.id, &of_id) || of_id != dataset) {
    return absl::DataLossError(
        absl::StrCat(path,
                     " is damaged or belongs to another data set; remove it to start a new history "
                     "(replicas then resynchronise in full)"));
  }
  return h;
}

absl::Status SaveHistory(io::FileSystem& fs, const std::string& dir, const History& history) {
  std::string text = absl::StrCat("history ", history.id, "\nprevious ",
                                  history.previous_id.empty() ? "-" : history.previous_id, " ",
                                  history.previous_lsn_last, "\n");
  return io::WriteFileDurably(fs, dir, std::string(kHistoryFile), text);
}

History NewTerm(const History& current, uint64_t lsn_last) {
  uint32_t term = 0;
  while (true) {
    if (::getrandom(&term, sizeof(term), 0) != sizeof(term)) term ^= 0x9e3779b9u;
    if (TermHex(term) != current.id.substr(32)) break;
  }
  return History{current.id.substr(0, 32) + TermHex(term), current.id, lsn_last};
}

History Follow(const History& current, std::string_view new_id, uint64_t lsn_last) {
  if (new_id == current.id) return current;
  return History{std::string(new_id), current.id, lsn_last};
}

bool CanContinue(const History& mine, std::string_view id, uint64_t next_lsn, uint64_t lsn_last) {
  if (next_lsn == 0 || next_lsn > lsn_last + 1) return false;  // ahead of this log
  if (id == mine.id) return true;
  // The replica followed the previous history: continue only if it did not go past the point
  // where this log left it.
  return !mine.previous_id.empty() && id == mine.previous_id &&
         next_lsn <= mine.previous_lsn_last + 1;
}

bool DatasetOfHistory(std::string_view id, format::DatasetId* dataset) {
  if (!IsHistoryId(id)) return false;
  for (size_t i = 0; i < dataset->size(); ++i) {
    int v = 0;
    for (char c : id.substr(i * 2, 2))
      v = v * 16 + (absl::ascii_isdigit(c) ? c - '0' : c - 'a' + 10);
    (*dataset)[i] = static_cast<uint8_t>(v);
  }
  return true;
}

}  // namespace strongbox::engine::replication
