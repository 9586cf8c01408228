using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using FusedNet.Bench.Benchmarks;
using FusedNet.Bench.Checks;
using FusedNet.Bench.OnnxRuntime;

namespace FusedNet.Bench
{
    /// <summary>
    /// Entry point. Our own switches are taken out first; everything else goes to BenchmarkSwitcher
    /// (e.g. --filter '*Fused*', --exporters json).
    ///   --check       build every network and ORT session, compare outputs, print the differences (no timing)
    ///   --quick       short job: the whole table in a few minutes
    ///   --avx512-off  also run every benchmark with DOTNET_EnableAVX512=0 (the Vector256 path)
    ///   --avx2-off    also run every benchmark with DOTNET_EnableAVX2=0 (the Vector128 path, no FMA)
    ///   --v128        also run every benchmark with DOTNET_PreferredVectorBitWidth=128 (Vector128 with FMA)
    ///   --threads 1,2 run every benchmark at these thread counts (FusedNet NetworkOptions.Threads = ORT IntraOpNumThreads; default 1);
    ///                 --profile uses the first
    ///   --nets A,B    only these networks (keys as in --check: tiny, cifar, mobile, wide, resnet18, mobilenetv2)
    ///   --peak-fraction NET [N]  fused GFLOP/s of NET as a fraction of the measured multiply-add peak at its vector
    ///                 width, in thread CPU time (robust to a loaded machine); no BenchmarkDotNet
    ///   --profile NET [N [TOP]]  per-step median times of both paths (IFusedNetwork.ProfileForward), the TOP slowest
    ///   --idle-cpu NET [THREADS]  process CPU time while idle and in a 100 Hz call loop, FusedNet then ORT (default 2 threads)
    ///   --thread-ratio NET [SECONDS]  1- and 2-thread instances in alternating ~20 ms rounds (medians), fused path only
    ///   --periodic NET [PERIOD_MS [CALLS [SPIN_US]]]  per-call latency with one call every PERIOD_MS (the workers sleep
    ///                 between calls), 1 then 2 threads; both take --with-load BUSY_US,PERIOD_US (a background thread)
    ///   --compare-build DIR NET [THREADS [SECONDS]]  this build's fused path against the build in DIR (its
    ///                 bin/Release/net10.0) in one process, alternating rounds: the ratio of two commits, robust to the VM's drift
    ///   --interleaved NET[,NET…] [SECONDS]  fused, unfused (1 and 2 threads) and ORT (1 thread) in alternating ~2 ms rounds in one
    ///                 process (medians): the target ratios robust to a shared VM's drift (Checks/Interleaved.cs)
    ///   --core-scaling [ROUNDS]  the multiply-add peak on one thread vs two at once, and preemption gaps: what two threads
    ///                 can gain on this machine right now (the ceiling of the 2 thr / 1 thr column)
    ///   --write-onnx NET FILE, --ort-cold-start FILE   the ONNX Runtime side of the cold-start table (OrtColdStart)
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            // Cold-start modes first, in a method of their own, so that process never loads BenchmarkDotNet.
            if (args.Length == 3 && args[0] == "--write-onnx")
                return OrtColdStart.WriteOnnx(args[1], args[2]);
            if (args.Length == 2 && args[0] == "--ort-cold-start")
                return OrtColdStart.Run(args[1]);
            return RunBenchmarks(args);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int RunBenchmarks(string[] args)
        {
            var rest = new List<string>(args);
            bool check = rest.Remove("--check");
            bool quick = rest.Remove("--quick");
            bool avx512Off = rest.Remove("--avx512-off");
            bool avx2Off = rest.Remove("--avx2-off");
            bool v128Fma = rest.Remove("--v128");
            int threadsAt = rest.IndexOf("--threads");
            if (threadsAt >= 0)
            {
                if (threadsAt + 1 >= rest.Count)
                {
                    Console.Error.WriteLine("usage: --threads N[,N...]");
                    return 2;
                }
                // Read by InferenceBenchmarks.SelectedThreads (and StepProfile), here and in the benchmark processes.
                Environment.SetEnvironmentVariable(InferenceBenchmarks.ThreadsVariable, rest[threadsAt + 1]);
                rest.RemoveRange(threadsAt, 2);
            }
            int netsAt = rest.IndexOf("--nets");
            if (netsAt >= 0)
            {
                if (netsAt + 1 >= rest.Count)
                {
                    Console.Error.WriteLine("usage: --nets NETWORK[,NETWORK...]");
                    return 2;
                }
                // Read by InferenceBenchmarks.SelectedNetworks, here and in the benchmark processes (they inherit it).
                Environment.SetEnvironmentVariable(InferenceBenchmarks.NetworksVariable, rest[netsAt + 1]);
                rest.RemoveRange(netsAt, 2);
            }

            if (check)
                return CheckMode.Run();

            int peakAt = rest.IndexOf("--peak-fraction");
            if (peakAt >= 0)
            {
                if (peakAt + 1 >= rest.Count)
                {
                    Console.Error.WriteLine("usage: --peak-fraction NETWORK [INFERENCES]");
                    return 2;
                }
                int inferences = peakAt + 2 < rest.Count && int.TryParse(rest[peakAt + 2], out int n) && n > 0 ? n : 50;
                return PeakFraction.Run(rest[peakAt + 1], inferences);
            }

            int profileAt = rest.IndexOf("--profile");
            if (profileAt >= 0)
            {
                if (profileAt + 1 >= rest.Count)
                {
                    Console.Error.WriteLine("usage: --profile NETWORK [INFERENCES [TOP]]");
                    return 2;
                }
                int count = profileAt + 2 < rest.Count && int.TryParse(rest[profileAt + 2], out int c) && c > 0 ? c : 50;
                int top = profileAt + 3 < rest.Count && int.TryParse(rest[profileAt + 3], out int t) && t > 0 ? t : 15;
                return StepProfile.Run(rest[profileAt + 1], count, top);
            }

            (int Busy, int Period)? load = ThreadTiming.ParseLoad(rest);
            int ratioAt = rest.IndexOf("--thread-ratio");
            if (ratioAt >= 0 && ratioAt + 1 < rest.Count)
                return ThreadTiming.Ratio(rest[ratioAt + 1],
                    ratioAt + 2 < rest.Count && double.TryParse(rest[ratioAt + 2], out double sec) && sec > 0 ? sec : 8, load);
            int periodicAt = rest.IndexOf("--periodic");
            if (periodicAt >= 0 && periodicAt + 1 < rest.Count)
            {
                double Arg(int k, double fallback) => periodicAt + k < rest.Count && double.TryParse(rest[periodicAt + k], out double v) && v > 0 ? v : fallback;
                return ThreadTiming.Periodic(rest[periodicAt + 1], Arg(2, 2), (int)Arg(3, 1000), (int)Arg(4, 50), load);
            }

            int compareAt = rest.IndexOf("--compare-build");
            if (compareAt >= 0 && compareAt + 2 < rest.Count)
            {
                double Arg(int k, double fallback) => compareAt + k < rest.Count && double.TryParse(rest[compareAt + k], out double v) && v > 0 ? v : fallback;
                return BuildComparison.Run(rest[compareAt + 1], rest[compareAt + 2], (int)Arg(3, 1), Arg(4, 15));
            }

            int interleavedAt = rest.IndexOf("--interleaved");
            if (interleavedAt >= 0 && interleavedAt + 1 < rest.Count)
                return Interleaved.Run(rest[interleavedAt + 1],
                    interleavedAt + 2 < rest.Count && double.TryParse(rest[interleavedAt + 2], out double isec) && isec > 0 ? isec : 20);

            int scalingAt = rest.IndexOf("--core-scaling");
            if (scalingAt >= 0)
                return CoreScaling.Run(scalingAt + 1 < rest.Count && int.TryParse(rest[scalingAt + 1], out int sr) && sr > 0 ? sr : 5);

            int idleAt = rest.IndexOf("--idle-cpu");
            if (idleAt >= 0)
            {
                if (idleAt + 1 >= rest.Count)
                {
                    Console.Error.WriteLine("usage: --idle-cpu NETWORK [THREADS]");
                    return 2;
                }
                int idleThreads = idleAt + 2 < rest.Count && int.TryParse(rest[idleAt + 2], out int it) && it > 0 ? it : 2;
                return IdleCpu.Run(rest[idleAt + 1], idleThreads);
            }

            // Without a filter BenchmarkSwitcher asks interactively; default to everything.
            if (!rest.Any(a => a is "--filter" or "-f"))
                rest.AddRange(new[] { "--filter", "*" });

            IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly)
                .Run(rest.ToArray(), BenchConfig.Create(quick, avx512Off, avx2Off, v128Fma));
            bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
            return failed ? 1 : 0;
        }
    }
}
