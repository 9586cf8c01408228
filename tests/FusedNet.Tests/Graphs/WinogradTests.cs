using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Analysis;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// Winograd F(4x4, 3x3) convolutions (ConvAlgorithm.Winograd) against the double reference, on shapes that exercise
    /// every edge of the tiling: heights and widths that are not multiples of 4 (partial tiles must neither write into the
    /// output's zero border nor read past the input buffer), 1x1 to 3x3 maps (one partial tile), channel counts that are
    /// not multiples of 8 or 16, padding 0 and 1, BN + ReLU fused, a residual Add in the epilogue, two Winograd convs in a
    /// row (the second reads the first's zero border: a partial tile that wrote into it would change the border pixels),
    /// batch 3, fused and unfused (GraphAssert.MatchesReference runs both, single and batch).
    /// <para>
    /// Tolerance: the project's 1e-4·max(1, |ref|) (GraphAssert). F(4x4, 3x3) rounds 6–9x more than a direct
    /// convolution (measured on ResNet-18's shapes in <see cref="WinogradErrorTests"/>: up to 6.2e-5 relative); these
    /// small networks stay well inside the bound, so it is not loosened.
    /// </para>
    /// These networks use WinogradUse.Always (every eligible conv, however small), so the tiny shapes run Winograd too.
    /// </summary>
    public class WinogradTests
    {
        private static GraphNet Single(int inChannels, int outChannels, int h, int w, int padding, bool bnRelu, WinogradUse use = WinogradUse.Always)
        {
            var g = new GraphNet(inChannels, h, w) { Winograd = use };
            int x = bnRelu
                ? g.ConvBn(GraphNet.In, outChannels, 3, "conv", "bn", padding: padding)
                : g.Conv(GraphNet.In, outChannels, 3, "conv", padding: padding);
            g.Output = x;
            return g;
        }

        /// <summary>conv-bn-relu, conv-bn, + identity, relu (a ResNet basic block), then a third conv reading the sum's border.</summary>
        private static GraphNet Residual(int channels, int h, int w)
        {
            var g = new GraphNet(channels, h, w) { Winograd = WinogradUse.Always };
            int y = g.ConvBn(GraphNet.In, channels, 3, "conv1", "bn1", padding: 1);
            y = g.ConvBn(y, channels, 3, "conv2", "bn2", padding: 1, activation: null);
            int x = g.ReLU(g.Add(y, GraphNet.In));
            g.Conv(x, 20, 3, "conv3", padding: 1);
            return g;
        }

        /// <summary>
        /// Input buffers whose border is wider than the Winograd conv's padding, so its tiles start inside the border: a
        /// padding-0 Winograd conv beside a 5x5 padding-1 reader (border 1, the tiles start one pixel in), and a padding-1
        /// Winograd conv beside a 7x7 padding-3 reader (border 3, two pixels in; more rows below the last tile exist).
        /// </summary>
        private static GraphNet WideBorders(int h, int w)
        {
            var g = new GraphNet(16, h, w) { Winograd = WinogradUse.Always };
            int a = g.Conv(GraphNet.In, 16, 3, "a", padding: 0);
            int b = g.Conv(GraphNet.In, 16, 5, "b", padding: 1);
            int sum = g.Add(a, b);
            int c = g.ConvBn(sum, 20, 3, "c", "c_bn", padding: 1);
            int e = g.Conv(sum, 20, 7, "e", padding: 3);
            g.Add(c, e);
            return g;
        }

        /// <summary>Two Winograd convs in a row: the second's border pixels read the first's zero border.</summary>
        private static GraphNet TwoInARow(int channels, int h, int w)
        {
            var g = new GraphNet(channels, h, w) { Winograd = WinogradUse.Always };
            int y = g.ConvBn(GraphNet.In, 24, 3, "a", "a_bn", padding: 1, activation: LayerKind.SiLU);
            g.Conv(y, 18, 3, "b", padding: 1);
            return g;
        }

        /// <summary>Two Winograd convs written straight into their channel slices of a Cat (offsets 0 and 16; 20 channels last).</summary>
        private static GraphNet CatOperands()
        {
            var g = new GraphNet(16, 7, 6) { Winograd = WinogradUse.Always };
            int a = g.ConvBn(GraphNet.In, 16, 3, "a", "a_bn", padding: 1);
            int b = g.Conv(GraphNet.In, 20, 3, "b", padding: 1);
            g.Conv(g.Cat(a, b), 8, 3, "head", padding: 1);
            return g;
        }

        [Fact]
        public void Winograd_convs_write_into_their_cat_slices()
        {
            GraphNet graph = CatOperands();
            NetworkPlan plan = GraphCompiler.Plan(graph);
            var writers = plan.Fused.Steps.Where(s => s.Kind == StepKind.Conv && s.Title.Contains("of the Cat")).ToList();
            Assert.Equal(new[] { 0, 16 }, writers.Select(s => s.ChannelOffset).OrderBy(o => o));
            Assert.All(writers, s => Assert.Equal(ConvAlgorithm.Winograd, s.Algorithm));
            PlanSimulator.AssertSound(plan, graph, "WinoCat");
            using CompiledGraphs compiled = GraphCompiler.Compile("WinoCat", graph);
            (IFusedNetwork net, IWeightSource weights) = compiled.CreateRandom("WinoCat", seed: 5);
            GraphAssert.MatchesReference(net, weights, graph, inputSeed: 6, "WinoCat");
        }

        public static IEnumerable<object[]> SingleShapes() => new[]
        {
            new object[] { 16, 16, 8, 8, 1, true },
            new object[] { 17, 33, 5, 7, 1, true },
            new object[] { 24, 40, 13, 11, 1, false },
            new object[] { 20, 20, 1, 1, 1, true },
            new object[] { 18, 19, 2, 2, 1, true },
            new object[] { 16, 17, 3, 3, 1, false },
            new object[] { 3, 5, 6, 9, 1, true },      // few channels (below the planner's threshold; Always still uses it)
            new object[] { 33, 16, 10, 6, 0, true },   // padding 0: 8x4 output
            new object[] { 16, 24, 7, 5, 0, false },   // padding 0: 5x3 output
            new object[] { 40, 48, 12, 16, 1, true },
        };

        [Fact]
        public void Matches_the_reference_on_edge_shapes()
        {
            var graphs = new Dictionary<string, GraphNet>();
            foreach (object[] row in SingleShapes())
            {
                (int ic, int oc, int h, int w, int p, bool bn) = ((int)row[0], (int)row[1], (int)row[2], (int)row[3], (int)row[4], (bool)row[5]);
                graphs[$"Wino_{ic}to{oc}_{h}x{w}_p{p}_{(bn ? "bn" : "plain")}"] = Single(ic, oc, h, w, p, bn);
            }
            foreach ((int c, int h, int w) in new[] { (16, 6, 7), (17, 5, 5), (32, 9, 13), (16, 1, 2) })
                graphs[$"WinoResidual_{c}_{h}x{w}"] = Residual(c, h, w);
            foreach ((int c, int h, int w) in new[] { (16, 5, 7), (19, 8, 8), (16, 3, 2) })
                graphs[$"WinoTwo_{c}_{h}x{w}"] = TwoInARow(c, h, w);
            foreach ((int h, int w) in new[] { (9, 10), (6, 5) })
                graphs[$"WinoWideBorders_{h}x{w}"] = WideBorders(h, w);

            using CompiledGraphs compiled = GraphCompiler.Compile(graphs);
            int seed = 0;
            foreach ((string name, GraphNet graph) in graphs)
            {
                NetworkPlan plan = compiled.Plans[name];
                Assert.Contains(plan.Fused.Steps, s => s.Algorithm == ConvAlgorithm.Winograd && s.Kind == StepKind.Conv);
                Assert.Contains(plan.Unfused.Steps, s => s.Algorithm == ConvAlgorithm.Winograd && s.Kind == StepKind.Conv);
                PlanSimulator.AssertSound(plan, graph, name);
                (IFusedNetwork net, IWeightSource weights) = compiled.CreateRandom(name, seed: ++seed);
                GraphAssert.MatchesReference(net, weights, graph, inputSeed: 100 + seed, name);
            }
        }

        /// <summary>
        /// Tile-row ranges as a multi-threaded caller would hand them out: Forward calls each Winograd kernel twice, [0, split)
        /// and [split, rows), with passes of 1, 2 or 3 tile rows, so ranges that are not multiples of the pass (a short last
        /// pass multiplies stale tiles and must not store them) and ranges that end before the last tile row (no zero row
        /// read) or start at it.
        /// </summary>
        [Theory]
        [InlineData(1, 1)]
        [InlineData(2, 1)]
        [InlineData(3, 2)]
        [InlineData(2, 3)]
        [InlineData(3, 3)]
        public void Split_tile_row_ranges_and_short_passes_match_the_reference(int rowsPerPass, int split)
        {
            var graphs = new Dictionary<string, GraphNet>
            {
                [$"WinoSplit_{rowsPerPass}_{split}_a"] = Single(17, 33, 13, 11, 1, true),  // 4 tile rows, partial last
                [$"WinoSplit_{rowsPerPass}_{split}_b"] = Residual(16, 14, 9),              // 4 tile rows, 2 output rows in the last
                [$"WinoSplit_{rowsPerPass}_{split}_c"] = Single(20, 24, 18, 5, 0, false),  // padding 0: 16x3 output
            };
            WinogradTiling.RowsPerPassOverride = rowsPerPass;
            WinogradTiling.SplitCallsForTests = split;
            CompiledGraphs compiled;
            try
            {
                compiled = GraphCompiler.Compile(graphs);
                // Two calls per Winograd step, split at the given row; the pass size is the forced one.
                string source = FusedNet.Generator.Emit.NetworkEmitter.Emit(compiled.Plans[$"WinoSplit_{rowsPerPass}_{split}_a"]);
                // One thread calls the step method twice; the step method passes the range (and the running thread's workspace) on.
                Assert.Matches($@"FusedStep\d+\(s, s, 0, {split}\); FusedStep\d+\(s, s, {split}, 4\);", source);
                Assert.Contains("ref own.WinogradWorkspace.Start, rowBegin, rowEnd);", source);
                Assert.Contains($"{rowsPerPass} tile row(s) per pass", source);
            }
            finally
            {
                WinogradTiling.RowsPerPassOverride = null;
                WinogradTiling.SplitCallsForTests = null;
            }
            using (compiled)
            {
                int seed = 40;
                foreach ((string name, GraphNet graph) in graphs)
                {
                    (IFusedNetwork net, IWeightSource weights) = compiled.CreateRandom(name, seed: ++seed);
                    GraphAssert.MatchesReference(net, weights, graph, inputSeed: seed, name);
                }
            }
        }

        /// <summary>
        /// Winograd steps that threads share by output channels (WinogradTiling.ChannelSplitUnits; forced here for small
        /// shapes by the test hook): 33, 40 and 20 output channels (3, 3 and 2 units of 16, so a thread's range ends in a
        /// partial register block and the last unit in padding lanes), a residual epilogue and two in a row. On 2–4 threads
        /// (more threads than units: some get none), one sample and a batch, fused and unfused, the outputs must equal one
        /// thread's bit for bit (each thread runs the one-thread passes for its channels) and match the reference.
        /// </summary>
        [Fact]
        public void Channel_split_on_threads_matches_one_thread_bit_for_bit()
        {
            var graphs = new Dictionary<string, GraphNet>
            {
                ["WinoChan_a"] = Single(17, 33, 13, 11, 1, true),
                ["WinoChan_b"] = Residual(40, 6, 5),
                ["WinoChan_c"] = Single(20, 40, 18, 5, 0, false),
                ["WinoChan_d"] = TwoInARow(19, 9, 10),
            };
            WinogradTiling.ChannelSplitForTests = true;
            CompiledGraphs compiled;
            try
            {
                compiled = GraphCompiler.Compile(graphs);
                string source = FusedNet.Generator.Emit.NetworkEmitter.Emit(compiled.Plans["WinoChan_a"]);
                Assert.Matches(@"case \d+: FusedStep\d+Channels\(s, own, rowBegin, rowEnd\); break;", source);
                Assert.Matches(@"workers!\.RunRows\(this, \d+, 3, chunksPerThread: 1\); // units of 16 output channels", source); // 33 channels: 3 units of 16, one chunk per thread
                Assert.DoesNotContain("_TwoPasses_", source); // threads share it by channels, not by passes
            }
            finally
            {
                WinogradTiling.ChannelSplitForTests = null;
            }
            using (compiled)
            {
                GraphAssert.ThreadsMatchOneThreadBitForBit(compiled, graphs, seedBefore: 60);
            }
        }

        /// <summary>
        /// A Winograd step of an odd number of passes (3 to 7) and an even number of tile rows gets a two-pass kernel that a
        /// team of exactly two threads runs, one pass each (WinogradTiling.TwoThreadRowsPerPass); 3 and 4 threads keep the
        /// step's own passes. Forced to 2 tile rows per pass here: 24 output rows (6 tile rows, 3 passes), a residual block
        /// at 40 rows (10 tile rows, 5 passes) and 26 rows (7 tile rows: odd, no variant). On 2–4 threads, fused and unfused,
        /// one sample and a batch, the outputs equal one thread's bit for bit and match the reference; the spatial outputs
        /// also exercise the shared output copy.
        /// </summary>
        [Fact]
        public void Odd_pass_counts_run_as_two_even_passes_on_two_threads_bit_for_bit()
        {
            var graphs = new Dictionary<string, GraphNet>
            {
                ["WinoOdd_a"] = Single(17, 33, 24, 11, 1, true),
                ["WinoOdd_b"] = Residual(16, 40, 9),
                ["WinoOdd_c"] = Single(20, 24, 28, 5, 0, false),
            };
            WinogradTiling.RowsPerPassOverride = 2;
            CompiledGraphs compiled;
            try
            {
                compiled = GraphCompiler.Compile(graphs);
                string a = FusedNet.Generator.Emit.NetworkEmitter.Emit(compiled.Plans["WinoOdd_a"]);
                Assert.Matches(@"else if \(workers!\.Threads == 2\) workers\.RunRows\(this, 4000\d\d, 2, chunksPerThread: 1\);", a);
                Assert.Matches(@"case 4000\d\d: FusedStep\d+Threads\(s, own, rowBegin \* 3, rowEnd \* 3\); break;", a);
                Assert.Matches(@"else workers!\.RunRows\(this, \d+, 3, chunksPerThread: \d+\); // passes of 2 tile rows", a); // 3 or 4 threads
                Assert.Contains("workers!.RunOutputRows(this, 300002, ", a); // the spatial output is copied out by the threads that wrote it
                string c = FusedNet.Generator.Emit.NetworkEmitter.Emit(compiled.Plans["WinoOdd_c"]);
                Assert.DoesNotContain("Threads == 2", c);
                Assert.DoesNotContain("_TwoPasses_", c);
            }
            finally
            {
                WinogradTiling.RowsPerPassOverride = null;
            }
            using (compiled)
            {
                GraphAssert.ThreadsMatchOneThreadBitForBit(compiled, graphs, seedBefore: 80);
            }
        }

        [Fact]
        public void Two_thread_passes_are_chosen_for_wide_and_fit_the_workspace()
        {
            (StepPlan Conv, BufferPlan Input, NetworkPlan Plan) Conv(int channels, int size)
            {
                var g = new GraphNet(channels, size, size);
                g.ConvBn(GraphNet.In, channels, 3, "conv", "bn", padding: 1);
                NetworkPlan plan = GraphCompiler.Plan(g);
                StepPlan conv = plan.Fused.Steps.Single(s => s.Kind == StepKind.Conv);
                Assert.Equal(ConvAlgorithm.Winograd, conv.Algorithm);
                return (conv, plan.Buffers.Single(b => b.Name == conv.Input), plan);
            }
            // 64 -> 64 at 56x56 (wide, ResNet-18 layer1): 7 passes of 2 tile rows; two threads run 2 passes of 7.
            var wide = Conv(64, 56);
            Assert.Equal(2, new WinogradTiling(wide.Conv, wide.Input).RowsPerPass);
            Assert.Equal(7, WinogradTiling.TwoThreadRowsPerPass(wide.Conv, wide.Input));
            Assert.Null(WinogradTiling.ThreadedRowsPerPass(wide.Conv, wide.Input));
            Assert.True(FusedNet.Generator.Analysis.MemoryBudget.WinogradWorkspaceFloats(wide.Plan) >= new WinogradTiling(wide.Conv, wide.Input, 7).WorkspaceFloats);
            Assert.True(new WinogradTiling(wide.Conv, wide.Input, 7).WorkspaceFloats > new WinogradTiling(wide.Conv, wide.Input).WorkspaceFloats);
            // 64 -> 64 at 32x32: 4 passes of 2, already even.
            var even = Conv(64, 32);
            Assert.Null(WinogradTiling.TwoThreadRowsPerPass(even.Conv, even.Input));
            // 96 -> 96 at 28x28: one pass of 7 tile rows; its two-pass kernel (4 rows) serves every thread count.
            var single = Conv(96, 28);
            Assert.Equal(4, WinogradTiling.ThreadedRowsPerPass(single.Conv, single.Input));
            Assert.Null(WinogradTiling.TwoThreadRowsPerPass(single.Conv, single.Input));
            Assert.Equal(4, WinogradTiling.TwoPassRows(single.Conv, single.Input));
        }

        [Fact]
        public void Threads_split_resnet_layer3_winograd_convs_by_output_channels()
        {
            // 256 -> 256 at 14x14: U is 36 x 256 x 256 floats = 9.4 MB, past ChannelSplitBytes (as layer2's 128 -> 128, 2.4 MB);
            // layer1's 64 -> 64 (0.6 MB, fits L2) splits by rows.
            var g = new GraphNet(256, 14, 14);
            g.ConvBn(GraphNet.In, 256, 3, "conv", "bn", padding: 1);
            NetworkPlan plan = GraphCompiler.Plan(g);
            StepPlan conv = plan.Fused.Steps.Single(s => s.Kind == StepKind.Conv);
            BufferPlan input = plan.Buffers.Single(b => b.Name == conv.Input);
            Assert.Equal(ConvAlgorithm.Winograd, conv.Algorithm);
            Assert.Equal(16, WinogradTiling.ChannelSplitUnits(conv, input));
            Assert.Null(WinogradTiling.ThreadedRowsPerPass(conv, input));

            var small = new GraphNet(64, 56, 56);
            small.ConvBn(GraphNet.In, 64, 3, "conv", "bn", padding: 1);
            NetworkPlan smallPlan = GraphCompiler.Plan(small);
            StepPlan smallConv = smallPlan.Fused.Steps.Single(s => s.Kind == StepKind.Conv);
            Assert.Null(WinogradTiling.ChannelSplitUnits(smallConv, smallPlan.Buffers.Single(b => b.Name == smallConv.Input)));
        }

        [Fact]
        public void Wide_border_inputs_put_the_tiles_inside_the_border()
        {
            NetworkPlan plan = GraphCompiler.Plan(WideBorders(9, 10));
            int BorderOf(string conv) => plan.Buffers.Single(b => b.Name == plan.Fused.Steps.Single(s => s.Title.Contains($"'{conv}'")).Input).Border;
            StepPlan a = plan.Fused.Steps.Single(s => s.Title.Contains("'a'")), c = plan.Fused.Steps.Single(s => s.Title.Contains("'c'"));
            Assert.Equal((ConvAlgorithm.Winograd, 0, 1), (a.Algorithm, a.Padding, BorderOf("a")));
            Assert.Equal((ConvAlgorithm.Winograd, 1, 3), (c.Algorithm, c.Padding, BorderOf("c")));
        }

        [Fact]
        public void The_residual_block_fuses_the_add_into_the_winograd_epilogue()
        {
            NetworkPlan plan = GraphCompiler.Plan(Residual(16, 8, 8));
            StepPlan conv2 = plan.Fused.Steps.Single(s => s.Title.Contains("conv2"));
            Assert.Equal(ConvAlgorithm.Winograd, conv2.Algorithm);
            Assert.NotNull(conv2.SecondInput);
            Assert.Equal(new[] { true, false }, conv2.Epilogue.Select(op => op.AddSecondInput));
        }

        [Fact]
        public void Allocates_nothing()
        {
            GraphNet graph = Residual(16, 9, 7);
            using CompiledGraphs compiled = GraphCompiler.Compile("WinoAlloc", graph);
            (IFusedNetwork net, _) = compiled.CreateRandom("WinoAlloc", seed: 2);
            GraphAssert.AllocatesNothing(net);
        }

        // ---- the planner's choice ----

        private static ConvAlgorithm AlgorithmOf(GraphNet graph, string conv, bool fused = true)
        {
            NetworkPlan plan = GraphCompiler.Plan(graph);
            return (fused ? plan.Fused : plan.Unfused).Steps.Single(s => s.Kind == StepKind.Conv && s.Title.Contains($"'{conv}'")).Algorithm;
        }

        [Fact]
        public void The_planner_picks_winograd_for_a_resnet_3x3_64_to_64_conv()
        {
            var g = new GraphNet(64, 56, 56);
            g.ConvBn(GraphNet.In, 64, 3, "conv", "bn", padding: 1);
            Assert.Equal(ConvAlgorithm.Winograd, AlgorithmOf(g, "conv"));
            Assert.Equal(ConvAlgorithm.Winograd, AlgorithmOf(g, "conv", fused: false));
        }

        [Fact]
        public void The_planner_keeps_direct_with_the_opt_out_for_strides_depthwise_and_small_shapes()
        {
            var optOut = new GraphNet(64, 56, 56) { Winograd = WinogradUse.Never };
            optOut.ConvBn(GraphNet.In, 64, 3, "conv", "bn", padding: 1);
            Assert.Equal(ConvAlgorithm.OutputVectors, AlgorithmOf(optOut, "conv"));

            var strided = new GraphNet(64, 56, 56);
            strided.ConvBn(GraphNet.In, 64, 3, "conv", "bn", stride: 2, padding: 1);
            Assert.Equal(ConvAlgorithm.OutputVectors, AlgorithmOf(strided, "conv"));

            var depthwise = new GraphNet(64, 56, 56);
            depthwise.ConvBn(GraphNet.In, 64, 3, "conv", "bn", padding: 1, groups: 64);
            Assert.Equal(ConvAlgorithm.Depthwise, AlgorithmOf(depthwise, "conv"));

            var dilated = new GraphNet(64, 56, 56);
            dilated.BatchNorm(dilated.Conv(GraphNet.In, 64, 3, "conv", padding: 2, dilation: 2), "bn");
            Assert.Equal(ConvAlgorithm.OutputVectors, AlgorithmOf(dilated, "conv"));

            var narrow = new GraphNet(8, 56, 56);
            narrow.ConvBn(GraphNet.In, 64, 3, "conv", "bn", padding: 1);
            Assert.Equal(ConvAlgorithm.OutputVectors, AlgorithmOf(narrow, "conv"));

            var tiny = new GraphNet(64, 3, 3);
            tiny.ConvBn(GraphNet.In, 64, 3, "conv", "bn", padding: 1);
            Assert.Equal(ConvAlgorithm.OutputVectors, AlgorithmOf(tiny, "conv"));
        }

        /// <summary>ResNet-18's stride-1 3x3 convs: layer1..layer3 Winograd; layer4 (512 channels at 7x7: 37.7 MB of transformed weights for 49 pixels) direct.</summary>
        [Theory]
        [InlineData(64, 56, true)]
        [InlineData(128, 28, true)]
        [InlineData(256, 14, true)]
        [InlineData(512, 7, false)]
        [InlineData(64, 7, true)]     // small transformed weights (0.6 MB, L2-resident) pay even at 7x7
        [InlineData(256, 7, false)]   // 9.4 MB of transformed weights for 49 pixels
        public void The_planner_follows_the_measured_rule_on_resnet_shapes(int channels, int size, bool winograd)
        {
            var g = new GraphNet(channels, size, size);
            g.ConvBn(GraphNet.In, channels, 3, "conv", "bn", padding: 1);
            Assert.Equal(winograd ? ConvAlgorithm.Winograd : ConvAlgorithm.OutputVectors, AlgorithmOf(g, "conv"));
        }
    }
}
