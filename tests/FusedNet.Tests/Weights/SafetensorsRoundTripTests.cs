using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using FusedNet;

namespace FusedNet.Tests.Weights
{
    /// <summary>Save then Open: F32 is exact; F16/BF16 are rounded to nearest even, checked against an independent rounding.</summary>
    public class SafetensorsRoundTripTests
    {
        /// <summary>Values that exercise every rounding case: ties, subnormals, overflow, infinities, NaN, signed zero.</summary>
        private static readonly float[] SpecialValues =
        {
            0f, -0f, 1f, -1f, 0.1f, -3.14159265f, 1e-3f, 123456.789f,
            // F16 ties: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10 (odd) and rounds to 1 (even);
            // 1 + 3·2^-11 lies between 1 + 2^-10 (odd) and 1 + 2^-9 (even) and rounds up.
            1f + MathF.ScaleB(1, -11), 1f + 3 * MathF.ScaleB(1, -11), -(1f + MathF.ScaleB(1, -11)),
            // BF16 ties, the same pattern with 7 fraction bits.
            1f + MathF.ScaleB(1, -8), 1f + 3 * MathF.ScaleB(1, -8), -(1f + 3 * MathF.ScaleB(1, -8)),
            // F16 subnormals: 2^-24 is the smallest; 2^-25 ties to 0; 3·2^-25 ties up to 2^-23; 2^-26 rounds to 0.
            MathF.ScaleB(1, -24), MathF.ScaleB(1, -25), 3 * MathF.ScaleB(1, -25), MathF.ScaleB(1, -26), MathF.ScaleB(1, -15),
            // F16 range: 65504 is the largest; 65519 rounds down to it; 65520 ties to infinity (even).
            65504f, 65519f, 65520f, -65520f, 1e6f, -1e6f,
            // Float subnormals (BF16 keeps them, F16 flushes them to zero by rounding).
            float.Epsilon, -float.Epsilon, MathF.ScaleB(1, -130), MathF.ScaleB(1.75f, -127),
            float.MaxValue, -float.MaxValue, float.MinValue,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN,
            // A NaN whose payload sits only in the low bits: truncating to BF16 would make it infinity.
            BitConverter.UInt32BitsToSingle(0x7F800001), BitConverter.UInt32BitsToSingle(0xFF800001),
        };

        [Fact]
        public void F32_round_trip_is_bit_exact()
        {
            float[] values = SpecialValues.Concat(RandomBitPatterns(4096, seed: 1)).ToArray();
            float[] loaded = RoundTrip(values, TensorDataType.F32);
            Assert.Equal(values.Select(BitConverter.SingleToUInt32Bits), loaded.Select(BitConverter.SingleToUInt32Bits));
        }

        [Fact]
        public void F16_round_trip_rounds_to_nearest_even()
        {
            float[] values = SpecialValues.Concat(RandomBitPatterns(20_000, seed: 2)).Concat(RandomInRange(20_000, 70_000f, seed: 3)).ToArray();
            AssertRoundedLike(values, RoundTrip(values, TensorDataType.F16), ReferenceRounding.ToHalf);
        }

        [Fact]
        public void BF16_round_trip_rounds_to_nearest_even()
        {
            float[] values = SpecialValues.Concat(RandomBitPatterns(20_000, seed: 4)).Concat(RandomInRange(20_000, 100f, seed: 5)).ToArray();
            AssertRoundedLike(values, RoundTrip(values, TensorDataType.BF16), ReferenceRounding.ToBFloat16);
        }

        [Fact]
        public void Rounding_of_hand_checked_cases()
        {
            // A few cases written out, so the reference rounding itself is pinned down too.
            float[] values = { 1f + MathF.ScaleB(1, -11), 1f + 3 * MathF.ScaleB(1, -11), 3 * MathF.ScaleB(1, -25), MathF.ScaleB(1, -25), 65519f, 65520f };
            float[] half = RoundTrip(values, TensorDataType.F16);
            Assert.Equal(new[] { 1f, 1f + MathF.ScaleB(1, -9), MathF.ScaleB(1, -23), 0f, 65504f, float.PositiveInfinity }, half);

            float[] brainValues = { 1f + MathF.ScaleB(1, -8), 1f + 3 * MathF.ScaleB(1, -8), float.MaxValue, BitConverter.UInt32BitsToSingle(0x7F800001) };
            float[] brain = RoundTrip(brainValues, TensorDataType.BF16);
            Assert.Equal(1f, brain[0]);
            Assert.Equal(1f + MathF.ScaleB(1, -6), brain[1]);
            Assert.Equal(float.PositiveInfinity, brain[2]);
            Assert.True(float.IsNaN(brain[3]));
        }

