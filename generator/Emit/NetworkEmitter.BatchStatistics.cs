using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// BatchNorm2d/BatchNorm1d without running statistics (<see cref="StepPlan.NormOverBatch"/>): they normalise with the
    /// statistics of the batch given to Forward, over (N, H, W), so no sample can pass such a layer before every sample has
    /// reached it. Allocation-free, with one scratch: the batch runs in phases, one per such layer in path order:
    /// <list type="number">
    /// <item>phase "gather layer L": every sample runs the path up to layer L (earlier such layers normalise with their batch
    /// statistics, already known), and L's kernel merges the sample's per-channel mean and M2 into the batch's; the path
    /// stops there;</item>
    /// <item>the runtime turns the batch's mean and M2 into L's scale and offset (FusedNet.Internal.BatchStatistics.Finish);</item>
    /// <item>last phase: every sample runs the whole path with every such layer's batch statistics.</item>
    /// </list>
    /// The layers before the last such one therefore run more than once per sample (k such layers: up to k + 1 times):
    /// memory stays one scratch, whatever the batch size. A batch of one sample skips the phases: each such layer then
    /// normalises with the statistics of that sample over H × W (phase 0, the per-sample Normalize kernel).
    /// </summary>
    internal static partial class NetworkEmitter
    {
        /// <summary>Scratch field: 0 = one sample (its own statistics), L + 1 = gathering layer L's, −1 = the batch's known.</summary>
        private const string BatchPhaseField = "BatchPhase";

        /// <summary>One BatchNorm without running statistics: its layer, channels and where its batch values live in the scratch.</summary>
        private sealed record BatchStatisticsSlot(int Layer, string Name, LayerKind Kind, Shape Shape, float Epsilon, int MomentsOffset, int ValuesOffset)
        {
            /// <summary>Channels rounded up to 16: the stride of each per-channel array.</summary>
            public int Stride => BufferPlan.RoundUp(Shape.Channels, BufferPlan.ChannelAlignment);

            /// <summary>Values per channel in one sample: H × W (1 for a flat tensor).</summary>
            public long Pixels => Shape.IsFlat ? 1 : (long)Shape.Height * Shape.Width;
        }

        /// <summary>
        /// The BatchNorms without running statistics, in the order both paths run them (they must agree: a fused instance can
        /// fall back to the unfused path within one phase), with their offsets in the scratch arrays.
        /// </summary>
        private static List<BatchStatisticsSlot> BatchStatisticsSlots(NetworkPlan plan)
        {
            List<StepPlan> fused = plan.Fused.Steps.Where(s => s.NormOverBatch).ToList();
            List<int> unfused = plan.Unfused.Steps.Where(s => s.NormOverBatch).Select(s => s.MainLayer).ToList();
            if (!fused.Select(s => s.MainLayer).SequenceEqual(unfused))
                throw new System.InvalidOperationException("the fused and unfused paths run the batch-statistics BatchNorms in different orders");
            var slots = new List<BatchStatisticsSlot>();
            int moments = 0, values = 0;
            foreach (StepPlan step in fused)
            {
                LayerPlan layer = plan.Layers.First(l => l.Index == step.MainLayer);
                var slot = new BatchStatisticsSlot(layer.Index, layer.Name, layer.Kind, step.InputShape, step.NormEpsilon, moments, values);
                slots.Add(slot);
                moments += 2 * slot.Stride; // mean, M2 (double)
                values += 3 * slot.Stride;  // centre, scale, offset (float)
            }
            return slots;
        }

        /// <summary>The Scratch members the phases use (only in networks with such a BatchNorm).</summary>
        private static void EmitBatchStatisticsScratch(SourceWriter w, NetworkPlan plan)
        {
            const string I = "global::FusedNet.Internal";
            List<BatchStatisticsSlot> slots = BatchStatisticsSlots(plan);
            if (slots.Count == 0) return;
            int moments = slots.Sum(s => 2 * s.Stride), values = slots.Sum(s => 3 * s.Stride);
            w.Line($"public int {BatchPhaseField}; // BatchNorms without running statistics: 0 = one sample, L + 1 = gathering layer L's batch statistics, -1 = all known");
            w.Line("public int BatchSample; // while gathering: the samples already merged");
            w.Line($"public readonly double[] BatchMoments = new double[{Int(moments)}]; // per such BatchNorm: the batch's mean [C16] and M2 [C16] so far");
            w.Line($"public readonly {I}.AlignedBuffer BatchValues = new {I}.AlignedBuffer({Int(values)}); // per such BatchNorm: centre, scale, offset [C16 each]");
        }

        /// <summary>Bytes of the members above, for ScratchBytes.</summary>
        internal static long BatchStatisticsScratchBytes(NetworkPlan plan) =>
            BatchStatisticsSlots(plan).Sum(s => 2L * s.Stride * sizeof(double) + 3L * s.Stride * sizeof(float));

        /// <summary>
        /// The step of a BatchNorm without running statistics in Run: one sample's own statistics, gathering (and stopping
        /// the path there), or the batch's statistics.
        /// </summary>
        private static void EmitBatchStatisticsStep(SourceWriter w, PathPlan path, StepPlan step, KernelCatalog kernels, ParameterFields parameters, NetworkPlan plan)
        {
            BatchStatisticsSlot slot = BatchStatisticsSlots(plan).First(s => s.Layer == step.MainLayer);
            w.Open($"if (s.{BatchPhaseField} == 0)");
            w.Line("// A batch of one sample: the statistics of this sample over H x W.");
            EmitWholeStepCall(w, path, step, kernels, parameters);
            w.Close();
            w.Open($"else if (s.{BatchPhaseField} == {Int(slot.Layer + 1)})");
            w.Line($"// Gathering layer {Int(slot.Layer)}'s batch statistics: merge this sample's, and stop (the rest of the path needs them all).");
            string gather = $"ref s.{step.Input}.Start, ref s.{NormWorkspaceField}.Start, ref s.BatchMoments[{Int(slot.MomentsOffset)}], ref s.BatchMoments[{Int(slot.MomentsOffset + slot.Stride)}], s.BatchSample";
            EmitKernelCall(w, step, width => kernels.BatchStatisticsName(path, step, width!, gather: true), gather);
            w.Line("return;");
            w.Close();
            w.Open("else");
            w.Line("// The batch's statistics, gathered in an earlier phase.");
            string apply = $"ref s.{step.Input}.Start, ref s.{step.Output}.Start, ref {Unsafe}.Add(ref s.BatchValues.Start, {Int(slot.ValuesOffset)})";
            EmitKernelCall(w, step, width => kernels.BatchStatisticsName(path, step, width!, gather: false), apply);
            w.Close();
        }

        /// <summary>The method that runs a batch of several samples through a path in phases (see the class remarks).</summary>
        private static string BatchMethod(PathPlan path) => $"Run{path.MemberPrefix}Batch";

        private static void EmitBatchStatisticsRun(SourceWriter w, NetworkPlan plan, PathPlan path, ParameterFields parameters)
        {
            const string I = "global::FusedNet.Internal";
            List<BatchStatisticsSlot> slots = BatchStatisticsSlots(plan);
            string run = "Run" + path.MemberPrefix;
            string sample = $"ref {Unsafe}.Add(ref input, n * InputLength), ref {Unsafe}.Add(ref output, n * OutputLength), s, workers";
            w.Line($"/// <summary>");
            w.Line($"/// A batch of several samples through the {path.Name} path: BatchNorms without running statistics normalise with the batch's");
            w.Line($"/// statistics, so each is gathered in a phase of its own (every sample runs up to it), then every sample runs the whole path.");
            w.Line($"/// </summary>");
            w.Open($"private void {BatchMethod(path)}(ref float input, ref float output, int batchSize, Scratch s, {I}.ParallelWorkers? workers)");
            w.Line("FoldedWeights w = _weights;");
            w.Open("try");
            foreach (BatchStatisticsSlot slot in slots)
            {
                StepPlan step = path.Steps.First(st => st.NormOverBatch && st.MainLayer == slot.Layer);
                w.Line($"// Layer {Int(slot.Layer)} '{Comment(slot.Name)}' ({slot.Kind}, {Comment(slot.Shape.ToString())}): its statistics over {Int(slot.Shape.Channels)} channel(s) x batch x {Long(slot.Pixels)} value(s).");
                w.Line($"s.{BatchPhaseField} = {Int(slot.Layer + 1)};");
                w.Open("for (int n = 0; n < batchSize; n++)");
                w.Line("s.BatchSample = n;");
                w.Line($"{run}({sample});");
                w.Close();
                w.Line($"{I}.BatchStatistics.Finish(new global::System.ReadOnlySpan<double>(s.BatchMoments, {Int(slot.MomentsOffset)}, {Int(slot.Shape.Channels)}), new global::System.ReadOnlySpan<double>(s.BatchMoments, {Int(slot.MomentsOffset + slot.Stride)}, {Int(slot.Shape.Channels)}), " +
                    $"batchSize * {Long(slot.Pixels)}L, {Float(slot.Epsilon)}, w.{parameters.Field(step, "Gamma")}.Span, w.{parameters.Field(step, "Beta")}.Span, " +
                    $"s.BatchValues.Span.Slice({Int(slot.ValuesOffset)}, {Int(3 * slot.Stride)}), {Int(slot.Shape.Channels)});");
            }
            w.Line("// Every sample through the whole path with the batch's statistics.");
            w.Line($"s.{BatchPhaseField} = -1;");
            w.Line($"for (int n = 0; n < batchSize; n++) {run}({sample});");
            w.Close();
            w.Open("finally");
            w.Line($"s.{BatchPhaseField} = 0;");
            w.Close();
            w.Close();
            w.Line();
        }

        /// <summary>
        /// CheckLengths' part for BatchNorms without running statistics on one value per channel per sample (a flat
        /// BatchNorm1d, or a BatchNorm2d on [C, 1, 1]): a batch of one gives them a single value, which PyTorch rejects.
        /// </summary>
        private static void EmitSingleValueBatchCheck(SourceWriter w, NetworkPlan plan)
        {
            BatchStatisticsSlot? single = BatchStatisticsSlots(plan).FirstOrDefault(s => s.Pixels == 1);
            if (single is null) return;
            w.Open("if (batchSize == 1)");
            w.Line($"throw new global::System.ArgumentException({String($"{plan.ClassName}: layer {single.Layer} '{single.Name}' ({single.Kind}) has no running statistics, so it normalises with the statistics of the batch over (N, H, W); its input {single.Shape} gives a batch of one sample one value per channel (PyTorch: \"Expected more than 1 value per channel when training\"). Pass a batch of two or more samples, or use running statistics.")}, \"batchSize\");");
            w.Close();
        }
    }
}
