#include "base/status.h"

#include <gtest/gtest.h>

#include "base/hash.h"

namespace codeindex {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckQuarter(int x) {
  RETURN_IF_ERROR(Quarter(x));
  return Status::OK();
}

TEST(StatusTest, OkIsDefaultAndFree) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), Code::kOk);
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(sizeof(Status), sizeof(void*));
}

TEST(StatusTest, PropagatesFirstError) {
  EXPECT_EQ(*Quarter(12), 3);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "odd: 3");
  EXPECT_EQ(CheckQuarter(5).message(), "odd: 5");
  EXPECT_TRUE(CheckQuarter(8).ok());
}

TEST(StatusTest, ContextAndExitCodes) {
  Status s = Status::IOError("permission denied").WithContext("src/a.py");
  EXPECT_EQ(s.ToString(), "src/a.py: permission denied");
  EXPECT_EQ(ExitCodeFor(s), 3);
  EXPECT_EQ(ExitCodeFor(Status::InvalidArgument("x")), 1);
  EXPECT_EQ(ExitCodeFor(Status::NotImplemented("search")), 2);
  EXPECT_EQ(Status::NotImplemented("search").message(), "search is not implemented yet");
  EXPECT_EQ(HttpStatusFor(Status::InvalidArgument("x")), 400);
  EXPECT_EQ(HttpStatusFor(Status::Internal("x")), 500);
  EXPECT_TRUE(Status::OK().WithContext("ctx").ok());
}

TEST(StatusTest, CopyIsDeep) {
  Status a = Status::NotFound("x");
  Status b = a;
  a = Status::OK();
  EXPECT_EQ(b.message(), "x");
  EXPECT_TRUE(a.ok());
}

// docs/original.md §4.6, TV-H: segment hash, point id and file hash.
TEST(HashTest, SpecVectorTvH) {
  std::string content = "function add(a, b) {\n  return a + b // adds two numbers\n}";
  ASSERT_EQ(content.size(), 57u);
  std::string key = "/home/user/project/src/app.ts-1-3-57-" + content;
  std::string seg = Sha256Hex(key);
  EXPECT_EQ(seg, "02f16323bfec09e1c005d0be3ab0868f234023a0b87889594e52a825a0873e7a");
  EXPECT_EQ(UuidV5(seg, "f47ac10b-58cc-4372-a567-0e02b2c3d479"),
            "a61992b3-934c-569d-90e4-c42ec46f8bf0");
  EXPECT_EQ(Sha256Hex(content), "dc20dd68484921d2eb531b8a9575ac091c3b7a5e39777b0349669dfeaf38211e");
}

TEST(HashTest, SpecMetadataPointAndCollectionName) {
  EXPECT_EQ(UuidV5("__indexing_metadata__", "f47ac10b-58cc-4372-a567-0e02b2c3d479"),
            "f70bfc2c-6e82-5456-9c20-33b51942337c");
  EXPECT_EQ(Sha256Hex("/home/user/project").substr(0, 16), "9dad1e4e08b0b11c");
  EXPECT_EQ(UuidV5("x", "not-a-uuid"), "");
}

TEST(HashTest, IncrementalMatchesOneShot) {
  Sha256Hasher h;
  h.Update("hello ");
  h.Update("world");
  Sha256Digest d = h.Finish();
  EXPECT_EQ(ToHex(d.data(), d.size()), Sha256Hex("hello world"));
}

}  // namespace
}  // namespace codeindex
