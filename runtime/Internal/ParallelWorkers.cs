using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace FusedNet.Internal
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// What a generated network runs on its worker threads: a range of one step's output rows, or a range of a batch's samples.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IParallelBody
    {
        /// <summary>
        /// Runs output rows [<paramref name="rowBegin"/>, <paramref name="rowEnd"/>) of the step <paramref name="job"/> names, as
        /// thread <paramref name="part"/> (0 is the caller): a step that needs a workspace uses that thread's own.
        /// </summary>
        void RunRows(int job, int rowBegin, int rowEnd, int part);

        /// <summary>
        /// Runs samples [<paramref name="firstSample"/>, <paramref name="endSample"/>) of a batch through the path
        /// <paramref name="job"/> names, with the scratch buffers of thread <paramref name="part"/>.
        /// </summary>
        void RunSamples(int job, ref float batchInput, ref float batchOutput, int firstSample, int endSample, int part);
    }

    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// A fixed team of worker threads for one network instance: the calling thread runs part 0 of each job, the workers
    /// the others, and the call returns when all parts are done. Workers that finish poll for the next job for a short
    /// spin (the next step of the same inference comes within microseconds), then sleep on a monitor: an idle network
    /// uses no CPU. Nothing is allocated per job. Dispose (or garbage collection) stops the threads.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed unsafe class ParallelWorkers : IDisposable
    {
        // The threads reference only the team, never this object, so an unreachable network's workers are stopped by the finalizer.
        private readonly Team _team;

        /// <summary>Starts <paramref name="threads"/> − 1 background worker threads named after <paramref name="network"/>.</summary>
        public ParallelWorkers(int threads, int spinMicroseconds, string network)
        {
            if (threads < 2) throw new ArgumentOutOfRangeException(nameof(threads), threads, "a worker team needs at least 2 threads");
            _team = new Team(threads, spinMicroseconds, network);
        }

        /// <summary>Threads that share each job, the caller included.</summary>
        public int Threads => _team.Parts;

        /// <summary>Bytes the worker threads have allocated since they started (each as of its last finished part), for tests.</summary>
        internal long WorkerAllocatedBytes => _team.WorkerAllocatedBytes;

        /// <summary>Stops the worker threads.</summary>
        ~ParallelWorkers() => _team.Stop();

        /// <summary>Stops the worker threads; a later job throws ObjectDisposedException.</summary>
        public void Dispose()
        {
            _team.Stop();
            GC.SuppressFinalize(this);
        }

        /// <summary>
        /// Makes sleeping workers poll again, so the OS wake-up latency overlaps with the caller's serial work (the input copy)
        /// instead of delaying the first parallel step.
        /// </summary>
        public void WakeUp() => _team.WakeUp();

        /// <summary>Splits <paramref name="rows"/> output rows of step <paramref name="job"/> between the threads and waits for all.</summary>
        public void RunRows(IParallelBody body, int job, int rows)
        {
            ObjectDisposedException.ThrowIf(_team.Stopped, this);
            _team.Run(body, job, rows, samples: false, 0, 0);
        }

        /// <summary>
        /// Splits a batch of <paramref name="batchSize"/> samples between the threads (contiguous ranges) and waits for all.
        /// The spans are pinned for the duration, so the workers can read and write them.
        /// </summary>
        public void RunSamples(IParallelBody body, int job, ReadOnlySpan<float> input, Span<float> output, int batchSize)
        {
            ObjectDisposedException.ThrowIf(_team.Stopped, this);
            fixed (float* inputStart = input)
            fixed (float* outputStart = output)
                _team.Run(body, job, batchSize, samples: true, (nint)inputStart, (nint)outputStart);
        }

        private sealed class Team
        {
            private readonly long _spinTicks;
            private readonly object _workGate = new object(), _doneGate = new object();

            // The current job, written by the caller before it publishes a new generation.
            private IParallelBody? _body;
            private int _job, _units;
            private bool _samples;
            private nint _input, _output;
            private Exception? _failure;

            private long _generation;   // +1 per job (and at Stop): what workers wait for
            private long _wakeUps;      // +1 per WakeUp: sends sleeping workers back to polling
            private int _remaining;     // worker parts of the current job not yet finished
            private int _sleepers;      // workers inside the monitor wait
            private int _callerWaiting; // 1 while the caller sleeps until _remaining is 0
            private volatile bool _stopping;
            private readonly long[] _allocatedByWorker; // GC.GetAllocatedBytesForCurrentThread of each worker after its last part

            public Team(int parts, int spinMicroseconds, string network)
            {
                Parts = parts;
                _spinTicks = spinMicroseconds * Stopwatch.Frequency / 1_000_000;
                _allocatedByWorker = new long[parts];
                for (int part = 1; part < parts; part++)
                {
                    var thread = new Thread(WorkerLoop) { IsBackground = true, Name = $"FusedNet {network} worker {part}" };
                    thread.Start(part);
                }
            }

            public int Parts { get; }

            public long WorkerAllocatedBytes
            {
                get
                {
                    long sum = 0;
                    for (int part = 1; part < Parts; part++) sum += Volatile.Read(ref _allocatedByWorker[part]);
                    return sum;
                }
            }
            public bool Stopped => _stopping;

            public void Run(IParallelBody body, int job, int units, bool samples, nint input, nint output)
            {
                _body = body;
                _job = job;
                _units = units;
                _samples = samples;
                _input = input;
                _output = output;
                _failure = null;
                Volatile.Write(ref _remaining, Parts - 1);
                // Full fence: the job fields above are visible to a worker before it sees the new generation, and the
                // sleeper count below is read after (a worker counts itself as a sleeper before it rechecks the generation).
                Interlocked.Increment(ref _generation);
                if (Volatile.Read(ref _sleepers) > 0)
                    lock (_workGate) Monitor.PulseAll(_workGate);

                Exception? own = null;
                try { Execute(0); }
                catch (Exception e) { own = e; }
                WaitForWorkers();
                _body = null; // the team must not keep the network alive between calls
                if (own is not null) ExceptionDispatchInfo.Capture(own).Throw();
                if (_failure is not null)
                    throw new InvalidOperationException("A FusedNet worker thread failed while running a step: " + _failure.Message, _failure);
            }

            /// <summary>Runs part <paramref name="part"/> of the current job: an even share of its rows or samples (maybe none).</summary>
            private void Execute(int part)
            {
                int begin = (int)((long)_units * part / Parts), end = (int)((long)_units * (part + 1) / Parts);
                if (begin == end) return;
                if (_samples)
                    _body!.RunSamples(_job, ref Unsafe.AsRef<float>((void*)_input), ref Unsafe.AsRef<float>((void*)_output), begin, end, part);
                else
                    _body!.RunRows(_job, begin, end, part);
            }

            private void WorkerLoop(object? state)
            {
                int part = (int)state!;
                long seen = 0;
                while (true)
                {
                    seen = WaitForJob(seen);
                    if (_stopping) return;
                    try { Execute(part); }
                    catch (Exception e) { Interlocked.CompareExchange(ref _failure, e, null); }
                    Volatile.Write(ref _allocatedByWorker[part], GC.GetAllocatedBytesForCurrentThread());
                    // Full fence, then the check: either the caller sees _remaining = 0 before it sleeps, or we see it asleep.
                    if (Interlocked.Decrement(ref _remaining) == 0 && Volatile.Read(ref _callerWaiting) != 0)
                        lock (_doneGate) Monitor.PulseAll(_doneGate);
                }
            }

            /// <summary>Polls for a generation after <paramref name="seen"/> for the spin time, then sleeps until one is published.</summary>
            private long WaitForJob(long seen)
            {
                while (true)
                {
                    long generation = Spin(ref _generation, seen);
                    if (generation != seen) return generation;
                    lock (_workGate)
                    {
                        long wakeUps = Volatile.Read(ref _wakeUps);
                        Interlocked.Increment(ref _sleepers);
                        while ((generation = Volatile.Read(ref _generation)) == seen && Volatile.Read(ref _wakeUps) == wakeUps)
                            Monitor.Wait(_workGate);
                        Interlocked.Decrement(ref _sleepers);
                    }
                    if (generation != seen) return generation;
                    // Woken by WakeUp: poll again for a spin, the job is on its way.
                }
            }

            /// <summary>Polls <paramref name="value"/> until it differs from <paramref name="unchanged"/> or the spin time is over.</summary>
            private long Spin(ref long value, long unchanged)
            {
                long current = Volatile.Read(ref value);
                if (current != unchanged || _spinTicks == 0) return current;
                long start = Stopwatch.GetTimestamp();
                for (int polls = 1; ; polls++)
                {
                    Thread.SpinWait(4);
                    current = Volatile.Read(ref value);
                    if (current != unchanged) return current;
                    if ((polls & 31) == 0 && Stopwatch.GetTimestamp() - start > _spinTicks) return current;
                }
            }

            private void WaitForWorkers()
            {
                if (Volatile.Read(ref _remaining) == 0) return;
                long start = Stopwatch.GetTimestamp();
                for (int polls = 1; _spinTicks > 0; polls++)
                {
                    Thread.SpinWait(4);
                    if (Volatile.Read(ref _remaining) == 0) return;
                    if ((polls & 31) == 0 && Stopwatch.GetTimestamp() - start > _spinTicks) break;
                }
                lock (_doneGate)
                {
                    Interlocked.Exchange(ref _callerWaiting, 1);
                    while (Volatile.Read(ref _remaining) != 0) Monitor.Wait(_doneGate);
                    Volatile.Write(ref _callerWaiting, 0);
                }
            }

            public void WakeUp()
            {
                if (Volatile.Read(ref _sleepers) == 0) return;
                lock (_workGate)
                {
                    Interlocked.Increment(ref _wakeUps);
                    Monitor.PulseAll(_workGate);
                }
            }

            public void Stop()
            {
                if (_stopping) return;
                _stopping = true;
                Interlocked.Increment(ref _generation);
                lock (_workGate) Monitor.PulseAll(_workGate);
            }
        }
    }
}
