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
        public static void EmitWindowPool(SourceWriter w, string method, StepPlan step, BufferPlan input, BufferPlan output, VectorWidth v)
        {
            bool max = step.Kind == StepKind.MaxPool;
            int channels = BufferPlan.RoundUp(step.InputShape.Channels, v.Lanes);
            int height = step.InputShape.Height, width = step.InputShape.Width;
            int k = step.KernelHeight, s = step.Stride, p = step.Padding;
            OpenKernel(w, $"public static void {method}(ref float input, ref float output, {string.Join(", ", RowRange.Parameters)})");
            w.Line($"// {(max ? "max" : "average")} over {k}x{k} windows, stride {s}, padding {p}; {Int(channels / v.Lanes)} channel vector(s) of {v.Lanes}.");
            w.Open(RowRange.Loop("oy", step.OutputShape.Height));
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
            w.Line($"ref float o = ref Unsafe.Add(ref output, {PixelOffset(output, "oy", "ox")});");
            w.Open($"for (int c = 0; c < {Int(channels)}; c += {v.Lanes})");
            w.Line(max ? $"{v.Of} acc = {v.Broadcast("float.NegativeInfinity")};" : $"{v.Of} acc = {v.Of}.Zero;");
            w.Open("for (int y = yStart; y < yEnd; y++)");
            w.Open("for (int x = xStart; x < xEnd; x++)");
            string load = v.Load("input", Sum(PixelOffset(input, "y", "x"), "c"));
            w.Line(max ? $"acc = {v.TypeName}.Max(acc, {load});" : $"acc += {load};");
            w.Close();
            w.Close();
            w.Line(v.Store(max ? "acc" : $"acc / {v.Broadcast("divisor")}", "o", "c"));
            w.Close();
            w.Close();
            w.Close();
            w.Close();
        }

        public static void EmitGlobalAverage(SourceWriter w, string method, StepPlan step, BufferPlan input, BufferPlan output, VectorWidth v)
        {
            int channels = BufferPlan.RoundUp(step.InputShape.Channels, v.Lanes);
            int height = step.InputShape.Height, width = step.InputShape.Width;
            OpenKernel(w, $"public static void {method}(ref float input, ref float output)");
            w.Line($"// mean over {height}x{width} pixels, {Int(channels / v.Lanes)} channel vector(s) of {v.Lanes}.");
            w.Open($"for (int c = 0; c < {Int(channels)}; c += {v.Lanes})");
            w.Line($"{v.Of} sum = {v.Of}.Zero;");
            w.Open($"for (int y = 0; y < {Int(height)}; y++)");
            w.Open($"for (int x = 0; x < {Int(width)}; x++)");
            w.Line($"sum += {v.Load("input", Sum(PixelOffset(input, "y", "x"), "c"))};");
            w.Close();
            w.Close();
            // A [C] result, or [C, 1, 1] (AdaptiveAvgPool2d) whose one pixel sits after the border a padded reader asked for.
            w.Line(v.Store($"sum / {v.Broadcast($"{Int(height * width)}f")}", "output", Sum(PixelOffset(output, "0", "0"), "c")));
            w.Close();
            w.Close();
        }
    }
}
