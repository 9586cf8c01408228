using System;
using System.Diagnostics;

namespace Latency
{
    /// <summary>
    /// Runs the engines in alternating blocks (block of engine A, block of engine B, repeated, with the order swapped
    /// every round) so that whatever else the machine does — another process, frequency changes — lands on both
    /// engines alike instead of on whichever ran second.
    /// </summary>
    internal sealed class InterleavedRun
    {
        // Tiered JIT promotes hot methods (Forward, ORT's managed wrapper) in the background about 100 ms after start-up
        // activity settles; warming for at least this long keeps that promotion out of the timed calls.
        private static readonly TimeSpan MinimumWarmup = TimeSpan.FromMilliseconds(500);

        // An array, not an interface: foreach over it allocates no enumerator between blocks.
        private readonly LatencyRecorder[] _recorders;
        private readonly int _blockSize;

        public InterleavedRun(LatencyRecorder[] recorders, int blockSize)
        {
            _recorders = recorders;
            _blockSize = blockSize;
        }

        /// <summary>Warm-up calls made per engine (at least the number asked for, more if the minimum time needed them).</summary>
        public int WarmupCalls { get; private set; }
        public TimeSpan WarmupTime { get; private set; }
        public int Rounds { get; private set; }
        public TimeSpan RunTime { get; private set; }

        /// <summary>Interleaved blocks whose times are discarded, until every engine had <paramref name="calls"/> and <see cref="MinimumWarmup"/> has passed.</summary>
        public void WarmUp(int calls)
        {
            long start = Stopwatch.GetTimestamp();
            int done = 0;
            while (done < calls || Stopwatch.GetElapsedTime(start) < MinimumWarmup)
            {
                int block = done < calls ? Math.Min(_blockSize, calls - done) : _blockSize;
                foreach (LatencyRecorder recorder in _recorders) recorder.WarmBlock(block);
                done += block;
            }
            WarmupCalls = done;
            WarmupTime = Stopwatch.GetElapsedTime(start);
        }

        /// <summary>The timed run: blocks until every recorder is full. A full collection first, so no debt from setup is paid during the run.</summary>
        public void Measure()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            long start = Stopwatch.GetTimestamp();
            for (int round = 0; !AllFull(); round++)
            {
                RunRound(reversed: round % 2 == 1);
                Rounds = round + 1;
            }
            RunTime = Stopwatch.GetElapsedTime(start);
        }

        private void RunRound(bool reversed)
        {
            for (int i = 0; i < _recorders.Length; i++)
                _recorders[reversed ? _recorders.Length - 1 - i : i].RecordBlock(_blockSize);
        }

        private bool AllFull()
        {
            foreach (LatencyRecorder recorder in _recorders)
                if (recorder.Recorded < recorder.Capacity) return false;
            return true;
        }
    }
}
