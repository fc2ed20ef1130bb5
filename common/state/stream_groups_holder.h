// The handle StreamValue keeps its consumer groups in: empty until the first XGROUP CREATE, and
// deep-copied with the value (COPY). The group types live in stream_groups.h, which needs
// StreamId from stream.h: this forward declaration breaks that cycle.
#pragma once

#include <memory>

namespace strongbox::state {

struct StreamGroups;

class StreamGroupsHolder {
 public:
  StreamGroupsHolder();
  ~StreamGroupsHolder();
  StreamGroupsHolder(const StreamGroupsHolder& other);
  StreamGroupsHolder& operator=(const StreamGroupsHolder& other);
  StreamGroupsHolder(StreamGroupsHolder&& other) noexcept;
  StreamGroupsHolder& operator=(StreamGroupsHolder&& other) noexcept;

  // nullptr while the stream never had a group (or lost its last one).
  const StreamGroups* get() const { return groups_.get(); }
  StreamGroups* get() { return groups_.get(); }
  StreamGroups& GetOrCreate();

 private:
  std::unique_ptr<StreamGroups> groups_;
};

}  // namespace strongbox::state