        [Fact]
        public void Saved_file_keeps_names_order_and_shapes_pads_the_header_and_skips_non_float_tensors()
        {
            // Source: a fixture with I64 num_batches_tracked tensors, which are not float and must be skipped.
            using var source = SafetensorsFile.Open(Fixtures.PathOf("seq_basic.safetensors"));
            byte[] bytes = SafetensorsTestFiles.Save(source, TensorDataType.F16);

            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            Assert.Equal(0UL, headerLength % 8);
            string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
            Assert.StartsWith("{\"0.weight\":{\"dtype\":\"F16\",\"shape\":[8,3,3,3],\"data_offsets\":[0,432]}", header);
            Assert.Equal(header.TrimEnd(' ').Length, header.TrimEnd().Length); // Padding is spaces only.

            using var saved = SafetensorsTestFiles.Open(bytes);
            Assert.Equal(source.TensorNames.Where(n => !n.EndsWith("num_batches_tracked")), saved.TensorNames);
            foreach (string name in saved.TensorNames)
            {
                Assert.True(source.TryGetTensorInfo(name, out TensorInfo original));
                Assert.True(saved.TryGetTensorInfo(name, out TensorInfo copy));
                Assert.Equal(original.Shape, copy.Shape);
                Assert.Equal(TensorDataType.F16, copy.DataType);
            }
        }

        [Fact]
        public void Save_to_a_path_writes_a_file_that_opens_and_can_overwrite_its_own_source()
        {
            string path = Path.Combine(Path.GetTempPath(), $"fusednet-save-{Guid.NewGuid():N}.safetensors");
            try
            {
                var weights = new InMemoryWeights();
                weights.Add("a", new[] { 1f, 2f, 3f }, 3);
                weights.Add("scalar", new[] { 7f });
                SafetensorsFile.Save(path, weights);

                // Overwrite the file while it is open as the source: the temporary-file-then-move keeps this safe.
                using (var first = SafetensorsFile.Open(path))
                    SafetensorsFile.Save(path, first, TensorDataType.BF16);

                using var file = SafetensorsFile.Open(path);
                Assert.True(file.TryGetTensorInfo("scalar", out TensorInfo scalar));
                Assert.Empty(scalar.Shape);
                Assert.Equal(TensorDataType.BF16, scalar.DataType);
                var values = new float[3];
                file.ReadFloat32("a", values);
                Assert.Equal(new[] { 1f, 2f, 3f }, values);
                Assert.Empty(Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + ".*.tmp"));
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void Save_rejects_a_non_float_target_dtype()
        {
            var exception = Assert.Throws<ArgumentException>(() => SafetensorsTestFiles.Save(new InMemoryWeights(), TensorDataType.I64));
            Assert.Contains("I64", exception.Message);
        }

        [Fact]
        public void Large_tensor_spanning_several_conversion_chunks_round_trips()
        {
            // 100 000 elements: more than one 64 KiB chunk in both the writer and the F16/BF16 reader.
            float[] values = RandomInRange(100_000, 10f, seed: 6);
            AssertRoundedLike(values, RoundTrip(values, TensorDataType.BF16), ReferenceRounding.ToBFloat16);
            AssertRoundedLike(values, RoundTrip(values, TensorDataType.F16), ReferenceRounding.ToHalf);
        }

        private static float[] RoundTrip(float[] values, TensorDataType dataType)
        {
            var weights = new InMemoryWeights();
            weights.Add("x", values, values.Length);
            using var file = SafetensorsTestFiles.Open(SafetensorsTestFiles.Save(weights, dataType));
            var loaded = new float[values.Length];
            file.ReadFloat32("x", loaded);
            return loaded;
        }

        private static void AssertRoundedLike(float[] values, float[] loaded, Func<float, float> reference)
        {
            for (int i = 0; i < values.Length; i++)
            {
                float expected = reference(values[i]);
                bool same = float.IsNaN(expected)
                    ? float.IsNaN(loaded[i])
                    : BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(loaded[i]);
                if (!same) // Message built only on failure: formatting 100 000 of them costs more than the test.
                    Assert.Fail($"value [{i}] {values[i]:R} (0x{BitConverter.SingleToUInt32Bits(values[i]):X8}): expected {expected:R}, loaded {loaded[i]:R}");
            }
        }

        /// <summary>Uniformly random float bit patterns: every exponent, subnormals, infinities and NaNs alike.</summary>
        private static float[] RandomBitPatterns(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ => BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32))).ToArray();
        }

        private static float[] RandomInRange(int count, float limit, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * limit)).ToArray();
        }
    }
}
