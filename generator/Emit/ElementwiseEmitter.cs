using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// Emits per-element passes: BatchNorm as scale-and-shift, standalone activations, Add (two tensors of one
    /// shape) and Mul (a [C, H, W] tensor times a [C, 1, 1] scale), each followed by its fused epilogue. They
    /// visit the interior of the buffers only, so a zero border that a later convolution reads as padding stays
    /// zero. Input and output may be the same buffer (in place): each element is read before it is written.
    /// </summary>
    internal static class ElementwiseEmitter
    {
        public static void EmitKernel(SourceWriter w, string method, StepPlan step, BufferPlan input, BufferPlan output,
            BufferPlan? second, VectorWidth v)
        {
            string parameters = step.Kind switch
            {
                StepKind.ScaleShift => "ref float input, ref float output, ref float scale, ref float shift",
                StepKind.Add or StepKind.Mul => "ref float input, ref float output, ref float second",
                _ => "ref float input, ref float output",
            };
            int channels = BufferPlan.RoundUp(step.InputShape.Channels, v.Lanes);
            bool spatial = !input.Shape.IsFlat;
            if (spatial) parameters += ", " + string.Join(", ", RowRange.Parameters);
            OpenKernel(w, $"public static void {method}({parameters})");
            string operation = step.Kind switch
            {
                StepKind.ScaleShift => "x * scale[c] + shift[c]",
                StepKind.Add => "x + second",
                StepKind.Mul => "x * second[c] (broadcast over the pixels)",
                _ => "x",
            };
            w.Line($"// {(input.Name == output.Name ? "in place" : "out of place")}: {operation}{(step.Epilogue.Count == 0 ? "" : ", then " + EpilogueName(step.Epilogue))}; {Int(channels / v.Lanes)} channel vector(s) of {v.Lanes}.");
            if (spatial)
            {
                w.Open(RowRange.Loop("y", input.Shape.Height));
                w.Open($"for (int x = 0; x < {Int(input.Shape.Width)}; x++)");
                w.Line($"ref float source = ref {Pixel("input", input)};");
                w.Line($"ref float target = ref {Pixel("output", output)};");
                if (step.Kind == StepKind.Add) w.Line($"ref float other = ref {Pixel("second", second!)};");
            }
            else
            {
                w.Line("ref float source = ref input;");
                w.Line("ref float target = ref output;");
                if (step.Kind == StepKind.Add) w.Line("ref float other = ref second;");
            }
            w.Open($"for (int c = 0; c < {Int(channels)}; c += {v.Lanes})");
            w.Line($"{v.Of} value = {v.Load("source", "c")};");
            switch (step.Kind)
            {
                case StepKind.ScaleShift:
                    w.Line($"value = {v.Fma("value", v.Load("scale", "c"), v.Load("shift", "c"))};");
                    break;
                case StepKind.Add:
                    w.Line($"value += {v.Load("other", "c")};");
                    break;
                case StepKind.Mul:
                    // The scale is [C, 1, 1] (or [C]) with no border: channel c sits at offset c.
                    w.Line($"value *= {v.Load("second", Sum(PixelOffset(second!, "0", "0"), "c"))};");
                    break;
            }
            w.Line(v.Store(Epilogue(step.Epilogue, "value", null), "target", "c"));
            w.Close();
            if (spatial)
            {
                w.Close();
                w.Close();
            }
            w.Close();
        }

        private static string Pixel(string reference, BufferPlan buffer) =>
            $"Unsafe.Add(ref {reference}, {PixelOffset(buffer, "y", "x")})";
    }
}
