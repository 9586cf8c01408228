using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using FusedNet.Bench.Networks;

namespace FusedNet.Bench.Checks
{
    /// <summary>
    /// Two timings of one and two threads that BenchmarkDotNet's back-to-back loop does not show (no ORT, FusedNet fused path):
    /// <list type="bullet">
    /// <item>--thread-ratio NET [SECONDS]: a 1-thread and a 2-thread instance timed in alternating rounds of ~20 ms, so a
    /// change in the machine's state hits both alike; medians of the rounds.</item>
    /// <item>--periodic NET [PERIOD_MS [CALLS [SPIN_US]]]: one call every PERIOD_MS (default 2 ms, 1,000 calls), as an app's
    /// frame loop makes them: the workers sleep between calls (unless SPIN_US, NetworkOptions.SpinMicroseconds, is longer
    /// than the period), so each call pays their wake-up. Per-call latency percentiles, 1 then 2 threads.</item>
    /// </list>
    /// With --with-load BUSY_US,PERIOD_US a background thread of this process spins BUSY_US out of every PERIOD_US, like
    /// another thread of the application sharing the cores.
    /// </summary>
    internal static class ThreadTiming
    {
        public static int Ratio(string networkName, double seconds, (int Busy, int Period)? load)
        {
            if (BenchNetworks.Parse(networkName) is not { } bench) return 2;
            using var background = BackgroundLoad.Start(load);
            IFusedNetwork one = Create(bench, 1, 50), two = Create(bench, 2, 50);
            float[] input = RandomWeights.RandomInput(one.InputLength, PreparedNetwork.InputSeed), output = new float[one.OutputLength];
            for (int i = 0; i < 20; i++) { one.Forward(input, output); two.Forward(input, output); }
            long start = Stopwatch.GetTimestamp();
            one.Forward(input, output);
            int calls = Math.Max(3, (int)(0.02 / Stopwatch.GetElapsedTime(start).TotalSeconds));
            var oneRounds = new List<double>();
            var twoRounds = new List<double>();
            var total = Stopwatch.StartNew();
            while (total.Elapsed.TotalSeconds < seconds)
            {
                oneRounds.Add(RoundMicros(one, input, output, calls));
                twoRounds.Add(RoundMicros(two, input, output, calls));
            }
            double a = Median(oneRounds), b = Median(twoRounds);
            Console.WriteLine($"{bench.Key}{LoadText(load)}: 1 thread {a:F1} µs, 2 threads {b:F1} µs, 2 thr / 1 thr {a / b:F2} " +
                $"(medians of {oneRounds.Count} alternating rounds of {calls} calls)");
            (one as IDisposable)?.Dispose();
            (two as IDisposable)?.Dispose();
            return 0;
        }

        public static int Periodic(string networkName, double periodMs, int calls, int spinMicroseconds, (int Busy, int Period)? load)
        {
            if (BenchNetworks.Parse(networkName) is not { } bench) return 2;
            using var background = BackgroundLoad.Start(load);
            Console.WriteLine($"{bench.Key}{LoadText(load)}: one call every {periodMs} ms, {calls} calls, SpinMicroseconds {spinMicroseconds}; latency per call (µs)");
            foreach (int threads in new[] { 1, 2 })
            {
                IFusedNetwork network = Create(bench, threads, spinMicroseconds);
                float[] input = RandomWeights.RandomInput(network.InputLength, PreparedNetwork.InputSeed), output = new float[network.OutputLength];
                for (int i = 0; i < 50; i++) network.Forward(input, output);
                var micros = new double[calls];
                for (int i = 0; i < calls; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    network.Forward(input, output);
                    micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                    Thread.Sleep(TimeSpan.FromMilliseconds(periodMs));
                }
                Array.Sort(micros);
                Console.WriteLine($"  {threads} thread(s): p50 {micros[calls / 2],8:F1}  p90 {micros[calls * 9 / 10],8:F1}  p99 {micros[calls * 99 / 100],8:F1}  max {micros[calls - 1],8:F1}");
                (network as IDisposable)?.Dispose();
            }
            return 0;
        }

        private static IFusedNetwork Create(BenchNetwork bench, int threads, int spinMicroseconds) =>
            bench.Create(RandomWeights.Create(bench.ExpectedWeights, PreparedNetwork.WeightSeed), threads, spinMicroseconds);

        private static double RoundMicros(IFusedNetwork network, float[] input, float[] output, int calls)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) network.Forward(input, output);
            return Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
        }

        internal static double Median(List<double> values)
        {
            double[] sorted = values.OrderBy(v => v).ToArray();
            return sorted[sorted.Length / 2];
        }

        private static string LoadText((int Busy, int Period)? load) =>
            load is { } l ? $" with a background thread busy {l.Busy} µs of every {l.Period} µs" : "";

        /// <summary>Parses --with-load BUSY_US,PERIOD_US; null without the option; throws on a malformed one.</summary>
        public static (int Busy, int Period)? ParseLoad(List<string> args)
        {
            int at = args.IndexOf("--with-load");
            if (at < 0) return null;
            string[] parts = at + 1 < args.Count ? args[at + 1].Split(',') : Array.Empty<string>();
            if (parts.Length == 2 && int.TryParse(parts[0], out int busy) && int.TryParse(parts[1], out int period) && busy > 0 && period > busy)
            {
                args.RemoveRange(at, 2);
                return (busy, period);
            }
            throw new ArgumentException("--with-load needs BUSY_US,PERIOD_US with 0 < BUSY_US < PERIOD_US, e.g. --with-load 200,1000");
        }

        /// <summary>A background thread that spins for Busy µs, then sleeps for the rest of each Period µs, until disposed.</summary>
        private sealed class BackgroundLoad : IDisposable
        {
            private volatile bool _stop;
            private readonly Thread _thread;

            private BackgroundLoad((int Busy, int Period) load)
            {
                _thread = new Thread(() =>
                {
                    while (!_stop)
                    {
                        long start = Stopwatch.GetTimestamp();
                        while (Stopwatch.GetElapsedTime(start).TotalMicroseconds < load.Busy) Thread.SpinWait(20);
                        Thread.Sleep(TimeSpan.FromMicroseconds(load.Period - load.Busy));
                    }
                }) { IsBackground = true, Name = "bench background load" };
                _thread.Start();
            }

            public static BackgroundLoad? Start((int Busy, int Period)? load) => load is { } l ? new BackgroundLoad(l) : null;

            public void Dispose()
            {
                _stop = true;
                _thread.Join();
            }
        }
    }
}
