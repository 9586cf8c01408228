using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Emit;
using FusedNet.Generator.Model;
using EmitWidth = FusedNet.Generator.Emit.VectorWidth;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// Direct convolutions whose packed weights exceed L2 (ConvEmitter.ItemSplitItems) are shared between threads by work
    /// items (output vector, row) instead of rows, and so are those of few rows when the rows do not divide evenly among
    /// the threads (7 rows on 2, 3 or 4 threads; 4 rows on 3). Every output is computed by the same code as on one thread, so the
    /// results must be bit-for-bit the one-thread ones, on 2–4 threads (more threads than rows on the 5-row conv), fused and
    /// unfused, batch 1 and 3; and they match the double reference (1e-4·max(1, |ref|)). Channel counts are not multiples
    /// of 16 (tail blocks), widths are odd (tail pixels), and one conv has a residual epilogue.
    /// </summary>
    public class ItemSplitTests
    {
        /// <summary>3×3 200 → 83 at 7×9 (+ BN, ReLU; 0.6 MB of weights), a 1×1 83 → 400 (+ BN, ReLU), then a 3×3 stride-2 conv 400 → 70 (1 MB) added to a 1×1 shortcut.</summary>
        private static GraphNet Large()
        {
            var g = new GraphNet(200, 7, 9) { Winograd = WinogradUse.Never };
            int x = g.ConvBn(GraphNet.In, 83, 3, "conv1", "bn1", padding: 1);
            int wide = g.ConvBn(x, 400, 1, "wide", "wide_bn");
            int down = g.Conv(wide, 70, 3, "down", stride: 2, padding: 1);
            int shortcut = g.Conv(wide, 70, 1, "shortcut", stride: 2);
            g.ReLU(g.Add(down, shortcut));
            return g;
        }

        /// <summary>5 rows (fewer than 3 blocks × 2 threads): 3×3 330 → 41 at 5×3.</summary>
        private static GraphNet FewRows()
        {
            var g = new GraphNet(330, 5, 3) { Winograd = WinogradUse.Never };
            g.Act(g.Conv(GraphNet.In, 41, 3, "conv", padding: 1), LayerKind.SiLU);
            return g;
        }

        /// <summary>
        /// Two 1×1 convs past L2 (350 → 391: 0.56 MB, 25 vectors of 16 = 8 blocks of 3 and one of 1; 391 → 341: 0.54 MB) at 6×5:
        /// their blocks prefetch the next block's weights (CachePrefetch), the last block none; below Vector512 they take two
        /// (Vector256) or four (Vector128) input channels per trip, so 391 leaves one or three after the loop.
        /// </summary>
        private static GraphNet LargePointwise()
        {
            var g = new GraphNet(350, 6, 5) { Winograd = WinogradUse.Never };
            int x = g.ConvBn(GraphNet.In, 391, 1, "expand", "expand_bn");
            g.Act(g.Conv(x, 341, 1, "project"), LayerKind.ReLU6);
            return g;
        }

        [Fact]
        public void Large_direct_convs_on_threads_match_one_thread_bit_for_bit()
        {
            var graphs = new Dictionary<string, GraphNet> { ["ItemsLarge"] = Large(), ["ItemsFewRows"] = FewRows(), ["ItemsPointwise"] = LargePointwise() };
            using CompiledGraphs compiled = GraphCompiler.Compile(graphs);
            string pointwise = NetworkEmitter.Emit(compiled.Plans["ItemsPointwise"]);
            Assert.Matches(@"CachePrefetch\.Line\(ref Unsafe\.Add\(ref wTap, prefetch \+ \d+\)\);", pointwise);
            Assert.Contains("for (int ic = 0; ic < 390; ic += 2)", pointwise); // 391 → 341 at Vector256: one channel after the loop
            Assert.Contains("// input channel 390, after the loop's 390", pointwise);
            string source = NetworkEmitter.Emit(compiled.Plans["ItemsLarge"]);
            Assert.Matches(@"case \d+: FusedStep\d+Items\(s, own, rowBegin, rowEnd\); break;", source);
            Assert.Matches(@"workers!\.RunRows\(this, \d+, s_useVector512 \? \d+ : s_useVector256 \? \d+ : \d+, chunksPerThread: 4\); // \(output vector, row\) items", source);
            // wide (1x1 83 -> 400 at 7 rows, small weights): items only when the rows do not divide evenly among the threads.
            Assert.Matches(@"else if \(7 % workers!\.Threads != 0\) workers\.RunRows\(this, 7\d{5}, s_useVector512 \? 175 : s_useVector256 \? 350 : 700, chunksPerThread: 4\);", source);
            GraphAssert.ThreadsMatchOneThreadBitForBit(compiled, graphs, seedBefore: 80);
        }

        /// <summary>The item-split path allocates nothing, on the calling thread or the workers (fused and unfused, batch 1 and 3).</summary>
        [Fact]
        public void Item_split_allocates_nothing_on_any_thread()
        {
            GraphAssert.AllocatesNothingOnAnyThread("ItemsAlloc", FewRows(), seed: 3);
        }

        /// <summary>The rule: dense direct convs whose weights exceed L2 at every width always; few-row ones (up to 8) have an item kernel too.</summary>
        [Fact]
        public void Only_convs_with_weights_beyond_L2_are_always_split_by_items()
        {
            NetworkPlan plan = GraphCompiler.Plan(Large());
            var buffers = plan.Buffers.ToDictionary(b => b.Name);
            var convs = plan.Fused.Steps.Where(s => s.Kind == StepKind.Conv).ToList();
            // conv1 (3x3 200 -> 83: 0.6 MB) and down (3x3 400 -> 70: 1.0 MB): items; wide (1x1 83 -> 400: 133 KB) and the
            // 1x1 shortcut (112 KB): rows.
            Assert.Equal(new[] { "conv1", "down" },
                convs.Where(s => ConvEmitter.SplitsByItems(s, buffers[s.Input])).Select(s => plan.Layers[s.MainLayer].Name));
            Assert.Equal(4, convs.Count);
            StepPlan conv1 = convs[0];
            // An item is one output vector of one row: 83 channels at V512 are 6 vectors, at V128 21; 7 rows.
            Assert.Equal(6 * 7, ConvEmitter.ItemSplitItems(conv1, buffers[conv1.Input], EmitWidth.V512));
            Assert.Equal(21 * 7, ConvEmitter.ItemSplitItems(conv1, buffers[conv1.Input], EmitWidth.V128));
            // The few-row convs have item kernels too, used only when their rows do not divide evenly among the threads.
            Assert.Equal(new[] { "conv1", "wide", "shortcut", "down" },
                convs.Where(s => ConvEmitter.HasItemKernel(s, buffers[s.Input])).Select(s => plan.Layers[s.MainLayer].Name));
        }
    }
}
