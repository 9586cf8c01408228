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
        private static string BufferOffset(BufferPlan b, string y, string x, string c) => Sum(PixelOffset(b, y, x), c);

        /// <summary>NCHW input sample → NHWC buffer interior.</summary>
        public static void EmitCopyIn(SourceWriter w, string method, BufferPlan buffer)
        {
            Shape s = buffer.Shape;
            OpenKernel(w, $"public static void {method}(ref float input, ref float buffer, {string.Join(", ", RowRange.Parameters)})");
            w.Line($"// NCHW {s} → NHWC, border {Int(buffer.Border)}, channel stride {Int(buffer.ChannelStride)}; rows [rowBegin, rowEnd) (threads share the rows).");
            EmitRowTranspose(w, buffer, toChannelMajor: false, "input", "buffer", rowRange: "input rows");
            w.Close();
        }

        /// <summary>
        /// Moves one image row at a time between NCHW (channel planes) and NHWC (pixels): 8 channels × 8 pixels
        /// per AVX transpose, scalar for the edges. A row of NHWC pixels is a few KB and stays in L1.
        /// </summary>
        private static void EmitRowTranspose(SourceWriter w, BufferPlan buffer, bool toChannelMajor, string planes, string pixels, string? rowRange = null)
        {
            Shape s = buffer.Shape;
            int channelBlocks = s.Channels / 8 * 8, pixelBlocks = s.Width / 8 * 8;
            int plane = s.Height * s.Width, stride = buffer.ChannelStride;
            const string U = "Unsafe"; // the kernels' file has `using System.Runtime.CompilerServices;`
            w.Open(rowRange is not null ? RowRange.Loop("y", s.Height, rowRange) : $"for (int y = 0; y < {Int(s.Height)}; y++)");
            w.Line($"ref float row = ref {U}.Add(ref {pixels}, {BufferOffset(buffer, "y", "0", "0")});");
            w.Line($"ref float planeRow = ref {U}.Add(ref {planes}, y * {Int(s.Width)});");
            if (!toChannelMajor && channelBlocks == 0)
            {
                // Fewer than 8 channels (an RGB or grey image): the whole row at once, vectorised for dense 1–4 channels.
                const string M = "MemoryMarshal";
                string planeLength = Int((s.Channels - 1) * plane + s.Width), pixelLength = Int((s.Width - 1) * stride + s.Channels);
                w.Line($"Transpose.PlanesToPixels({M}.CreateReadOnlySpan(ref planeRow, {planeLength}), {Int(plane)}, {Int(s.Channels)}, {Int(s.Width)}, {M}.CreateSpan(ref row, {pixelLength}), {Int(stride)});");
                w.Close();
                return;
            }
            if (channelBlocks > 0 && pixelBlocks > 0)
            {
                w.Open($"for (int c = 0; c < {Int(channelBlocks)}; c += 8)");
                w.Open($"for (int x = 0; x < {Int(pixelBlocks)}; x += 8)");
                // The block is passed as spans of exactly the 8 rows it touches (literal lengths), so the public helper
                // can check its strides against them and can never write outside what it was given.
                const string M = "MemoryMarshal";
                string planeRef = $"ref {U}.Add(ref planeRow, c * {Int(plane)} + x)";
                string pixelRef = $"ref {U}.Add(ref row, x * {Int(stride)} + c)";
                string planeLength = Int(7 * plane + 8), pixelLength = Int(7 * stride + 8);
                w.Line(toChannelMajor
                    ? $"Transpose.Block8x8({M}.CreateReadOnlySpan({pixelRef}, {pixelLength}), {Int(stride)}, {M}.CreateSpan({planeRef}, {planeLength}), {Int(plane)});"
                    : $"Transpose.Block8x8({M}.CreateReadOnlySpan({planeRef}, {planeLength}), {Int(plane)}, {M}.CreateSpan({pixelRef}, {pixelLength}), {Int(stride)});");
                w.Close();
                w.Close();
            }
            // Edges: channels past the last full 8 (all pixels), and pixels past the last full 8 (first channels).
            void Scalar(string cFrom, string cTo, string xFrom, string xTo)
            {
                w.Open($"for (int c = {cFrom}; c < {cTo}; c++)");
                w.Open($"for (int x = {xFrom}; x < {xTo}; x++)");
                string plain = $"{U}.Add(ref planeRow, c * {Int(plane)} + x)";
                string pixel = $"{U}.Add(ref row, x * {Int(stride)} + c)";
                w.Line(toChannelMajor ? $"{plain} = {pixel};" : $"{pixel} = {plain};");
                w.Close();
                w.Close();
            }
            bool vectorPart = channelBlocks > 0 && pixelBlocks > 0;
            if (vectorPart && pixelBlocks < s.Width) Scalar("0", Int(channelBlocks), Int(pixelBlocks), Int(s.Width));
            if (!vectorPart) Scalar("0", Int(s.Channels), "0", Int(s.Width));
            else if (channelBlocks < s.Channels) Scalar(Int(channelBlocks), Int(s.Channels), "0", Int(s.Width));
            w.Close();
        }

        /// <summary>Result buffer → output sample (flat: a copy; spatial: NHWC → NCHW, rows [rowBegin, rowEnd) so threads can share it).</summary>
        public static void EmitCopyOut(SourceWriter w, string method, BufferPlan buffer)
        {
            Shape s = buffer.Shape;
            OpenKernel(w, $"public static void {method}(ref float buffer, ref float output{(s.IsFlat ? "" : ", " + string.Join(", ", RowRange.Parameters))})");
            if (s.IsFlat)
            {
                w.Line($"// flat {s}: copy the {Int(s.Channels)} real features (the buffer is padded to {Int(buffer.ChannelStride)}).");
                w.Line($"MemoryMarshal.CreateReadOnlySpan(ref buffer, {Int(s.Channels)}).CopyTo(MemoryMarshal.CreateSpan(ref output, {Int(s.Channels)}));");
            }
            else
            {
                w.Line($"// NHWC → NCHW {s}; rows [rowBegin, rowEnd) (threads share the rows).");
                EmitRowTranspose(w, buffer, toChannelMajor: true, "output", "buffer", rowRange: "output rows");
            }
            w.Close();
        }

        /// <summary>Flatten: NHWC buffer → flat (c, h, w) order, as PyTorch flattens NCHW.</summary>
        public static void EmitFlatten(SourceWriter w, string method, BufferPlan input)
        {
            OpenKernel(w, $"public static void {method}(ref float input, ref float output)");
            w.Line($"// {input.Shape} NHWC → [{input.Shape.Length}] in (c, h, w) order.");
            EmitRowTranspose(w, input, toChannelMajor: true, "output", "input");
            w.Close();
        }


        /// <summary>
        /// One operand of a Cat: copies its channels into channels [offset, offset + C) of the output, pixel by pixel.
        /// A scalar copy keeps the neighbouring channel slices intact whatever their alignment.
        /// </summary>
        public static void EmitCatSlice(SourceWriter w, string method, StepPlan step, BufferPlan input, BufferPlan output)
        {
            Shape s = input.Shape;
            OpenKernel(w, $"public static void {method}(ref float input, ref float output)");
            w.Line($"// {s} → channels {Int(step.ChannelOffset)}..{Int(step.ChannelOffset + s.Channels - 1)} of {output.Shape}.");
            const string U = "Unsafe"; // the kernels' file has `using System.Runtime.CompilerServices;`
            w.Open($"for (int y = 0; y < {Int(s.Height)}; y++)");
            w.Open($"for (int x = 0; x < {Int(s.Width)}; x++)");
            w.Line($"ref float source = ref {U}.Add(ref input, {BufferOffset(input, "y", "x", "0")});");
            w.Line($"ref float target = ref {U}.Add(ref output, {BufferOffset(output, "y", "x", Int(step.ChannelOffset))});");
            w.Open($"for (int c = 0; c < {Int(s.Channels)}; c++)");
            w.Line($"{U}.Add(ref target, c) = {U}.Add(ref source, c);");
            w.Close();
            w.Close();
            w.Close();
            w.Close();
        }
    }
}
