using System;
using System.Diagnostics;

namespace Latency
{
    /// <summary>Percentiles of one engine's latencies, in microseconds, from the sorted recording.</summary>
    internal sealed class LatencySummary
    {
        private LatencySummary(string engine, int count, double min, double p50, double p90, double p99, double p999, double max, double mean)
        {
            Engine = engine;
            Count = count;
            Min = min;
            P50 = p50;
            P90 = p90;
            P99 = p99;
            P999 = p999;
            Max = max;
            Mean = mean;
        }

        public string Engine { get; }
        public int Count { get; }
        public double Min { get; }
        public double P50 { get; }
        public double P90 { get; }
        public double P99 { get; }
        /// <summary>p99.9: one call in a thousand is slower than this.</summary>
        public double P999 { get; }
        public double Max { get; }
        public double Mean { get; }

        /// <summary>Summarises latencies already sorted ascending (Stopwatch ticks).</summary>
        public static LatencySummary FromSorted(string engine, ReadOnlySpan<long> sortedTicks)
        {
            if (sortedTicks.IsEmpty) throw new ArgumentException("no latencies recorded", nameof(sortedTicks));
            long sum = 0;
            foreach (long t in sortedTicks) sum += t;
            return new LatencySummary(engine, sortedTicks.Length,
                ToMicroseconds(sortedTicks[0]),
                Percentile(sortedTicks, 0.50),
                Percentile(sortedTicks, 0.90),
                Percentile(sortedTicks, 0.99),
                Percentile(sortedTicks, 0.999),
                ToMicroseconds(sortedTicks[^1]),
                ToMicroseconds(sum) / sortedTicks.Length);
        }

        public static double ToMicroseconds(double ticks) => ticks * 1e6 / Stopwatch.Frequency;

        // Nearest rank: the smallest recorded latency with at least fraction·n of the calls at or below it.
        private static double Percentile(ReadOnlySpan<long> sorted, double fraction)
        {
            int rank = (int)Math.Ceiling(fraction * sorted.Length);
            return ToMicroseconds(sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)]);
        }
    }
}
