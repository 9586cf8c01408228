using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using FusedNet.Bench.Networks;

namespace FusedNet.Bench.Checks
{
    /// <summary>
    /// `--profile NET [N]`: where the time goes, step by step, in both paths (IFusedNetwork.ProfileForward), as the
    /// median over N inferences after a warm-up. Used to find the slowest layers when a target is missed; the step
    /// titles name the layers each step covers. Not a replacement for BenchmarkDotNet: timer reads add a little per step.
    /// </summary>
    internal static class StepProfile
    {
        public static int Run(string networkName, int inferences, int top)
        {
            if (BenchNetworks.Parse(networkName) is not { } bench) return 2;
            int threads = Benchmarks.InferenceBenchmarks.SelectedThreads().First();
            using PreparedNetwork prepared = PreparedNetwork.Create(bench, threads);
            BenchNet id = bench.Id;
            IFusedNetwork network = prepared.Network;
            Console.WriteLine($"network {id}, vector width {network.VectorWidth}, {network.Threads} thread(s), median of {inferences} inferences per step");
            foreach (bool fused in new[] { true, false })
            {
                IReadOnlyList<string> steps = network.Steps(fused);
                var ticks = new long[inferences, steps.Count];
                var one = new long[steps.Count];
                float[] output = fused ? prepared.FusedOutput : prepared.UnfusedOutput;
                for (int i = 0; i < 10; i++) network.ProfileForward(prepared.Input, output, one, fused); // tier-up, caches
                for (int i = 0; i < inferences; i++)
                {
                    network.ProfileForward(prepared.Input, output, one, fused);
                    for (int s = 0; s < steps.Count; s++) ticks[i, s] = one[s];
                }
                var medians = Enumerable.Range(0, steps.Count)
                    .Select(s => (Step: s, Micros: Median(Enumerable.Range(0, inferences).Select(i => ticks[i, s])) * 1e6 / Stopwatch.Frequency))
                    .ToList();
                double total = medians.Sum(m => m.Micros);
                Console.WriteLine();
                Console.WriteLine($"{(fused ? "fused" : "unfused")} path: {steps.Count} steps, sum of medians {total:F0} µs; the {Math.Min(top, steps.Count)} slowest:");
                Console.WriteLine($"{"step",5} {"µs",9} {"share",6}  layers");
                foreach (var (step, micros) in medians.OrderByDescending(m => m.Micros).Take(top))
                    Console.WriteLine($"{step,5} {micros,9:F1} {100 * micros / total,5:F1}%  {steps[step]}");
            }
            return 0;
        }

        private static double Median(IEnumerable<long> values)
        {
            long[] sorted = values.OrderBy(v => v).ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2.0;
        }
    }
}
