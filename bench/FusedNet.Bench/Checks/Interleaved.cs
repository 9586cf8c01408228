using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using FusedNet.Bench.Networks;

namespace FusedNet.Bench.Checks
{
    /// <summary>
    /// --interleaved NET[,NET…] [SECONDS]: the issue's target ratios of one network from one process, in alternating rounds:
    /// fused, unfused and ONNX Runtime on one thread, fused and unfused on two threads, each engine a ~2 ms round of calls, the
    /// rounds repeated until SECONDS (default 20) have passed; medians of the rounds (each round after one untimed call).
    /// On a shared VM whose neighbours come and go within minutes, BenchmarkDotNet's one-benchmark-after-another table can time ORT in a quiet minute and FusedNet
    /// in a busy one; here a change in the machine's state hits every engine alike. ORT runs on one thread only: its
    /// two-thread pool spins for tens of milliseconds after each call (--idle-cpu), which would take the second core from
    /// whichever engine ran next (measured: FusedNet's two-thread MobileNetV2 no faster than one thread after ORT's calls);
    /// BenchmarkDotNet's table, one process per benchmark, has ORT on two threads.
    /// </summary>
    internal static class Interleaved
    {
        private const double RoundMicros = 2000;

        private sealed record Engine(string Name, int Threads, Action Call)
        {
            public int Calls;
            public readonly List<double> Rounds = new();
            public double Median => ThreadTiming.Median(Rounds);
        }

        public static int Run(string networkNames, double seconds)
        {
            // Which machine the ratios come from (the VMs here differ from session to session).
            Latency.MachineFacts.Print(Console.Out);
            foreach (string name in networkNames.Split(','))
            {
                if (BenchNetworks.Parse(name) is not { } bench) return 2;
                using PreparedNetwork one = PreparedNetwork.Create(bench, 1);
                using PreparedNetwork two = PreparedNetwork.Create(bench, 2);
                one.VerifyAgainstOnnxRuntime();
                two.VerifyAgainstOnnxRuntime();
                Engine[] engines = Engines(one).Concat(Engines(two)).ToArray();
                foreach (Engine engine in engines) engine.Calls = CallsPerRound(engine.Call);

                var total = Stopwatch.StartNew();
                var shuffle = new Random(12345);
                Engine[] order = (Engine[])engines.Clone();
                while (total.Elapsed.TotalSeconds < seconds)
                {
                    // A new order every round: an engine that always ran right after the same other one would inherit its
                    // state (measured: two-thread unfused always after two-thread fused found the workers still awake and
                    // ran 25% faster than fused on wide, where both run the same Winograd kernels).
                    shuffle.Shuffle(order);
                    foreach (Engine engine in order)
                    {
                        // One untimed call first: a round times back-to-back calls, as BenchmarkDotNet does, not the first
                        // call after another engine, which finds the caches full of that engine's data and this engine's
                        // workers asleep (measured on Zen 4: cifar on two threads 160 µs per call with it timed, 141 µs
                        // without; the cost of a call after an idle gap is what --periodic measures).
                        engine.Call();
                        long start = Stopwatch.GetTimestamp();
                        for (int i = 0; i < engine.Calls; i++) engine.Call();
                        engine.Rounds.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / engine.Calls);
                    }
                }
                Report(bench.Key, engines);
            }
            return 0;
        }

        private static IEnumerable<Engine> Engines(PreparedNetwork p)
        {
            int threads = p.Network.Threads;
            yield return new Engine("fused", threads, () => p.Network.Forward(p.Input, p.FusedOutput));
            yield return new Engine("unfused", threads, () => p.Network.ForwardUnfused(p.Input, p.UnfusedOutput));
            if (threads == 1) yield return new Engine("ORT", threads, p.Ort.Run);
        }

        /// <summary>Warms the engine up and returns how many calls fill about <see cref="RoundMicros"/>.</summary>
        private static int CallsPerRound(Action call)
        {
            for (int i = 0; i < 10; i++) call();
            long start = Stopwatch.GetTimestamp();
            call();
            call();
            double micros = Stopwatch.GetElapsedTime(start).TotalMicroseconds / 2;
            return Math.Max(1, (int)Math.Round(RoundMicros / micros));
        }

        private static void Report(string key, Engine[] e)
        {
            double Of(string name, int threads) => e.First(x => x.Name == name && x.Threads == threads).Median;
            Console.WriteLine($"{key}: medians of {e[0].Rounds.Count} interleaved rounds (µs per call: " +
                string.Join(", ", e.Select(x => $"{x.Name} {x.Threads} thr {x.Median:F1}")) + ")");
            Console.WriteLine($"  ORT / fused 1 thr {Of("ORT", 1) / Of("fused", 1):F2}; " +
                $"unfused / fused: 1 thr {Of("unfused", 1) / Of("fused", 1):F2}, 2 thr {Of("unfused", 2) / Of("fused", 2):F2}; " +
                $"fused 2 thr / 1 thr speed-up {Of("fused", 1) / Of("fused", 2):F2}");
        }
    }
}
