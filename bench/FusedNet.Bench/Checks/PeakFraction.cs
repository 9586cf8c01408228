using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FusedNet.Bench.Networks;

namespace FusedNet.Bench.Checks
{
    /// <summary>
    /// --peak-fraction: how close the generated kernels come to this machine's multiply-add peak at the vector
    /// width they run with. Both numbers are taken in the same process, on the same thread, in thread CPU time
    /// (CLOCK_THREAD_CPUTIME_ID), so a loaded shared machine (time slices taken by other processes) moves both
    /// alike and the fraction stays meaningful where wall-clock GFLOP/s would not.
    /// The peak is measured, not computed from a spec sheet: a loop of 12 independent multiply-add chains on
    /// registers, with the same operation the kernels use at that width (MultiplyAddEstimate for Vector128:
    /// fused where the CPU has FMA, multiply then add where it has not; FusedMultiplyAdd for the wider ones).
    /// </summary>
    internal static class PeakFraction
    {
        private const int PeakIterations = 20_000_000;

        public static int Run(string networkName, int inferences)
        {
            if (BenchNetworks.Parse(networkName) is not { } bench) return 2;
            using PreparedNetwork prepared = PreparedNetwork.Create(bench);
            BenchNet id = bench.Id;
            IFusedNetwork network = prepared.Network;
            VectorWidth width = network.VectorWidth;
            double peak = Math.Max(PeakGflops(width), PeakGflops(width)); // the second run is warm
            double flopsPerInference = 2.0 * prepared.Bench.MultiplyAccumulates;

            for (int i = 0; i < 20; i++) network.Forward(prepared.Input, prepared.FusedOutput); // tier-up and caches
            double best = 0;
            for (int round = 0; round < 5; round++)
            {
                double start = ThreadCpuSeconds();
                for (int i = 0; i < inferences; i++) network.Forward(prepared.Input, prepared.FusedOutput);
                double seconds = ThreadCpuSeconds() - start;
                best = Math.Max(best, flopsPerInference * inferences / seconds / 1e9);
            }
            Console.WriteLine($"network {id}, vector width {width} ({(width.IsHardwareAccelerated() ? "hardware-accelerated" : "software")})");
            Console.WriteLine($"measured multiply-add peak at {width}: {peak:F1} GFLOP/s per core (thread CPU time)");
            Console.WriteLine($"fused Forward, best of 5 rounds of {inferences}: {best:F1} GFLOP/s = {100 * best / peak:F0}% of that peak");
            return 0;
        }

        private static double PeakGflops(VectorWidth width)
        {
            double start = ThreadCpuSeconds();
            float sink = PeakLoop(width, PeakIterations);
            double seconds = ThreadCpuSeconds() - start;
            if (float.IsNaN(sink)) Console.WriteLine("(impossible: keeps the loop alive)");
            return PeakLoopFlops(width, PeakIterations) / seconds / 1e9;
        }

        /// <summary>The multiply-add loop at <paramref name="width"/> (see below); returns a value that keeps it alive.</summary>
        internal static float PeakLoop(VectorWidth width, int iterations) => width switch
        {
            VectorWidth.Vector512 => Peak512(iterations),
            VectorWidth.Vector256 => Peak256(iterations),
            _ => Peak128(iterations),
        };

        /// <summary>Floating-point operations of <see cref="PeakLoop"/>: 12 chains × lanes × 2 per iteration.</summary>
        internal static double PeakLoopFlops(VectorWidth width, int iterations) => 12.0 * width.Lanes() * 2 * iterations;

        // Twelve accumulators: enough independent chains to cover multiply-add latency (4–6 cycles) at two per cycle,
        // and, with the two operands, within the 16 registers of SSE/AVX2.
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Peak128(int iterations)
        {
            Vector128<float> a = Vector128.Create(0.999f), b = Vector128.Create(1e-6f);
            Vector128<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
            for (int i = 0; i < iterations; i++)
            {
                c0 = Vector128.MultiplyAddEstimate(c0, a, b); c1 = Vector128.MultiplyAddEstimate(c1, a, b);
                c2 = Vector128.MultiplyAddEstimate(c2, a, b); c3 = Vector128.MultiplyAddEstimate(c3, a, b);
                c4 = Vector128.MultiplyAddEstimate(c4, a, b); c5 = Vector128.MultiplyAddEstimate(c5, a, b);
                c6 = Vector128.MultiplyAddEstimate(c6, a, b); c7 = Vector128.MultiplyAddEstimate(c7, a, b);
                c8 = Vector128.MultiplyAddEstimate(c8, a, b); c9 = Vector128.MultiplyAddEstimate(c9, a, b);
                c10 = Vector128.MultiplyAddEstimate(c10, a, b); c11 = Vector128.MultiplyAddEstimate(c11, a, b);
            }
            return Vector128.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Peak256(int iterations)
        {
            Vector256<float> a = Vector256.Create(0.999f), b = Vector256.Create(1e-6f);
            Vector256<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
            for (int i = 0; i < iterations; i++)
            {
                c0 = Vector256.FusedMultiplyAdd(c0, a, b); c1 = Vector256.FusedMultiplyAdd(c1, a, b);
                c2 = Vector256.FusedMultiplyAdd(c2, a, b); c3 = Vector256.FusedMultiplyAdd(c3, a, b);
                c4 = Vector256.FusedMultiplyAdd(c4, a, b); c5 = Vector256.FusedMultiplyAdd(c5, a, b);
                c6 = Vector256.FusedMultiplyAdd(c6, a, b); c7 = Vector256.FusedMultiplyAdd(c7, a, b);
                c8 = Vector256.FusedMultiplyAdd(c8, a, b); c9 = Vector256.FusedMultiplyAdd(c9, a, b);
                c10 = Vector256.FusedMultiplyAdd(c10, a, b); c11 = Vector256.FusedMultiplyAdd(c11, a, b);
            }
            return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Peak512(int iterations)
        {
            Vector512<float> a = Vector512.Create(0.999f), b = Vector512.Create(1e-6f);
            Vector512<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
            for (int i = 0; i < iterations; i++)
            {
                c0 = Vector512.FusedMultiplyAdd(c0, a, b); c1 = Vector512.FusedMultiplyAdd(c1, a, b);
                c2 = Vector512.FusedMultiplyAdd(c2, a, b); c3 = Vector512.FusedMultiplyAdd(c3, a, b);
                c4 = Vector512.FusedMultiplyAdd(c4, a, b); c5 = Vector512.FusedMultiplyAdd(c5, a, b);
                c6 = Vector512.FusedMultiplyAdd(c6, a, b); c7 = Vector512.FusedMultiplyAdd(c7, a, b);
                c8 = Vector512.FusedMultiplyAdd(c8, a, b); c9 = Vector512.FusedMultiplyAdd(c9, a, b);
                c10 = Vector512.FusedMultiplyAdd(c10, a, b); c11 = Vector512.FusedMultiplyAdd(c11, a, b);
            }
            return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
        }

        private static double ThreadCpuSeconds()
        {
            if (clock_gettime(ClockThreadCpuTime, out Timespec t) != 0)
                throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed: --peak-fraction needs Linux.");
            return t.Seconds + t.Nanoseconds * 1e-9;
        }

        private const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID on Linux

        [StructLayout(LayoutKind.Sequential)]
        private struct Timespec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int clock_gettime(int clockId, out Timespec time);
    }
}
