using Xunit;

namespace FusedNet.Tests.Generator
{
    using VectorWidth = FusedNet.Generator.Emit.VectorWidth;

    /// <summary>
    /// The register-block shapes the cost model picks (pixels R × output-channel vectors J): within the register file at every
    /// width, and for Vector256 (AVX2-only CPUs) shapes that load at most ~1.5 values per cycle beside the FMAs. On Zen 3 a
    /// block of 14 pixels × 1 vector (15 loads per 14 FMAs) ran at 70% of the FMA peak where 6 × 2 ran at the peak.
    /// </summary>
    public class RegisterBlockTests
    {
        public static TheoryData<int> Widths => new() { 4, 8, 16 };

        [Theory]
        [MemberData(nameof(Widths))]
        public void Blocks_fit_the_register_file(int lanes)
        {
            VectorWidth v = Width(lanes);
            for (int width = 1; width <= 230; width++)
                for (int vectors = 1; vectors <= 130; vectors++)
                {
                    (int r, int j) = v.ConvBlock(width, vectors);
                    Assert.InRange(r, 1, System.Math.Min(width, 16));
                    Assert.InRange(j, 1, System.Math.Min(vectors, 4));
                    Assert.True(r * j + j + v.TemporaryRegisters <= v.Registers, $"{v.TypeName}: {r} x {j} for width {width}, {vectors} vectors");
                }
        }

        [Theory]
        [InlineData(56, 16, 6, 2)] // dsnet's 64→128 and 128→128 1×1 convs: 14 × 1 before (55% of the peak measured per layer)
        [InlineData(112, 8, 6, 2)]
        [InlineData(14, 64, 5, 2)] // 5 + 5 + 4 pixels: 14 × 1 loads 15 values per 14 FMAs
        [InlineData(28, 32, 4, 3)]
        [InlineData(7, 128, 4, 3)]
        public void Vector256_blocks_reuse_each_broadcast_for_two_or_more_vectors(int width, int vectors, int pixels, int blockVectors)
        {
            Assert.Equal((pixels, blockVectors), VectorWidth.V256.ConvBlock(width, vectors));
        }

        [Theory]
        [InlineData(56, 8, 14, 2)] // 32 registers: 28 accumulators, 14 broadcasts per 28 FMAs
        [InlineData(14, 32, 14, 2)]
        public void Vector512_blocks_keep_two_loads_per_cycle(int width, int vectors, int pixels, int blockVectors)
        {
            Assert.Equal((pixels, blockVectors), VectorWidth.V512.ConvBlock(width, vectors));
        }

        private static VectorWidth Width(int lanes) => lanes switch
        {
            4 => VectorWidth.V128,
            8 => VectorWidth.V256,
            _ => VectorWidth.V512,
        };
    }
}
