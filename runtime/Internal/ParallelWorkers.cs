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

        /// <summary>
        /// Runs rows [<paramref name="rowBegin"/>, <paramref name="rowEnd"/>) of the job <paramref name="job"/> names that reads
        /// the caller's input sample (the input copy), as thread <paramref name="part"/>. Bodies generated before this member
        /// existed never start such a job.
        /// </summary>
        void RunInputRows(int job, ref float input, int rowBegin, int rowEnd, int part) =>
            throw new NotSupportedException($"{GetType().Name} runs no input-row jobs (job {job}).");

        /// <summary>
        /// Runs rows [<paramref name="rowBegin"/>, <paramref name="rowEnd"/>) of the job <paramref name="job"/> names that writes
        /// the caller's output sample (the output copy), as thread <paramref name="part"/>. Bodies generated before this member
        /// existed never start such a job.
        /// </summary>
        void RunOutputRows(int job, ref float output, int rowBegin, int rowEnd, int part) =>
            throw new NotSupportedException($"{GetType().Name} runs no output-row jobs (job {job}).");
    }

    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// A fixed team of worker threads for one network instance: the calling thread and the workers share each job's units
    /// (rows, passes, work items or samples), and the call returns when every unit is done. Each thread first takes its own
    /// even share in chunks from the front (the same share every job, so a thread mostly reads rows it wrote itself in the
    /// step before); a thread whose share is done takes chunks from the back of another's. So a thread that the OS or the
    /// hypervisor holds back, or a worker still waking up, delays a step by at most the chunk it is in, not by its share.
    /// Which thread computes a unit never changes its result. Workers that finish poll for the next job for a short spin
    /// (the next step of the same inference comes within microseconds), then sleep on a monitor: an idle network uses no
    /// CPU. Nothing is allocated per job. Dispose (or garbage collection) stops the threads.
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

        /// <summary>Bytes the worker threads have allocated since they started (each as of its last finished chunk), for tests.</summary>
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

        /// <summary>
        /// Shares <paramref name="units"/> units (rows, passes or work items) of job <paramref name="job"/> between the
        /// threads and waits for all. Each thread's share is cut into about <paramref name="chunksPerThread"/> chunks: more
        /// chunks balance better when a thread is held back; fewer keep more of a kernel's weight reuse (and, in a row
        /// pipeline, recompute fewer rows at chunk edges).
        /// </summary>
        public void RunRows(IParallelBody body, int job, int units, int chunksPerThread)
        {
            ObjectDisposedException.ThrowIf(_team.Stopped, this);
            _team.Run(body, job, units, chunksPerThread, samples: false, 0, 0);
        }

        /// <summary>
        /// Like <see cref="RunRows"/> for a job that reads the caller's <paramref name="input"/> sample (each thread copies the
        /// input rows the next step's share of it reads, so they are in that thread's cache). The span is pinned for the duration.
        /// </summary>
        public void RunInputRows(IParallelBody body, int job, ReadOnlySpan<float> input, int units, int chunksPerThread)
        {
            ObjectDisposedException.ThrowIf(_team.Stopped, this);
            if (input.IsEmpty) throw new ArgumentException("ParallelWorkers.RunInputRows: the input sample is empty.", nameof(input));
            fixed (float* inputStart = input)
                _team.Run(body, job, units, chunksPerThread, samples: false, (nint)inputStart, 0);
        }

        /// <summary>
        /// Like <see cref="RunRows"/> for a job that writes the caller's <paramref name="output"/> sample (each thread copies out
        /// the rows the last step's share of it wrote, while they are in that thread's cache). The span is pinned for the duration.
        /// </summary>
        public void RunOutputRows(IParallelBody body, int job, Span<float> output, int units, int chunksPerThread)
        {
            ObjectDisposedException.ThrowIf(_team.Stopped, this);
            if (output.IsEmpty) throw new ArgumentException("ParallelWorkers.RunOutputRows: the output sample is empty.", nameof(output));
            fixed (float* outputStart = output)
                _team.Run(body, job, units, chunksPerThread, samples: false, 0, (nint)outputStart);
        }

        /// <summary>
        /// Shares a batch of <paramref name="batchSize"/> samples between the threads (one sample per chunk) and waits for all.
        /// The spans are pinned for the duration, so the workers can read and write them.
        /// </summary>
        public void RunSamples(IParallelBody body, int job, ReadOnlySpan<float> input, Span<float> output, int batchSize)
        {
            ObjectDisposedException.ThrowIf(_team.Stopped, this);
            fixed (float* inputStart = input)
            fixed (float* outputStart = output)
                _team.Run(body, job, batchSize, chunksPerThread: int.MaxValue, samples: true, (nint)inputStart, (nint)outputStart);
        }

        private sealed class Team
        {
            // Each thread's unclaimed units [next, end) of the current job, packed as end << 32 | next, one per cache line
            // (the owner claims from next, other threads from end, both by compare-and-swap).
            private const int RangeStride = 8;
            private readonly long[] _ranges;
            private readonly long _spinTicks, _stealAfterTicks;

            /// <summary>
            /// How long a thread whose share is done waits before it takes chunks from the others: longer than threads sharing
            /// a step evenly finish apart, shorter than a preemption (tens of microseconds and more on a shared VM).
            /// </summary>
            private const int StealAfterMicroseconds = 4;
            private readonly object _workGate = new object();

            // The current job, written by the caller before it publishes the ranges and a new generation.
            private IParallelBody? _body;
            private int _job, _grain;
            private bool _samples;
            private nint _input, _output;
            private Exception? _callerFailure, _workerFailure;

            private long _generation;   // +1 per job (and at Stop): what workers wait for
            private long _wakeUps;      // +1 per WakeUp: sends sleeping workers back to polling
            private int _unitsLeft;     // units of the current job not yet finished
            private int _sleepers;      // workers inside the monitor wait
            private bool _wakePending;  // pulsed, and no worker has entered or left the wait since (see WakeSleepers)
            private int _wakerCpu = -1; // the CPU the last pulse was sent from
            private volatile bool _stopping;
            private readonly long[] _allocatedByWorker; // GC.GetAllocatedBytesForCurrentThread of each worker after its last chunk

            public Team(int parts, int spinMicroseconds, string network)
            {
                Parts = parts;
                _spinTicks = spinMicroseconds * Stopwatch.Frequency / 1_000_000;
                _stealAfterTicks = StealAfterMicroseconds * Stopwatch.Frequency / 1_000_000;
                _ranges = new long[(parts + 1) * RangeStride];
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

            public void Run(IParallelBody body, int job, int units, int chunksPerThread, bool samples, nint input, nint output)
            {
                if (units <= 0) return;
                _body = body;
                _job = job;
                _grain = (int)Math.Max(1, units / ((long)Parts * Math.Max(1, chunksPerThread)));
                _samples = samples;
                _input = input;
                _output = output;
                _callerFailure = null;
                _workerFailure = null;
                Volatile.Write(ref _unitsLeft, units);
                // Release writes: a thread that claims a unit from a range sees the job fields above. A worker still late
                // from the previous job can only claim units of this one (the previous job's ranges were all empty before
                // this call began), and runs them with this job's fields, so a late claim is never wrong.
                for (int part = 0; part < Parts; part++)
                    Volatile.Write(ref _ranges[(part + 1) * RangeStride], Pack((int)((long)units * part / Parts), (int)((long)units * (part + 1) / Parts)));
                // Full fence: the ranges are visible before the new generation, and the sleeper count below is read after
                // (a worker counts itself as a sleeper before it rechecks the generation).
                Interlocked.Increment(ref _generation);
                WakeSleepers(newJob: true);

                RunChunks(0);
                WaitForUnits();
                _body = null; // the team must not keep the network alive between calls
                if (_callerFailure is { } own) ExceptionDispatchInfo.Capture(own).Throw();
                if (_workerFailure is { } failure)
                    throw new InvalidOperationException("A FusedNet worker thread failed while running a step: " + failure.Message, failure);
            }

            /// <summary>
            /// Runs chunks of the current job as thread <paramref name="part"/>: its own share first; then, if the others are
            /// not done within <see cref="StealAfterMicroseconds"/>, chunks left in their shares.
            /// </summary>
            private void RunChunks(int part)
            {
                int begin, end, done = 0;
                while (Claim(part, fromBack: false, out begin, out end)) done += RunChunk(part, begin, end);
                if (Finish(done) || OthersFinishWithin(_stealAfterTicks)) return;
                done = 0;
                for (int k = 1; k < Parts; k++)
                {
                    int victim = (part + k) % Parts;
                    while (Claim(victim, fromBack: true, out begin, out end)) done += RunChunk(part, begin, end);
                }
                Finish(done);
            }

            /// <summary>
            /// Counts <paramref name="done"/> units as finished (one update of the shared count per thread and round, not per
            /// chunk, so its cache line does not bounce between the threads); true when the whole job is done.
            /// </summary>
            private bool Finish(int done)
            {
                if (done == 0) return Volatile.Read(ref _unitsLeft) == 0;
                return Interlocked.Add(ref _unitsLeft, -done) == 0;
            }

            /// <summary>
            /// Polls for the end of the job for <paramref name="ticks"/>. Threads that share a step evenly finish within
            /// microseconds of each other; looking into another thread's share (its cache line) only when one is held back
            /// longer keeps an undisturbed step free of that traffic.
            /// </summary>
            private bool OthersFinishWithin(long ticks)
            {
                long start = Stopwatch.GetTimestamp();
                for (int polls = 1; ; polls++)
                {
                    if (Volatile.Read(ref _unitsLeft) == 0) return true;
                    if ((polls & 7) == 0 && Stopwatch.GetTimestamp() - start > ticks) return false;
                    Thread.SpinWait(4);
                }
            }

            /// <summary>Runs one chunk; returns its unit count.</summary>
            private int RunChunk(int part, int begin, int end)
            {
                try
                {
                    if (_samples)
                        _body!.RunSamples(_job, ref Unsafe.AsRef<float>((void*)_input), ref Unsafe.AsRef<float>((void*)_output), begin, end, part);
                    else if (_input != 0)
                        _body!.RunInputRows(_job, ref Unsafe.AsRef<float>((void*)_input), begin, end, part);
                    else if (_output != 0)
                        _body!.RunOutputRows(_job, ref Unsafe.AsRef<float>((void*)_output), begin, end, part);
                    else
                        _body!.RunRows(_job, begin, end, part);
                }
                catch (Exception e)
                {
                    if (part == 0) _callerFailure ??= e;
                    else Interlocked.CompareExchange(ref _workerFailure, e, null);
                }
                if (part > 0) Volatile.Write(ref _allocatedByWorker[part], GC.GetAllocatedBytesForCurrentThread());
                return end - begin;
            }

            private static long Pack(int next, int end) => (long)end << 32 | (uint)next;

            /// <summary>
            /// Takes up to one grain of units from thread <paramref name="part"/>'s unclaimed range: from the front (the
            /// owner's own claims) or the back (a thread whose own share is done); false when it is empty.
            /// </summary>
            private bool Claim(int part, bool fromBack, out int begin, out int end)
            {
                ref long range = ref _ranges[(part + 1) * RangeStride];
                while (true)
                {
                    long state = Volatile.Read(ref range);
                    int next = (int)state, last = (int)(state >> 32);
                    if (next >= last) { begin = end = 0; return false; }
                    int take = Math.Min(_grain, last - next);
                    (begin, end) = fromBack ? (last - take, last) : (next, next + take);
                    long claimed = fromBack ? Pack(next, last - take) : Pack(next + take, last);
                    if (Interlocked.CompareExchange(ref range, claimed, state) == state) return true;
                }
            }

            private void WorkerLoop(object? state)
            {
                int part = (int)state!;
                long seen = 0;
                while (true)
                {
                    seen = WaitForJob(seen);
                    if (_stopping) return;
                    RunChunks(part);
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
                        _wakePending = false; // a new sleeper: the next job or WakeUp must pulse again
                        while ((generation = Volatile.Read(ref _generation)) == seen && Volatile.Read(ref _wakeUps) == wakeUps)
                            Monitor.Wait(_workGate);
                        Interlocked.Decrement(ref _sleepers);
                        _wakePending = false;
                    }
                    // Woken onto the CPU of the thread that woke us, we would only preempt it (see CpuPlacement).
                    int wakerCpu = Volatile.Read(ref _wakerCpu);
                    if (Thread.GetCurrentProcessorId() == wakerCpu) CpuPlacement.MoveOff(wakerCpu);
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

            /// <summary>
            /// Waits until every unit of the current job is done: only chunks other threads are running remain (the rest were
            /// taken over). The caller polls and never sleeps here: it is inside Forward either way, and a sleeping caller
            /// would add an OS wake-up (tens to hundreds of microseconds on a VM) to the step. It yields now and then, so a
            /// worker that shares its core gets it.
            /// </summary>
            private void WaitForUnits()
            {
                for (int polls = 1; Volatile.Read(ref _unitsLeft) != 0; polls++)
                {
                    if ((polls & 63) == 0) Thread.Yield();
                    else Thread.SpinWait(4);
                }
            }

            public void WakeUp() => WakeSleepers(newJob: false);

            /// <summary>
            /// Pulses the sleeping workers after a new job (whose generation is already published) or for WakeUp. One pulse
            /// is sent until a worker enters or leaves the wait: a worker the OS is still waking needs no second one, and each
            /// pulse is a system call that can hand the caller's CPU to the woken worker.
            /// </summary>
            private void WakeSleepers(bool newJob)
            {
                if (Volatile.Read(ref _sleepers) == 0 || Volatile.Read(ref _wakePending)) return;
                lock (_workGate)
                {
                    if (_sleepers == 0 || _wakePending) return;
                    if (!newJob) Interlocked.Increment(ref _wakeUps);
                    _wakePending = true;
                    Volatile.Write(ref _wakerCpu, Thread.GetCurrentProcessorId());
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
