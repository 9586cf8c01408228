using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using FusedNet.Bench.Benchmarks;
using FusedNet.Bench.Checks;

namespace FusedNet.Bench
{
    /// <summary>
    /// Entry point. Our own switches are taken out first; everything else goes to BenchmarkSwitcher
    /// (e.g. --filter '*Fused*', --exporters json).
    ///   --check       build every network and ORT session, compare outputs, print the differences (no timing)
    ///   --quick       short job: the whole table in a few minutes
    ///   --avx512-off  also run every benchmark with DOTNET_EnableAVX512=0 (the Vector256 path)
    ///   --avx2-off    also run every benchmark with DOTNET_EnableAVX2=0 (the Vector128 path)
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var rest = new List<string>(args);
            bool check = rest.Remove("--check");
            bool quick = rest.Remove("--quick");
            bool avx512Off = rest.Remove("--avx512-off");
            bool avx2Off = rest.Remove("--avx2-off");

            if (check)
                return CheckMode.Run();

            // Without a filter BenchmarkSwitcher asks interactively; default to everything.
            if (!rest.Any(a => a is "--filter" or "-f"))
                rest.AddRange(new[] { "--filter", "*" });

            IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly)
                .Run(rest.ToArray(), BenchConfig.Create(quick, avx512Off, avx2Off));
            bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
            return failed ? 1 : 0;
        }
    }
}
