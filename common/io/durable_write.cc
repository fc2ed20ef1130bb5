// WriteFileDurably: write a temporary, sync it, rename it over the file, sync the directory.
#include "common/io/durable_write.h"

namespace strongbox::io {

absl::Status WriteFileDurably(FileSystem& fs, const std::string& dir, const std::string& name,
                              std::string_view text) {
  std::string path = dir + "/" + name;
  std::string tmp = path + ".tmp";
  auto file = fs.Open(tmp, FileSystem::OpenMode::kCreateOrTruncate);
  if (!file.ok()) return file.status();
  if (auto s = (*file)->WriteAt(0, text); !s.ok()) return s;
  if (auto s = (*file)->Fsync(); !s.ok()) return s;
  file->reset();
  if (auto s = fs.Rename(tmp, path); !s.ok()) return s;
  return fs.FsyncDir(dir);
}

}  // namespace strongbox::io
