using System;
using System.Collections.Generic;

namespace Latency
{
    /// <summary>
    /// Latency counts in logarithmic buckets shared by all engines: each bucket is √2 wider than the one before
    /// (two per doubling), anchored at 1 µs, so a 7 µs mode and a 5 ms outlier fit on one screen and every engine's
    /// bars line up with the others'.
    /// </summary>
    internal sealed class LogHistogram
    {
        private const int BucketsPerDoubling = 2;

        private LogHistogram(int firstIndex, string[] engines, long[][] counts)
        {
            FirstIndex = firstIndex;
            Engines = engines;
            Counts = counts;
        }

        /// <summary>Index of the first bucket: bucket k spans [2^(k/2), 2^((k+1)/2)) µs.</summary>
        private int FirstIndex { get; }
        public IReadOnlyList<string> Engines { get; }
        /// <summary>Counts[engine][bucket].</summary>
        public IReadOnlyList<long[]> Counts { get; }
        public int BucketCount => Counts[0].Length;

        public double LowerEdge(int bucket) => EdgeOf(FirstIndex + bucket);
        public double UpperEdge(int bucket) => EdgeOf(FirstIndex + bucket + 1);

        public long MaxCount()
        {
            long max = 0;
            foreach (long[] counts in Counts)
                foreach (long c in counts) max = Math.Max(max, c);
            return max;
        }

        /// <summary>Buckets latencies (microseconds) of each engine over the range all of them cover.</summary>
        public static LogHistogram Build(IReadOnlyList<(string Engine, double[] Microseconds)> samples)
        {
            int first = int.MaxValue, last = int.MinValue;
            foreach (var (_, values) in samples)
                foreach (double v in values)
                {
                    int index = IndexOf(v);
                    first = Math.Min(first, index);
                    last = Math.Max(last, index);
                }
            var engines = new string[samples.Count];
            var counts = new long[samples.Count][];
            for (int e = 0; e < samples.Count; e++)
            {
                engines[e] = samples[e].Engine;
                counts[e] = new long[last - first + 1];
                foreach (double v in samples[e].Microseconds) counts[e][IndexOf(v) - first]++;
            }
            return new LogHistogram(first, engines, counts);
        }

        private static int IndexOf(double microseconds) =>
            (int)Math.Floor(Math.Log2(Math.Max(microseconds, 1e-3)) * BucketsPerDoubling);

        private static double EdgeOf(int index) => Math.Pow(2, (double)index / BucketsPerDoubling);
    }
}
