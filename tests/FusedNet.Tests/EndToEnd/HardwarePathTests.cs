using System.Runtime.Intrinsics;
using FusedNet.Tests.Harness;

namespace FusedNet.Tests.EndToEnd
{
    /// <summary>
    /// .ci/run runs the suite three times: as the machine is, with AVX-512 disabled and with AVX2 disabled. These
    /// tests prove each run really exercises the kernels it is meant to (a knob the runtime ignores would pass
    /// silently: .NET 10 ignores DOTNET_EnableAVX512F, for instance): Vector512 where AVX-512 is accelerated,
    /// Vector256 without AVX-512, Vector128 without AVX2 (never software vectors). A test that belongs to another
    /// leg is reported as skipped, with the reason.
    /// </summary>
    public class HardwarePathTests
    {
        [FactWhenEnvironment("DOTNET_EnableAVX512=0", "DOTNET_EnableAVX2!=0")]
        public void Avx512Disabled_RunsTheVector256Kernels()
        {
            Assert.False(Vector512.IsHardwareAccelerated);
            Assert.True(Vector256.IsHardwareAccelerated);
            Assert.Equal(VectorWidth.Vector256, SeqBasic.VectorWidth);
        }

        [FactWhenEnvironment("DOTNET_EnableAVX2=0")]
        public void Avx2Disabled_RunsTheVector128Kernels()
        {
            Assert.False(Vector256.IsHardwareAccelerated);
            Assert.True(Vector128.IsHardwareAccelerated);
            Assert.Equal(VectorWidth.Vector128, SeqBasic.VectorWidth);
            Assert.True(SeqBasic.VectorWidth.IsHardwareAccelerated());
        }

        [FactWhenEnvironment("DOTNET_EnableAVX512!=0", "DOTNET_EnableAVX2!=0")]
        public void DefaultRun_UsesTheWidestAcceleratedWidth()
        {
            VectorWidth expected = Vector512.IsHardwareAccelerated ? VectorWidth.Vector512
                : Vector256.IsHardwareAccelerated ? VectorWidth.Vector256 : VectorWidth.Vector128;
            Assert.Equal(expected, SeqBasic.VectorWidth);
            Assert.True(SeqBasic.VectorWidth.IsHardwareAccelerated());
        }

        [Fact]
        public void InterfaceReportsTheSameWidthAsTheStaticProperty()
        {
            IFusedNetwork net = new SeqBasic(RandomWeights.Create(SeqBasic.ExpectedWeights, seed: 3));
            Assert.Equal(SeqBasic.VectorWidth, net.VectorWidth);
        }

        [Theory]
        [InlineData(VectorWidth.Vector128, 4)]
        [InlineData(VectorWidth.Vector256, 8)]
        [InlineData(VectorWidth.Vector512, 16)]
        public void Lanes_AreFloatsPerVector(VectorWidth width, int lanes) => Assert.Equal(lanes, width.Lanes());
    }
}
