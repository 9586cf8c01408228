using System;
using System.Linq;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// Emits MaxPool2d, AvgPool2d and GlobalAvgPool2d, vectorised across channels. Pool padding is not
    /// materialised: the window is clipped to the input (max ignores padding as PyTorch's −∞ does; average
    /// divides by the window clipped to the padded extent: count_include_pad = true).
    /// </summary>
    internal static class PoolEmitter
    {
        /// <param name="rebased">
        /// The variant a row pipeline calls when the pool reads or writes a rolling window (RowWindow): output rows [firstRow,
        /// firstRow + rows), written from <c>output</c> (row firstRow's place) and read from <c>input</c> (the place of input
        /// row max(firstRow·S − P, 0), the first the window clipped to the input reads); rows are still clipped absolutely.
        /// </param>
        public static void EmitWindowPool(SourceWriter w, string method, StepPlan step, BufferPlan input, BufferPlan output, VectorWidth v, bool rebased = false)
        {
            bool max = step.Kind == StepKind.MaxPool;
            int channels = BufferPlan.RoundUp(step.InputShape.Channels, v.Lanes);
            int height = step.InputShape.Height, width = step.InputShape.Width;
            int k = step.KernelHeight, s = step.Stride, p = step.Padding;
            OpenKernel(w, $"public static void {method}(ref float input, ref float output, {(rebased ? "int firstRow, int rows" : string.Join(", ", RowRange.Parameters))})");
            w.Line($"// {(max ? "max" : "average")} over {k}x{k} windows, stride {s}, padding {p}; {Int(channels / v.Lanes)} channel vector(s) of {v.Lanes}.");
            string outRow = "oy", inRow = "y";
            if (rebased)
            {
                w.Line($"// output rows [firstRow, firstRow + rows) of {Int(step.OutputShape.Height)}; input and output point at the first row each reads or writes.");
                w.Line($"int inFirst = Math.Max({Product("firstRow", Int(s))}{(p == 0 ? "" : $" - {Int(p)}")}, 0);");
                w.Open("for (int i = 0; i < rows; i++)");
                w.Line("int oy = firstRow + i;");
                (outRow, inRow) = ("i", "y - inFirst");
            }
            else
            {
                w.Open(RowRange.Loop("oy", step.OutputShape.Height));
            }
            w.Line($"int y0 = {Product("oy", Int(s))}{(p == 0 ? "" : $" - {Int(p)}")};");
            w.Line($"int yStart = Math.Max(y0, 0), yEnd = Math.Min(y0 + {Int(k)}, {Int(height)});");
            w.Open($"for (int ox = 0; ox < {Int(step.OutputShape.Width)}; ox++)");
            w.Line($"int x0 = {Product("ox", Int(s))}{(p == 0 ? "" : $" - {Int(p)}")};");
            w.Line($"int xStart = Math.Max(x0, 0), xEnd = Math.Min(x0 + {Int(k)}, {Int(width)});");
            if (!max)
            {
                w.Line("// count_include_pad: the divisor counts padding cells but not cells beyond the padded input.");
                w.Line($"float divisor = (Math.Min(y0 + {Int(k)}, {Int(height + p)}) - y0) * (Math.Min(x0 + {Int(k)}, {Int(width + p)}) - x0);");
            }
            w.Line($"ref float o = ref Unsafe.Add(ref output, {PixelOffset(output, outRow, "ox")});");
            w.Open($"for (int c = 0; c < {Int(channels)}; c += {v.Lanes})");
            w.Line(max ? $"{v.Of} acc = {v.Broadcast("float.NegativeInfinity")};" : $"{v.Of} acc = {v.Of}.Zero;");
            w.Open("for (int y = yStart; y < yEnd; y++)");
            w.Open("for (int x = xStart; x < xEnd; x++)");
            string load = v.Load("input", Sum(PixelOffset(input, inRow, "x"), "c"));
            w.Line(max ? $"acc = {v.TypeName}.Max(acc, {load});" : $"acc += {load};");
            w.Close();
            w.Close();
            w.Line(v.Store(max ? "acc" : $"acc / {v.Broadcast("divisor")}", "o", "c"));
            w.Close();
            w.Close();
            w.Close();
            w.Close();
        }

        /// <summary>At most this many channel vectors are summed in one sweep over the pixels (accumulators in registers).</summary>
        private const int GlobalAverageVectorsPerSweep = 8;

        /// <summary>
        /// Independent partial sums per channel for a global average over <paramref name="channels"/> channels: enough
        /// independent additions in flight to hide the add latency when there are few channel vectors. Depends on the
        /// channel count only, not the vector width, so every width sums each channel in the same order (same result).
        /// </summary>
        internal static int GlobalAverageChains(int channels) => channels >= 64 ? 1 : channels >= 32 ? 2 : 4;

        /// <summary>Floats between consecutive rows' sums in the workspace: channels rounded up to 16 (any vector width fits).</summary>
        private static int RowSumStride(StepPlan step) => BufferPlan.RoundUp(step.InputShape.Channels, BufferPlan.ChannelAlignment);

        /// <summary>Floats of a global average pool's row sums (the workspace it needs).</summary>
        public static long RowSumFloats(StepPlan step) => (long)step.InputShape.Height * RowSumStride(step);

        /// <summary>
        /// Global average pool, first half: the sum of each input row per channel, for rows [rowBegin, rowEnd), into the
        /// workspace (threads share the rows: each sums rows it wrote in the step before). Pixels are read in memory order,
        /// each pixel's channel vectors together, up to <see cref="GlobalAverageVectorsPerSweep"/> vectors per sweep with
        /// their own accumulators, so the additions of different vectors overlap instead of waiting on one chain. With few
        /// channels column x goes to partial sum x mod chains (see <see cref="GlobalAverageChains"/>), added in order at the
        /// row's end. Which thread sums a row never changes its sum.
        /// </summary>
        public static void EmitGlobalAverageRows(SourceWriter w, string method, StepPlan step, BufferPlan input, VectorWidth v)
        {
            int channels = BufferPlan.RoundUp(step.InputShape.Channels, v.Lanes);
            int width = step.InputShape.Width, stride = RowSumStride(step);
            int vectors = channels / v.Lanes;
            int chains = Math.Min(GlobalAverageChains(step.InputShape.Channels), width);
            int fullColumns = width / chains * chains;
            OpenKernel(w, $"public static void {method}(ref float input, ref float rowSums, {string.Join(", ", RowRange.Parameters)})");
            w.Line($"// per row and channel, the sum over the row's {Int(width)} pixels into rowSums[y * {Int(stride)} + c]; {Int(vectors)} channel vector(s) of {v.Lanes},");
            w.Line($"// at most {GlobalAverageVectorsPerSweep} per sweep; {Int(chains)} partial sum(s) per channel (column x goes to sum x mod {Int(chains)}), added in order.");
            w.Open(RowRange.Loop("y", step.InputShape.Height, "input rows"));
            w.Line($"ref float sums = ref Unsafe.Add(ref rowSums, y * {Int(stride)});");
            for (int first = 0; first < vectors; first += GlobalAverageVectorsPerSweep)
            {
                int count = Math.Min(GlobalAverageVectorsPerSweep, vectors - first);
                string Acc(int k, int j) => $"sum{k}_{j}";
                string Channel(int j) => Int((first + j) * v.Lanes);
                w.Open();
                w.Line($"// channels {Channel(0)}..{Int((first + count) * v.Lanes - 1)}");
                for (int k = 0; k < chains; k++)
                    w.Line($"{v.Of} {string.Join(", ", Enumerable.Range(0, count).Select(j => $"{Acc(k, j)} = {v.Of}.Zero"))};");
                void AddPixel(string x, int k, string name)
                {
                    w.Line($"ref float {name} = ref Unsafe.Add(ref input, {PixelOffset(input, "y", x)});");
                    for (int j = 0; j < count; j++)
                        w.Line($"{Acc(k, j)} += {v.Load(name, Channel(j))};");
                }
                w.Open($"for (int x = 0; x < {Int(fullColumns)}; x += {Int(chains)})");
                for (int k = 0; k < chains; k++) AddPixel(k == 0 ? "x" : $"x + {Int(k)}", k, $"pixel{k}");
                w.Close();
                for (int x = fullColumns; x < width; x++) AddPixel(Int(x), x % chains, $"column{x}");
                for (int j = 0; j < count; j++)
                    w.Line(v.Store(string.Join(" + ", Enumerable.Range(0, chains).Select(k => Acc(k, j))), "sums", Channel(j)));
                w.Close();
            }
            w.Close();
            w.Close();
        }

        /// <summary>
        /// Global average pool, second half (one thread, after every row is summed): each channel's row sums added in row
        /// order, divided by the pixel count.
        /// </summary>
        public static void EmitGlobalAverageFinish(SourceWriter w, string method, StepPlan step, BufferPlan output, VectorWidth v)
        {
            int channels = BufferPlan.RoundUp(step.InputShape.Channels, v.Lanes);
            int height = step.InputShape.Height, width = step.InputShape.Width, stride = RowSumStride(step);
            int vectors = channels / v.Lanes;
            OpenKernel(w, $"public static void {method}(ref float rowSums, ref float output)");
            w.Line($"// mean over {height}x{width} pixels: the {Int(height)} row sums of each channel added in row order, {Int(vectors)} channel vector(s) of {v.Lanes}.");
            for (int first = 0; first < vectors; first += GlobalAverageVectorsPerSweep)
            {
                int count = Math.Min(GlobalAverageVectorsPerSweep, vectors - first);
                string Channel(int j) => Int((first + j) * v.Lanes);
                w.Open();
                w.Line($"{v.Of} {string.Join(", ", Enumerable.Range(0, count).Select(j => $"sum{j} = {v.Load("rowSums", Channel(j))}"))};");
                w.Open($"for (int y = 1; y < {Int(height)}; y++)");
                w.Line($"ref float sums = ref Unsafe.Add(ref rowSums, y * {Int(stride)});");
                for (int j = 0; j < count; j++) w.Line($"sum{j} += {v.Load("sums", Channel(j))};");
                w.Close();
                // A [C] result, or [C, 1, 1] (AdaptiveAvgPool2d) whose one pixel sits after the border a padded reader asked for.
                for (int j = 0; j < count; j++)
                    w.Line(v.Store($"sum{j} / {v.Broadcast($"{Int(height * width)}f")}", "output", Sum(PixelOffset(output, "0", "0"), Channel(j))));
                w.Close();
            }
            w.Close();
        }
    }
}
