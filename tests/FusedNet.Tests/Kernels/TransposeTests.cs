using System;
using FusedNet.Internal;

namespace FusedNet.Tests.Kernels
{
    /// <summary>
    /// Transpose.Block8x8 is public (generated code in users' assemblies calls it), so it must be memory-safe for
    /// any argument: it checks its strides against the spans it is given (issue 7, item 2).
    /// </summary>
    public class TransposeTests
    {
        [Theory]
        [InlineData(8, 8)]
        [InlineData(11, 8)]
        [InlineData(64, 19)]
        public void Block8x8_Transposes(int sourceStride, int destinationStride)
        {
            float[] source = new float[7 * sourceStride + 8];
            for (int i = 0; i < source.Length; i++) source[i] = i + 0.5f;
            float[] destination = new float[7 * destinationStride + 8 + 5];
            Array.Fill(destination, -1f);

            Transpose.Block8x8(source, sourceStride, destination.AsSpan(0, 7 * destinationStride + 8), destinationStride);

            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 8; j++)
                    Assert.Equal(source[i * sourceStride + j], destination[j * destinationStride + i]);
            for (int k = 7 * destinationStride + 8; k < destination.Length; k++)
                Assert.Equal(-1f, destination[k]); // nothing written past the span
        }

        [Fact]
        public void Block8x8_RejectsADestinationTooShortForItsStride_WithoutWriting()
        {
            float[] source = new float[64];
            float[] destination = new float[100];
            Array.Fill(destination, -1f);
            var e = Assert.Throws<ArgumentException>(() => Transpose.Block8x8(source, 8, destination.AsSpan(0, 60), 8));
            Assert.Equal("destination", e.ParamName);
            Assert.Contains("7 x 8 + 8 = 64", e.Message);
            Assert.All(destination, v => Assert.Equal(-1f, v));
        }

        [Fact]
        public void Block8x8_RejectsHugeStridesThatWouldWrapAround()
        {
            float[] buffer = new float[64];
            Assert.Throws<ArgumentException>(() => Transpose.Block8x8(buffer, int.MaxValue, new float[64], 8));
            Assert.Throws<ArgumentException>(() => Transpose.Block8x8(buffer, 8, new float[64], 1 << 29));
        }

        [Theory]
        [InlineData(7)]
        [InlineData(0)]
        [InlineData(-8)]
        public void Block8x8_RejectsStridesBelowEight(int stride)
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Transpose.Block8x8(new float[64], stride, new float[64], 8));
            Assert.Equal("sourceStride", e.ParamName);
        }
    }
}
