using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// Emits the layout changes between the user's NCHW tensors and the internal NHWC buffers: copying the
    /// input in, Flatten to PyTorch's (c, h, w) order, and copying the result out.
    /// </summary>
    internal static class LayoutEmitter
    {
        private static string BufferOffset(BufferPlan b, string y, string x, string c) =>
            $"(({y} + {Int(b.Border)}) * {Int(b.PaddedWidth)} + {x} + {Int(b.Border)}) * {Int(b.ChannelStride)} + {c}";

        /// <summary>NCHW input sample → NHWC buffer interior.</summary>
        public static void EmitCopyIn(SourceWriter w, string method, BufferPlan buffer)
        {
            Shape s = buffer.Shape;
            w.Open($"private static void {method}(ref float input, ref float buffer)");
            w.Line($"// NCHW {s} → NHWC, border {Int(buffer.Border)}, channel stride {Int(buffer.ChannelStride)}.");
            w.Open($"for (int y = 0; y < {Int(s.Height)}; y++)");
            w.Open($"for (int x = 0; x < {Int(s.Width)}; x++)");
            w.Line($"ref float pixel = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref buffer, {BufferOffset(buffer, "y", "x", "0")});");
            w.Open($"for (int c = 0; c < {Int(s.Channels)}; c++)");
            w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref pixel, c) = global::System.Runtime.CompilerServices.Unsafe.Add(ref input, (c * {Int(s.Height)} + y) * {Int(s.Width)} + x);");
            w.Close();
            w.Close();
            w.Close();
            w.Close();
        }

        /// <summary>Result buffer → output sample (flat: a copy; spatial: NHWC → NCHW).</summary>
        public static void EmitCopyOut(SourceWriter w, string method, BufferPlan buffer)
        {
            Shape s = buffer.Shape;
            w.Open($"private static void {method}(ref float buffer, ref float output)");
            if (s.IsFlat)
            {
                w.Line($"// flat {s}: copy the {Int(s.Channels)} real features (the buffer is padded to {Int(buffer.ChannelStride)}).");
                w.Line($"global::System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref buffer, {Int(s.Channels)}).CopyTo(global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref output, {Int(s.Channels)}));");
            }
            else
            {
                w.Line($"// NHWC → NCHW {s}.");
                EmitToChannelMajor(w, buffer, "output");
            }
            w.Close();
        }

        /// <summary>Flatten: NHWC buffer → flat (c, h, w) order, as PyTorch flattens NCHW.</summary>
        public static void EmitFlatten(SourceWriter w, string method, BufferPlan input)
        {
            w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
            w.Open($"private static void {method}(ref float input, ref float output)");
            w.Line($"// {input.Shape} NHWC → [{input.Shape.Length}] in (c, h, w) order.");
            w.Line("ref float buffer = ref input;");
            EmitToChannelMajor(w, input, "output");
            w.Close();
        }

        private static void EmitToChannelMajor(SourceWriter w, BufferPlan buffer, string destination)
        {
            Shape s = buffer.Shape;
            w.Open($"for (int y = 0; y < {Int(s.Height)}; y++)");
            w.Open($"for (int x = 0; x < {Int(s.Width)}; x++)");
            w.Line($"ref float pixel = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref buffer, {BufferOffset(buffer, "y", "x", "0")});");
            w.Open($"for (int c = 0; c < {Int(s.Channels)}; c++)");
            w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref {destination}, (c * {Int(s.Height)} + y) * {Int(s.Width)} + x) = global::System.Runtime.CompilerServices.Unsafe.Add(ref pixel, c);");
            w.Close();
            w.Close();
            w.Close();
        }
    }
}
