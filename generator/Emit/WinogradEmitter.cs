using System.Collections.Generic;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// Emits Winograd F(4x4, 3x3) convolution kernels (<see cref="ConvAlgorithm.Winograd"/>): Y = Aᵀ[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A
    /// per 4x4 output tile, summed over input channels (Lavin and Gray 2016; the matrices are in
    /// runtime/Internal/WinogradTransform.cs, which also makes U = G·g·Gᵀ at construction). One row of tiles at a time:
    /// <list type="number">
    /// <item>input transform: each 6x6 input tile, a vector of channels at a time, into V[36][tiles][in];</item>
    /// <item>36 matrix products M[ξ] = V[ξ] × U[ξ] ([tiles][in] × [in][out]) with a register block of tiles × output-channel
    /// vectors, like the direct kernel's block;</item>
    /// <item>output transform Aᵀ·M·A of each tile, + bias, then the step's epilogue, storing only the output pixels that exist.</item>
    /// </list>
    /// The workspace (V, M, a 36-vector transpose area and, when needed, a zero input row) is a per-call constant size
    /// (<see cref="WinogradTiling.WorkspaceFloats"/>); the kernel computes tile rows [tileRowBegin, tileRowEnd).
    /// </summary>
    internal static class WinogradEmitter
    {
        /// <param name="rowsPerPass">Null: the tiling's measured pass size; a number: that many tile rows per pass (the two-pass variant).</param>
        /// <param name="channelSplit">
        /// The variant threads share by output channels (<see cref="WinogradTiling.ChannelSplitUnits"/>): it takes the range of
        /// 16-channel units [channelUnitBegin, channelUnitEnd) after the tile rows, transforms every input tile, and multiplies and
        /// stores only its channels.
        /// </param>
        public static void EmitKernel(SourceWriter w, string method, StepPlan step, BufferPlan input, BufferPlan output,
            BufferPlan? residual, VectorWidth v, int? rowsPerPass = null, bool channelSplit = false)
        {
            var t = new WinogradTiling(step, input, rowsPerPass);
            int lanes = v.Lanes;
            int inVectors = (t.InChannels + lanes - 1) / lanes;
            int outVectors = (t.OutChannels + lanes - 1) / lanes;
            (int blockTiles, int blockVectors) = v.ConvBlock(t.TilesPerPass, outVectors);
            int passes = t.RowsPerPass;
            var parameters = new List<string> { "ref float input", "ref float output", "ref float weights", "ref float bias" };
            if (residual is not null) parameters.Add("ref float residual");
            parameters.Add("ref float workspace");
            parameters.Add("int tileRowBegin");
            parameters.Add("int tileRowEnd");
            if (channelSplit)
            {
                parameters.Add("int channelUnitBegin");
                parameters.Add("int channelUnitEnd");
            }
            OpenKernel(w, $"public static void {method}({string.Join(", ", parameters)})");
            w.Line($"// Winograd F(4x4, 3x3): {Int(t.InChannels)} -> {Int(t.OutChannels)} channels, output {Int(t.OutHeight)}x{Int(t.OutWidth)} as " +
                   $"{Int(t.TileRows)} row(s) of {Int(t.TilesPerRow)} 4x4 tile(s) (6x6 input tiles, padding {Int(step.Padding)}), {Int(passes)} tile row(s) per pass; epilogue: bias, then {EpilogueName(step.Epilogue)}.");
            w.Line($"// Per pass: V[36][{Int(t.TilesPerPass)}][{Int(t.InPadded)}] = Bt.d.B (input transform), M[36][{Int(t.TilesPerPass)}][{Int(t.OutPadded)}] = V x U " +
                   $"(36 products, register block {blockTiles} tile(s) x {blockVectors} vector(s) of {lanes}), output = At.M.A.");
            w.Line($"// Workspace: {Long(t.WorkspaceFloats)} floats per call (V at {Long(t.VOffset)}, M at {Long(t.MOffset)}, transpose area at {Long(t.TOffset)}" +
                   (t.NeedsZeroRow ? $", zero row at {Long(t.ZeroOffset)}: the last tile row reads {Int(t.LastTileRowInputRows)} of 6 input rows from the buffer" : "") + ").");
            w.Line($"// Weights U packed [36][{Int(outVectors)}][{Int(t.InChannels)}][{lanes}]; tile rows [tileRowBegin, tileRowEnd) of 0..{Int(t.TileRows)}.");
            int vectorsPerUnit = WinogradTiling.ChannelUnit / lanes;
            if (channelSplit)
            {
                w.Line($"// Output channels [{WinogradTiling.ChannelUnit}·channelUnitBegin, {WinogradTiling.ChannelUnit}·channelUnitEnd) only: another thread computes the others " +
                       "(each transforms every input tile and reads only its share of U).");
                w.Line($"int vBegin = channelUnitBegin * {Int(vectorsPerUnit)}, vEnd = Math.Min(channelUnitEnd * {Int(vectorsPerUnit)}, {Int(outVectors)}); // output-channel vectors");
            }
            string of = v.Of;
            w.Line($"{of} c2 = {v.Broadcast("2f")}, c4 = {v.Broadcast("4f")}, c8 = {v.Broadcast("8f")}, cm4 = {v.Broadcast("-4f")}, cm5 = {v.Broadcast("-5f")};");
            w.Line("// The transforms' registers, declared once: every tile copy below reuses them (a kernel of several hundred locals");
            w.Line("// makes the JIT stop inlining, and a call in these loops spills every vector register).");
            w.Line($"{of} {string.Join(", ", TransformRegisters)};");
            w.Line($"ref float vAll = ref Unsafe.Add(ref workspace, {Long(t.VOffset)});");
            w.Line($"ref float mAll = ref Unsafe.Add(ref workspace, {Long(t.MOffset)});");
            w.Line($"ref float tmp = ref Unsafe.Add(ref workspace, {Long(t.TOffset)});");
            if (t.NeedsZeroRow)
            {
                w.Line($"ref float zero = ref Unsafe.Add(ref workspace, {Long(t.ZeroOffset)});");
                w.Line($"// The input rows past the buffer read as zeros: one zeroed row of {Int(t.InputRowFloats)} floats.");
                w.Open($"for (int i = 0; i < {Long(t.ZeroFloats)}; i += {lanes})");
                w.Line(v.Store($"{of}.Zero", "zero", "i"));
                w.Close();
            }
            if (passes == 1)
            {
                w.Open("for (int ty = tileRowBegin; ty < tileRowEnd; ty++)");
                w.Line("ref float vRow = ref vAll;");
                w.Line("ref float mRow = ref mAll;");
            }
            else
            {
                w.Open($"for (int ty0 = tileRowBegin; ty0 < tileRowEnd; ty0 += {Int(passes)})");
                w.Line($"int rows = Math.Min({Int(passes)}, tileRowEnd - ty0); // tile rows in this pass (a short last pass also multiplies stale tiles, never stored)");
                w.Open("for (int p = 0; p < rows; p++)");
                w.Line("int ty = ty0 + p;");
                w.Line($"ref float vRow = ref Unsafe.Add(ref vAll, p * {Int(t.TilesPerRow * t.InPadded)});");
            }
            w.Line($"int inRow = {Sum(Product("ty", Int(WinogradTiling.Tile)), Int(t.Shift))}; // buffer row of the tile's input row 0");
            for (int r = 0; r < WinogradTiling.InputTile; r++)
            {
                string address = $"Unsafe.Add(ref input, {Product(Sum("inRow", Int(r)), Int(t.InputRowFloats))})";
                w.Line(r < t.LastTileRowInputRows
                    ? $"ref float row{r} = ref {address};"
                    : $"ref float row{r} = ref (ty < {Int(t.TileRows - 1)} ? ref {address} : ref zero); // past the buffer in the last tile row");
            }

            // (a) Input transform.
            w.Line("// (a) Input transform V = Bt.d.B of each 6x6 tile, a vector of channels at a time.");
            int fullInput = 0;
            while (fullInput < t.TilesPerRow && t.InputColumns(fullInput) == WinogradTiling.InputTile) fullInput++;
            if (fullInput > 0)
            {
                w.Open($"for (int tx = 0; tx < {Int(fullInput)}; tx++)");
                InputTile(w, v, t, "tx", WinogradTiling.InputTile, inVectors);
                w.Close();
            }
            for (int tx = fullInput; tx < t.TilesPerRow; tx++)
            {
                w.Open();
                w.Line($"const int tx = {Int(tx)}; // {Int(t.InputColumns(tx))} of its 6 input columns are in the buffer, the rest read as zeros");
                InputTile(w, v, t, "tx", t.InputColumns(tx), inVectors);
                w.Close();
            }

            if (passes > 1) w.Close();

            // (b) 36 matrix products.
            w.Line($"// (b) M[xi] = V[xi] x U[xi] for the 36 positions: register block {blockTiles} tile(s) x {blockVectors} output vector(s).");
            w.Open($"for (int xi = 0; xi < {Int(WinogradTiling.Positions)}; xi++)");
            w.Line($"ref float vXi = ref Unsafe.Add(ref vAll, xi * {Int(t.TilesPerPass * t.InPadded)});");
            w.Line($"ref float uXi = ref Unsafe.Add(ref weights, xi * {Int(outVectors * t.InChannels * lanes)});");
            w.Line($"ref float mXi = ref Unsafe.Add(ref mAll, xi * {Int(t.TilesPerPass * t.OutPadded)});");
            int fullVectorBlocks = outVectors / blockVectors * blockVectors;
            int fullTileBlocks = t.TilesPerPass / blockTiles * blockTiles;
            int vectorStride = t.InChannels * lanes; // floats between output-channel vectors of U[xi]
            void TileLoops(int vectors)
            {
                // U is used block by block in memory order (xi, then output-vector blocks), each block once per tile block: the
                // block after this one is fetched into L2 while this one is computed (a step's U is larger than L2 when it
                // matters, and the first tile block would otherwise wait for memory at every line).
                string next = Product(Sum("vb", Int(vectors)), Int(vectorStride));
                w.Line(channelSplit
                    ? $"int uNext = vb + {Int(vectors)} < vEnd ? {next} : xi < {Int(WinogradTiling.Positions - 1)} ? {Int(outVectors * vectorStride)} + vBegin * {Int(vectorStride)} : 0; // this thread's next block (none after the last)"
                    : $"int uNext = xi < {Int(WinogradTiling.Positions - 1)} || vb + {Int(vectors)} < {Int(outVectors)} ? {next} : 0; // the next block (after the last one of xi: the first of xi + 1; none after the last)");
                if (fullTileBlocks > 0)
                {
                    w.Open(fullTileBlocks == blockTiles ? "" : $"for (int t0 = 0; t0 < {Int(fullTileBlocks)}; t0 += {Int(blockTiles)})");
                    if (fullTileBlocks == blockTiles) w.Line("const int t0 = 0; // one block covers the tiles");
                    ProductBlock(w, v, t, blockTiles, vectors, outVectors);
                    w.Close();
                }
                if (t.TilesPerPass > fullTileBlocks)
                {
                    w.Open();
                    w.Line($"const int t0 = {Int(fullTileBlocks)}; // last {Int(t.TilesPerPass - fullTileBlocks)} tile(s)");
                    ProductBlock(w, v, t, t.TilesPerPass - fullTileBlocks, vectors, outVectors);
                    w.Close();
                }
            }
            if (channelSplit)
            {
                // The range is known only at run time: whole register blocks, then one narrower block for the rest.
                w.Line("int vb = vBegin;");
                w.Open($"for (; vb + {Int(blockVectors)} <= vEnd; vb += {Int(blockVectors)})");
                TileLoops(blockVectors);
                w.Close();
                if (blockVectors > 1)
                {
                    w.Open("switch (vEnd - vb) // the vectors left after the whole blocks");
                    for (int k = 1; k < blockVectors; k++)
                    {
                        w.Line($"case {Int(k)}:");
                        w.Open();
                        TileLoops(k);
                        w.Line("break;");
                        w.Close();
                    }
                    w.Close();
                }
            }
            else if (fullVectorBlocks > 0)
            {
                w.Open(fullVectorBlocks == blockVectors ? "" : $"for (int vb = 0; vb < {Int(fullVectorBlocks)}; vb += {Int(blockVectors)})");
                if (fullVectorBlocks == blockVectors) w.Line("const int vb = 0; // one block covers the output channels");
                TileLoops(blockVectors);
                w.Close();
            }
            if (!channelSplit && outVectors > fullVectorBlocks)
            {
                w.Open();
                w.Line($"const int vb = {Int(fullVectorBlocks)}; // remaining {Int(outVectors - fullVectorBlocks)} vector(s) of output channels");
                TileLoops(outVectors - fullVectorBlocks);
                w.Close();
            }
            w.Close();

            // (c) Output transform and epilogue.
            w.Line($"// (c) Output transform At.M.A of each tile, + bias, epilogue: {EpilogueName(step.Epilogue)}; only pixels inside the {Int(t.OutHeight)}x{Int(t.OutWidth)} output are stored.");
            int lastRows = t.OutHeight - (t.TileRows - 1) * WinogradTiling.Tile;
            if (passes > 1)
            {
                w.Open("for (int p = 0; p < rows; p++)");
                w.Line("int ty = ty0 + p;");
                w.Line($"ref float mRow = ref Unsafe.Add(ref mAll, p * {Int(t.TilesPerRow * t.OutPadded)});");
            }
            int fullOutput = t.OutWidth / WinogradTiling.Tile;
            if (fullOutput > 0)
            {
                w.Open($"for (int tx = 0; tx < {Int(fullOutput)}; tx++)");
                OutputTile(w, v, step, t, output, residual, WinogradTiling.Tile, lastRows, outVectors, channelSplit);
                w.Close();
            }
            if (t.TilesPerRow > fullOutput)
            {
                w.Open();
                w.Line($"const int tx = {Int(fullOutput)}; // the last {Int(t.OutWidth - fullOutput * WinogradTiling.Tile)} output column(s)");
                OutputTile(w, v, step, t, output, residual, t.OutWidth - fullOutput * WinogradTiling.Tile, lastRows, outVectors, channelSplit);
                w.Close();
            }
            if (passes > 1) w.Close();
            w.Close();
            w.Close();
        }

        /// <summary>The vectors the input and output transforms work in (<see cref="EmitKernel"/> declares them once).</summary>
        private static readonly string[] TransformRegisters =
        {
            "d0", "d1", "d2", "d3", "d4", "d5", "y0", "y1", "y2", "y3", "y4", "y5", "pa", "pb", "pc", "pe", "s12", "d12", "s34", "d34",
        };

        /// <summary>Bᵀ·x of six vectors x0..x5 (a column or a row of a tile) into y0..y5, 12 operations.</summary>
        private static void InputTransform1D(SourceWriter w, VectorWidth v, string[] x, string[] y)
        {
            // Bᵀ rows: [4 0 -5 0 1 0], [0 -4 -4 1 1 0], [0 4 -4 -1 1 0], [0 -2 -1 2 1 0], [0 2 -1 -2 1 0], [0 4 0 -5 0 1].
            w.Line($"pa = {v.Fma("cm4", x[2], x[4])}; pb = {v.Fma("cm4", x[1], x[3])}; // x4 - 4x2, x3 - 4x1");
            w.Line($"pc = {x[4]} - {x[2]}; pe = c2 * ({x[3]} - {x[1]}); // x4 - x2, 2(x3 - x1)");
            w.Line($"{y[0]} = {v.Fma("c4", x[0], v.Fma("cm5", x[2], x[4]))};");
            w.Line($"{y[1]} = pa + pb;");
            w.Line($"{y[2]} = pa - pb;");
            w.Line($"{y[3]} = pc + pe;");
            w.Line($"{y[4]} = pc - pe;");
            w.Line($"{y[5]} = {v.Fma("c4", x[1], v.Fma("cm5", x[3], x[5]))};");
        }

        /// <summary>Aᵀ·x of six vectors into y0..y3.</summary>
        private static void OutputTransform1D(SourceWriter w, VectorWidth v, string[] x, string[] y)
        {
            // Aᵀ rows: [1 1 1 1 1 0], [0 1 -1 2 -2 0], [0 1 1 4 4 0], [0 1 -1 8 -8 1].
            w.Line($"s12 = {x[1]} + {x[2]}; d12 = {x[1]} - {x[2]}; s34 = {x[3]} + {x[4]}; d34 = {x[3]} - {x[4]};");
            w.Line($"{y[0]} = {x[0]} + s12 + s34;");
            w.Line($"{y[1]} = {v.Fma("c2", "d34", "d12")};");
            w.Line($"{y[2]} = {v.Fma("c4", "s34", "s12")};");
            w.Line($"{y[3]} = {v.Fma("c8", "d34", "d12")} + {x[5]};");
        }

        private static string[] Names(string prefix, int count)
        {
            var names = new string[count];
            for (int i = 0; i < count; i++) names[i] = prefix + i;
            return names;
        }

        /// <summary>
        /// One 6x6 input tile (columns tx·4 + shift .. + 5 of rows row0..row5), every channel vector: columns first
        /// (Bᵀ·d into the transpose area), then rows (·B into V). Columns at or past <paramref name="columns"/> read as zero.
        /// </summary>
        private static void InputTile(SourceWriter w, VectorWidth v, WinogradTiling t, string tx, int columns, int inVectors)
        {
            int stride = t.InputRowFloats / t.PaddedInputWidth;
            w.Line($"int column = {Product(Sum(Product(tx, Int(WinogradTiling.Tile)), Int(t.Shift)), Int(stride))}; // offset of the tile's first input column");
            w.Line($"ref float vTile = ref Unsafe.Add(ref vRow, {Product(tx, Int(t.InPadded))});");
            w.Open($"for (int c = 0; c < {Int(inVectors * v.Lanes)}; c += {v.Lanes})");
            // One reference per input row and one into V at this channel vector: every load and store below is base + literal.
            for (int r = 0; r < WinogradTiling.InputTile; r++)
                w.Line($"ref float in{r} = ref Unsafe.Add(ref row{r}, column + c);");
            w.Line("ref float vc = ref Unsafe.Add(ref vTile, c);");
            for (int j = 0; j < WinogradTiling.InputTile; j++)
            {
                w.Open($"// column {j}{(j < columns ? "" : ": past the buffer, zeros")}");
                for (int r = 0; r < 6; r++)
                    w.Line(j < columns
                        ? $"d{r} = {v.Load($"in{r}", Int(j * stride))};"
                        : $"d{r} = {v.Of}.Zero;");
                var y = Names("y", 6);
                InputTransform1D(w, v, Names("d", 6), y);
                for (int k = 0; k < 6; k++) w.Line(v.Store(y[k], "tmp", Int((k * 6 + j) * v.Lanes)));
                w.Close();
            }
            for (int k = 0; k < WinogradTiling.InputTile; k++)
            {
                w.Open($"// row {k} of Bt.d, times B");
                for (int j = 0; j < 6; j++) w.Line($"d{j} = {v.Load("tmp", Int((k * 6 + j) * v.Lanes))};");
                var y = Names("y", 6);
                InputTransform1D(w, v, Names("d", 6), y);
                for (int l = 0; l < 6; l++)
                    w.Line(v.Store(y[l], "vc", Int((k * 6 + l) * t.TilesPerPass * t.InPadded)));
                w.Close();
            }
            w.Close();
        }

        /// <summary>M[xi][t0 .. t0 + tiles)[vb .. vb + vectors) = V[xi] × U[xi]: accumulators stay in registers through the input channels.</summary>
        private static void ProductBlock(SourceWriter w, VectorWidth v, WinogradTiling t, int tiles, int vectors, int outVectors)
        {
            int vectorStride = t.InChannels * v.Lanes; // floats between output-channel vectors of U[xi]
            for (int r = 0; r < tiles; r++)
                for (int j = 0; j < vectors; j++)
                    w.Line($"{v.Of} acc{r}_{j} = {v.Of}.Zero;");
            w.Line($"ref float x = ref Unsafe.Add(ref vXi, {Product("t0", Int(t.InPadded))});");
            w.Line($"ref float u = ref Unsafe.Add(ref uXi, {Product("vb", Int(vectorStride))});");
            w.Line("ref float pf = ref Unsafe.Add(ref uXi, uNext);");
            w.Open($"for (int ic = 0; ic < {Int(t.InChannels)}; ic++)");
            for (int j = 0; j < vectors; j++)
                w.Line($"{v.Of} w{j} = {v.Load("u", Int(j * vectorStride))};");
            for (int j = 0; j < vectors; j++)
                w.Line($"CachePrefetch.Line(ref Unsafe.Add(ref pf, {Int(j * vectorStride)}));");
            for (int r = 0; r < tiles; r++)
            {
                w.Line($"{v.Of} x{r} = {v.Broadcast($"Unsafe.Add(ref x, {Int(r * t.InPadded)})")};");
                for (int j = 0; j < vectors; j++)
                    w.Line($"acc{r}_{j} = {v.Fma($"x{r}", $"w{j}", $"acc{r}_{j}")};");
            }
            w.Line("x = ref Unsafe.Add(ref x, 1);");
            w.Line($"u = ref Unsafe.Add(ref u, {v.Lanes});");
            w.Line($"pf = ref Unsafe.Add(ref pf, {v.Lanes});");
            w.Close();
            w.Line($"ref float m = ref Unsafe.Add(ref mXi, {Sum(Product("t0", Int(t.OutPadded)), Product("vb", Int(v.Lanes)))});");
            for (int r = 0; r < tiles; r++)
                for (int j = 0; j < vectors; j++)
                    w.Line(v.Store($"acc{r}_{j}", "m", Int(r * t.OutPadded + j * v.Lanes)));
        }

        /// <summary>
        /// One tile's output transform for every output-channel vector: columns first (Aᵀ·M into the transpose area), then
        /// rows (·A), + bias, epilogue, store. <paramref name="columns"/> output columns exist; in the last tile row only
        /// <paramref name="lastRows"/> rows do.
        /// </summary>
        private static void OutputTile(SourceWriter w, VectorWidth v, StepPlan step, WinogradTiling t, BufferPlan output, BufferPlan? residual,
            int columns, int lastRows, int outVectors, bool channelSplit)
        {
            w.Line($"ref float mTile = ref Unsafe.Add(ref mRow, {Product("tx", Int(t.OutPadded))});");
            string oy = Product("ty", Int(WinogradTiling.Tile)), ox = Product("tx", Int(WinogradTiling.Tile));
            w.Line($"ref float o = ref Unsafe.Add(ref output, {Sum(PixelOffset(output, oy, ox), Int(step.ChannelOffset))});");
            if (residual is not null) w.Line($"ref float r = ref Unsafe.Add(ref residual, {PixelOffset(residual, oy, ox)});");
            w.Open(channelSplit
                ? $"for (int c = vBegin * {v.Lanes}; c < vEnd * {v.Lanes}; c += {v.Lanes}) // this thread's output channels"
                : $"for (int c = 0; c < {Int(outVectors * v.Lanes)}; c += {v.Lanes})");
            // References at this channel vector: every load and store below is base + literal.
            w.Line("ref float mc = ref Unsafe.Add(ref mTile, c);");
            w.Line("ref float oc = ref Unsafe.Add(ref o, c);");
            if (residual is not null) w.Line("ref float rc = ref Unsafe.Add(ref r, c);");
            for (int l = 0; l < 6; l++)
            {
                w.Open($"// column {l}");
                for (int k = 0; k < 6; k++) w.Line($"d{k} = {v.Load("mc", Int((k * 6 + l) * t.TilesPerPass * t.OutPadded))};");
                var y = Names("y", 4);
                OutputTransform1D(w, v, Names("d", 6), y);
                for (int i = 0; i < 4; i++) w.Line(v.Store(y[i], "tmp", Int((i * 6 + l) * v.Lanes)));
                w.Close();
            }
            w.Line($"{v.Of} b = {v.Load("bias", "c")};");
            for (int i = 0; i < WinogradTiling.Tile; i++)
            {
                bool mayBeMissing = i >= lastRows;
                w.Open(mayBeMissing ? $"if (ty < {Int(t.TileRows - 1)}) // output row {i} of the last tile row is past the output" : $"// output row {i}");
                for (int l = 0; l < 6; l++) w.Line($"d{l} = {v.Load("tmp", Int((i * 6 + l) * v.Lanes))};");
                OutputTransform1D(w, v, Names("d", 6), Names("y", 4));
                for (int j = 0; j < columns; j++)
                {
                    int outOffset = (i * output.PaddedWidth + j) * output.ChannelStride;
                    string second = residual is null ? "" : v.Load("rc", Int((i * residual.PaddedWidth + j) * residual.ChannelStride));
                    w.Line(v.Store(Epilogue(step.Epilogue, $"(y{j} + b)", second), "oc", Int(outOffset)));
                }
                w.Close();
            }
            w.Close();
        }
    }
}
