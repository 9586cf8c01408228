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

        /// <summary>Every channel count the generated input copy passes (1–7), dense and padded pixels, widths around the 8-pixel blocks.</summary>
        [Theory]
        [InlineData(1, 1, false)] [InlineData(1, 25, false)] [InlineData(2, 17, false)] [InlineData(3, 7, false)] [InlineData(3, 8, false)]
        [InlineData(3, 19, false)] [InlineData(3, 224, false)] [InlineData(4, 16, false)] [InlineData(4, 33, false)] [InlineData(5, 11, false)]
        [InlineData(7, 9, false)] [InlineData(1, 9, true)] [InlineData(3, 21, true)] [InlineData(4, 8, true)] [InlineData(7, 3, true)]
        public void PlanesToPixels_InterleavesChannels(int channels, int width, bool paddedPixels)
        {
            int planeStride = width + 3, pixelStride = paddedPixels ? 16 : channels;
            float[] planes = new float[(channels - 1) * planeStride + width];
            for (int i = 0; i < planes.Length; i++) planes[i] = i + 0.25f;
            int reach = (width - 1) * pixelStride + channels;
            float[] pixels = new float[reach + 5];
            Array.Fill(pixels, -1f);

            Transpose.PlanesToPixels(planes, planeStride, channels, width, pixels.AsSpan(0, reach), pixelStride);

            for (int k = 0; k < pixels.Length; k++)
            {
                int x = k / pixelStride, c = k % pixelStride;
                float expected = k < reach && c < channels ? planes[c * planeStride + x] : -1f; // padding lanes and past the span untouched
                Assert.True(expected == pixels[k], $"pixels[{k}] (pixel {x}, lane {c}): expected {expected}, got {pixels[k]}");
            }
        }

        [Fact]
        public void PlanesToPixels_RejectsSpansShorterThanTheArgumentsReach_WithoutWriting()
        {
            float[] pixels = new float[100];
            Array.Fill(pixels, -1f);
            var e = Assert.Throws<ArgumentException>(() => Transpose.PlanesToPixels(new float[3 * 19], 19, 3, 19, pixels.AsSpan(0, 56), 3));
            Assert.Equal("pixels", e.ParamName);
            Assert.Contains("57", e.Message);
            Assert.All(pixels, v => Assert.Equal(-1f, v));
            e = Assert.Throws<ArgumentException>(() => Transpose.PlanesToPixels(new float[2 * 19 + 18], 19, 3, 19, new float[57], 3));
            Assert.Equal("planes", e.ParamName);
        }

        [Theory]
        [InlineData(0, 8, 3, 8, "channels")]
        [InlineData(3, 0, 3, 8, "width")]
        [InlineData(3, 8, 2, 8, "pixelStride")]
        [InlineData(3, 8, 3, 7, "planeStride")]
        public void PlanesToPixels_RejectsImpossibleLayouts(int channels, int width, int pixelStride, int planeStride, string parameter)
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Transpose.PlanesToPixels(new float[1000], planeStride, channels, width, new float[1000], pixelStride));
            Assert.Equal(parameter, e.ParamName);
        }
    }
}
