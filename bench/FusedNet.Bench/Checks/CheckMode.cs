using System;
using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FusedNet.Bench.Benchmarks;
using FusedNet.Bench.Networks;
using Microsoft.ML.OnnxRuntime;

namespace FusedNet.Bench.Checks
{
    /// <summary>
    /// --check: builds every bench network and its ORT session, runs each path once and prints how far
    /// apart they are, without timing anything. Fast enough for CI as a smoke test; exit code 1 on a mismatch.
    /// The scalar reference (the spec evaluated naively in double) says which side is wrong when they differ.
    /// </summary>
    internal static class CheckMode
    {
        public static int Run()
        {
            PrintEnvironment();
            Console.WriteLine($"Errors are max |a - b| / max(1, |b|); tolerance {OutputComparison.Tolerance:E0}.");
            Console.WriteLine($"{"net",-11} {"MACs",13} {"fused-ORT",10} {"unfused-ORT",12} {"ORT-ref",10} {"fused-ref",10} {"setup ms",9} {"ref ms",7}");

            bool allPassed = true;
            foreach (BenchNetwork bench in BenchNetworks.All)
            {
                try
                {
                    allPassed &= CheckOne(bench);
                }
                catch (InvalidOperationException e)
                {
                    // Our own verdicts (spec drift, output mismatch): the message says it all.
                    allPassed = false;
                    Console.WriteLine($"{bench.Key,-11} FAILED: {e.Message}");
                }
                catch (Exception e)
                {
                    allPassed = false;
                    Console.WriteLine($"{bench.Key,-11} FAILED: {e}");
                }
            }
            Console.WriteLine(allPassed ? "All outputs agree." : "MISMATCH: see above.");
            return allPassed ? 0 : 1;
        }

        /// <summary>Which vector width the generated kernels will pick here, and why (the AVX-512 switches).</summary>
        private static void PrintEnvironment()
        {
            string Switch(string name) => $"{name}={Environment.GetEnvironmentVariable(name) ?? "(unset)"}";
            Console.WriteLine($"Vector512 accelerated: {Vector512.IsHardwareAccelerated}, Vector256 accelerated: {Vector256.IsHardwareAccelerated}, " +
                $"Avx512F: {Avx512F.IsSupported}, Avx2: {Avx2.IsSupported}; {Switch(BenchConfig.Avx512SwitchNet10)}, {Switch(BenchConfig.Avx512Switch)}; " +
                $"ONNX Runtime {OrtEnv.Instance().GetVersionString()}");
        }

        private static bool CheckOne(BenchNetwork bench)
        {
            var setup = Stopwatch.StartNew();
            using PreparedNetwork prepared = PreparedNetwork.Create(bench);
            prepared.RunAll();
            setup.Stop();

            var referenceTime = Stopwatch.StartNew();
            float[] reference = bench.Spec.EvaluateReference(prepared.Input, prepared.Weights);
            referenceTime.Stop();
            var fusedVsOrt = OutputComparison.Compare(prepared.Ort.Output, prepared.FusedOutput);
            var unfusedVsOrt = OutputComparison.Compare(prepared.Ort.Output, prepared.UnfusedOutput);
            var ortVsReference = OutputComparison.Compare(reference, prepared.Ort.Output);
            var fusedVsReference = OutputComparison.Compare(reference, prepared.FusedOutput);

            Console.WriteLine($"{bench.Key,-11} {bench.MultiplyAccumulates,13:N0} {fusedVsOrt.MaxError,10:E2} {unfusedVsOrt.MaxError,12:E2} " +
                $"{ortVsReference.MaxError,10:E2} {fusedVsReference.MaxError,10:E2} {setup.Elapsed.TotalMilliseconds,9:F0} {referenceTime.Elapsed.TotalMilliseconds,7:F0}");

            bool passed = true;
            foreach (var (label, comparison) in new[] { ("fused vs ORT", fusedVsOrt), ("unfused vs ORT", unfusedVsOrt),
                         ("ORT vs reference", ortVsReference), ("fused vs reference", fusedVsReference) })
            {
                if (comparison.IsWithinTolerance) continue;
                passed = false;
                Console.WriteLine($"        {label}: {comparison}");
            }
            return passed;
        }
    }
}
