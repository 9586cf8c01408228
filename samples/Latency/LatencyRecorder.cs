using System;
using System.Diagnostics;
using System.Runtime;
using System.Runtime.CompilerServices;

namespace Latency
{
    /// <summary>
    /// One engine's measurements: a latency array allocated up front (so recording allocates nothing), plus the GC
    /// collections and bytes allocated while its blocks ran. Only the engine's own blocks are counted, so in an
    /// interleaved run each engine is charged for its own calls.
    /// </summary>
    internal sealed class LatencyRecorder
    {
        private readonly long[] _ticks;
        private GcCounters _total;

        public LatencyRecorder(InferenceEngine engine, int iterations)
        {
            Engine = engine;
            _ticks = new long[iterations];
        }

        public InferenceEngine Engine { get; }
        public int Recorded { get; private set; }
        public int Capacity => _ticks.Length;

        /// <summary>Bytes this thread allocated during the engine's blocks (GC.GetAllocatedBytesForCurrentThread).</summary>
        public long ThreadAllocatedBytes => _total.ThreadBytes;
        /// <summary>Bytes the whole process allocated during the engine's blocks (GC.GetTotalAllocatedBytes(precise: true)).</summary>
        public long ProcessAllocatedBytes => _total.ProcessBytes;
        /// <summary>GC collections (all generations counted separately, as GC.CollectionCount does) during the engine's blocks.</summary>
        public int Gen0Collections => _total.Gen0;
        public int Gen1Collections => _total.Gen1;
        public int Gen2Collections => _total.Gen2;
        /// <summary>Methods the JIT compiled (or recompiled at a higher tier) while the engine's blocks ran; 0 once tiering has settled.</summary>
        public long MethodsJitted => _total.JittedMethods;

        /// <summary>The recorded latencies in Stopwatch ticks, in call order until <see cref="SortedTicks"/> sorts them.</summary>
        public ReadOnlySpan<long> Ticks => _ticks.AsSpan(0, Recorded);

        /// <summary>Sorts the recorded latencies in place (after the run) and returns them.</summary>
        public ReadOnlySpan<long> SortedTicks()
        {
            Array.Sort(_ticks, 0, Recorded);
            return Ticks;
        }

        /// <summary>Times the next <paramref name="count"/> calls (fewer if the array is full), with GC and allocation counters around them.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per block: see InterleavedRun.RunRound
        public void RecordBlock(int count)
        {
            count = Math.Min(count, Capacity - Recorded);
            if (count == 0) return;
            GcCounters before = GcCounters.Read();
            TimeCalls(Engine, _ticks, Recorded, count);
            _total += GcCounters.Read() - before;
            Recorded += count;
        }

        /// <summary>Forgets everything recorded so far (after the warm-up, which runs through the same code).</summary>
        public void Reset()
        {
            Recorded = 0;
            _total = default;
        }

        // The timed loop: two timestamps and a store into a preallocated array per call, nothing else. Fully optimised
        // from its first call, because it runs only a few dozen times and would otherwise stay at tier 0 / OSR code.
        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
        private static void TimeCalls(InferenceEngine engine, long[] ticks, int start, int count)
        {
            int end = start + count;
            for (int i = start; i < end; i++)
            {
                long before = Stopwatch.GetTimestamp();
                engine.Infer();
                ticks[i] = Stopwatch.GetTimestamp() - before;
            }
        }

        /// <summary>The process's GC and allocation counters at one moment (a struct: reading them allocates nothing).</summary>
        private readonly record struct GcCounters(int Gen0, int Gen1, int Gen2, long ThreadBytes, long ProcessBytes, long JittedMethods)
        {
            // Thread bytes are read last on the way in and first on the way out, closest to the timed calls.
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public static GcCounters Read()
            {
                long processBytes = GC.GetTotalAllocatedBytes(precise: true);
                long jitted = JitInfo.GetCompiledMethodCount(currentThread: false);
                return new GcCounters(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
                    GC.GetAllocatedBytesForCurrentThread(), processBytes, jitted);
            }

            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public static GcCounters operator -(GcCounters a, GcCounters b) =>
                new(a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.ThreadBytes - b.ThreadBytes, a.ProcessBytes - b.ProcessBytes, a.JittedMethods - b.JittedMethods);

            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public static GcCounters operator +(GcCounters a, GcCounters b) =>
                new(a.Gen0 + b.Gen0, a.Gen1 + b.Gen1, a.Gen2 + b.Gen2, a.ThreadBytes + b.ThreadBytes, a.ProcessBytes + b.ProcessBytes, a.JittedMethods + b.JittedMethods);
        }
    }
}
