using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// Emits Conv2d steps. Activations are NHWC with a zero border that materialises the padding, so every
    /// kernel reads input[(oy·S + ky·D + shift), (ox·S + kx·D + shift), c] with no bounds checks and
    /// every size a literal. Three algorithms (see <see cref="ConvAlgorithm"/>).
    /// </summary>
    internal static class ConvEmitter
    {
        /// <param name="itemSplit">
        /// The variant threads share by work items (<see cref="ItemSplitItems"/>): its range is [itemBegin, itemEnd) of
        /// (output vector, row) pairs instead of rows.
        /// </param>
        public static void EmitKernel(SourceWriter w, string method, StepPlan step, BufferPlan input, BufferPlan output,
            BufferPlan? residual, BufferPlan? inputScale, VectorWidth? width, bool itemSplit = false)
        {
            var geometry = new Geometry(step, input, output, residual, inputScale);
            if (itemSplit && step.Algorithm != ConvAlgorithm.Depthwise && ItemSplitItems(step, input, width!) is null)
                throw new System.InvalidOperationException($"step {step.Id} is not shared by output-channel blocks");
            switch (step.Algorithm)
            {
                case ConvAlgorithm.Winograd when inputScale is null:
                    WinogradEmitter.EmitKernel(w, method, step, input, output, residual, width!);
                    break;
                case ConvAlgorithm.OutputVectors:
                    EmitOutputVectors(w, method, step, geometry, width!, itemSplit);
                    break;
                case ConvAlgorithm.Depthwise when inputScale is null:
                    EmitDepthwise(w, method, step, geometry, width!, itemSplit);
                    break;
                case ConvAlgorithm.GroupedScalar when inputScale is null:
                    EmitGroupedScalar(w, method, step, geometry);
                    break;
                default:
                    throw new System.InvalidOperationException($"a {step.Algorithm} convolution cannot scale its inputs");
            }
        }

        /// <summary>Geometry shared by the three algorithms, as literals.</summary>
        private sealed class Geometry
        {
            public Geometry(StepPlan step, BufferPlan input, BufferPlan output, BufferPlan? residual, BufferPlan? inputScale)
            {
                Residual = residual;
                InputScale = inputScale;
                Output = output;
                Step = step;
                InPerGroup = step.InputShape.Channels / step.Groups;
                OutPerGroup = step.OutputShape.Channels / step.Groups;
                Shift = input.Border - step.Padding;
                InWidth = input.PaddedWidth;
                InStride = input.ChannelStride;
                OutBorder = output.Border;
                OutWidth = output.PaddedWidth;
                OutStride = output.ChannelStride;
            }

            public StepPlan Step { get; }
            public BufferPlan Output { get; }
            public int InPerGroup { get; }
            public int OutPerGroup { get; }
            /// <summary>Input buffer border minus the conv padding: where padded coordinate 0 sits in the buffer.</summary>
            public int Shift { get; }
            public int InWidth { get; }
            public int InStride { get; }
            public int OutBorder { get; }
            public int OutWidth { get; }
            public int OutStride { get; }

            /// <summary>Offset of input pixel (row, column) expressions, both already in padded coordinates.</summary>
            public string InputPixel(string row, string column) => Product(Sum(Product(row, Int(InWidth)), column), Int(InStride));
            /// <summary>Where output pixel (row, column) starts: in a Cat's buffer, at the step's channel slice.</summary>
            public string OutputPixel(string row, string column) => Sum(PixelOffset(Output, row, column), Int(Step.ChannelOffset));

            /// <summary>The residual operand a fused Add reads in the epilogue (same shape as the output, its own layout).</summary>
            public BufferPlan? Residual { get; }
            public string ResidualPixel(string row, string column) => PixelOffset(Residual!, row, column);

            /// <summary>The [C, 1, 1] per-input-channel scale of a fused squeeze-excite, when there is one.</summary>
            public BufferPlan? InputScale { get; }

            /// <summary>The kernel's parameters: a residual reference only when the epilogue adds one, a scale only when inputs are scaled.</summary>
            public string[] Parameters => WeightedParameters
                .Concat(Residual is null ? new string[0] : new[] { "ref float residual" })
                .Concat(InputScale is null ? new string[0] : new[] { "ref float inputScale" })
                .Concat(RowRange.Parameters)
                .ToArray();

            /// <summary>Declares r, the residual at the same output position, when there is one.</summary>
            public void DeclareResidual(SourceWriter w, string row, string column, string channel)
            {
                if (Residual is not null)
                    w.Line($"ref float r = ref Unsafe.Add(ref residual, {Sum(ResidualPixel(row, column), channel)});");
            }
        }

        private static void Header(SourceWriter w, string method, string summary, params string[] parameters)
        {
            OpenKernel(w, $"public static void {method}({string.Join(", ", parameters)})");
            w.Line("// " + summary);
        }

        /// <summary>
        /// Threads share a direct convolution by rows, which balances badly when there are few (ResNet-18's layer4 and
        /// MobileNetV2's last blocks: 7 rows, 4 + 3 on two threads) and makes every thread stream all the weights. A dense
        /// convolution with few rows (up to <see cref="FewRows"/>, from <see cref="FewRowsMinimumWork"/>) or whose weights do
        /// not fit L2 (its kernel already runs output-channel blocks outside rows, see EmitOutputVectors) is shared instead by
        /// work items (output vector v, row oy):
        /// the register block of output vectors [u·J, u·J + J) owns the J·rows items from u·J·rows, J per row, and a range
        /// of items computes the rows whose first item it holds (<see cref="EmitItemLoop"/>). A thread's contiguous range so
        /// covers whole blocks but at its ends and reads little more than its share of the weights, and shares are even to one
        /// row of one block however the last block is cut (MobileNetV2's 160 channels are blocks of 3, 3, 3 and 1 vectors of 16:
        /// as (block, row) items one thread of two got 60% of the work). Returns the item count (output vectors × rows) at
        /// vector width <paramref name="v"/>, or null when the step is split by rows.
        /// </summary>
        public static int? ItemSplitItems(StepPlan step, BufferPlan input, VectorWidth v)
        {
            if (step.Kind != StepKind.Conv || step.Algorithm != ConvAlgorithm.OutputVectors || step.Groups != 1 || step.InputScale is not null ||
                step.MaxoutPieces > 1 || step.OutputShape.Height < 2)
                return null;
            if (!WeightsBeyondL2(step, v) && (step.OutputShape.Height > FewRows || step.MultiplyAccumulates < FewRowsMinimumWork)) return null;
            return (step.OutputShape.Channels + v.Lanes - 1) / v.Lanes * step.OutputShape.Height;
        }

        /// <summary>Whether a dense (one-group) conv's kernel at width <paramref name="v"/> runs output-channel blocks outside rows.</summary>
        private static bool WeightsBeyondL2(StepPlan step, VectorWidth v) =>
            VectorsOuter(step, (step.OutputShape.Channels + v.Lanes - 1) / v.Lanes, step.KernelHeight * step.KernelWidth * step.InputShape.Channels * v.Lanes);

        /// <summary>
        /// Output rows up to which a dense direct conv is shared by items rather than rows: at 8 rows a row split leaves two
        /// threads up to one row (12%) apart, and three threads a whole row of three.
        /// </summary>
        public const int FewRows = 8;

        /// <summary>
        /// Multiply-accumulates from which a few-row conv gets an item kernel: NetworkOptions.SplitThreshold's default, below
        /// which threads do not share a step unless the user lowers it (then such a step is split by rows, as before).
        /// </summary>
        private const long FewRowsMinimumWork = 500_000;

        /// <summary>Channels per unit of a depthwise conv's work items: whole vectors at every width (4 of 16, 8 of 8, 16 of 4).</summary>
        public const int DepthwiseUnitChannels = 64;

        /// <summary>
        /// A depthwise conv whose input a step wrote that threads share by output channels (an item-split direct conv: dsnet's
        /// and MobileNetV2's large 1×1 convs; or a Winograd channel split) is shared the same way, by work items (64-channel unit
        /// u, row oy), item = u·rows + oy: each thread's share then covers about the channels it wrote itself. Split by rows, each
        /// thread read half of every row from the other core's cache (dsnet's 512×14×14 depthwise convs took as long on two
        /// threads as on one). Returns the item count (the same at every width), or null when the step is split by rows.
        /// </summary>
        public static int? DepthwiseItems(StepPlan step, StepPlan? producer, IReadOnlyDictionary<string, BufferPlan> buffers)
        {
            if (step.Kind != StepKind.Conv || step.Algorithm != ConvAlgorithm.Depthwise || step.InputScale is not null || step.OutputShape.Height < 2)
                return null;
            if (producer is null || producer.Output != step.Input || producer.Kind != StepKind.Conv) return null;
            BufferPlan producerInput = buffers[producer.Input];
            bool producerByChannels = SplitsByItems(producer, producerInput) ||
                producer.Algorithm == ConvAlgorithm.Winograd && WinogradTiling.ChannelSplitUnits(producer, producerInput) is not null;
            if (!producerByChannels) return null;
            return (step.OutputShape.Channels + DepthwiseUnitChannels - 1) / DepthwiseUnitChannels * step.OutputShape.Height;
        }

        /// <summary>Whether the step has an item-split kernel at every width it is emitted at (V128, V256 and V512 when it has one).</summary>
        public static bool HasItemKernel(StepPlan step, BufferPlan input) =>
            ItemSplitItems(step, input, VectorWidth.V128) is not null && ItemSplitItems(step, input, VectorWidth.V256) is not null &&
            (!step.HasVector512 || ItemSplitItems(step, input, VectorWidth.V512) is not null);

        /// <summary>
        /// Whether threads always share the step by items: it has an item kernel and its weights exceed L2 at every width.
        /// A conv that has one only for its few rows is shared by items only when its rows do not divide evenly among the
        /// threads (decided at run time, see NetworkEmitter); by rows, each thread reuses its input rows across all blocks.
        /// </summary>
        public static bool SplitsByItems(StepPlan step, BufferPlan input) =>
            HasItemKernel(step, input) && WeightsBeyondL2(step, VectorWidth.V128) && WeightsBeyondL2(step, VectorWidth.V256) &&
            (!step.HasVector512 || WeightsBeyondL2(step, VectorWidth.V512));

        /// <summary>Whether output-channel blocks are the outer loop (the group's packed weights exceed <see cref="WeightsResidentBytes"/>).</summary>
        private static bool VectorsOuter(StepPlan step, int vectorsPerGroup, int vectorStride) =>
            (long)vectorsPerGroup * vectorStride * 4 > WeightsResidentBytes && step.OutputShape.Height > 1;

        /// <summary>Floats in one 64-byte cache line: the weight vectors a single prefetch brings in.</summary>
        private const int FloatsPerCacheLine = 16;

        /// <summary>Input channels per group up to which the reduction over them is unrolled.</summary>
        private const int UnrollInputChannels = 4;

        private static readonly string[] WeightedParameters = { "ref float input", "ref float output", "ref float weights", "ref float bias" };

        /// <summary>
        /// Output-channel vectors: each input value is broadcast and multiplied by the weights of V output
        /// channels. A register block of R output pixels × J vectors stays in registers through the whole
        /// reduction (ky, kx, ic); the activation is applied before the single store.
        /// Weights are packed [group][vector][ky][kx][ic][V].
        /// </summary>
        private static void EmitOutputVectors(SourceWriter w, string method, StepPlan step, Geometry g, VectorWidth v, bool itemSplit)
        {
            // With Maxout(k) in the epilogue the conv computes k vectors per vector of outputs, interleaved by the packing
            // (WeightPacking.InterleaveMaxoutPieces): block vb·k … vb·k + k − 1 holds the k pieces of outputs vb·V … vb·V + V − 1.
            int pieces = System.Math.Max(1, step.MaxoutPieces);
            int vectorsPerGroup = pieces > 1
                ? (step.OutputShape.Channels + v.Lanes - 1) / v.Lanes * pieces
                : (g.OutPerGroup + v.Lanes - 1) / v.Lanes;
            int outWidth = step.OutputShape.Width;
            int vectorStride = step.KernelHeight * step.KernelWidth * g.InPerGroup * v.Lanes;
            // Loop order. Rows outside: each row reads every weight of the group once, which is cheap while the weights
            // stay in L2. Past WeightsResidentBytes (e.g. ResNet's 3x3 512->512 conv: 9.4 MB of weights for 7 rows, or a
            // 1x1 320->1280 conv), every row would stream the whole tensor from L3 again; then the vector blocks go
            // outside, so one block's weights (J vectors x taps x input channels) are reused by every row from L2 or L3.
            // (Capping J so a block's weights fit a 1 MiB L2, J = 2 instead of 3 on ResNet's 512-channel convs, measured no
            // faster: the FMA work per loaded input drops as much as the misses.)
            bool vectorsOuter = VectorsOuter(step, vectorsPerGroup, vectorStride);
            // A pointwise block's weights (J vectors x input channels) are read from memory by the block's first row; the next
            // block's are prefetched into L2 while this block's rows run (blocks of 1 to 3 output vectors: 100-200 KB).
            bool prefetchNextBlock = vectorsOuter && step.KernelHeight == 1 && step.KernelWidth == 1 && step.Groups == 1 && pieces == 1 && g.InPerGroup > UnrollInputChannels;
            (int pixels, int vectors) = pieces > 1 ? (v.ConvBlockPixels(outWidth, pieces), pieces) : v.ConvBlock(outWidth, vectorsPerGroup);
            int fullVectorBlocks = vectorsPerGroup / vectors * vectors;
            int fullPixelBlocks = outWidth / pixels * pixels;

            Header(w, method,
                $"{v.Lanes} output channels per vector, {vectorsPerGroup} vector(s) per group; register block {pixels} pixels x {vectors} vector(s); " +
                $"tails: {outWidth - fullPixelBlocks} pixel(s), {vectorsPerGroup - fullVectorBlocks} vector(s)." +
                (pieces > 1 ? $" Maxout({pieces}): each block's {pieces} vectors are the pieces of one vector of outputs (interleaved weights)." : ""),
                itemSplit ? g.Parameters.Take(g.Parameters.Length - 2).Concat(new[] { "int itemBegin", "int itemEnd" }).ToArray() : g.Parameters);
            bool grouped = step.Groups > 1;
            // Threads that share the step by items run each block's rows of their share (whatever the weights' size).
            bool blocksOuter = vectorsOuter || itemSplit;
            w.Line($"// loop order: {(vectorsOuter ? "output-channel blocks outside rows (the weights do not fit L2; each block's are reused by every row)" : blocksOuter ? "output-channel blocks outside rows (work items)" : "rows outside output-channel blocks")}.");
            if (grouped) w.Open($"for (int g = 0; g < {Int(step.Groups)}; g++)");

            void OpenRow()
            {
                w.Open(RowRange.Loop("oy", step.OutputShape.Height));
                w.Line($"int inRow = {Sum(Product("oy", Int(step.Stride)), Int(g.Shift))}; // padded input row of kernel row 0");
            }

            // A last vector of output channels with at most 8 real lanes (24 channels: 16 + 8) is computed at half width; see
            // HalfLastVector. Only a block emitted for that vector alone can be specialised: a loop over blocks shares one body.
            bool halfLast = HalfLastVector(v, g, pieces);
            void PixelLoops(int vectorCount, string vectorStart, bool holdsLastVector)
            {
                bool half = halfLast && holdsLastVector;
                if (prefetchNextBlock)
                    w.Line($"int prefetch = {vectorStart} + {Int(vectorCount)} < {Int(vectorsPerGroup)} ? {Int(vectorCount * vectorStride)} : 0; // the next block's weights, from each weight of this one");
                if (blocksOuter) OpenRow();
                if (fullPixelBlocks > 0)
                {
                    w.Open(fullPixelBlocks == pixels ? "" : $"for (int ox = 0; ox < {Int(fullPixelBlocks)}; ox += {Int(pixels)})");
                    if (fullPixelBlocks == pixels) w.Line("const int ox = 0; // one block covers the row");
                    EmitBlock(w, v, g, pixels, vectorCount, "ox", vectorStart, vectorsPerGroup, vectorStride, grouped, prefetchNextBlock, half);
                    w.Close();
                }
                int tail = outWidth - fullPixelBlocks;
                if (tail > 0)
                {
                    w.Open();
                    w.Line($"const int ox = {Int(fullPixelBlocks)}; // last {Int(tail)} pixel(s) of the row");
                    EmitBlock(w, v, g, tail, vectorCount, "ox", vectorStart, vectorsPerGroup, vectorStride, grouped, prefetchNextBlock, half);
                    w.Close();
                }
                if (blocksOuter) w.Close();
            }

            if (itemSplit)
            {
                EmitItemLoop(w, step, vectors, vectorsPerGroup, fullVectorBlocks, (count, start) => PixelLoops(count, start, holdsLastVector: false));
                w.Close();
                return;
            }
            if (!vectorsOuter) OpenRow();
            if (fullVectorBlocks > 0)
            {
                w.Open(fullVectorBlocks == vectors ? "" : $"for (int vb = 0; vb < {Int(fullVectorBlocks)}; vb += {Int(vectors)})");
                if (fullVectorBlocks == vectors) w.Line("const int vb = 0; // one block covers the output channels");
                PixelLoops(vectors, "vb", holdsLastVector: vectorsPerGroup == vectors);
                w.Close();
            }
            if (vectorsPerGroup > fullVectorBlocks)
            {
                w.Open();
                w.Line($"const int vb = {Int(fullVectorBlocks)}; // remaining {Int(vectorsPerGroup - fullVectorBlocks)} vector(s) of output channels");
                PixelLoops(vectorsPerGroup - fullVectorBlocks, "vb", holdsLastVector: true);
                w.Close();
            }
            if (!vectorsOuter) w.Close();
            if (grouped) w.Close();
            w.Close();
        }

        /// <summary>
        /// The item-split variant's loop (see <see cref="ItemSplitItems"/>): for each block of J output vectors the range
        /// touches, its rows [rowBegin, rowEnd) whose first item (block start + row·J) lies in [itemBegin, itemEnd). Ranges
        /// that partition the items so partition the (block, row) pairs, each computed by exactly one range.
        /// </summary>
        private static void EmitItemLoop(SourceWriter w, StepPlan step, int vectors, int vectorsPerGroup, int fullVectorBlocks,
            System.Action<int, string> pixelLoops)
        {
            int rows = step.OutputShape.Height;
            int fullBlocks = fullVectorBlocks / vectors, tailVectors = vectorsPerGroup - fullVectorBlocks;
            w.Line($"// work items (output vector, row): the block of {Int(vectors)} vector(s) from vb = u·{Int(vectors)} owns items " +
                   $"[vb·{Int(rows)}, (vb + {Int(vectors)})·{Int(rows)}), {Int(vectors)} per row; this call computes the rows whose first item is in " +
                   $"[itemBegin, itemEnd): {Int(fullBlocks)} block(s) of {Int(vectors)} vector(s){(tailVectors > 0 ? $" and one of {Int(tailVectors)}" : "")}.");
            if (fullBlocks > 0)
            {
                int blockItems = vectors * rows;
                w.Open($"for (int u = itemBegin / {Int(blockItems)}; u < {Int(fullBlocks)} && u * {Int(blockItems)} < itemEnd; u++)");
                w.Line($"int vb = u * {Int(vectors)}, first = u * {Int(blockItems)};");
                w.Line(BlockRows("first", vectors, rows));
                pixelLoops(vectors, "vb");
                w.Close();
            }
            if (tailVectors > 0)
            {
                int first = fullVectorBlocks * rows;
                w.Open($"if (itemEnd > {Int(first)})");
                w.Line($"const int vb = {Int(fullVectorBlocks)}; // remaining {Int(tailVectors)} vector(s) of output channels, items from {Int(first)}");
                w.Line(BlockRows(Int(first), tailVectors, rows));
                pixelLoops(tailVectors, "vb");
                w.Close();
            }
        }

        /// <summary>
        /// The rows [rowBegin, rowEnd) of a block of <paramref name="vectors"/> vectors whose items start at
        /// <paramref name="first"/>: those whose first item (first + row·vectors) lies in [itemBegin, itemEnd).
        /// </summary>
        private static string BlockRows(string first, int vectors, int rows)
        {
            string CeilingDivision(string value) => vectors == 1 ? value : $"({value} + {Int(vectors - 1)}) / {Int(vectors)}";
            return $"int rowBegin = {CeilingDivision($"Math.Max(itemBegin - {first}, 0)")}, rowEnd = Math.Min({CeilingDivision($"itemEnd - {first}")}, {Int(rows)});";
        }

        /// <summary>
        /// Packed weight bytes (of one group) up to which rows are the outer loop: about half of a 1 MiB L2 (Zen 4/5; Zen 3
        /// has 512 KiB, where the larger tensors still switch), leaving room for the input rows and the output.
        /// </summary>
        private const long WeightsResidentBytes = 512 * 1024;

        /// <summary>
        /// Whether a Vector512 conv computes the last output vector of each group at Vector256 width: when that vector has at
        /// most 8 real lanes (24 channels: 16 + 8; the other lanes are the packing's zero padding). The products of the padded
        /// lanes are wasted work; a Vector256 multiply-add costs half a Vector512 one where AVX-512 runs on 256-bit units
        /// (Zen 4: both FMA pipes per Vector512 instruction, so 24 channels take 3 pipe-cycles per input channel instead of 4)
        /// and the same issue slot elsewhere (no loss). The block's other vectors, the loads and the broadcast stay as they
        /// are (the Vector256 product uses the broadcast's lower half).
        /// </summary>
        private static bool HalfLastVector(VectorWidth v, Geometry g, int pieces) =>
            v == VectorWidth.V512 && pieces == 1 && g.OutPerGroup % v.Lanes is > 0 and <= 8;

        private static void EmitBlock(SourceWriter w, VectorWidth v, Geometry g, int pixels, int vectors, string ox, string vb,
            int vectorsPerGroup, int vectorStride, bool grouped, bool prefetchNextBlock = false, bool halfLastVector = false)
        {
            StepPlan step = g.Step;
            string group = grouped ? "g" : "0";
            string firstVector = grouped ? $"g * {Int(vectorsPerGroup)} + {vb}" : vb;
            // The vector at half width (see HalfLastVector): the block's last, when it holds the group's last vector.
            int halfVector = halfLastVector ? vectors - 1 : -1;
            VectorWidth WidthOf(int j) => j == halfVector ? VectorWidth.V256 : v;
            if (halfLastVector) w.Line($"// The last vector (outputs {g.OutPerGroup / v.Lanes * v.Lanes}–{g.OutPerGroup - 1} of the group) at Vector256 width: its other 8 lanes are padding.");
            w.Line($"ref float wBlock = ref Unsafe.Add(ref weights, {Product(firstVector, Int(vectorStride))});");
            for (int j = 0; j < vectors; j++)
                w.Line($"{WidthOf(j).Of} b{j} = {WidthOf(j).Load("bias", Product(Sum(firstVector, Int(j)), Int(v.Lanes)))};");
            for (int r = 0; r < pixels; r++)
                for (int j = 0; j < vectors; j++)
                    w.Line($"{WidthOf(j).Of} acc{r}_{j} = b{j};");
            string channelStart = grouped ? Product("g", Int(g.InPerGroup)) : "0";
            bool pointwise = step.KernelHeight == 1 && step.KernelWidth == 1;
            if (pointwise)
            {
                // 1x1 (pointwise): a single tap, so no kernel loops: a matrix product over input channels.
                w.Open();
                w.Line($"ref float x = ref Unsafe.Add(ref input, " +
                       $"{Sum(g.InputPixel("inRow", Sum(Product(ox, Int(step.Stride)), Int(g.Shift))), channelStart)});");
                w.Line("ref float wTap = ref wBlock;");
            }
            else
            {
                w.Open($"for (int ky = 0; ky < {Int(step.KernelHeight)}; ky++)");
                w.Open($"for (int kx = 0; kx < {Int(step.KernelWidth)}; kx++)");
                w.Line($"ref float x = ref Unsafe.Add(ref input, " +
                       $"{Sum(g.InputPixel(Sum("inRow", Product("ky", Int(step.Dilation))), Sum(Product(ox, Int(step.Stride)), Product("kx", Int(step.Dilation)), Int(g.Shift))), channelStart)});");
                w.Line($"ref float wTap = ref Unsafe.Add(ref wBlock, (ky * {Int(step.KernelWidth)} + kx) * {Int(g.InPerGroup * v.Lanes)});");
            }
            bool scaled = g.InputScale is not null;
            if (scaled)
            {
                // Squeeze-excite: channel c of the input is x[c]·scale[c]; sc walks the scales beside x.
                w.Line($"ref float sc = ref Unsafe.Add(ref inputScale, {Sum(PixelOffset(g.InputScale!, "0", "0"), channelStart)});");
            }
            void InputChannelStep(int xOffset, int wOffset)
            {
                for (int j = 0; j < vectors; j++)
                    w.Line($"{WidthOf(j).Of} w{j} = {WidthOf(j).Load("wTap", Int(wOffset + j * vectorStride))};");
                if (scaled) w.Line($"float s{xOffset} = Unsafe.Add(ref sc, {Int(xOffset)});");
                for (int r = 0; r < pixels; r++)
                {
                    string value = $"Unsafe.Add(ref x, {Int(xOffset + r * step.Stride * g.InStride)})";
                    w.Line($"{v.Of} x{r} = {v.Broadcast(scaled ? $"{value} * s{xOffset}" : value)};");
                    for (int j = 0; j < vectors; j++)
                        w.Line($"acc{r}_{j} = {WidthOf(j).Fma(j == halfVector ? $"x{r}.GetLower()" : $"x{r}", $"w{j}", $"acc{r}_{j}")};");
                }
            }

            if (g.InPerGroup <= UnrollInputChannels)
            {
                // Few input channels (e.g. an RGB input): unrolled, so there is no loop of 1–4 trips per tap.
                for (int ic = 0; ic < g.InPerGroup; ic++)
                {
                    w.Open($"// input channel {ic}");
                    InputChannelStep(ic, ic * v.Lanes);
                    w.Close();
                }
            }
            else
            {
                // Walk input channels by moving the two references: every load below is base + literal displacement.
                // A prefetching block takes as many channels per trip as one cache line holds weight vectors of (2 at
                // Vector256), so it prefetches each line once: a prefetch uses a load slot, and at 1.5 loads per cycle
                // (AVX2-only CPUs) one per channel and vector made a 5 × 2 block load-bound.
                int perTrip = prefetchNextBlock ? System.Math.Max(1, FloatsPerCacheLine / v.Lanes) : 1;
                int loopChannels = g.InPerGroup / perTrip * perTrip;
                w.Open($"for (int ic = 0; ic < {Int(loopChannels)}; {(perTrip == 1 ? "ic++" : $"ic += {Int(perTrip)}")})");
                for (int c = 0; c < perTrip; c++)
                {
                    if (perTrip > 1) w.Open($"// input channel ic + {c}");
                    InputChannelStep(c, c * v.Lanes);
                    if (perTrip > 1) w.Close();
                }
                if (prefetchNextBlock)
                    for (int j = 0; j < vectors; j++)
                        w.Line($"CachePrefetch.Line(ref Unsafe.Add(ref wTap, {Sum("prefetch", Int(j * vectorStride))}));");
                w.Line($"x = ref Unsafe.Add(ref x, {Int(perTrip)});");
                if (scaled) w.Line($"sc = ref Unsafe.Add(ref sc, {Int(perTrip)});");
                w.Line($"wTap = ref Unsafe.Add(ref wTap, {Int(perTrip * v.Lanes)});");
                w.Close();
                for (int c = loopChannels; c < g.InPerGroup; c++)
                {
                    w.Open($"// input channel {c}, after the loop's {Int(loopChannels)}");
                    InputChannelStep(c - loopChannels, (c - loopChannels) * v.Lanes);
                    w.Close();
                }
            }
            w.Close();
            if (!pointwise) w.Close();
            if (step.MaxoutPieces > 1)
            {
                EmitMaxoutStores(w, v, g, pixels, vectors, ox, vb);
                return;
            }
            string outChannel = grouped ? Sum(Product("g", Int(g.OutPerGroup)), Product(vb, Int(v.Lanes))) : Product(vb, Int(v.Lanes));
            w.Line($"// Epilogue: {EpilogueName(step.Epilogue)}; one store per accumulator.");
            w.Line($"ref float o = ref Unsafe.Add(ref output, {Sum(g.OutputPixel("oy", ox), outChannel)});");
            g.DeclareResidual(w, "oy", ox, outChannel);
            for (int r = 0; r < pixels; r++)
                for (int j = 0; j < vectors; j++)
                {
                    string residual = g.Residual is null ? "" : WidthOf(j).Load("r", Int(r * g.Residual.ChannelStride + j * v.Lanes));
                    string value = Epilogue(step.Epilogue, $"acc{r}_{j}", residual);
                    // The half-width vector is stored whole, its padding lanes as zeros, as wide as before (the same bytes written).
                    if (j == halfVector) value = $"({value}).ToVector512()";
                    w.Line(v.Store(value, "o", Int(r * g.OutStride + j * v.Lanes)));
                }
        }

        /// <summary>
        /// The epilogue of a conv with Maxout(k): the block's k vectors are the k pieces of one vector of outputs (the packing
        /// interleaves them), so each pixel stores max(acc_0, …, acc_k−1) after the following activation: one store per pixel.
        /// </summary>
        private static void EmitMaxoutStores(SourceWriter w, VectorWidth v, Geometry g, int pixels, int pieces, string ox, string vb)
        {
            StepPlan step = g.Step;
            if (g.Residual is not null || step.Groups != 1 || pieces != step.MaxoutPieces)
                throw new System.InvalidOperationException($"step {step.Id}: Maxout in the epilogue needs groups 1, no residual and one block of its pieces");
            string outChannel = $"{vb} / {Int(pieces)} * {Int(v.Lanes)}"; // vb, the block's first piece vector, is a multiple of k
            w.Line($"// Epilogue: Maxout over the {Int(pieces)} piece vectors (outputs {vb}/{Int(pieces)}·{v.Lanes} …), then {EpilogueName(step.Epilogue)}; one store per pixel.");
            w.Line($"ref float o = ref Unsafe.Add(ref output, {Sum(g.OutputPixel("oy", ox), outChannel)});");
            for (int r = 0; r < pixels; r++)
            {
                string maximum = $"acc{r}_0";
                for (int p = 1; p < pieces; p++) maximum = $"{v.TypeName}.Max({maximum}, acc{r}_{p})";
                w.Line(v.Store(Epilogue(step.Epilogue, maximum, ""), "o", Int(r * g.OutStride)));
            }
        }

        /// <summary>
        /// Depthwise: vectors run across channels; each tap multiplies V channels' inputs by their own weights.
        /// Weights are packed [ky][kx][C rounded up to V].
        /// </summary>
        private static void EmitDepthwise(SourceWriter w, string method, StepPlan step, Geometry g, VectorWidth v, bool itemSplit)
        {
            int channels = step.OutputShape.Channels;
            int paddedChannels = BufferPlan.RoundUp(channels, v.Lanes);
            int outWidth = step.OutputShape.Width;
            int rows = step.OutputShape.Height;
            int pixels = DepthwisePixels(step, v, outWidth);
            int fullPixelBlocks = outWidth / pixels * pixels;
            Header(w, method, $"depthwise: {Int(paddedChannels / v.Lanes)} channel vector(s) of {v.Lanes}; register block {pixels} pixels, " +
                $"sliding window (each input column loaded once per kernel row); tail {outWidth - fullPixelBlocks} pixel(s); epilogue: {EpilogueName(step.Epilogue)}.",
                itemSplit ? g.Parameters.Take(g.Parameters.Length - 2).Concat(new[] { "int itemBegin", "int itemEnd" }).ToArray() : g.Parameters);
            // The channels each pixel block runs over: all of them, or (item split) the unit's.
            string channelBegin = "0", channelEnd = Int(paddedChannels);
            if (itemSplit)
            {
                w.Line($"// work items (unit u of {Int(DepthwiseUnitChannels)} channels, row oy) = u·{Int(rows)} + oy; this call computes items [itemBegin, itemEnd).");
                w.Open($"for (int u = itemBegin / {Int(rows)}; u * {Int(rows)} < itemEnd; u++)");
                w.Line($"int rowBegin = Math.Max(itemBegin - u * {Int(rows)}, 0), rowEnd = Math.Min(itemEnd - u * {Int(rows)}, {Int(rows)});");
                w.Line($"int cBegin = u * {Int(DepthwiseUnitChannels)}, cEnd = Math.Min(cBegin + {Int(DepthwiseUnitChannels)}, {Int(paddedChannels)});");
                (channelBegin, channelEnd) = ("cBegin", "cEnd");
            }
            // One thread, 256 channels or more: units of channels outside rows too. A unit's input rows (3 rows × padded width ×
            // 256 bytes) stay in L1 from one output row to the next, all channels' rows do not (a 512×14×14 depthwise conv:
            // 3 × 16 × 2 KiB; per step in dsnet 40–42 -> 32–37 µs). With fewer channels the rows of all of them did as well or
            // better (128×56×56: 70–73 µs by rows, 75 by 64-channel units, 94–112 by 16 or 32).
            bool unitsOuter = !itemSplit && paddedChannels >= 4 * DepthwiseUnitChannels && rows > 1;
            if (unitsOuter)
            {
                w.Line($"// {Int(DepthwiseUnitChannels)}-channel units outside rows: a unit's input rows stay in L1 from one output row to the next.");
                w.Open($"for (int cBegin = 0; cBegin < {Int(paddedChannels)}; cBegin += {Int(DepthwiseUnitChannels)})");
                w.Line(paddedChannels % DepthwiseUnitChannels == 0
                    ? $"int cEnd = cBegin + {Int(DepthwiseUnitChannels)};"
                    : $"int cEnd = Math.Min(cBegin + {Int(DepthwiseUnitChannels)}, {Int(paddedChannels)});");
                (channelBegin, channelEnd) = ("cBegin", "cEnd");
            }
            w.Open(RowRange.Loop("oy", rows));
            w.Line($"int inRow = {Sum(Product("oy", Int(step.Stride)), Int(g.Shift))}; // padded input row of kernel row 0");

            void Block(int count)
            {
                // Input columns a kernel row needs for `count` pixels: r·stride + kx·dilation, each loaded once.
                var columns = new System.Collections.Generic.SortedSet<int>();
                for (int r = 0; r < count; r++)
                    for (int kx = 0; kx < step.KernelWidth; kx++)
                        columns.Add(r * step.Stride + kx * step.Dilation);
                w.Open($"for (int c = {channelBegin}; c < {channelEnd}; c += {v.Lanes})");
                w.Line($"{v.Of} b = {v.Load("bias", "c")};");
                for (int r = 0; r < count; r++) w.Line($"{v.Of} acc{r} = b;");
                // Kernel rows written out when the channel loop is long (4 vectors or more): each load then steps by a constant
                // from one channel vector to the next (hot, Zen 5: 512×14×14 16.9–17.4 -> 12.8–14.1 µs, 128×56×56 76–80 -> 74;
                // with 2 vectors, 32×112×112, the loop stays: 63 µs as a loop, 69–70 written out).
                bool rowsWrittenOut = paddedChannels / v.Lanes >= 4;
                if (!rowsWrittenOut) w.Open($"for (int ky = 0; ky < {Int(step.KernelHeight)}; ky++)");
                for (int ky = 0; ky < (rowsWrittenOut ? step.KernelHeight : 1); ky++)
                {
                    string kernelRow = rowsWrittenOut ? Int(ky) : "ky";
                    if (rowsWrittenOut) w.Open($"// kernel row {ky}");
                    w.Line($"ref float wRow = ref Unsafe.Add(ref weights, {Sum(Product(kernelRow, Int(step.KernelWidth * paddedChannels)), "c")});");
                    for (int kx = 0; kx < step.KernelWidth; kx++)
                        w.Line($"{v.Of} w{kx} = {v.Load("wRow", Int(kx * paddedChannels))};");
                    w.Line($"ref float x = ref Unsafe.Add(ref input, " +
                           $"{Sum(g.InputPixel(Sum("inRow", Product(kernelRow, Int(step.Dilation))), Sum(Product("ox", Int(step.Stride)), Int(g.Shift))), "c")});");
                    foreach (int column in columns)
                        w.Line($"{v.Of} x{column} = {v.Load("x", Int(column * g.InStride))};");
                    for (int r = 0; r < count; r++)
                        for (int kx = 0; kx < step.KernelWidth; kx++)
                            w.Line($"acc{r} = {v.Fma($"x{r * step.Stride + kx * step.Dilation}", $"w{kx}", $"acc{r}")};");
                    w.Close();
                }
                w.Line($"ref float o = ref Unsafe.Add(ref output, {Sum(g.OutputPixel("oy", "ox"), "c")});");
                g.DeclareResidual(w, "oy", "ox", "c");
                for (int r = 0; r < count; r++)
                {
                    string residual = g.Residual is null ? "" : v.Load("r", Int(r * g.Residual.ChannelStride));
                    w.Line(v.Store(Epilogue(step.Epilogue, $"acc{r}", residual), "o", Int(r * g.OutStride)));
                }
                w.Close();
            }

            if (fullPixelBlocks > 0)
            {
                w.Open($"for (int ox = 0; ox < {Int(fullPixelBlocks)}; ox += {Int(pixels)})");
                Block(pixels);
                w.Close();
            }
            if (outWidth > fullPixelBlocks)
            {
                w.Open();
                w.Line($"const int ox = {Int(fullPixelBlocks)}; // last {Int(outWidth - fullPixelBlocks)} pixel(s) of the row");
                Block(outWidth - fullPixelBlocks);
                w.Close();
            }
            w.Close();
            if (itemSplit || unitsOuter) w.Close();
            w.Close();
        }

        /// <summary>
        /// Pixels per depthwise block: as many as fit the registers with the kernel row's weights and the distinct
        /// input columns (R accumulators + KW weights + (R−1)·stride + (KW−1)·dilation + 1 inputs), at most 8, and
        /// preferring a count that divides the row.
        /// </summary>
        private static int DepthwisePixels(StepPlan step, VectorWidth v, int outWidth)
        {
            int budget = v.Registers - 2;
            int best = 1;
            for (int r = 1; r <= System.Math.Min(8, outWidth); r++)
            {
                int inputs = (r - 1) * step.Stride + (step.KernelWidth - 1) * step.Dilation + 1;
                if (r + step.KernelWidth + inputs > budget) break;
                // A larger block wins unless the current best divides the row and this one does not.
                if (outWidth % r == 0 || outWidth % best != 0) best = r;
            }
            return best;
        }

        /// <summary>
        /// Grouped convolution whose groups are too narrow for vectors: plain scalar loops over PyTorch's
        /// weight layout [out][in/groups][kh][kw]. Correct for every group structure; not fast.
        /// </summary>
        private static void EmitGroupedScalar(SourceWriter w, string method, StepPlan step, Geometry g)
        {
            Header(w, method, $"scalar grouped convolution: {Int(step.Groups)} groups of {Int(g.InPerGroup)} → {Int(g.OutPerGroup)} channels; epilogue: {EpilogueName(step.Epilogue)}.",
                g.Parameters);
            w.Open(RowRange.Loop("oy", step.OutputShape.Height));
            w.Open($"for (int ox = 0; ox < {Int(step.OutputShape.Width)}; ox++)");
            w.Line($"ref float o = ref Unsafe.Add(ref output, {g.OutputPixel("oy", "ox")});");
            g.DeclareResidual(w, "oy", "ox", "0");
            w.Open($"for (int oc = 0; oc < {Int(step.OutputShape.Channels)}; oc++)");
            w.Line($"int firstInput = oc / {Int(g.OutPerGroup)} * {Int(g.InPerGroup)};");
            w.Line("float sum = Unsafe.Add(ref bias, oc);");
            w.Open($"for (int ic = 0; ic < {Int(g.InPerGroup)}; ic++)");
            w.Open($"for (int ky = 0; ky < {Int(step.KernelHeight)}; ky++)");
            w.Open($"for (int kx = 0; kx < {Int(step.KernelWidth)}; kx++)");
            w.Line($"float weight = Unsafe.Add(ref weights, ((oc * {Int(g.InPerGroup)} + ic) * {Int(step.KernelHeight)} + ky) * {Int(step.KernelWidth)} + kx);");
            w.Line($"float value = Unsafe.Add(ref input, " +
                   $"{Sum(g.InputPixel(Sum(Product("oy", Int(step.Stride)), Product("ky", Int(step.Dilation)), Int(g.Shift)), Sum(Product("ox", Int(step.Stride)), Product("kx", Int(step.Dilation)), Int(g.Shift))), "firstInput", "ic")});");
            // MultiplyAddEstimate: fused where the CPU has FMA, multiply-then-add where a fused one would be a software call.
            w.Line("sum = float.MultiplyAddEstimate(value, weight, sum);");
            w.Close();
            w.Close();
            w.Close();
            w.Line($"Unsafe.Add(ref o, oc) = {Epilogue(step.Epilogue, "sum", "Unsafe.Add(ref r, oc)")};");
            w.Close();
            w.Close();
            w.Close();
            w.Close();
        }
    }
}
