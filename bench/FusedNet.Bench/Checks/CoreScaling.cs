using System;
using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Threading;

namespace FusedNet.Bench.Checks
{
    /// <summary>
    /// --core-scaling [ROUNDS]: what two threads can gain on this machine right now, as the ceiling for the "2 thr / 1 thr"
    /// column. Each round runs the multiply-add peak loop of --peak-fraction (widest hardware width) on one thread, then
    /// the same loop on two threads at once, in wall time, and counts the gaps over 10 µs each thread saw (time the OS or
    /// the VM host took the CPU away) while spinning on the clock. On a dedicated 2-core machine the ratio is 2.0 and the
    /// gaps are few; on a shared VM whose cores' other hardware threads run someone else's work, both move from minute to
    /// minute, so the measure is printed next to the benchmark it qualifies, not assumed.
    /// </summary>
    internal static class CoreScaling
    {
        private const int Iterations = 10_000_000;

        public static int Run(int rounds)
        {
            VectorWidth width = Vector512.IsHardwareAccelerated ? VectorWidth.Vector512
                : Vector256.IsHardwareAccelerated ? VectorWidth.Vector256 : VectorWidth.Vector128;
            double flops = PeakFraction.PeakLoopFlops(width, Iterations);
            float Peak() => PeakFraction.PeakLoop(width, Iterations);
            Peak(); // JIT and warm-up
            Console.WriteLine($"multiply-add peak loop ({width}), wall time; gaps = stretches over 10 µs without the CPU, in 0.5 s of clock polling per thread");
            Console.WriteLine($"{"round",5} {"1 thread GFLOP/s",17} {"2 threads GFLOP/s",18} {"ratio",6} {"gaps 1 thr",11} {"gaps 2 thr (each)",18}");
            for (int round = 1; round <= rounds; round++)
            {
                double one = flops / Timed(Peak) / 1e9;
                double both = 0;
                var worker = new Thread(() => both += flops / Timed(Peak) / 1e9);
                worker.Start();
                double own = flops / Timed(Peak) / 1e9;
                worker.Join();
                both += own;
                (int alone, double aloneMs) = Gaps(0.5);
                (int, double) other = default;
                var gapWorker = new Thread(() => other = Gaps(0.5));
                gapWorker.Start();
                (int mine, double mineMs) = Gaps(0.5);
                gapWorker.Join();
                Console.WriteLine($"{round,5} {one,17:F0} {both,18:F0} {both / one,6:F2} {alone,5} ({aloneMs,4:F1} ms) {mine,5}/{other.Item1} ({mineMs:F1}/{other.Item2:F1} ms)");
            }
            return 0;
        }

        private static double Timed(Func<float> work)
        {
            long start = Stopwatch.GetTimestamp();
            if (float.IsNaN(work())) Console.WriteLine("(impossible: keeps the loop alive)");
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        /// <summary>Polls the clock for <paramref name="seconds"/>: how many times, and for how long in all, it jumped by more than 10 µs.</summary>
        private static (int Count, double Milliseconds) Gaps(double seconds)
        {
            long threshold = Stopwatch.Frequency / 100_000, end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            long last = Stopwatch.GetTimestamp(), lost = 0;
            int count = 0;
            while (last < end)
            {
                long now = Stopwatch.GetTimestamp();
                if (now - last > threshold) { count++; lost += now - last; }
                last = now;
            }
            return (count, lost * 1000.0 / Stopwatch.Frequency);
        }
    }
}
