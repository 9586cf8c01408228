using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// Emits per-element passes: BatchNorm as scale-and-shift (optionally followed by an activation) and
    /// standalone activations. They run in place over the interior of the buffer only, so a zero border
    /// that a later convolution reads as padding stays zero.
    /// </summary>
    internal static class ElementwiseEmitter
    {
        public static void EmitKernel(SourceWriter w, string method, StepPlan step, BufferPlan buffer, VectorWidth v)
        {
            bool scaleShift = step.Kind == StepKind.ScaleShift;
            string parameters = scaleShift ? "ref float data, ref float scale, ref float shift" : "ref float data";
            int channels = BufferPlan.RoundUp(step.InputShape.Channels, v.Lanes);
            OpenKernel(w, $"private static void {method}({parameters})");
            w.Line($"// in place: {(scaleShift ? "x * scale[c] + shift[c], then " : "")}activation {ActivationName(step.Activation)}; {Int(channels / v.Lanes)} channel vector(s) of {v.Lanes}.");
            string offset;
            if (buffer.Shape.IsFlat)
            {
                offset = "c";
            }
            else
            {
                w.Open($"for (int y = 0; y < {Int(buffer.Shape.Height)}; y++)");
                w.Open($"for (int x = 0; x < {Int(buffer.Shape.Width)}; x++)");
                w.Line($"ref float pixel = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref data, ((y + {Int(buffer.Border)}) * {Int(buffer.PaddedWidth)} + x + {Int(buffer.Border)}) * {Int(buffer.ChannelStride)});");
                offset = "c";
            }
            string target = buffer.Shape.IsFlat ? "data" : "pixel";
            w.Open($"for (int c = 0; c < {Int(channels)}; c += {v.Lanes})");
            w.Line($"{v.Of} value = {v.Load(target, offset)};");
            if (scaleShift) w.Line($"value = {v.Fma("value", v.Load("scale", "c"), v.Load("shift", "c"))};");
            w.Line(v.Store(Activate(step.Activation, "value"), target, "c"));
            w.Close();
            if (!buffer.Shape.IsFlat)
            {
                w.Close();
                w.Close();
            }
            w.Close();
        }
    }
}
