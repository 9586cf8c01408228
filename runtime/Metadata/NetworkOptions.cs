using System;

namespace FusedNet
{
    /// <summary>
    /// How a generated network runs, chosen at construction: <c>new MyNet(weights, new NetworkOptions { Threads = 2 })</c>.
    /// The defaults (one thread) are what the one-argument constructor uses.
    /// </summary>
    public sealed class NetworkOptions
    {
        /// <summary>Most threads one network instance may use.</summary>
        public const int MaxThreads = 64;

        /// <summary>Longest spin a waiting thread may be given, in microseconds.</summary>
        public const int MaxSpinMicroseconds = 10_000;

        /// <summary>The one-thread defaults.</summary>
        public static NetworkOptions Default { get; } = new NetworkOptions();

        /// <summary>
        /// Threads one inference uses, the calling thread included (1 to <see cref="MaxThreads"/>; default 1). With more
        /// than one, the instance starts <c>Threads − 1</c> worker threads at construction: a batch of one sample has each
        /// large step's output rows split between the threads; a batch of several is split by samples (each thread with
        /// its own scratch buffers, so such an instance holds <c>Threads</c> × ScratchBytes). Calls still allocate nothing.
        /// Dispose the network to stop its workers (they also stop when it is garbage collected).
        /// </summary>
        public int Threads { get; init; } = 1;

        /// <summary>
        /// How long a thread that finished its part keeps polling for the next one before it sleeps (default 50 µs; 0 =
        /// sleep at once). Within one inference the next step comes within microseconds, so a short spin saves the
        /// wake-up latency of a sleeping thread; between inferences the workers sleep, so an idle network uses no CPU.
        /// A caller that runs the network periodically can set it above the period: the workers are then awake for every
        /// call (while the caller does the first step without them, a sleeping worker's wake-up takes tens to hundreds of
        /// microseconds), at the price of a core polling between calls.
        /// </summary>
        public int SpinMicroseconds { get; init; } = 50;

        /// <summary>
        /// With several threads, the work from which a step is split between them (default 500,000): a convolution or a
        /// Linear counts its multiply-accumulates, a pass (pool, BatchNorm, activation, add) 16 per output element. A split
        /// costs about a microsecond (publishing it, the slowest thread's finish, cache lines moving between cores), so smaller
        /// steps run on the calling thread alone; a pass or depthwise convolution right after a split step is split from 1/8
        /// of this (its input is then in the cache of the thread that reads it). 0 splits every step that can be split (two
        /// rows or more; a Linear of more than 64 outputs).
        /// </summary>
        public long SplitThreshold { get; init; } = 500_000;

        /// <summary>Throws when a setting is out of range; generated constructors call it.</summary>
        /// <param name="network">The network's class name, for the message.</param>
        /// <exception cref="ArgumentOutOfRangeException">Threads, SpinMicroseconds or SplitThreshold is out of range.</exception>
        public void Validate(string network)
        {
            if (Threads < 1 || Threads > MaxThreads)
                throw new ArgumentOutOfRangeException(nameof(Threads), Threads,
                    $"{network}: NetworkOptions.Threads must be between 1 and {MaxThreads}, but is {Threads}.");
            if (SpinMicroseconds < 0 || SpinMicroseconds > MaxSpinMicroseconds)
                throw new ArgumentOutOfRangeException(nameof(SpinMicroseconds), SpinMicroseconds,
                    $"{network}: NetworkOptions.SpinMicroseconds must be between 0 and {MaxSpinMicroseconds}, but is {SpinMicroseconds}.");
            if (SplitThreshold < 0)
                throw new ArgumentOutOfRangeException(nameof(SplitThreshold), SplitThreshold,
                    $"{network}: NetworkOptions.SplitThreshold must not be negative, but is {SplitThreshold}.");
        }
    }
}
