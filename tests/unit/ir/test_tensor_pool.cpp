// TensorPool: a buffer is handed out again only once nobody holds it, shapes
// and dtypes must match, and the pool keeps at most its capacity.
#include <gtest/gtest.h>

#include "core/tensor_pool.h"

namespace textq {
namespace {

TEST(TensorPool, ReusesOnlyReleasedBuffersOfTheSameShape) {
  TensorPool pool(3);
  Tensor a = pool.take(DType::f32, {1, 3, 4, 5});
  ASSERT_EQ(a.shape(), (Shape{1, 3, 4, 5}));
  ASSERT_EQ(a.dtype(), DType::f32);
  Tensor b = pool.take(DType::f32, {1, 3, 4, 5});
  EXPECT_NE(a.raw(), b.raw()) << "a is held: never handed out twice";
  const void* released = a.raw();
  a = Tensor();
  Tensor c = pool.take(DType::f32, {1, 3, 4, 5});
  EXPECT_EQ(c.raw(), released) << "a released buffer comes back";
  const Tensor view = c.reshaped({60});  // a view shares the buffer: still held
  c = Tensor();
  EXPECT_NE(pool.take(DType::f32, {1, 3, 4, 5}).raw(), released);
  EXPECT_EQ(pool.kept(), 3u);
  EXPECT_NE(pool.take(DType::f32, {1, 3, 5, 4}).raw(), b.raw()) << "other shape";
  EXPECT_NE(pool.take(DType::i32, {1, 3, 4, 5}).raw(), b.raw()) << "other dtype";
}

TEST(TensorPool, KeepsAtMostItsCapacityAndReplacesIdleBuffers) {
  TensorPool pool(2);
  Tensor a = pool.take(DType::u8, {8});
  const Tensor b = pool.take(DType::u8, {8});
  Tensor c = pool.take(DType::u8, {8});  // both kept ones held: a new one, not kept
  EXPECT_EQ(pool.kept(), 2u);
  const void* a_buf = a.raw();
  c = Tensor();
  a = Tensor();
  EXPECT_EQ(pool.take(DType::u8, {8}).raw(), a_buf) << "a was kept, c was not";
  // Full, a idle: a new shape takes a's place.
  Tensor d = pool.take(DType::u8, {16});
  EXPECT_EQ(pool.kept(), 2u);
  const void* d_buf = d.raw();
  d = Tensor();
  EXPECT_EQ(pool.take(DType::u8, {16}).raw(), d_buf) << "d was kept in a's place";
  EXPECT_NE(pool.take(DType::u8, {8}).raw(), b.raw()) << "b is still held";
}

}  // namespace
}  // namespace textq
