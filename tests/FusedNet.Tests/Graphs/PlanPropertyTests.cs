using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// Properties of the internal NetworkPlan (no compilation, so many seeds): both paths replay soundly over their
    /// buffers (PlanSimulator: liveness, in place, borders, shapes), fused residuals land in conv epilogues, and
    /// buffers are reused.
    /// </summary>
    public class PlanPropertyTests
    {
        public const int Seeds = 60;

        public static TheoryData<GraphFamily> Families()
        {
            var data = new TheoryData<GraphFamily>();
            foreach (GraphFamily family in Enum.GetValues<GraphFamily>()) data.Add(family);
            return data;
        }

        [Theory]
        [MemberData(nameof(Families))]
        public void RandomPlansAreSound(GraphFamily family)
        {
            var failures = new List<string>();
            for (int seed = 1; seed <= Seeds; seed++)
            {
                GraphNet graph = RandomGraphs.Create(family, seed);
                try
                {
                    NetworkPlan plan = GraphCompiler.Plan(graph, $"{family}{seed}");
                    var errors = PlanSimulator.Check(plan, plan.Fused, graph).Concat(PlanSimulator.Check(plan, plan.Unfused, graph)).ToList();
                    if (errors.Count > 0) failures.Add($"seed {seed}: " + string.Join("\n    ", errors.Take(5)) + "\n" + graph.Describe());
                }
                catch (Exception e)
                {
                    failures.Add($"seed {seed}: planner threw {e.GetType().Name}: {e.Message}\n{graph.Describe()}");
                }
            }
            Assert.True(failures.Count == 0, $"{family}: {failures.Count} of {Seeds} seeds failed:\n" + string.Join("\n", failures.Take(3)));
        }

        /// <summary>The families really build what they promise (so a generator change cannot make them vacuous).</summary>
        [Fact]
        public void FamiliesCoverTheirShapes()
        {
            var graphs = RandomGraphCompilation.Cases().Select(c => c.Family).Distinct()
                .SelectMany(f => Enumerable.Range(1, Seeds).Select(seed => (Name: $"{f}{seed}", Graph: RandomGraphs.Create(f, seed))))
                .ToDictionary(g => g.Name, g => g.Graph);
            IEnumerable<GraphNet> Of(GraphFamily f) => graphs.Where(g => g.Key.StartsWith(f.ToString(), StringComparison.Ordinal)).Select(g => g.Value);
            static bool Has(GraphNet g, Func<GraphNode, bool> p) => g.Nodes.Any(p);
            Assert.Contains(Of(GraphFamily.Residual), g => Has(g, n => n.Name.EndsWith("downsample.0", StringComparison.Ordinal)));
            Assert.Contains(Of(GraphFamily.Residual), g => Has(g, n => n.Kind == LayerKind.Add));
            Assert.Contains(Of(GraphFamily.InvertedResidual), g => Has(g, n => n.Kind == LayerKind.Add));
            Assert.All(Of(GraphFamily.ConcatFanIn), g => Assert.True(Has(g, n => n.Kind == LayerKind.Cat)));
            Assert.All(Of(GraphFamily.SqueezeExcite), g => Assert.True(Has(g, n => n.Kind == LayerKind.Mul)));
            Assert.All(Of(GraphFamily.SelfAdd), g => Assert.True(Has(g, n => n.Kind == LayerKind.Add && n.Inputs[0] == n.Inputs[1])));
            Assert.All(Of(GraphFamily.IntermediateOutput), g => Assert.True(g.Output >= 0 && g.Output < g.Nodes.Count - 1));
            // Cat offsets not aligned to 16 (nor to 8) appear.
            Assert.Contains(graphs.Values, g => Has(g, n => n.Kind == LayerKind.Cat &&
                n.Inputs.Take(n.Inputs.Count - 1).Select(i => g.ShapeOf(i).Channels).Sum() % 8 != 0));
            // 1×1 inputs appear.
            Assert.Contains(graphs.Values, g => g.H == 1 && g.W == 1);
        }

        /// <summary>A ResNet-style chain: stem, then <paramref name="blocks"/> BasicBlocks (every third one downsampling).</summary>
        internal static GraphNet ResidualChain(int blocks, int channels, int size, bool downsampleAfterBranch, int downsampleEvery = 3)
        {
            var g = new GraphNet(3, size, size);
            int x = g.ConvBn(GraphNet.In, channels, 3, "stem.conv", "stem.bn", padding: 1);
            for (int b = 0; b < blocks; b++)
            {
                bool down = downsampleEvery > 0 && b % downsampleEvery == downsampleEvery - 1;
                int outChannels = down ? channels + 8 : channels;
                int identity = x;
                int Downsample() => g.BatchNorm(g.Conv(x, outChannels, 1, $"b{b}.downsample.0", 2, bias: false), $"b{b}.downsample.1");
                if (down && !downsampleAfterBranch) identity = Downsample();
                int y = g.ConvBn(x, outChannels, 3, $"b{b}.conv1", $"b{b}.bn1", down ? 2 : 1, 1);
                y = g.ConvBn(y, outChannels, 3, $"b{b}.conv2", $"b{b}.bn2", 1, 1, activation: null);
                if (down && downsampleAfterBranch) identity = Downsample();
                x = g.ReLU(g.Add(y, identity));
                channels = outChannels;
            }
            return g;
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void ResidualAddsFuseIntoTheSecondConv(bool downsampleAfterBranch)
        {
            const int Blocks = 10;
            GraphNet graph = ResidualChain(Blocks, 8, 20, downsampleAfterBranch);
            NetworkPlan plan = GraphCompiler.Plan(graph);
            PlanSimulator.AssertSound(plan, graph, "residual chain");

            var residualConvs = plan.Fused.Steps.Where(s => s.Kind == StepKind.Conv && s.SecondInput is not null).ToList();
            Assert.Equal(Blocks, residualConvs.Count);
            Assert.DoesNotContain(plan.Fused.Steps, s => s.Kind is StepKind.Add or StepKind.Activation or StepKind.ScaleShift);
            foreach (StepPlan conv in residualConvs)
            {
                // conv2 + bn2 (folded) + add + relu: the residual is added before the block's ReLU.
                Assert.Equal(new[] { EpilogueOp.AddResidual, EpilogueOp.Activate(new ActivationPlan(LayerKind.ReLU, 0f, false)) }, conv.Epilogue.ToArray());
                Assert.True(conv.BatchNormFirstTensor >= 0, conv.Title);
                // The first conv (in layer order) whose result the Add reads takes it: conv2, or the downsample when it comes first.
                string name = graph.Nodes[conv.MainLayer].Name;
                Assert.True(name.EndsWith(".conv2", StringComparison.Ordinal) || name.EndsWith(".downsample.0", StringComparison.Ordinal), name);
            }
            // The unfused path keeps one step per layer: every Add on its own.
            Assert.Equal(Blocks, plan.Unfused.Steps.Count(s => s.Kind == StepKind.Add));
        }

        /// <param name="downsampleEvery">0: ten blocks of one layout; 3: the layout changes three times (reuse is per layout).</param>
        /// <param name="minimumRatio">
        /// Sum of the tensors over the scratch bytes, at least. Measured: 10.3 for one layout (5 buffers), 3.4 when downsampling
        /// (15 buffers: each of the four layouts needs its own, and the downsample's 1×1 input has no border).
        /// </param>
        [Theory]
        [InlineData(0, 8.0)]
        [InlineData(3, 3.0)]
        public void ResidualChainReusesBuffers(int downsampleEvery, double minimumRatio)
        {
            GraphNet graph = ResidualChain(10, 16, 24, downsampleAfterBranch: false, downsampleEvery);
            NetworkPlan plan = GraphCompiler.Plan(graph);
            long scratch = plan.Buffers.Sum(b => (long)b.Length) * 4;
            // Every tensor both paths write, in a buffer of its own layout: what planning without reuse would cost.
            var buffers = plan.Buffers.ToDictionary(b => b.Name);
            long tensors = new[] { plan.Fused, plan.Unfused }
                .SelectMany(p => p.Steps.Where(s => s.Output != s.Input).Select(s => (long)buffers[s.Output].Length))
                .Sum() * 4;
            double ratio = (double)tensors / scratch;
            Assert.True(ratio >= minimumRatio, $"tensors {tensors} bytes / scratch {scratch} bytes = {ratio:0.0} in {plan.Buffers.Count} buffers: " +
                string.Join(", ", plan.Buffers.Select(b => $"{b.Name} {b.Shape} border {b.Border}")));
        }

        /// <summary>
        /// The generator bug this suite found first: two convs of one tensor added together (the shape of a ResNet block whose
        /// downsample torchvision computes after the branch). Both convs used to claim the Add for their epilogue; the first
        /// step then read the second conv's tensor before it existed (KeyNotFoundException in PathBuilder.AddWeightedStep).
        /// </summary>
        [Fact]
        public void TwoConvsOfOneTensorAdded()
        {
            var g = new GraphNet(4, 5, 5);
            int a = g.Conv(GraphNet.In, 8, 3, "a", padding: 1);
            int b = g.Conv(GraphNet.In, 8, 1, "b");
            g.ReLU(g.Add(a, b));
            NetworkPlan plan = GraphCompiler.Plan(g);
            PlanSimulator.AssertSound(plan, g, "conv(x) + conv(x)");
            Assert.Single(plan.Fused.Steps, s => s.SecondInput is not null);
        }

        [Fact]
        public void ThreeReadersKeepTheSharedTensor()
        {
            var g = new GraphNet(3, 7, 5);
            int t = g.BatchNorm(g.Conv(GraphNet.In, 12, 3, "conv", padding: 1), "bn");
            int relu = g.ReLU(t);                              // could run in place on t: must not
            int conv = g.Conv(t, 12, 3, "reader", padding: 1);
            int pool = g.MaxPool(t, 3, 1, 1);
            g.Cat(g.Add(relu, conv), pool);
            NetworkPlan plan = GraphCompiler.Plan(g);
            PlanSimulator.AssertSound(plan, g, "three readers");
            foreach (PathPlan path in new[] { plan.Fused, plan.Unfused })
            {
                StepPlan reluStep = path.Steps.Single(s => PlanSimulator.CoveredLayers(s).Contains(relu));
                Assert.NotEqual(reluStep.Input, reluStep.Output);
            }
            // The conv that produces t keeps its BN folded but cannot take the ReLU (t has three readers).
            StepPlan producer = plan.Fused.Steps.Single(s => s.MainLayer == 0);
            Assert.Equal(new[] { 0, 1 }, PlanSimulator.CoveredLayers(producer));
        }

        [Fact]
        public void IntermediateOutputIsNotFusedPast()
        {
            var g = new GraphNet(2, 6, 6);
            int t = g.BatchNorm(g.Conv(GraphNet.In, 5, 3, "conv", padding: 1), "bn");
            g.Output = t;
            int relu = g.ReLU(t);
            g.Add(relu, g.Conv(t, 5, 1, "after"));
            NetworkPlan plan = GraphCompiler.Plan(g);
            PlanSimulator.AssertSound(plan, g, "intermediate output");
            Assert.Equal(PlanSimulator.ToShape(g.ShapeOf(t)), plan.Output);
            Assert.Equal(new[] { 0, 1 }, PlanSimulator.CoveredLayers(plan.Fused.Steps[0]));
        }

        [Fact]
        public void SelfAddIsNotFusedIntoTheConv()
        {
            var g = new GraphNet(3, 5, 7);
            int c = g.Conv(GraphNet.In, 6, 3, "conv", padding: 1);
            g.ReLU(g.Add(c, c));
            NetworkPlan plan = GraphCompiler.Plan(g);
            PlanSimulator.AssertSound(plan, g, "x + x");
            Assert.DoesNotContain(plan.Fused.Steps, s => s.Kind == StepKind.Conv && s.SecondInput is not null);
            StepPlan add = plan.Fused.Steps.Single(s => s.Kind == StepKind.Add);
            Assert.Equal(add.Input, add.SecondInput);
            Assert.NotEqual(add.Input, add.Output);
        }
    }
}
