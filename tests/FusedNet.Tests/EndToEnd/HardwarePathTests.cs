using System;
using System.Runtime.Intrinsics;

namespace FusedNet.Tests.EndToEnd
{
    /// <summary>
    /// .ci/run runs the suite three times: as the machine is, with AVX-512 disabled and with AVX2 disabled. These
    /// tests prove each run really exercises the path it is meant to (a knob the runtime ignores would pass silently:
    /// .NET 10 ignores DOTNET_EnableAVX512F, for instance).
    /// </summary>
    public class HardwarePathTests
    {
        private static bool Disabled(string variable) => Environment.GetEnvironmentVariable(variable) == "0";

        [Fact]
        public void Avx512Disabled_RunsTheVector256Kernels()
        {
            if (!Disabled("DOTNET_EnableAVX512") && !Disabled("DOTNET_EnableAVX2")) return; // not this run's subject
            Assert.False(Vector512.IsHardwareAccelerated);
            Assert.False(SeqBasic.UsesVector512);
        }

        [Fact]
        public void Avx2Disabled_RunsTheSoftwareFallback()
        {
            if (!Disabled("DOTNET_EnableAVX2")) return;
            Assert.False(Vector256.IsHardwareAccelerated);
        }

        [Fact]
        public void DefaultRun_UsesVector512WhereTheHardwareHasIt()
        {
            if (Disabled("DOTNET_EnableAVX512") || Disabled("DOTNET_EnableAVX2")) return;
            Assert.Equal(Vector512.IsHardwareAccelerated, SeqBasic.UsesVector512);
        }
    }
}
