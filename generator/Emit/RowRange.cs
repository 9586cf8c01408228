using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// Kernels whose outer loop runs over output rows take the row range [rowBegin, rowEnd) as their last two parameters:
    /// one thread passes (0, height); with NetworkOptions.Threads &gt; 1 the large steps' rows are split between the threads
    /// (every row of these kernels depends only on the step's inputs, never on another output row).
    /// </summary>
    internal static class RowRange
    {
        public static readonly string[] Parameters = { "int rowBegin", "int rowEnd" };

        /// <summary>The outer loop over rows <c>[rowBegin, rowEnd)</c> of a <paramref name="height"/>-row output.</summary>
        public static string Loop(string variable, int height, string rows = "output rows") =>
            $"for (int {variable} = rowBegin; {variable} < rowEnd; {variable}++) // {rows} [rowBegin, rowEnd) of {Int(height)}";

        /// <summary>
        /// Output features per unit of a Linear's range: whole register blocks at every width (4 vectors of 16, 8 of 8, 16 of 4),
        /// so each output is computed the same way whichever range it falls in.
        /// </summary>
        public const int LinearUnitOutputs = 64;

        /// <summary>
        /// Output rows of a step whose kernel takes a row range (a global pool: input rows; a Linear: units of
        /// <see cref="LinearUnitOutputs"/> output features); 0 for the others (a Maxout Linear, copies).
        /// </summary>
        public static int Rows(StepPlan step)
        {
            switch (step.Kind)
            {
                case StepKind.Linear:
                    // Threads share a large Linear by outputs: each streams only its share of the weights (memory-bound: the
                    // weights are read once per call). A Maxout Linear's blocks are interleaved pieces: it keeps one range.
                    return step.MaxoutPieces > 1 ? 0 : (step.OutputShape.Channels + LinearUnitOutputs - 1) / LinearUnitOutputs;
                case StepKind.Conv when step.Algorithm == ConvAlgorithm.Winograd:
                    return WinogradTiling.TileRowsOf(step); // its kernel's range is in rows of 4-pixel tiles
                case StepKind.Conv:
                case StepKind.MaxPool:
                case StepKind.AvgPool:
                    return step.OutputShape.Height;
                case StepKind.GlobalAvgPool:
                    return step.InputShape.Height; // rows of the input it sums (the finishing kernel adds the row sums)
                case StepKind.ScaleShift:
                case StepKind.Activation:
                case StepKind.Add:
                case StepKind.Mul:
                case StepKind.Maxout:
                    return step.InputShape.IsFlat ? 0 : step.InputShape.Height;
                default:
                    return 0;
            }
        }

        /// <summary>Whether several threads can share a step: its kernel takes a row range and it has two rows or more.</summary>
        public static bool Splittable(StepPlan step) => Rows(step) >= 2;

        /// <summary>
        /// A step's work in multiply-accumulates, as NetworkOptions.SplitThreshold measures it: a convolution's or Linear's MACs; a pass
        /// (pool, BatchNorm, activation, add, mul) counts 16 per output element, about what a memory-bound element costs
        /// next to an FMA-bound multiply-accumulate; a global average pool 4 per input element (it only reads: about 2
        /// multiply-accumulates' time per element measured on 128×28×28).
        /// </summary>
        public static long Work(StepPlan step) => step.Kind switch
        {
            StepKind.Conv or StepKind.Linear => step.MultiplyAccumulates,
            StepKind.GlobalAvgPool => 4 * step.InputShape.Length,
            _ => 16 * step.OutputShape.Length,
        };
    }
}
