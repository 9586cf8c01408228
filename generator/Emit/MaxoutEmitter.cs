using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// Emits Maxout(pieces): output channel j = max of input channels j·pieces … j·pieces + pieces − 1 (the usual PyTorch
    /// <c>x.view(N, C // k, k, H, W).max(2)</c>), pixel by pixel. Scalar: a group's channels are adjacent in NHWC, so a
    /// vector would need a horizontal max per output value; this pass is memory-bound and rare, so plain loops do. An
    /// activation right after the Maxout (fused path) is applied to each maximum before its store (scalar operator forms).
    /// </summary>
    internal static class MaxoutEmitter
    {
        public static void EmitKernel(SourceWriter w, string method, StepPlan step, BufferPlan input, BufferPlan output)
        {
            Shape s = step.InputShape;
            int pieces = s.Channels / step.OutputShape.Channels;
            int outChannels = step.OutputShape.Channels;
            bool spatial = !s.IsFlat;
            OpenKernel(w, $"public static void {method}(ref float input, ref float output{(spatial ? ", " + string.Join(", ", RowRange.Parameters) : "")})");
            w.Line($"// {s} → {step.OutputShape}: output channel j = max of input channels {Int(pieces)}·j … {Int(pieces)}·j + {Int(pieces - 1)} (NaN propagates, as torch.max); epilogue: {EpilogueName(step.Epilogue)}.");
            if (spatial)
            {
                w.Open(RowRange.Loop("y", s.Height));
                w.Open($"for (int x = 0; x < {Int(s.Width)}; x++)");
            }
            string pixelIn = spatial ? PixelOffset(input, "y", "x") : "0";
            string pixelOut = spatial ? PixelOffset(output, "y", "x") : "0";
            w.Line($"ref float source = ref Unsafe.Add(ref input, {pixelIn});");
            w.Line($"ref float target = ref Unsafe.Add(ref output, {pixelOut});");
            w.Open($"for (int j = 0; j < {Int(outChannels)}; j++)");
            w.Line($"ref float group = ref Unsafe.Add(ref source, j * {Int(pieces)});");
            w.Line("float max = group;");
            w.Open($"for (int p = 1; p < {Int(pieces)}; p++)");
            w.Line("max = MathF.Max(max, Unsafe.Add(ref group, p));");
            w.Close();
            w.Line($"Unsafe.Add(ref target, j) = {Epilogue(step.Epilogue, "max", null)};");
            w.Close();
            if (spatial)
            {
                w.Close();
                w.Close();
            }
            w.Close();
        }
    }
}
