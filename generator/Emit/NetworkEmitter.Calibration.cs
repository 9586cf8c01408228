using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    internal static partial class NetworkEmitter
    {
        /// <summary>
        /// BatchNorm recalibration (FusedNet.BatchNormRecalibration): a second partial declaration of the network class that
        /// implements IBatchNormCalibration. It runs a batch layer-major through the unfused path: one Scratch per sample,
        /// every unfused step for every sample before the next step (the same step methods and kernels as ForwardUnfused),
        /// except that each BatchNorm step normalises with the statistics of the whole batch at its input (computed and
        /// reported by BatchNormCalibrationContext), as PyTorch's training mode does. Layer-major because a BatchNorm's batch
        /// statistics need every sample's input before any sample can go on; the per-sample scratch is allocated once per
        /// recalibration and kept in the context (recalibration is not an inference path: its memory is one scratch per sample).
        /// </summary>
        private static void EmitCalibration(SourceWriter w, NetworkPlan plan, KernelCatalog kernels, ParameterFields parameters,
            Dictionary<string, BufferPlan> buffers)
        {
            const string I = "global::FusedNet.Internal";
            const string K = KernelReference;
            PathPlan path = plan.Unfused;
            w.Line();
            w.Line("/// <summary>BatchNorm recalibration (FusedNet.BatchNormRecalibration): the unfused path run layer by layer over a batch, BatchNorms in training mode.</summary>");
            w.Open($"partial class {plan.ClassIdentifier} : {I}.IBatchNormCalibration");
            w.Line("/// <summary>");
            w.Line("/// Runs a batch as PyTorch's training mode would: every unfused step for every sample (each with its own scratch, kept in");
            w.Line("/// the context), then the next step; each BatchNorm normalises with the batch's own statistics over (N, H, W) and reports");
            w.Line("/// them. One thread. Not an inference path: it allocates, and it costs what ForwardUnfused costs on the same samples.");
            w.Line("/// </summary>");
            w.Open($"void {I}.IBatchNormCalibration.RunCalibrationBatch(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batchSize, {I}.BatchNormCalibrationContext context)");
            w.Line("if (context is null) throw new global::System.ArgumentNullException(nameof(context));");
            w.Line("if (_weights is null) throw new global::System.InvalidOperationException(" + String(plan.ClassName + ": an instance made with the description constructor has no weights to recalibrate.") + ");");
            w.Line("CheckLengths(input.Length, output.Length, batchSize);");
            w.Line("CheckNoOverlap(input, output);");
            w.Line("EnterBusy();");
            w.Open("try");
            w.Line("FoldedWeights w = _weights;");
            w.Line("// One scratch per sample, kept in the context between the batches of one recalibration (buffer borders stay zero).");
            w.Line("if (context.ScratchCache is not Scratch[] samples || samples.Length < batchSize)");
            w.Open();
            w.Line("samples = new Scratch[batchSize];");
            // The buffer layout (and a fused-path buffer's filled border) is shared by both paths.
            w.Line($"for (int n = 0; n < batchSize; n++) samples[n] = {NewScratch(plan, "w")};");
            w.Line("context.ScratchCache = samples;");
            w.Close();
            w.Line($"ref float inputStart = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(input);");
            w.Line($"ref float outputStart = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(output);");
            w.Line($"for (int n = 0; n < batchSize; n++) {K}.{kernels.CopyIn(path)}(ref {Unsafe}.Add(ref inputStart, n * InputLength), ref samples[n].{path.InputBuffer}.Start, 0, {Int(InputRows(plan, path))});");
            foreach (StepPlan step in path.Steps)
            {
                // A BatchNorm without running statistics normalises with the batch's statistics in both modes (nothing to record).
                bool batchNorm = IsBatchNormPass(plan, step) || step.NormOverBatch;
                w.Line($"// Step {step.Id}: {Comment(step.Title)}{(batchNorm ? " — with the batch's statistics" : "")}");
                w.Line($"//   {step.InputShape} -> {step.OutputShape}");
                if (batchNorm)
                {
                    EmitCalibrationBatchNorm(w, plan, step, buffers);
                    continue;
                }
                w.Open("for (int n = 0; n < batchSize; n++)");
                w.Line("Scratch s = samples[n];");
                if (RowRange.Splittable(step))
                {
                    foreach (string call in OneThreadStepCalls(path, step)) w.Line(call);
                    EmitStepFinish(w, path, step, kernels);
                }
                else
                    EmitWholeStepCall(w, path, step, kernels, parameters);
                w.Close();
            }
            w.Line($"for (int n = 0; n < batchSize; n++) {CopyOutCall(plan, path, kernels, $"ref samples[n].{path.OutputBuffer}.Start", $"ref {Unsafe}.Add(ref outputStart, n * OutputLength)")}");
            w.Close();
            w.Open("finally");
            w.Line("ExitBusy();");
            w.Close();
            w.Close();
            w.Line();
            w.Line("/// <summary>One buffer of each of the first <paramref name=\"count\"/> samples' scratch: a BatchNorm's inputs or outputs across the batch.</summary>");
            w.Open($"private static {I}.AlignedBuffer[] CalibrationBuffers(Scratch[] samples, int count, global::System.Func<Scratch, {I}.AlignedBuffer> buffer)");
            w.Line($"var buffers = new {I}.AlignedBuffer[count];");
            w.Line("for (int n = 0; n < count; n++) buffers[n] = buffer(samples[n]);");
            w.Line("return buffers;");
            w.Close();
            w.Close();
        }

        /// <summary>
        /// Whether an unfused step is a BatchNorm2d/BatchNorm1d pass (recalibrated), not another scale-and-shift: a Normalize
        /// (constants) or an InstanceNorm2d on running statistics, which run in eval form (PyTorch's train mode would update
        /// an InstanceNorm2d's running statistics from per-instance statistics: not part of BatchNorm recalibration).
        /// </summary>
        private static bool IsBatchNormPass(NetworkPlan plan, StepPlan step) =>
            step.Kind == StepKind.ScaleShift && step.Normalization is null && step.BatchNormFirstTensor >= 0 &&
            plan.Weights[step.BatchNormFirstTensor].Role == "BatchNormWeight";

        /// <summary>A BatchNorm step of the calibration pass: the runtime computes the batch statistics over every sample's buffer and normalises.</summary>
        private static void EmitCalibrationBatchNorm(SourceWriter w, NetworkPlan plan, StepPlan step, Dictionary<string, BufferPlan> buffers)
        {
            int firstTensor = step.NormOverBatch ? step.WeightTensor : step.BatchNormFirstTensor;
            if (step.ChannelOffset != 0 || firstTensor < 0 || step.Epilogue.Count != 0)
                throw new System.InvalidOperationException($"Calibration: BatchNorm step {step.Id} has no BatchNorm tensors, writes a channel slice or has an epilogue.");
            string gamma = plan.Weights[firstTensor].Name;
            const string suffix = ".weight";
            string prefix = gamma.EndsWith(suffix) ? gamma.Substring(0, gamma.Length - suffix.Length) : gamma;
            BufferPlan input = buffers[step.Input], output = buffers[step.Output];
            Shape shape = step.InputShape;
            w.Line($"context.BatchNorm({String(prefix)}, {Float(step.NormOverBatch ? step.NormEpsilon : step.BatchNormEpsilon)}, " +
                $"CalibrationBuffers(samples, batchSize, x => x.{step.Input}), CalibrationBuffers(samples, batchSize, x => x.{step.Output}), " +
                $"{Int(shape.Channels)}, {Int(shape.IsFlat ? 1 : shape.Height)}, {Int(shape.IsFlat ? 1 : shape.Width)}, " +
                $"{Int(shape.IsFlat ? 0 : input.Border)}, {Int(input.ChannelStride)}, {Int(shape.IsFlat ? 0 : output.Border)}, {Int(output.ChannelStride)}" +
                (step.NormOverBatch ? ", recordStatistics: false" : "") + ");");
        }
    }
}
