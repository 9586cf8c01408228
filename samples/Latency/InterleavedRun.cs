using System;
using System.Diagnostics;
using System.Runtime;
using System.Runtime.CompilerServices;

namespace Latency
{
    /// <summary>
    /// Runs the engines in alternating blocks (block of engine A, block of engine B, repeated, with the order swapped
    /// every round) so that whatever else the machine does — another process, frequency changes — lands on both
    /// engines alike instead of on whichever ran second.
    /// </summary>
    internal sealed class InterleavedRun
    {
        // Tiered JIT promotes hot methods (Forward, ORT's managed wrapper, the BCL methods they call) on a background
        // thread, in steps, each about 100 ms after the previous burst of compilation. The warm-up goes on until the JIT
        // has been quiet for a while, so those compilations (and the core they take) stay out of the timed calls.
        private static readonly TimeSpan MinimumWarmup = TimeSpan.FromMilliseconds(500);
        private static readonly TimeSpan JitQuietPeriod = TimeSpan.FromMilliseconds(500);
        private static readonly TimeSpan MaximumWarmup = TimeSpan.FromSeconds(10);

        // An array, not an interface: foreach over it allocates no enumerator between blocks.
        private readonly LatencyRecorder[] _recorders;
        private readonly int _blockSize;

        public InterleavedRun(LatencyRecorder[] recorders, int blockSize)
        {
            _recorders = recorders;
            _blockSize = blockSize;
        }

        /// <summary>Warm-up calls made per engine (at least the number asked for, more if the JIT needed the time).</summary>
        public int WarmupCalls { get; private set; }
        public TimeSpan WarmupTime { get; private set; }
        /// <summary>True when the warm-up ended with the JIT quiet for <see cref="JitQuietPeriod"/>, false if it hit <see cref="MaximumWarmup"/> first.</summary>
        public bool JitSettled { get; private set; }
        public int Rounds { get; private set; }
        public TimeSpan RunTime { get; private set; }

        /// <summary>
        /// Interleaved blocks whose times are discarded, until every engine had <paramref name="calls"/>, at least
        /// <see cref="MinimumWarmup"/> has passed and no method was JIT-compiled for <see cref="JitQuietPeriod"/>
        /// (or <see cref="MaximumWarmup"/> has passed).
        /// </summary>
        public void WarmUp(int calls)
        {
            long start = Stopwatch.GetTimestamp();
            long lastJitActivity = start;
            long jitted = JitInfo.GetCompiledMethodCount(currentThread: false);
            int done = 0;
            while (Stopwatch.GetElapsedTime(start) < MaximumWarmup)
            {
                JitSettled = Stopwatch.GetElapsedTime(lastJitActivity) >= JitQuietPeriod;
                if (done >= calls && Stopwatch.GetElapsedTime(start) >= MinimumWarmup && JitSettled) break;
                // The same rounds as Measure, into the same arrays, so every method of the timed path is compiled and
                // promoted here; the recordings are cleared whenever they fill up and once more at the end.
                if (AllFull()) ResetAll();
                RunRound(reversed: false);
                done += _blockSize;
                long jittedNow = JitInfo.GetCompiledMethodCount(currentThread: false);
                if (jittedNow != jitted) (jitted, lastJitActivity) = (jittedNow, Stopwatch.GetTimestamp());
            }
            ResetAll();
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

        // This and AllFull run once per block, too rarely for tiered JIT to promote them before the timed run (it would
        // then recompile them in the middle of it): compiled fully optimised once instead.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RunRound(bool reversed)
        {
            for (int i = 0; i < _recorders.Length; i++)
                _recorders[reversed ? _recorders.Length - 1 - i : i].RecordBlock(_blockSize);
        }

        private void ResetAll()
        {
            foreach (LatencyRecorder recorder in _recorders) recorder.Reset();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool AllFull()
        {
            foreach (LatencyRecorder recorder in _recorders)
                if (recorder.Recorded < recorder.Capacity) return false;
            return true;
        }
    }
}
