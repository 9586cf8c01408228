using System.Linq;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// Squeeze-excite without a pass of its own: `x * s` read only by a convolution becomes that convolution's input
    /// scaling (each loaded input times its channel's scale). Checked on the plan (no Mul step, the padding border moved
    /// to x) and against the double reference, for a 1x1 projection and for a padded, strided 3x3 reader with 20 input
    /// channels (the input-channel loop) and with 3 (unrolled).
    /// </summary>
    public class SqueezeExciteFusionTests
    {
        private static GraphNet Network(int channels)
        {
            var g = new GraphNet(3, 9, 7);
            int x = g.ReLU(g.Conv(GraphNet.In, channels, 3, "stem", padding: 1));
            int pooled = g.AdaptiveAvgPool(x);
            int s = g.Act(g.Conv(g.ReLU(g.Conv(pooled, 4, 1, "se.fc1")), channels, 1, "se.fc2"), LayerKind.Hardsigmoid);
            int scaled = g.Mul(x, s);
            int projected = g.Conv(scaled, 24, 1, "project");                       // 1x1 reader
            int y = g.Mul(projected, g.Act(g.Conv(g.AdaptiveAvgPool(projected), 24, 1, "se2.fc"), LayerKind.Sigmoid));
            int z = g.Conv(y, 10, 3, "head", stride: 2, padding: 1);              // padded 3x3 reader: border on projected
            g.Linear(g.Flatten(g.GlobalAvgPool(z)), 3, "fc");
            return g;
        }

        [Theory]
        [InlineData(20)]
        [InlineData(3)]
        public void The_scales_are_applied_as_the_readers_load_their_inputs(int channels)
        {
            GraphNet graph = Network(channels);
            NetworkPlan plan = GraphCompiler.Plan(graph);
            Assert.DoesNotContain(plan.Fused.Steps, s => s.Kind == StepKind.Mul);
            var scaled = plan.Fused.Steps.Where(s => s.InputScale is not null).ToList();
            Assert.Equal(2, scaled.Count);
            Assert.All(scaled, s => Assert.Equal(StepKind.Conv, s.Kind));
            // The padded reader reads the Mul's input directly: that buffer carries its border.
            StepPlan head = scaled.Single(s => s.Padding == 1);
            Assert.Equal(1, plan.Buffers.Single(b => b.Name == head.Input).Border);
            Assert.Equal(2, plan.Unfused.Steps.Count(s => s.Kind == StepKind.Mul));
            PlanSimulator.AssertSound(plan, graph, $"SE{channels}");
        }

        [Theory]
        [InlineData(20)]
        [InlineData(3)]
        public void Matches_the_reference(int channels)
        {
            GraphNet graph = Network(channels);
            string name = $"SqueezeExcite{channels}";
            using CompiledGraphs compiled = GraphCompiler.Compile(name, graph);
            (IFusedNetwork net, IWeightSource weights) = compiled.CreateRandom(name, seed: 8);
            GraphAssert.MatchesReference(net, weights, graph, inputSeed: 21, name);
        }
    }
}
