namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// How many chunks ParallelWorkers cuts each thread's share of a step into (its last RunRows argument). Each thread runs
    /// its own share chunk by chunk and then takes chunks left in another thread's share, so a thread the OS or the
    /// hypervisor holds back delays the step by at most one chunk. More chunks balance better; each chunk boundary costs
    /// what the kernel reuses within one call, so the count depends on the kind of step.
    /// </summary>
    internal static class ChunksPerThread
    {
        /// <summary>
        /// Direct convolution rows: the kernel runs output-channel blocks outside rows, so a block's weights are read once per
        /// call; two chunks per thread re-read them once more.
        /// </summary>
        public const int ConvRows = 2;

        /// <summary>Rows of a pool or elementwise pass: nothing is reused across rows.</summary>
        public const int PassRows = 4;

        /// <summary>Rows of the input copy: nothing is reused across rows.</summary>
        public const int InputRows = 4;

        /// <summary>Rows of the output copy: nothing is reused across rows.</summary>
        public const int OutputRows = 4;

        /// <summary>Output units of a Linear: each unit reads its own weights and the (shared, small) input vector.</summary>
        public const int LinearUnits = 4;

        /// <summary>Winograd passes: each is already several tile rows with their own transforms.</summary>
        public const int Passes = 4;

        /// <summary>(output vector, row) items of a large or few-row direct conv: consecutive items share a block's weights.</summary>
        public const int Items = 4;

        /// <summary>
        /// Winograd output-channel units: every chunk repeats the input transform of all tile rows, and a share cut in two
        /// leaves ResNet-18's layer2 chunks of 2 output vectors, narrower than the register block (4). One chunk per thread
        /// (a share not yet started is still taken over): two threads, per-step medians (Zen 5, AVX-512, alternating builds)
        /// layer2 421-471 -> 351-396 µs, layer3 589-605 -> 502-537 µs.
        /// </summary>
        public const int ChannelUnits = 1;

        /// <summary>
        /// Rows of a row pipeline: every chunk recomputes the earlier steps' rows at its top edge (several percent of the
        /// pipeline's work per edge on MobileNet-style blocks), so a thread's share stays whole; a share not yet started is
        /// still taken over.
        /// </summary>
        public const int Pipeline = 1;
    }
}
