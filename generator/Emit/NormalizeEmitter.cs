using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// Emits the per-sample normalisations (LayerNorm, GroupNorm, InstanceNorm2d: <see cref="StepKind.Normalize"/>).
    /// The statistics of a group (mean, biased variance) are over its C/G channels × H × W values, so every value of the
    /// sample must be read before the first output: the kernel makes three passes over the input, vectorised across
    /// channels, and keeps per-channel partial results in the network's normalisation workspace:
    /// <list type="number">
    /// <item>Σ (x − shift) per channel, shift being the channel's first value: with the shift a large mean costs no
    /// precision (the summed values are of the size of the spread, not of the mean). Each row is summed in float vectors,
    /// the row sums are added in double, so H × W does not grow the rounding error either;</item>
    /// <item>Σ ((x − shift) − (mean − shift))² per channel, the same way (two-pass variance: no cancellation);</item>
    /// <item>y = (x − shift)·scale + offset per channel, then γ and β per element for a LayerNorm of [C, H, W], then the
    /// fused activation, stored once.</item>
    /// </list>
    /// The group sums, means and 1/√(var + ε) are computed in double between the passes. Channels in the vector padding
    /// (C up to the vector width) are never counted and get scale 0. The step has no row range: its rows are not
    /// independent (every output depends on all rows), so it runs on one thread.
    /// </summary>
    internal static class NormalizeEmitter
    {
        /// <summary>Workspace floats one step needs: shift, two double arrays (sums, squares), scale and offset, each of C rounded up to 16.</summary>
        public static long WorkspaceFloats(StepPlan step) => 7L * BufferPlan.RoundUp(step.InputShape.Channels, BufferPlan.ChannelAlignment);

        public static void EmitKernel(SourceWriter w, string method, StepPlan step, BufferPlan input, BufferPlan output, VectorWidth v)
        {
            Shape shape = step.InputShape;
            int channels = shape.Channels, height = shape.Height, width = shape.Width; // a flat [F] tensor is F channels of 1 x 1
            int groups = step.NormGroups, perGroup = channels / groups;
            int vectorEnd = BufferPlan.RoundUp(channels, v.Lanes);
            bool affine = step.WeightTensor >= 0;
            bool perChannelAffine = affine && !step.NormPerElementAffine;
            long count = (long)perGroup * height * width;

            string parameters = "ref float input, ref float output" + (affine ? ", ref float gamma, ref float beta" : "") + ", ref float workspace";
            OpenKernel(w, $"public static void {method}({parameters})");
            w.Line($"// {(input.Name == output.Name ? "in place" : "out of place")}: {Int(groups)} group(s) of {Int(perGroup)} channel(s) x {Int(height)}x{Int(width)} = {Long(count)} values each; " +
                   $"y = (x - mean)/sqrt(var + eps){(affine ? (step.NormPerElementAffine ? "·γ[c, y, x] + β[c, y, x]" : "·γ[c] + β[c]") : "")}" +
                   $"{(step.Epilogue.Count == 0 ? "" : ", then " + EpilogueName(step.Epilogue))}; {Int(vectorEnd / v.Lanes)} channel vector(s) of {v.Lanes}.");
            EmitStatistics(w, step, input, v);

            w.Line($"// Each group's biased variance; per channel, scale = {(perChannelAffine ? "γ" : "1")}/sqrt(var + eps) and offset = {(perChannelAffine ? "β" : "0")} - (mean - shift)·scale.");
            w.Open($"for (int g = 0; g < {Int(groups)}; g++)");
            w.Line("double total = 0;");
            w.Line($"for (int c = {Product("g", Int(perGroup))}; c < {Product(Sum("g", "1"), Int(perGroup))}; c++) total += Unsafe.Add(ref squares, c);");
            w.Line($"double inverse = 1.0 / Math.Sqrt(total / {Long(count)} + (double){Float(step.NormEpsilon)});");
            w.Open($"for (int c = {Product("g", Int(perGroup))}; c < {Product(Sum("g", "1"), Int(perGroup))}; c++)");
            w.Line(perChannelAffine ? "double s = Unsafe.Add(ref gamma, c) * inverse;" : "double s = inverse;");
            w.Line("Unsafe.Add(ref scale, c) = (float)s;");
            w.Line($"Unsafe.Add(ref offset, c) = (float)({(perChannelAffine ? "Unsafe.Add(ref beta, c) - " : "-")}Unsafe.Add(ref offset, c) * s);");
            w.Close();
            w.Close();
            if (vectorEnd > channels) w.Line($"for (int c = {Int(channels)}; c < {Int(vectorEnd)}; c++) Unsafe.Add(ref scale, c) = 0f; // vector padding: offset is already 0");

            EmitScaleShiftPass(w, step, input, output, v, perElementAffine: step.NormPerElementAffine && affine);
            w.Close();
        }

        /// <summary>
        /// A BatchNorm without running statistics in a batch of several samples, first half: this sample's per-channel mean and
        /// M2 = Σ (x − mean)² over H × W (the same shifted two-pass sums as the per-sample kernel), merged in double into the
        /// batch's running mean and M2 of the samples before it (Chan, Golub and LeVeque's pairwise update: exact for any
        /// split of the values, no cancellation). The runtime turns them into scale and offset once every sample is in
        /// (FusedNet.Internal.BatchStatistics.Finish); <see cref="EmitBatchApplyKernel"/> then normalises each sample.
        /// </summary>
        public static void EmitBatchStatisticsKernel(SourceWriter w, string method, StepPlan step, BufferPlan input, VectorWidth v)
        {
            Shape shape = step.InputShape;
            int channels = shape.Channels;
            long pixels = (long)shape.Height * shape.Width;
            OpenKernel(w, $"public static void {method}(ref float input, ref float workspace, ref double batchMean, ref double batchM2, int samplesBefore)");
            w.Line($"// One sample's statistics of {Int(channels)} channel(s) over {Int(shape.Height)}x{Int(shape.Width)}, merged into those of the samples before it (samplesBefore of them).");
            EmitStatistics(w, step, input, v);
            w.Line($"// Per channel: this sample's mean and M2 in double (pass 2 measured deviations from shift + (mean - shift) rounded to float:");
            w.Line("// Σ (x - centre)² = M2 + n·(mean - centre)², so M2 is that minus the second term), then merged with the batch's.");
            w.Line($"double before = samplesBefore * {Long(pixels)}.0, merged = before + {Long(pixels)}.0; // values per channel: before, and with this sample");
            w.Open($"for (int c = 0; c < {Int(channels)}; c++)");
            w.Line($"double mean = Unsafe.Add(ref shift, c) + Unsafe.Add(ref sums, c) / {Long(pixels)}.0;");
            w.Line("double centre = (double)Unsafe.Add(ref shift, c) + Unsafe.Add(ref offset, c);");
            w.Line($"double m2 = Math.Max(0.0, Unsafe.Add(ref squares, c) - {Long(pixels)}.0 * (mean - centre) * (mean - centre));");
            w.Open("if (samplesBefore == 0)");
            w.Line("Unsafe.Add(ref batchMean, c) = mean;");
            w.Line("Unsafe.Add(ref batchM2, c) = m2;");
            w.Close();
            w.Open("else");
            w.Line("double delta = mean - Unsafe.Add(ref batchMean, c);");
            w.Line($"Unsafe.Add(ref batchMean, c) += delta * {Long(pixels)}.0 / merged;");
            w.Line($"Unsafe.Add(ref batchM2, c) += m2 + delta * delta * before * {Long(pixels)}.0 / merged;");
            w.Close();
            w.Close();
            w.Close();
        }

        /// <summary>
        /// A BatchNorm without running statistics in a batch of several samples, second half: y = (x − centre)·scale + offset
        /// per channel with the batch's values (<c>batch</c> = [centre][scale][offset], each C rounded up to 16, from
        /// FusedNet.Internal.BatchStatistics.Finish; centre = the batch mean in float, so a large mean costs no precision),
        /// then the fused activation.
        /// </summary>
        public static void EmitBatchApplyKernel(SourceWriter w, string method, StepPlan step, BufferPlan input, BufferPlan output, VectorWidth v)
        {
            int stride = BufferPlan.RoundUp(step.InputShape.Channels, BufferPlan.ChannelAlignment);
            OpenKernel(w, $"public static void {method}(ref float input, ref float output, ref float batch)");
            w.Line($"// {(input.Name == output.Name ? "in place" : "out of place")}: the batch's per-channel statistics, gathered before; " +
                   $"{Int(BufferPlan.RoundUp(step.InputShape.Channels, v.Lanes) / v.Lanes)} channel vector(s) of {v.Lanes}.");
            w.Line("ref float shift = ref batch; // the batch mean per channel, in float");
            w.Line($"ref float scale = ref Unsafe.Add(ref batch, {Int(stride)}); // γ/sqrt(var + eps)");
            w.Line($"ref float offset = ref Unsafe.Add(ref batch, {Int(2 * stride)}); // β - (mean - shift)·scale");
            EmitScaleShiftPass(w, step, input, output, v, perElementAffine: false);
            w.Close();
        }

        /// <summary>
        /// Passes 1 and 2 and the group means (see the class remarks): declares <c>shift</c>, <c>sums</c>, <c>squares</c>,
        /// <c>scale</c> and <c>offset</c> over the workspace, and leaves Σ (x − shift) in sums, mean − shift (float) in offset
        /// and Σ ((x − shift) − offset)² in squares, per channel.
        /// </summary>
        private static void EmitStatistics(SourceWriter w, StepPlan step, BufferPlan input, VectorWidth v)
        {
            Shape shape = step.InputShape;
            int channels = shape.Channels, height = shape.Height, width = shape.Width;
            int groups = step.NormGroups, perGroup = channels / groups;
            int vectorEnd = BufferPlan.RoundUp(channels, v.Lanes);
            int stride = BufferPlan.RoundUp(channels, BufferPlan.ChannelAlignment);
            long count = (long)perGroup * height * width;
            w.Line($"ref float shift = ref workspace; // [{Int(stride)}] each channel's first value");
            w.Line($"ref double sums = ref Unsafe.As<float, double>(ref Unsafe.Add(ref workspace, {Int(stride)})); // [{Int(stride)}] Σ (x - shift) per channel");
            w.Line($"ref double squares = ref Unsafe.As<float, double>(ref Unsafe.Add(ref workspace, {Int(3 * stride)})); // [{Int(stride)}] Σ (x - mean)² per channel");
            w.Line($"ref float scale = ref Unsafe.Add(ref workspace, {Int(5 * stride)}); // [{Int(stride)}]");
            w.Line($"ref float offset = ref Unsafe.Add(ref workspace, {Int(6 * stride)}); // [{Int(stride)}] mean - shift, then the final offset");
            w.Open($"for (int c = 0; c < {Int(vectorEnd)}; c++)");
            w.Line("Unsafe.Add(ref sums, c) = 0;");
            w.Line("Unsafe.Add(ref squares, c) = 0;");
            w.Close();
            w.Open($"for (int c = 0; c < {Int(vectorEnd)}; c += {v.Lanes})");
            w.Line(v.Store(v.Load("input", Sum(PixelOffset(input, "0", "0"), "c")), "shift", "c"));
            w.Close();

            w.Line("// Pass 1: Σ (x - shift) per channel; each row in float vectors, the rows added up in double.");
            EmitRowSums(w, v, input, height, width, vectorEnd, "sums", squared: false);

            w.Line("// Each group's mean in double; per channel, mean - shift (of the size of the spread, not of the mean).");
            w.Open($"for (int g = 0; g < {Int(groups)}; g++)");
            w.Line("double total = 0;");
            w.Line($"for (int c = {Product("g", Int(perGroup))}; c < {Product(Sum("g", "1"), Int(perGroup))}; c++) total += Unsafe.Add(ref sums, c) + (double)Unsafe.Add(ref shift, c) * {Long((long)height * width)};");
            w.Line($"double mean = total / {Long(count)};");
            w.Line($"for (int c = {Product("g", Int(perGroup))}; c < {Product(Sum("g", "1"), Int(perGroup))}; c++) Unsafe.Add(ref offset, c) = (float)(mean - Unsafe.Add(ref shift, c));");
            w.Close();
            if (vectorEnd > channels) w.Line($"for (int c = {Int(channels)}; c < {Int(vectorEnd)}; c++) Unsafe.Add(ref offset, c) = 0f; // vector padding");

            w.Line("// Pass 2: Σ ((x - shift) - (mean - shift))² per channel, the same way (two passes: no cancellation).");
            EmitRowSums(w, v, input, height, width, vectorEnd, "squares", squared: true);
        }

        /// <summary>Pass 3: y = (x − shift)·scale + offset per channel (then γ, β per element), the fused activation, one store.</summary>
        private static void EmitScaleShiftPass(SourceWriter w, StepPlan step, BufferPlan input, BufferPlan output, VectorWidth v, bool perElementAffine)
        {
            Shape shape = step.InputShape;
            int height = shape.Height, width = shape.Width;
            int vectorEnd = BufferPlan.RoundUp(shape.Channels, v.Lanes);
            int stride = BufferPlan.RoundUp(shape.Channels, BufferPlan.ChannelAlignment);
            w.Line($"// Pass 3: y = (x - shift)·scale + offset{(perElementAffine ? ", then ·γ + β per element" : "")}{(step.Epilogue.Count == 0 ? "" : ", then " + EpilogueName(step.Epilogue))}.");
            w.Open($"for (int y = 0; y < {Int(height)}; y++)");
            w.Open($"for (int x = 0; x < {Int(width)}; x++)");
            w.Line($"ref float source = ref Unsafe.Add(ref input, {PixelOffset(input, "y", "x")});");
            w.Line($"ref float target = ref Unsafe.Add(ref output, {PixelOffset(output, "y", "x")});");
            if (perElementAffine)
            {
                // γ and β are packed as [H][W][C rounded up to 16], without a border.
                string element = Product(Sum(Product("y", Int(width)), "x"), Int(stride));
                w.Line($"ref float g = ref Unsafe.Add(ref gamma, {element});");
                w.Line($"ref float b = ref Unsafe.Add(ref beta, {element});");
            }
            w.Open($"for (int c = 0; c < {Int(vectorEnd)}; c += {v.Lanes})");
            w.Line($"{v.Of} value = {v.Fma($"{v.Load("source", "c")} - {v.Load("shift", "c")}", v.Load("scale", "c"), v.Load("offset", "c"))};");
            if (perElementAffine) w.Line($"value = {v.Fma("value", v.Load("g", "c"), v.Load("b", "c"))};");
            w.Line(v.Store(Epilogue(step.Epilogue, "value", null), "target", "c"));
            w.Close();
            w.Close();
            w.Close();
        }

        /// <summary>
        /// Per channel, Σ (x − shift) (or Σ ((x − shift) − offset)² when <paramref name="squared"/>) added into the double
        /// array <paramref name="target"/>: a float vector sum over each row's pixels, then the row's lanes added in double.
        /// </summary>
        private static void EmitRowSums(SourceWriter w, VectorWidth v, BufferPlan input, int height, int width, int vectorEnd, string target, bool squared)
        {
            w.Open($"for (int y = 0; y < {Int(height)}; y++)");
            w.Open($"for (int c = 0; c < {Int(vectorEnd)}; c += {v.Lanes})");
            w.Line($"{v.Of} k = {v.Load("shift", "c")};");
            if (squared) w.Line($"{v.Of} d = {v.Load("offset", "c")};");
            w.Line($"{v.Of} acc = {v.Of}.Zero;");
            w.Open($"for (int x = 0; x < {Int(width)}; x++)");
            string load = v.Load("input", Sum(PixelOffset(input, "y", "x"), "c"));
            if (squared)
            {
                w.Line($"{v.Of} deviation = {load} - k - d;");
                w.Line($"acc = {v.Fma("deviation", "deviation", "acc")};");
            }
            else
            {
                w.Line($"acc += {load} - k;");
            }
            w.Close();
            w.Line($"for (int l = 0; l < {v.Lanes}; l++) Unsafe.Add(ref {target}, c + l) += acc.GetElement(l);");
            w.Close();
            w.Close();
        }
    }
}
