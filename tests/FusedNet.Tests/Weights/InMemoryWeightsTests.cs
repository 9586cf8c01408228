using System;
using System.Collections.Generic;
using System.IO;
using FusedNet;

namespace FusedNet.Tests.Weights
{
    public class InMemoryWeightsTests
    {
        [Fact]
        public void Added_tensors_are_listed_in_order_and_read_back_as_F32()
        {
            var weights = new InMemoryWeights();
            weights.Add("0.weight", new[] { 1f, 2f, 3f, 4f, 5f, 6f }, 2, 3);
            weights.Add("0.bias", new[] { -1f, -2f }, 2);

            Assert.Equal(new[] { "0.weight", "0.bias" }, weights.TensorNames);
            Assert.Equal(2, weights.Count);
            Assert.True(weights.TryGetTensorInfo("0.weight", out TensorInfo info));
            Assert.Equal(TensorDataType.F32, info.DataType);
            Assert.Equal("F32", info.DataTypeName);
            Assert.Equal(new long[] { 2, 3 }, info.Shape);
            Assert.Equal(6, info.ElementCount);

            var values = new float[2];
            weights.ReadFloat32("0.bias", values);
            Assert.Equal(new[] { -1f, -2f }, values);
            Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, weights.GetValues("0.weight").ToArray());
        }

        [Fact]
        public void Values_are_copied_on_add()
        {
            var weights = new InMemoryWeights();
            float[] values = { 1f, 2f };
            weights.Add("w", values, 2);
            values[0] = 99f;
            Assert.Equal(1f, weights.GetValues("w")[0]);
        }

        [Fact]
        public void Zero_dim_tensor_holds_one_value()
        {
            var weights = new InMemoryWeights();
            weights.Add("scalar", new[] { 3f });
            Assert.True(weights.TryGetTensorInfo("scalar", out TensorInfo info));
            Assert.Empty(info.Shape);
            Assert.Equal(1, info.ElementCount);
        }

        [Fact]
        public void Add_rejects_a_duplicate_name()
        {
            var weights = new InMemoryWeights();
            weights.Add("w", new[] { 1f }, 1);
            var exception = Assert.Throws<ArgumentException>(() => weights.Add("w", new[] { 2f }, 1));
            Assert.Contains("'w' already exists", exception.Message);
        }

        [Fact]
        public void Add_rejects_a_value_count_that_is_not_the_shape_product_naming_both()
        {
            var weights = new InMemoryWeights();
            var exception = Assert.Throws<ArgumentException>(() => weights.Add("conv.weight", new float[10], 2, 3));
            Assert.Contains("'conv.weight'", exception.Message);
            Assert.Contains("shape [2, 3] holds 6 elements, but 10 values were given", exception.Message);
        }

        [Fact]
        public void Add_rejects_a_negative_dimension()
        {
            var exception = Assert.Throws<ArgumentException>(() => new InMemoryWeights().Add("w", new float[0], 2, -1));
            Assert.Contains("negative dimension", exception.Message);
        }

        [Fact]
        public void Set_replaces_in_place_or_appends()
        {
            var weights = new InMemoryWeights();
            weights.Add("a", new[] { 1f }, 1);
            weights.Add("b", new[] { 2f }, 1);
            weights.Set("a", new[] { 5f, 6f }, 2);
            weights.Set("c", new[] { 7f }, 1);

            Assert.Equal(new[] { "a", "b", "c" }, weights.TensorNames);
            Assert.Equal(new[] { 5f, 6f }, weights.GetValues("a").ToArray());
            Assert.Throws<ArgumentException>(() => weights.Set("a", new[] { 1f }, 2));
        }

        [Fact]
        public void Remove_deletes_the_tensor()
        {
            var weights = new InMemoryWeights();
            weights.Add("a", new[] { 1f }, 1);
            weights.Add("b", new[] { 2f }, 1);

            Assert.True(weights.Remove("a"));
            Assert.False(weights.Remove("a"));
            Assert.Equal(new[] { "b" }, weights.TensorNames);
            Assert.False(weights.TryGetTensorInfo("a", out _));
            Assert.Throws<KeyNotFoundException>(() => weights.GetValues("a").ToArray());
        }

        [Fact]
        public void ReadFloat32_errors_name_the_tensor_and_lengths()
        {
            var weights = new InMemoryWeights();
            weights.Add("w", new float[6], 2, 3);

            var wrongLength = Assert.Throws<InvalidDataException>(() => weights.ReadFloat32("w", new float[5]));
            Assert.Contains("'w' [2, 3] has 6 elements, but the destination holds 5 floats", wrongLength.Message);
            var missing = Assert.Throws<InvalidDataException>(() => weights.ReadFloat32("other", new float[6]));
            Assert.Contains("'other'", missing.Message);
        }
    }
}
