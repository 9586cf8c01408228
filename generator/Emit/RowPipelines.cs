using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// Row pipelining of the fused path: consecutive row-range steps where each reads the previous one's output (a
    /// depthwise conv into the pointwise conv after it, an expand conv into a depthwise conv, a conv into a pool or into
    /// the row sums of a global average pool, whose finish runs after the chain) run
    /// interleaved by rows: before the last step computes output row r, each earlier step computes just the rows the next
    /// one reads for it. The intermediate rows are read back while they are still in L1/L2, instead of the whole tensor
    /// (megabytes at 112×112) being written out to L3/DRAM and read back by the next pass. Intermediates between convs and
    /// pools that only the next step reads live in rolling windows of a few rows (<see cref="RowWindow"/>).
    /// </summary>
    /// <remarks>
    /// Correctness: only the order of row computations changes. Each step's rows are computed before any row of the next
    /// step that reads them (<see cref="NeededRows"/>), no chain step writes a buffer an earlier chain step reads or writes
    /// (no write-after-read or write-after-write across the interleaving), and a step reads no other chain step's output
    /// except its predecessor's, or a residual whose rows are provably finished in time (<see cref="ResidualRowsReadyInTime"/>).
    /// Readers after the chain see the buffers as the sequential order leaves them.
    /// With several threads each takes a range of the last step's rows and computes the earlier rows it needs itself;
    /// the rows at range boundaries are computed by both threads, writing identical values.
    /// </remarks>
    internal sealed class RowPipelines
    {
        /// <summary>
        /// Intermediate tensors from this size on are pipelined: about a quarter of a 1 MiB L2 (Zen 4/5; half of Zen 3's
        /// 512 KiB). Below it the whole tensor stays in L2 between the two passes anyway, and per-row calls only add overhead.
        /// </summary>
        public const long MinimumIntermediateBytes = 256 * 1024;

        /// <summary>Convolutions with more packed weights than this stream them from L3 per call: not worth calling per row.</summary>
        private const long MaximumWeightBytes = 512 * 1024;

        private readonly Dictionary<int, List<StepPlan>> _chainsByFirstStep = new Dictionary<int, List<StepPlan>>();
        private readonly Dictionary<int, int> _chainOfStep = new Dictionary<int, int>();
        private readonly Dictionary<int, RowWindow> _windowsByProducer = new Dictionary<int, RowWindow>();
        private readonly Dictionary<int, RowWindow> _windowsByConsumer = new Dictionary<int, RowWindow>();

        public static readonly RowPipelines None = new RowPipelines();

        public IEnumerable<List<StepPlan>> Chains => _chainsByFirstStep.Values;

        /// <summary>The chain whose first step is <paramref name="step"/>, or null.</summary>
        public List<StepPlan>? StartingAt(StepPlan step) => _chainsByFirstStep.TryGetValue(step.Id, out var chain) ? chain : null;

        /// <summary>Whether <paramref name="step"/> runs inside a chain that starts at an earlier step.</summary>
        public bool Continues(StepPlan step) => _chainOfStep.TryGetValue(step.Id, out int first) && first != step.Id;

        /// <summary>Every rolling window of every chain (see <see cref="RowWindow"/>).</summary>
        public IEnumerable<RowWindow> Windows => _windowsByProducer.Values.OrderBy(w => w.Producer.Id);

        /// <summary>The window <paramref name="step"/> writes its rows into inside its chain, or null (it writes its buffer).</summary>
        public RowWindow? WindowWrittenBy(StepPlan step) => _windowsByProducer.TryGetValue(step.Id, out var window) ? window : null;

        /// <summary>The window <paramref name="step"/> reads its input rows from inside its chain, or null (it reads its buffer).</summary>
        public RowWindow? WindowReadBy(StepPlan step) => _windowsByConsumer.TryGetValue(step.Id, out var window) ? window : null;

        /// <summary>Whether <paramref name="step"/> reads or writes a window: its pipeline calls it with rebased rows.</summary>
        public bool Rebased(StepPlan step) => WindowWrittenBy(step) is not null || WindowReadBy(step) is not null;

        /// <summary>Floats of every window of the fused path of <paramref name="plan"/> (each Scratch holds them all).</summary>
        public static long WindowFloats(NetworkPlan plan) =>
            Find(plan.Fused, plan.Buffers.ToDictionary(b => b.Name)).Windows.Sum(w => w.Floats);

        public static RowPipelines Find(PathPlan path, IReadOnlyDictionary<string, BufferPlan> buffers)
        {
            var result = new RowPipelines();
            var steps = path.Steps;
            int i = 0;
            while (i < steps.Count)
            {
                var chain = new List<StepPlan> { steps[i] };
                while (i + chain.Count < steps.Count && CanFollow(chain, steps[i + chain.Count], buffers)) chain.Add(steps[i + chain.Count]);
                if (chain.Count > 1)
                {
                    result._chainsByFirstStep[chain[0].Id] = chain;
                    foreach (StepPlan step in chain) result._chainOfStep[step.Id] = chain[0].Id;
                    foreach (RowWindow window in RowWindow.Of(path, i, chain, buffers))
                    {
                        result._windowsByProducer[window.Producer.Id] = window;
                        result._windowsByConsumer[window.Consumer.Id] = window;
                    }
                }
                i += chain.Count;
            }
            return result;
        }

        private static bool CanFollow(List<StepPlan> chain, StepPlan next, IReadOnlyDictionary<string, BufferPlan> buffers)
        {
            StepPlan last = chain[chain.Count - 1];
            if (!Pipelinable(last) || !Pipelinable(next)) return false;
            if (next.Input != last.Output) return false;
            if ((long)buffers[last.Output].Length * 4 < MinimumIntermediateBytes) return false;
            var written = new HashSet<string>(chain.Select(s => s.Output));
            var read = new HashSet<string>(chain.SelectMany(s => s.Reads));
            // The other operands must be complete when read: a squeeze-excite scale needs the whole map before the chain starts;
            // a residual written by an earlier chain step only needs its rows finished in time (see ResidualRowsReadyInTime).
            if (next.SecondInput is not null && written.Contains(next.SecondInput) && !ResidualRowsReadyInTime(chain, next)) return false;
            if (next.InputScale is not null && written.Contains(next.InputScale)) return false;
            // No write into a buffer an earlier chain step reads (its rows may still be needed) or writes; in place over
            // the predecessor's output (an elementwise pass) is fine: it rewrites rows the predecessor has finished.
            bool inPlace = next.Output == next.Input;
            if (!inPlace && (read.Contains(next.Output) || written.Contains(next.Output))) return false;
            if (inPlace && chain.Take(chain.Count - 1).Any(s => s.Output == next.Output || s.Reads.Contains(next.Output))) return false;
            return true;
        }

        /// <summary>
        /// Whether <paramref name="next"/>'s second operand (a residual, read at its own output rows), written by a chain step P
        /// before its predecessor, has rows [.., e) finished whenever <paramref name="next"/> computes rows up to e. The pipeline
        /// advances P, within the same loop turn and before <paramref name="next"/>, to the rows the steps after it need:
        /// e composed through NeededRows of every step from P's successor to <paramref name="next"/>. For a stride-1 step
        /// that keeps the height and whose window reaches at least its padding past the row ((K − 1)·D ≥ P), NeededRows(e) ≥ e,
        /// so the composition never falls behind e; and FirstRow(b) ≤ b, so a thread's range starts P at or before the first
        /// residual row its <paramref name="next"/> reads (it computes every such row itself). MobileNetV2's first residual
        /// block at 56×56 is the case: the project conv's output is both the next expand's input and the residual added
        /// two steps later. Any other shape of chain keeps the old rule: the residual must be complete before the chain starts.
        /// </summary>
        private static bool ResidualRowsReadyInTime(List<StepPlan> chain, StepPlan next)
        {
            int producer = chain.FindLastIndex(s => s.Output == next.SecondInput);
            if (producer < 0 || producer == chain.Count - 1) return false; // x + x of the predecessor: a window may hold it
            if (chain[producer].OutputShape.Height != next.OutputShape.Height) return false;
            foreach (StepPlan step in chain.Skip(producer + 1).Append(next))
            {
                (int k, int s, int p, int d) = Window(step);
                if (s != 1 || (k - 1) * d < p || step.InputShape.Height != step.OutputShape.Height) return false;
            }
            return true;
        }

        /// <summary>A step whose kernel takes a row range and whose rows depend on a known window of input rows.</summary>
        private static bool Pipelinable(StepPlan step)
        {
            if (!RowRange.Splittable(step)) return false;
            switch (step.Kind)
            {
                case StepKind.Conv:
                    if (step.Algorithm is not (ConvAlgorithm.OutputVectors or ConvAlgorithm.Depthwise or ConvAlgorithm.GroupedScalar)) return false;
                    long weightBytes = 4L * step.OutputShape.Channels * step.KernelHeight * step.KernelWidth * (step.InputShape.Channels / step.Groups);
                    return weightBytes <= MaximumWeightBytes;
                case StepKind.MaxPool:
                case StepKind.AvgPool:
                case StepKind.ScaleShift:
                case StepKind.Activation:
                case StepKind.Add:
                case StepKind.Mul:
                case StepKind.GlobalAvgPool:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// C# for the exclusive end of the input rows that output rows [0, <paramref name="end"/>) of
        /// <paramref name="consumer"/> read: row r reads rows r·S − P + k·D for k in [0, K); clamped to the input's rows.
        /// <paramref name="end"/> is "r + 1" or a variable.
        /// </summary>
        public static string NeededRows(StepPlan consumer, string end)
        {
            (int k, int s, int p, int d) = Window(consumer);
            if (k == 1 && s == 1 && p == 0) return end; // row r reads row r
            string lastRow = end == "r + 1" ? "r" : $"{end} - 1";
            int reach = (k - 1) * d + 1 - p; // the exclusive end past lastRow·S
            string value = Product(lastRow, Int(s));
            value = reach >= 0 ? Sum(value, Int(reach)) : $"{value} - {Int(-reach)}";
            return $"global::System.Math.Min({Int(consumer.InputShape.Height)}, global::System.Math.Max(0, {value}))";
        }

        /// <summary>C# for the first input row output row <paramref name="begin"/> of <paramref name="consumer"/> reads, clamped.</summary>
        public static string FirstRow(StepPlan consumer, string begin)
        {
            (int k, int s, int p, int _) = Window(consumer);
            if (k == 1 && s == 1 && p == 0) return begin;
            return $"global::System.Math.Min({Int(consumer.InputShape.Height)}, global::System.Math.Max(0, {Product(begin, Int(s))}{(p == 0 ? "" : $" - {Int(p)}")}))";
        }

        /// <summary>Kernel rows, stride, padding and dilation over rows; a pass reads its own row.</summary>
        internal static (int K, int S, int P, int D) Window(StepPlan step) => step.Kind switch
        {
            StepKind.Conv => (step.KernelHeight, step.Stride, step.Padding, step.Dilation),
            StepKind.MaxPool or StepKind.AvgPool => (step.KernelHeight, step.Stride, step.Padding, 1),
            _ => (1, 1, 0, 1),
        };
    }
}
