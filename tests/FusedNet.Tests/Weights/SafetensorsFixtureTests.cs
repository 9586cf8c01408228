using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FusedNet;

namespace FusedNet.Tests.Weights
{
    /// <summary>The third-party fixture files (TorchSharp.PyBridge writer) open and read as the README describes.</summary>
    public class SafetensorsFixtureTests
    {
        public static TheoryData<string, TensorDataType> AllFixtureFiles()
        {
            var data = new TheoryData<string, TensorDataType>();
            foreach (string network in Fixtures.NetworkNames)
            {
                foreach (TensorDataType dataType in new[] { TensorDataType.F32, TensorDataType.F16, TensorDataType.BF16 })
                    data.Add(network, dataType);
            }
            return data;
        }

        [Theory]
        [MemberData(nameof(AllFixtureFiles))]
        public void Fixture_has_the_readme_tensors_with_their_shapes_and_dtypes(string network, TensorDataType dataType)
        {
            using var file = SafetensorsFile.Open(Fixtures.PathOf(Fixtures.WeightFile(network, dataType)));
            IReadOnlyDictionary<string, int[]> floatTensors = Fixtures.FloatTensors(network);
            string[] counters = Fixtures.BatchNormLayers(network).Select(layer => $"{layer}.num_batches_tracked").ToArray();

            Assert.Equal(floatTensors.Keys.Concat(counters).OrderBy(n => n, StringComparer.Ordinal),
                file.TensorNames.OrderBy(n => n, StringComparer.Ordinal));

            foreach ((string name, int[] shape) in floatTensors)
            {
                Assert.True(file.TryGetTensorInfo(name, out TensorInfo info));
                Assert.Equal(dataType, info.DataType);
                Assert.Equal(dataType.ToString(), info.DataTypeName);
                Assert.Equal(shape.Select(d => (long)d), info.Shape);
                Assert.True(info.IsFloatingPoint);
            }
            foreach (string counter in counters)
            {
                // 0-dim tensor: shape [], one element, and not readable as float.
                Assert.True(file.TryGetTensorInfo(counter, out TensorInfo info));
                Assert.Equal(TensorDataType.I64, info.DataType);
                Assert.Empty(info.Shape);
                Assert.Equal(1, info.ElementCount);
                Assert.False(info.IsFloatingPoint);
            }
        }

        [Fact]
        public void Seq_basic_lists_tensors_in_header_order_and_has_no_3_bias()
        {
            using var file = SafetensorsFile.Open(Fixtures.PathOf("seq_basic.safetensors"));

            // Order of the verbatim header in the README: parameters first, then buffers (not PyTorch's order).
            string[] headerOrder =
            {
                "0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "4.weight", "4.bias", "7.weight", "7.bias",
                "8.weight", "8.bias", "12.weight", "12.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
                "4.running_mean", "4.running_var", "4.num_batches_tracked", "8.running_mean", "8.running_var",
                "8.num_batches_tracked",
            };
            Assert.Equal(headerOrder, file.TensorNames);
            Assert.False(file.TryGetTensorInfo("3.bias", out _));
        }

        [Fact]
        public void Seq_basic_f32_values_are_the_raw_little_endian_bytes_at_the_readme_offsets()
        {
            // Independent of the reader: take the bytes of "3.weight" (data_offsets [960, 5568] in the README
            // header) straight from the file and compare bit for bit.
            byte[] bytes = File.ReadAllBytes(Fixtures.PathOf("seq_basic.safetensors"));
            long dataStart = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            var expected = new float[16 * 8 * 3 * 3];
            for (int i = 0; i < expected.Length; i++)
                expected[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)dataStart + 960 + 4 * i, 4));

            using var file = SafetensorsFile.Open(Fixtures.PathOf("seq_basic.safetensors"));
            var actual = new float[expected.Length];
            file.ReadFloat32("3.weight", actual);

            Assert.Equal(Bits(expected), Bits(actual));
            Assert.Contains(actual, v => v != 0); // Not an all-zero read.
        }

        public static TheoryData<string, TensorDataType> NarrowFixtureFiles()
        {
            var data = new TheoryData<string, TensorDataType>();
            foreach (string network in Fixtures.NetworkNames)
            {
                data.Add(network, TensorDataType.F16);
                data.Add(network, TensorDataType.BF16);
            }
            return data;
        }

        [Theory]
        [MemberData(nameof(NarrowFixtureFiles))]
        public void Narrow_fixture_values_are_the_f32_values_rounded_to_nearest_even(string network, TensorDataType dataType)
        {
            using var f32 = SafetensorsFile.Open(Fixtures.PathOf(Fixtures.WeightFile(network, TensorDataType.F32)));
            using var narrow = SafetensorsFile.Open(Fixtures.PathOf(Fixtures.WeightFile(network, dataType)));
            Func<float, float> round = dataType == TensorDataType.F16 ? ReferenceRounding.ToHalf : ReferenceRounding.ToBFloat16;

            int changedByRounding = 0;
            foreach ((string name, int[] shape) in Fixtures.FloatTensors(network))
            {
                int count = shape.Aggregate(1, (a, b) => a * b);
                var original = new float[count];
                var stored = new float[count];
                f32.ReadFloat32(name, original);
                narrow.ReadFloat32(name, stored);

                for (int i = 0; i < count; i++)
                {
                    float expected = round(original[i]);
                    if (BitConverter.SingleToUInt32Bits(expected) != BitConverter.SingleToUInt32Bits(stored[i]))
                        Assert.Fail($"{name}[{i}]: F32 {original[i]:R} rounds to {expected:R}, file holds {stored[i]:R}");
                    if (stored[i] != original[i]) changedByRounding++;
                }
            }
            // The comparison means something only if rounding actually changed values.
            Assert.True(changedByRounding > 100, $"only {changedByRounding} values differ from F32");
        }

        [Fact]
        public void Num_batches_tracked_cannot_be_read_as_float()
        {
            using var file = SafetensorsFile.Open(Fixtures.PathOf("seq_basic.f16.safetensors"));
            var exception = Assert.Throws<InvalidDataException>(() => file.ReadFloat32("1.num_batches_tracked", new float[1]));
            Assert.Contains("'1.num_batches_tracked'", exception.Message);
            Assert.Contains("I64", exception.Message);
            Assert.Contains("seq_basic.f16.safetensors", exception.Message);
        }

        private static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();
    }
}
