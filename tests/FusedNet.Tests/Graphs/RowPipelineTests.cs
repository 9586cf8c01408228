using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Emit;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// Row pipelining (generator/Emit/RowPipelines.cs): consecutive row-range steps whose intermediate tensor is at least
    /// 256 KiB run interleaved by rows in the fused path. Checked on the chains the planner forms, against the double
    /// reference (fused, unfused, batch), and on 2–4 threads (each thread recomputing the rows at its range's edges)
    /// bit-equal to one thread. Odd heights and widths, stride 2, dilation 2, 5×5, pools with padding, a residual add (also one
    /// whose residual is written inside the same chain),
    /// grouped convs of the scalar kernel; the rolling windows each network forms (RowWindow), and that no call sees the rows
    /// an earlier call left in them.
    /// </summary>
    public class RowPipelineTests
    {
        /// <summary>Depthwise-separable pairs (MobileNet v1): dw 3×3 → pw, then dw 3×3 stride 2 → pw, at 61×53.</summary>
        private static GraphNet DepthwiseSeparable()
        {
            var g = new GraphNet(32, 61, 53);
            int x = g.ConvBn(GraphNet.In, 32, 3, "dw1", "dw1_bn", padding: 1, groups: 32, activation: LayerKind.ReLU6);
            x = g.ConvBn(x, 64, 1, "pw1", "pw1_bn", activation: LayerKind.ReLU6);
            x = g.ConvBn(x, 64, 3, "dw2", "dw2_bn", stride: 2, padding: 1, groups: 64, activation: LayerKind.ReLU6);
            x = g.ConvBn(x, 40, 1, "pw2", "pw2_bn", activation: LayerKind.ReLU6);
            g.Linear(g.Flatten(g.GlobalAvgPool(x)), 5, "fc");
            return g;
        }

        /// <summary>An inverted residual (MobileNetV2): expand 1×1 → depthwise 3×3 → project 1×1 + BN, plus the input.</summary>
        private static GraphNet InvertedResidual()
        {
            var g = new GraphNet(24, 57, 43);
            int x = g.ConvBn(GraphNet.In, 96, 1, "expand", "expand_bn", activation: LayerKind.ReLU6);
            x = g.ConvBn(x, 96, 3, "dw", "dw_bn", padding: 1, groups: 96, activation: LayerKind.ReLU6);
            x = g.ConvBn(x, 24, 1, "project", "project_bn", activation: null);
            int sum = g.Add(x, GraphNet.In);
            g.Linear(g.Flatten(g.GlobalAvgPool(sum)), 3, "fc");
            return g;
        }

        /// <summary>
        /// Two inverted residuals where the second adds the first one's output (MobileNetV2's features.2 → features.3 at
        /// 56×56): the residual is written by a step inside the same chain, two steps before the add reads it, so its rows
        /// must be finished in time (RowPipelines.ResidualRowsReadyInTime). Odd sizes, 24 channels (not a multiple of 16).
        /// </summary>
        private static GraphNet ResidualInsideChain()
        {
            var g = new GraphNet(16, 59, 47);
            int x = g.ConvBn(GraphNet.In, 48, 1, "expand1", "expand1_bn", activation: LayerKind.ReLU6);
            x = g.ConvBn(x, 48, 3, "dw1", "dw1_bn", padding: 1, groups: 48, activation: LayerKind.ReLU6);
            int project1 = g.ConvBn(x, 24, 1, "project1", "project1_bn", activation: null);
            x = g.ConvBn(project1, 96, 1, "expand2", "expand2_bn", activation: LayerKind.ReLU6);
            x = g.ConvBn(x, 96, 3, "dw2", "dw2_bn", padding: 1, groups: 96, activation: LayerKind.ReLU6);
            x = g.ConvBn(x, 24, 1, "project2", "project2_bn", activation: null);
            int sum = g.Add(x, project1);
            g.Linear(g.Flatten(g.GlobalAvgPool(sum)), 3, "fc");
            return g;
        }

        /// <summary>A ResNet-style stem at 96×80: conv 3×3 → BN → ReLU → max-pool 3 stride 2 padding 1 → conv, then an average pool.</summary>
        private static GraphNet StemAndPools()
        {
            // Direct convolutions: a Winograd step (c2 would be one) is not pipelined, its rows come in 4-row tiles.
            var g = new GraphNet(5, 96, 80) { Winograd = WinogradUse.Never };
            int x = g.ConvBn(GraphNet.In, 32, 3, "stem", "stem_bn", padding: 1);
            x = g.MaxPool(x, 3, 2, padding: 1);
            x = g.ConvBn(x, 48, 3, "c2", "c2_bn", padding: 1);
            x = g.AvgPool(x, 2, 2);
            g.Linear(g.Flatten(g.GlobalAvgPool(x)), 4, "fc");
            return g;
        }

        /// <summary>Wider windows: 3×3, then 3×3 dilation 2 (reading a rolling window with a border of 2), then 5×5 stride 2 padding 2, then 3×3 without padding.</summary>
        private static GraphNet Windows()
        {
            var g = new GraphNet(16, 95, 79) { Winograd = WinogradUse.Never }; // direct, as above ("valid" would be Winograd)
            int x = g.Conv(GraphNet.In, 24, 3, "first", padding: 1);
            x = g.Act(g.Conv(x, 48, 3, "dilated", padding: 2, dilation: 2), LayerKind.SiLU);
            x = g.ReLU(g.Conv(x, 40, 5, "five", stride: 2, padding: 2));
            x = g.Conv(x, 24, 3, "valid");
            g.Linear(g.Flatten(g.GlobalAvgPool(x)), 3, "fc");
            return g;
        }

        /// <summary>
        /// Grouped convolutions the output-vector kernel cannot take (5 and 15 outputs per group: the scalar kernel), at an even
        /// height, so the stride-2 conv never reads the bottom border row its rolling window still makes room for.
        /// </summary>
        private static GraphNet Grouped()
        {
            var g = new GraphNet(12, 60, 80);
            int x = g.ReLU(g.Conv(GraphNet.In, 20, 3, "g4", padding: 1, groups: 4));
            x = g.ReLU(g.Conv(x, 30, 3, "g2", stride: 2, padding: 1, groups: 2));
            x = g.Conv(x, 16, 1, "pw");
            g.Linear(g.Flatten(g.GlobalAvgPool(x)), 3, "fc");
            return g;
        }

        public static TheoryData<string> Names => new() { "DepthwiseSeparable", "InvertedResidual", "ResidualInsideChain", "StemAndPools", "Windows", "Grouped" };

        private static GraphNet Build(string name) => name switch
        {
            "DepthwiseSeparable" => DepthwiseSeparable(),
            "InvertedResidual" => InvertedResidual(),
            "ResidualInsideChain" => ResidualInsideChain(),
            "StemAndPools" => StemAndPools(),
            "Windows" => Windows(),
            "Grouped" => Grouped(),
            _ => throw new ArgumentException(name),
        };

        /// <summary>The chains each network must form (first–last step titles' leading layer names), so the test cannot pass vacuously.</summary>
        [Theory]
        [MemberData(nameof(Names))]
        public void The_fused_path_pipelines_its_large_intermediates(string name)
        {
            NetworkPlan plan = GraphCompiler.Plan(Build(name));
            var buffers = plan.Buffers.ToDictionary(b => b.Name);
            List<List<StepPlan>> chains = RowPipelines.Find(plan.Fused, buffers).Chains.ToList();
            Assert.NotEmpty(chains);
            int expectedSteps = name switch
            {
                "DepthwiseSeparable" => 3, // dw1 → pw1 → dw2 (dw2's output, 31×27×64, is under 256 KiB: pw2 runs on its own)
                "InvertedResidual" => 4,   // expand → dw → project (+ the residual add in its epilogue) → the pool's row sums
                "ResidualInsideChain" => 7, // all six convs (project1's output read by expand2 and, as the residual, by project2) → row sums
                "StemAndPools" => 4,       // stem → max-pool → c2 → avg-pool
                "Grouped" => 2,            // g4 → g2 (g2's output, 30×30×40, is under 256 KiB)
                _ => 4,                    // first → dilated → five → valid
            };
            Assert.True(expectedSteps == chains.Sum(c => c.Count), $"{name}: chains {string.Join(" | ", chains.Select(c => string.Join(", ", c.Select(st => st.Id + ":" + st.Title.Split('(')[0]))))}");
            foreach (List<StepPlan> chain in chains)
                for (int k = 1; k < chain.Count; k++)
                    Assert.Equal(chain[k - 1].Output, chain[k].Input);
            // Rolling windows (RowWindow): between two direct convs whose intermediate nothing else reads.
            List<RowWindow> windows = RowPipelines.Find(plan.Fused, buffers).Windows.ToList();
            int expectedWindows = name switch
            {
                "DepthwiseSeparable" => 2, // dw1 → pw1, pw1 → dw2
                "InvertedResidual" => 2,   // expand → dw, dw → project (its residual operand moves with its output rows)
                "ResidualInsideChain" => 4, // expand → dw, dw → project, twice (project1's output stays a full buffer)
                "StemAndPools" => 3,       // stem → max-pool, max-pool → c2, c2 → avg-pool (the pools' rebased kernels)
                "Grouped" => 1,            // g4 → g2 (both the scalar grouped kernel)
                _ => 3,                    // first → dilated, dilated → five, five → valid
            };
            Assert.Equal(expectedWindows, windows.Count);
            foreach (RowWindow window in windows)
            {
                Assert.Contains(window.Producer.Kind, new[] { StepKind.Conv, StepKind.MaxPool, StepKind.AvgPool });
                Assert.Contains(window.Consumer.Kind, new[] { StepKind.Conv, StepKind.MaxPool, StepKind.AvgPool });
                Assert.Equal(window.Producer.Output, window.Consumer.Input);
                Assert.True(2 * window.Rows <= window.Buffer.PaddedHeight, $"window {window.Field}: {window.Rows} of {window.Buffer.PaddedHeight} rows");
            }
            if (name == "Grouped") Assert.All(windows, w => Assert.Equal(ConvAlgorithm.GroupedScalar, w.Producer.Algorithm));
            // The unfused path is the one-pass-per-layer baseline: the generated code interleaves only the fused steps.
            string source = NetworkEmitter.Emit(plan);
            foreach (RowWindow window in windows) Assert.Contains($"AlignedBuffer {window.Field} = ", source);
            Assert.Contains("private void FusedRows", source);
            // A first pipeline reading a feature-map input (8 channels or more) copies the input rows itself; an image
            // input (StemAndPools: 5 channels) is copied whole before it.
            bool copiesInput = name != "StemAndPools";
            Assert.Equal(copiesInput, source.Contains("(Scratch s, Scratch own, ref float input, int rowBegin, int rowEnd)"));
            Assert.Equal(copiesInput, source.Contains("The input copy runs row by row inside the row pipeline"));
            Assert.DoesNotContain("private void UnfusedRows", source);
        }

        /// <summary>
        /// The residual of ResidualInsideChain is written and read inside one chain: project1 stays a full buffer (two steps
        /// read it), and every step from project1 to the add is stride 1 and keeps the height, so the add's rows of it are
        /// finished in time. Before this rule the chain stopped in front of project2 and dw2's output went out to a full map.
        /// </summary>
        [Fact]
        public void A_residual_written_earlier_in_the_chain_lets_the_chain_go_on()
        {
            NetworkPlan plan = GraphCompiler.Plan(ResidualInsideChain());
            var buffers = plan.Buffers.ToDictionary(b => b.Name);
            RowPipelines pipelines = RowPipelines.Find(plan.Fused, buffers);
            StepPlan add = plan.Fused.Steps.Single(s => s.SecondInput is not null);
            List<StepPlan> chain = pipelines.Chains.Single(c => c.Contains(add));
            StepPlan producer = chain.Single(s => s.Output == add.SecondInput);
            Assert.True(chain.IndexOf(producer) < chain.IndexOf(add) - 1, string.Join(", ", chain.Select(s => s.Title)));
            Assert.Null(pipelines.WindowWrittenBy(producer)); // read twice: it stays a full buffer
            Assert.NotNull(pipelines.WindowReadBy(add));     // dw2's rows reach project2 through a window

            // Not proven in time: a 3×3 conv without padding, then one with padding 2, between the residual and the add
            // (the heights change on the way), so the add starts a chain of its own as before.
            var g = new GraphNet(24, 59, 47) { Winograd = WinogradUse.Never };
            int first = g.ConvBn(GraphNet.In, 24, 1, "first", "first_bn", activation: null);
            int x = g.ReLU(g.Conv(first, 24, 3, "valid"));
            x = g.Conv(x, 24, 3, "padded2", padding: 2);
            int sum = g.Add(x, first);
            g.Linear(g.Flatten(g.GlobalAvgPool(sum)), 3, "fc");
            NetworkPlan other = GraphCompiler.Plan(g);
            RowPipelines otherPipelines = RowPipelines.Find(other.Fused, other.Buffers.ToDictionary(b => b.Name));
            StepPlan otherAdd = other.Fused.Steps.Single(s => s.SecondInput is not null);
            Assert.Contains(otherPipelines.Chains, c => c.Count > 1 && !c.Contains(otherAdd)); // first → valid → padded2 still pipelined
            Assert.DoesNotContain(otherPipelines.Chains, c => c.Contains(otherAdd) && c.Any(s => s.Output == otherAdd.SecondInput));
        }

        [Theory]
        [MemberData(nameof(Names))]
        public void Pipelined_networks_match_the_reference_on_one_to_four_threads(string name)
        {
            GraphNet graph = Build(name);
            using CompiledGraphs compiled = GraphCompiler.Compile(name, graph);
            (IFusedNetwork single, IWeightSource weights) = compiled.CreateRandom(name, seed: 5);
            GraphAssert.MatchesReference(single, weights, graph, inputSeed: 23, name);

            float[] input = RandomWeights.RandomInput(3 * single.InputLength, seed: 29);
            float[] expected = new float[3 * single.OutputLength];
            single.Forward(input, expected, 3);
            foreach (int threads in new[] { 2, 3, 4 })
            {
                IFusedNetwork parallel = compiled.Create(name, weights, new NetworkOptions { Threads = threads, SplitThreshold = 0 });
                try
                {
                    for (int n = 0; n < 3; n++)
                    {
                        float[] one = new float[single.OutputLength];
                        Array.Fill(one, float.NaN);
                        parallel.Forward(input.AsSpan(n * single.InputLength, single.InputLength), one);
                        Assert.True(one.AsSpan().SequenceEqual(expected.AsSpan(n * single.OutputLength, single.OutputLength)),
                            $"{name}: sample {n} on {threads} threads (rows split) differs from one thread");
                    }
                    float[] batch = new float[expected.Length];
                    parallel.Forward(input, batch, 3);
                    Assert.Equal(expected, batch);
                }
                finally
                {
                    parallel.StopThreads();
                }
            }
            GraphAssert.AllocatesNothing(single);
        }

        /// <summary>
        /// A rolling window keeps the rows of the previous call (another sample, another range): every call must zero the
        /// border rows it reads and overwrite the rest before reading them. Each sample's output from a fresh instance equals
        /// its output on an instance that ran the other samples first, in another order, on 1 and 3 threads.
        /// </summary>
        [Theory]
        [MemberData(nameof(Names))]
        public void Rolling_windows_carry_nothing_from_one_call_to_the_next(string name)
        {
            GraphNet graph = Build(name);
            using CompiledGraphs compiled = GraphCompiler.Compile(name, graph);
            (IFusedNetwork first, IWeightSource weights) = compiled.CreateRandom(name, seed: 7);
            int inputLength = first.InputLength, outputLength = first.OutputLength;
            float[] input = RandomWeights.RandomInput(3 * inputLength, seed: 31);
            // Sample 1 scaled up: stale rows left by it would show in the next sample's output.
            for (int i = inputLength; i < 2 * inputLength; i++) input[i] *= 8;
            var fresh = new float[3][];
            for (int n = 0; n < 3; n++)
            {
                IFusedNetwork network = n == 0 ? first : compiled.Create(name, weights, new NetworkOptions());
                fresh[n] = new float[outputLength];
                network.Forward(input.AsSpan(n * inputLength, inputLength), fresh[n]);
            }
            foreach (int threads in new[] { 1, 3 })
            {
                IFusedNetwork network = compiled.Create(name, weights, new NetworkOptions { Threads = threads, SplitThreshold = 0 });
                try
                {
                    foreach (int n in new[] { 1, 2, 0, 1, 0, 2 })
                    {
                        float[] output = new float[outputLength];
                        network.Forward(input.AsSpan(n * inputLength, inputLength), output);
                        Assert.True(output.AsSpan().SequenceEqual(fresh[n]), $"{name}: sample {n} on {threads} thread(s) after other samples differs from a fresh instance's");
                    }
                }
                finally
                {
                    network.StopThreads();
                }
            }
        }
    }
}
