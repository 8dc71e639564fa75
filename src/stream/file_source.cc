#include "stream/file_source.h"

#include <stdexcept>

namespace otter::stream {

namespace {

class json_file_reader final : public source_reader<json_record> {
  public:
    json_file_reader(io::env* fs, std::vector<std::string> files, std::string ts_field,
                     std::shared_ptr<std::atomic<uint64_t>> malformed)
        : fs_(fs),
          files_(std::move(files)),
          ts_field_(std::move(ts_field)),
          malformed_(std::move(malformed)),
          pos_(files_.size(), 0),
          done_(files_.size(), false) {}

    poll_result poll(batch<json_record>& out, size_t max) override {
        while (cur_ < files_.size() && done_[cur_]) {
            ++cur_;
        }
        if (cur_ >= files_.size()) {
            return {poll_result::kind::end, 0, {}};
        }
        if (!file_ || open_idx_ != cur_) {
            auto f = fs_->open(files_[cur_], false);
            if (!f) {
                throw std::runtime_error("json_file_source: " + f.error().message);
            }
            file_ = std::move(*f);
            open_idx_ = cur_;
            buf_.clear();
            buf_pos_ = pos_[cur_];
        }
        // Fill the buffer until it holds `max` lines or the file ends.
        size_t lines = 0;
        while (true) {
            size_t start = 0;
            for (size_t i = 0; i < buf_.size(); ++i) {
                if (buf_[i] == '\n') {
                    take_line(start, i, out);
                    start = i + 1;
                    if (++lines >= max) {
                        break;
                    }
                }
            }
            buf_.erase(buf_.begin(), buf_.begin() + static_cast<ptrdiff_t>(start));
            pos_[cur_] += start;
            if (lines >= max) {
                break;
            }
            std::vector<uint8_t> chunk(64 * 1024);
            auto n = file_->pread(buf_pos_, chunk);
            if (!n) {
                throw std::runtime_error("json_file_source: " + n.error().message);
            }
            if (*n == 0) {
                if (!buf_.empty()) {  // a last line without '\n'
                    take_line(0, buf_.size(), out);
                    pos_[cur_] += buf_.size();
                    buf_.clear();
                }
                done_[cur_] = true;
                file_.reset();
                break;
            }
            buf_.insert(buf_.end(), chunk.begin(), chunk.begin() + static_cast<ptrdiff_t>(*n));
            buf_pos_ += *n;
        }
        uint32_t split = static_cast<uint32_t>(cur_);
        if (!out.empty()) {
            return {poll_result::kind::data, split, {}};
        }
        if (done_[cur_]) {
            return {poll_result::kind::split_end, split, {}};
        }
        return {poll_result::kind::tick, split, {}};
    }

    size_t split_count() const override { return files_.size(); }
    void snapshot(writer& w) override { write_value(w, pos_); }
    bool restore(reader& r) override {
        std::vector<uint64_t> pos;
        read_value(r, pos);
        if (!r.ok() || pos.size() != pos_.size()) {
            return false;
        }
        pos_ = std::move(pos);
        file_.reset();
        return true;
    }

  private:
    void take_line(size_t b, size_t e, batch<json_record>& out) {
        std::string_view line(reinterpret_cast<const char*>(buf_.data()) + b, e - b);
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
            return;
        }
        json_record v = json_record::parse(line, nullptr, false);
        if (v.is_discarded()) {
            malformed_->fetch_add(1);
            return;
        }
        int64_t ts = 0;
        if (!ts_field_.empty() && v.is_object()) {
            auto it = v.find(ts_field_);
            if (it != v.end() && it->is_number()) {
                ts = it->get<int64_t>();
            }
        }
        out.push(std::move(v), ts);
    }

    io::env* fs_;
    std::vector<std::string> files_;
    std::string ts_field_;
    std::shared_ptr<std::atomic<uint64_t>> malformed_;
    std::vector<uint64_t> pos_;  // byte offset of the next unread line, per split
    std::vector<bool> done_;
    size_t cur_ = 0;
    std::unique_ptr<io::file> file_;
    size_t open_idx_ = SIZE_MAX;
    std::vector<uint8_t> buf_;  // bytes read past pos_[cur_]
    uint64_t buf_pos_ = 0;      // file offset of the end of buf_
};

}  // namespace

json_file_source::json_file_source(io::env& fs, std::vector<std::string> files,
                                   std::string ts_field)
    : fs_(&fs),
      files_(std::move(files)),
      ts_field_(std::move(ts_field)),
      malformed_(std::make_shared<std::atomic<uint64_t>>(0)) {}

std::unique_ptr<source_reader<json_record>> json_file_source::create_reader(
    std::vector<size_t> splits, const operator_context&) {
    std::vector<std::string> files;
    for (size_t s : splits)
        files.push_back(files_[s]);
    return std::make_unique<json_file_reader>(fs_, std::move(files), ts_field_, malformed_);
}

}  // namespace otter::stream
