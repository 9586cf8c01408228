using System.Collections.Generic;
using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// A rolling window over an intermediate of a row pipeline: the few padded rows of <see cref="Buffer"/> the consumer
    /// still needs, kept in a small Scratch buffer of their own instead of at their place in the full-size buffer. A
    /// pipeline writes each intermediate row once and reads it back a moment later; in the full buffer every row lands on
    /// lines that left the cache long ago (megabytes per inference at 112×112), so each store first fetches its line from
    /// L3 or memory. The window's lines are reused row after row and stay in L2.
    /// </summary>
    /// <remarks>
    /// Layout: padded row p of the buffer (border rows included) sits at window row <see cref="GuardRows"/> + p − base,
    /// where base (a local of the pipeline method) is the first padded row the consumer still reads. When the producer's
    /// next rows would not fit, the rows the consumer still needs move to the front (a copy of a few rows, in L1/L2) and
    /// base advances. Kernels address rows as oy·S + constant, so a call for rows [b, e) runs as rows [0, e − b) with its
    /// input and output references moved to row b's place: the window's place, or (for a full buffer) the buffer's own.
    /// Border rows: the producer never writes them, so the pipeline zeroes the window rows that stand for the top border
    /// (when a range starts at the top) and the bottom border (after the producer's last row). Border columns are never
    /// written by anyone and stay zero from allocation (rows move whole).
    /// The <see cref="GuardRows"/> rows in front keep the moved output reference inside the window: a kernel adds the
    /// output border to every row it writes, and the reference must not point before the window's first element.
    /// Size bound: before a producer call the window must hold the padded rows from the consumer's next first row to the
    /// producer's last new row (at the bottom, to the end of the bottom border). The producer computes only rows the
    /// consumer's next call reads, so that is at most what the consumer reads for its largest call, (M − 1)·S + (K − 1)·D + 1
    /// rows (M: the most rows it computes in one call), plus the bottom border's rows.
    /// </remarks>
    internal sealed class RowWindow
    {
        /// <summary>
        /// A window holds up to twice the rows the consumer needs at once while that stays within this size: the rows the
        /// consumer still needs then move to the front every few calls instead of at every call. Measured on Zen 5 (in one
        /// process, alternating with the build without windows): MobileNet-style 56×56×64 → stride-2 depthwise, moving one
        /// 15 KB row for every two computed, made the network 1.7% slower on one thread.
        /// </summary>
        public const long DoubledMaximumBytes = 256 * 1024;

        /// <summary>No window for a consumer that needs more than this at once (Zen 4/5's L2: the window would not stay there).</summary>
        public const long MaximumBytes = 1024 * 1024;

        private RowWindow(StepPlan producer, StepPlan consumer, BufferPlan buffer, int rows)
        {
            Producer = producer;
            Consumer = consumer;
            Buffer = buffer;
            Rows = rows;
        }

        /// <summary>The chain step that writes the intermediate.</summary>
        public StepPlan Producer { get; }

        /// <summary>The chain step after it, the intermediate's only reader.</summary>
        public StepPlan Consumer { get; }

        /// <summary>The full-size buffer the intermediate would have lived in (its layout: width, border, channel stride).</summary>
        public BufferPlan Buffer { get; }

        /// <summary>Padded rows the window holds: at least the most the consumer reads for one call, bottom border included.</summary>
        public int Rows { get; }

        /// <summary>Rows in front of the window (the buffer's border): room for the moved output reference.</summary>
        public int GuardRows => Buffer.Border;

        /// <summary>The Scratch field of the window, e.g. window5 (its producer's step id).</summary>
        public string Field => $"window{Producer.Id}";

        /// <summary>The name of the pipeline method's local holding the padded row at the window's first row.</summary>
        public string BaseLocal => $"base{Producer.Id}";

        /// <summary>Floats of one padded row.</summary>
        public int RowFloats => Buffer.RowFloats;

        public long Floats => (long)(GuardRows + Rows) * RowFloats;

        /// <summary>C# for the first padded row of the buffer the consumer reads for its output row <paramref name="row"/>.</summary>
        public string FirstPaddedRowRead(string row)
        {
            if (ClipsRows(Consumer)) return Sum(FirstRowRead(Consumer, row), Int(Buffer.Border));
            (int _, int s, int p, int _) = RowPipelines.Window(Consumer);
            int shift = Buffer.Border - p; // ≥ 0: the border holds the conv's padding
            return Sum(Product(row, Int(s)), Int(shift));
        }

        /// <summary>
        /// C# for the first input row (from the buffer's first row, border not counted) <paramref name="step"/> reads for its
        /// output row <paramref name="row"/>: a convolution reads its materialised padding (row·S − P ≥ −border); a pool clips
        /// its window to the input, so it starts at max(row·S − P, 0).
        /// </summary>
        public static string FirstRowRead(StepPlan step, string row)
        {
            (int _, int s, int p, int _) = RowPipelines.Window(step);
            string first = p == 0 ? Product(row, Int(s)) : $"{Product(row, Int(s))} - {Int(p)}";
            return ClipsRows(step) && p > 0 ? $"global::System.Math.Max({first}, 0)" : first;
        }

        /// <summary>Pools clip their windows to the input's rows (no border holds their padding).</summary>
        public static bool ClipsRows(StepPlan step) => step.Kind is StepKind.MaxPool or StepKind.AvgPool;

        /// <summary>C# for the window's first element of padded row <paramref name="paddedRow"/> (a window row index times the row length).</summary>
        public string Offset(string paddedRow) =>
            $"({(GuardRows == 0 ? "" : $"{Int(GuardRows)} + ")}{paddedRow} - {BaseLocal}) * {Int(RowFloats)}";

        /// <summary>
        /// The windows of <paramref name="chain"/> (steps from <paramref name="firstIndex"/> in <paramref name="path"/>): one per
        /// intermediate that qualifies (see <see cref="Qualifies"/>) and whose window is at most half its padded height.
        /// </summary>
        public static IEnumerable<RowWindow> Of(PathPlan path, int firstIndex, List<StepPlan> chain, IReadOnlyDictionary<string, BufferPlan> buffers)
        {
            // The most rows each step computes in one call of the pipeline: one for the last step; an earlier step computes
            // at most the rows its successor reads for the successor's largest call (a range's first call reads a whole
            // window of rows; later calls read only the new ones).
            var rowsPerCall = new int[chain.Count];
            rowsPerCall[chain.Count - 1] = 1;
            for (int k = chain.Count - 2; k >= 0; k--)
                rowsPerCall[k] = System.Math.Min(chain[k].OutputShape.Height, RowsRead(chain[k + 1], rowsPerCall[k + 1]));
            for (int k = 0; k < chain.Count - 1; k++)
            {
                StepPlan producer = chain[k], consumer = chain[k + 1];
                BufferPlan buffer = buffers[producer.Output];
                if (!Qualifies(path, firstIndex + k, producer, consumer, buffer)) continue;
                // The consumer's reads for its largest call plus the bottom border rows (the bound in the class remarks).
                int needed = RowsRead(consumer, rowsPerCall[k + 1]) + buffer.Border;
                long rowBytes = 4L * buffer.RowFloats;
                // Half the buffer or more, or more than L2 holds: little to save.
                if (2 * needed > buffer.PaddedHeight || needed * rowBytes > MaximumBytes) continue;
                int rows = (int)System.Math.Max(needed, System.Math.Min(2L * needed, DoubledMaximumBytes / rowBytes));
                yield return new RowWindow(producer, consumer, buffer, rows);
            }
        }

        /// <summary>Steps a pipeline can call with rows from 0 or firstRow and references moved: convolutions and window pools.</summary>
        private static bool Rebasable(StepPlan step) => step.Kind is StepKind.Conv or StepKind.MaxPool or StepKind.AvgPool;

        /// <summary>Padded input rows <paramref name="step"/> reads for <paramref name="outputRows"/> consecutive output rows.</summary>
        private static int RowsRead(StepPlan step, int outputRows)
        {
            (int k, int s, int _, int d) = RowPipelines.Window(step);
            return (outputRows - 1) * s + (k - 1) * d + 1;
        }

        /// <summary>
        /// Whether the intermediate between <paramref name="producer"/> (at <paramref name="producerIndex"/> in the path) and
        /// <paramref name="consumer"/> can live in a window: both are direct convolutions (their kernels address rows only as
        /// oy·S + constant, a residual operand as its output rows) or window pools (which have a rebased kernel variant,
        /// see PoolEmitter.EmitWindowPool); the producer writes whole rows of a zero-border feature map; and nothing but the
        /// consumer reads the tensor: no later step before the buffer is next written, and it is not the path's output.
        /// </summary>
        private static bool Qualifies(PathPlan path, int producerIndex, StepPlan producer, StepPlan consumer, BufferPlan buffer)
        {
            if (!Rebasable(producer) || !Rebasable(consumer)) return false;
            if (producer.ChannelOffset != 0 || producer.OutputShape.Channels != buffer.Shape.Channels) return false;
            if (buffer.Shape.IsFlat || buffer.BorderFillLayer >= 0) return false;
            if (!ClipsRows(consumer) && buffer.Border < consumer.Padding) return false;
            if (consumer.Input != buffer.Name || consumer.Output == buffer.Name || producer.Input == buffer.Name) return false;
            if (buffer.Name == path.OutputBuffer) return false;
            for (int i = producerIndex + 2; i < path.Steps.Count; i++)
            {
                StepPlan later = path.Steps[i];
                if (System.Linq.Enumerable.Contains(later.Reads, buffer.Name)) return false;
                if (later.Output == buffer.Name) break; // a new tensor in the buffer
            }
            return true;
        }
    }
}
