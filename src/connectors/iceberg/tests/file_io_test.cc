#include "connectors/iceberg/file_io.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace otter::iceberg {
namespace {

namespace fs = std::filesystem;

bytes b(const std::string& s) {
    return bytes(s.begin(), s.end());
}
std::string s(const bytes& v) {
    return std::string(v.begin(), v.end());
}

class local_file_io_test : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/otter-file-io-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string dir_;
    std::shared_ptr<file_io> io_ = local_file_io();
};

TEST_F(local_file_io_test, write_read_range_replace) {
    std::string p = dir_ + "/a/b/c.txt";  // parents are created
    ASSERT_TRUE(io_->write(p, b("hello world")));
    EXPECT_EQ(s(*io_->read(p)), "hello world");
    EXPECT_EQ(s(*io_->read_range(p, 6, 5)), "world");
    EXPECT_EQ(s(*io_->read_range(p, 6, 100)), "world");  // short at the end
    EXPECT_EQ(s(*io_->read_range(p, 100, 5)), "");
    EXPECT_FALSE(io_->read_range(p, -1, 5));
    ASSERT_TRUE(io_->write(p, b("x")));
    EXPECT_EQ(s(*io_->read(p)), "x");
    EXPECT_FALSE(io_->read(dir_ + "/missing"));
}

TEST_F(local_file_io_test, create_exclusive_loses_to_existing) {
    std::string p = dir_ + "/m/v1.metadata.json";
    auto first = io_->create_exclusive(p, b("one"));
    ASSERT_TRUE(first);
    EXPECT_TRUE(*first);
    auto second = io_->create_exclusive(p, b("two"));
    ASSERT_TRUE(second);
    EXPECT_FALSE(*second);
    EXPECT_EQ(s(*io_->read(p)), "one");
    // No temporary files are left behind.
    EXPECT_EQ(io_->list(dir_ + "/m")->size(), 1u);
}

TEST_F(local_file_io_test, exists_list_remove) {
    EXPECT_FALSE(*io_->exists(dir_ + "/x"));
    ASSERT_TRUE(io_->write(dir_ + "/t/data/p=1/f.parquet", b("1")));
    ASSERT_TRUE(io_->write(dir_ + "/t/metadata/v1.metadata.json", b("2")));
    EXPECT_TRUE(*io_->exists(dir_ + "/t/data/p=1/f.parquet"));
    auto l = io_->list(dir_ + "/t");
    ASSERT_TRUE(l);
    ASSERT_EQ(l->size(), 2u);
    EXPECT_EQ((*l)[0], dir_ + "/t/data/p=1/f.parquet");
    EXPECT_EQ((*l)[1], dir_ + "/t/metadata/v1.metadata.json");
    EXPECT_TRUE(io_->list(dir_ + "/none")->empty());
    EXPECT_TRUE(*io_->remove(dir_ + "/t/data/p=1/f.parquet"));
    EXPECT_FALSE(*io_->remove(dir_ + "/t/data/p=1/f.parquet"));
}

TEST_F(local_file_io_test, open_output_streams_a_new_file) {
    std::string p = dir_ + "/d/x.bin";
    auto out = io_->open_output(p);
    ASSERT_TRUE(out) << out.error();
    ASSERT_TRUE((*out)->write(b("ab")));
    ASSERT_TRUE((*out)->write(b("cd")));
    ASSERT_TRUE((*out)->close());
    EXPECT_EQ(s(*io_->read(p)), "abcd");
    EXPECT_FALSE(io_->open_output(p));  // exclusive: an existing file is not overwritten
}

TEST(file_io_for, selects_by_scheme_and_validates_s3_settings) {
    EXPECT_TRUE(is_s3_uri("s3://b/k"));
    EXPECT_FALSE(is_s3_uri("/tmp/s3://x"));
    storage_options o;
    ASSERT_TRUE(file_io_for("/tmp/x", o));
    o.s3.endpoint = "not-a-url";
    o.s3.creds = {"a", "b", ""};
    auto bad = file_io_for("s3://b/wh", o);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("endpoint"), std::string::npos);
}

TEST(s3_file_io, transport_errors_are_values) {
    storage_options o;
    o.s3.endpoint = "http://127.0.0.1:1";
    o.s3.creds = {"a", "b", ""};
    o.s3.connect_timeout_ms = 2000;
    auto io = file_io_for("s3://b/wh", o);
    ASSERT_TRUE(io) << io.error();
    auto r = (*io)->read("s3://b/wh/x");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("TransportError"), std::string::npos);
    EXPECT_FALSE((*io)->exists("s3://b/wh/x"));
    EXPECT_FALSE((*io)->read("/local/path"));  // not an s3:// URI
}

}  // namespace
}  // namespace otter::iceberg
