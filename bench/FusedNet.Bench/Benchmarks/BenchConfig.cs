using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using Perfolizer.Horology;

namespace FusedNet.Bench.Benchmarks
{
    /// <summary>The BenchmarkDotNet configuration behind --quick, --avx512-off and --avx2-off.</summary>
    internal static class BenchConfig
    {
        /// <summary>
        /// The switch the issue names. Measured here: .NET 10.0 ignores it (Vector512 stays accelerated),
        /// so the job also sets <see cref="Avx512SwitchNet10"/>; InferenceBenchmarks.Setup checks the effect.
        /// </summary>
        public const string Avx512Switch = "DOTNET_EnableAVX512F";

        /// <summary>The knob .NET 10 reads: with it at 0, Avx512F.IsSupported and Vector512.IsHardwareAccelerated are false.</summary>
        public const string Avx512SwitchNet10 = "DOTNET_EnableAVX512";

        /// <summary>
        /// With it at 0, .NET 10 reports Vector256 (and Vector512) as not accelerated, and FMA as unsupported (it is
        /// part of the same x86-64-v3 group), so the generated kernels run their Vector128 variants: what ARM64, x86-64
        /// before AVX2 and NativeAOT without an instruction-set setting run.
        /// </summary>
        public const string Avx2Switch = "DOTNET_EnableAVX2";

        /// <summary>
        /// With it at 128, .NET reports Vector256 and Vector512 as not accelerated but keeps AVX2 and FMA: the Vector128
        /// kernels with fused multiply-adds, as on ARM64 NEON.
        /// </summary>
        public const string PreferredWidthSwitch = "DOTNET_PreferredVectorBitWidth";

        public static IConfig Create(bool quick, bool avx512Off, bool avx2Off = false, bool v128Fma = false)
        {
            Job main = quick ? QuickJob() : Job.Default.WithId("Default");
            var config = DefaultConfig.Instance
                .AddJob(main)
                .AddColumn(new GflopsColumn(), new OrtSpeedupColumn())
                .HideColumns("EnvironmentVariables") // the Job id already says "-AVX512off"
                .WithSummaryStyle(SummaryStyle.Default.WithTimeUnit(TimeUnit.Microsecond))
                // The benchmark processes are built from a generated project that runs the FusedNet generator again; with
                // the module networks (resnet18, mobilenetv2) that took over BenchmarkDotNet's default 2 minutes on a busy machine.
                .WithBuildTimeout(System.TimeSpan.FromMinutes(10));
            // Each variant is a separate process per benchmark (the default toolchain): the runtime reads these
            // switches once at start-up. ORT picks its own kernels from CPUID and is unaffected by them.
            if (avx512Off) config = config.AddJob(Variant(main, "-AVX512off", (Avx512Switch, "0"), (Avx512SwitchNet10, "0")));
            if (avx2Off) config = config.AddJob(Variant(main, "-AVX2off", (Avx2Switch, "0")));
            if (v128Fma) config = config.AddJob(Variant(main, "-V128fma", (PreferredWidthSwitch, "128")));
            return config;
        }

        /// <summary>The main job with environment variables set and an id suffix naming them.</summary>
        private static Job Variant(Job main, string idSuffix, params (string Name, string Value)[] variables)
        {
            Job job = main;
            foreach ((string name, string value) in variables)
                job = job.WithEnvironmentVariable(name, value);
            return job.WithId(main.Id + idSuffix);
        }

        /// <summary>
        /// Few, short iterations: the whole table (4 networks × 3 paths) in a few minutes. Means are
        /// noisier than the default job's; compare rows only within one run.
        /// </summary>
        private static Job QuickJob() => Job.Default
            .WithId("Quick")
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithIterationTime(TimeInterval.FromMilliseconds(200));
    }
}
