using System.Linq;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// Cat without copies: a convolution whose only reader is a Cat writes straight into its channel slice when its channel
    /// count is a multiple of 16 (whole vectors at every width stay inside the slice) or it is the last operand; the other
    /// operands keep a copy step. Checked on the plan and against the double reference at every vector width the machine has.
    /// </summary>
    public class CatInPlaceTests
    {
        /// <summary>
        /// Operands: conv 16 channels (in place, offset 0), conv 7 channels (copy: 7 is not a multiple of 16 and not last),
        /// a ReLU of the stem (copy: not a conv), conv 32 channels 3x3 strided... (in place), conv 5 channels last (in place).
        /// </summary>
        private static GraphNet Network()
        {
            var g = new GraphNet(6, 7, 5);
            int stem = g.ReLU(g.BatchNorm(g.Conv(GraphNet.In, 12, 3, "stem", padding: 1), "stem_bn"));
            int a = g.Conv(stem, 16, 1, "a");
            int b = g.Conv(stem, 7, 3, "b", padding: 1);
            int c = g.Act(stem, LayerKind.SiLU);
            int d = g.ReLU(g.BatchNorm(g.Conv(stem, 32, 3, "d", padding: 1), "d_bn"));
            int e = g.Conv(stem, 5, 1, "e");
            int cat = g.Cat(a, b, c, d, e);                        // 16 + 7 + 12 + 32 + 5 = 72 channels
            int head = g.Conv(cat, 9, 3, "head", padding: 1);      // a padded reader: the Cat's buffer has a border
            g.Linear(g.Flatten(g.GlobalAvgPool(head)), 4, "fc");
            return g;
        }

        [Fact]
        public void Eligible_operands_write_into_their_slice_and_the_rest_are_copied()
        {
            NetworkPlan plan = GraphCompiler.Plan(Network());
            var sliceWriters = plan.Fused.Steps.Where(s => s.Kind == StepKind.Conv && s.Title.Contains("of the Cat")).ToList();
            Assert.Equal(new[] { 0, 35, 67 }, sliceWriters.Select(s => s.ChannelOffset).OrderBy(o => o));
            Assert.Equal(new[] { 16, 23 }, plan.Fused.Steps.Where(s => s.Kind == StepKind.CatSlice).Select(s => s.ChannelOffset).OrderBy(o => o));
            // Every slice writer and copy targets the same buffer: the Cat's, which the head conv reads with its border.
            var catBuffer = sliceWriters.Select(s => s.Output).Distinct().Single();
            Assert.All(plan.Fused.Steps.Where(s => s.Kind == StepKind.CatSlice), s => Assert.Equal(catBuffer, s.Output));
            Assert.Equal(1, plan.Buffers.Single(b => b.Name == catBuffer).Border);
            // The unfused path copies every operand.
            Assert.Equal(5, plan.Unfused.Steps.Count(s => s.Kind == StepKind.CatSlice));
            PlanSimulator.AssertSound(plan, Network(), "CatInPlace");
        }

        [Fact]
        public void Matches_the_reference_fused_and_unfused()
        {
            GraphNet graph = Network();
            using CompiledGraphs compiled = GraphCompiler.Compile("CatInPlace", graph);
            (IFusedNetwork net, IWeightSource weights) = compiled.CreateRandom("CatInPlace", seed: 3);
            GraphAssert.MatchesReference(net, weights, graph, inputSeed: 17, "CatInPlace");
        }
    }
}
