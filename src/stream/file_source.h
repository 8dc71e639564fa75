// json_file_source: a bounded source reading JSON lines files; each file is one split.
//
// Each line is one JSON value (a record); blank lines are skipped; a line that is not valid JSON
// is skipped and counted (malformed_lines()). The event timestamp is the integer field
// `ts_field` (milliseconds) when set, else 0 (use a watermark_strategy timestamp assigner for
// anything else). The position of a split is a byte offset, saved in checkpoints. Files are read
// through io::env in chunks. The source object is thread-safe; each reader belongs to its task.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "io/env.h"
#include "stream/json.h"
#include "stream/source.h"

namespace otter::stream {

class json_file_source final : public source<json_record> {
  public:
    // `fs` must outlive the job; `ts_field` empty means no timestamp extraction.
    json_file_source(io::env& fs, std::vector<std::string> files, std::string ts_field = "");

    size_t split_count() const override { return files_.size(); }
    std::unique_ptr<source_reader<json_record>> create_reader(std::vector<size_t> splits,
                                                              const operator_context& ctx) override;

    uint64_t malformed_lines() const { return malformed_->load(); }

  private:
    io::env* fs_;
    std::vector<std::string> files_;
    std::string ts_field_;
    // shared_ptr: readers count into it and may outlive a moved-from source object.
    std::shared_ptr<std::atomic<uint64_t>> malformed_;
};

}  // namespace otter::stream
