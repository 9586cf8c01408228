using System;
using System.Linq;
using FusedNet.Generator.Emit;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// A Linear of more than 64 outputs takes a range of output units (RowRange.LinearUnitOutputs = 64 features: whole
    /// register blocks at every width), so threads share a large classifier by outputs and each streams only its share of
    /// the weights. Each output is computed by the same block code whichever range it falls in, so results on 2–4 threads
    /// must be bit-for-bit the one-thread ones; and they match the double reference (1e-4·max(1, |ref|)). Feature counts are
    /// not multiples of 16 (1000 leaves a partial last unit and a remainder of 3, 1 or 2 vectors at 512, 256 or 128 bits;
    /// 70 is one full unit and a unit of 6 outputs; 131 inputs), and a Linear of 10 outputs (one unit) is not split.
    /// </summary>
    public class LinearSplitTests
    {
        /// <summary>1×1 conv 3 → 131 at 3×5, global average pool, Linear 131 → 1000, ReLU, Linear 1000 → 70, Linear 70 → 10.</summary>
        private static GraphNet Classifier()
        {
            var g = new GraphNet(3, 3, 5) { Winograd = WinogradUse.Never };
            int x = g.ReLU(g.Conv(GraphNet.In, 131, 1, "features"));
            x = g.Flatten(g.GlobalAvgPool(x));
            x = g.ReLU(g.Linear(x, 1000, "fc1"));
            x = g.Linear(x, 70, "fc2");
            g.Linear(x, 10, "fc3");
            return g;
        }

        [Fact]
        public void Linears_on_threads_match_one_thread_bit_for_bit()
        {
            GraphNet graph = Classifier();
            using CompiledGraphs compiled = GraphCompiler.Compile("LinearSplit", graph);
            string source = NetworkEmitter.Emit(compiled.Plans["LinearSplit"]);
            // fc1 (16 units) and fc2 (2 units) in both paths and their profiled twins; fc3 (one unit) keeps a single call.
            Assert.Equal(8, System.Text.RegularExpressions.Regex.Matches(source, @"RunRows\(this, \d+, (16|2), chunksPerThread: 4\); // units of 64 outputs").Count);
            Assert.Contains("Output units [rowBegin, rowEnd) of 16, 64 outputs", source);
            Assert.Matches(@"Linear70to10_V\d+\(ref s\.\w+\.Start, ref s\.\w+\.Start, ref w\.\w+\.Start, ref w\.\w+\.Start, 0, 1\);", source);
            GraphAssert.ThreadsMatchOneThreadBitForBit(compiled, "LinearSplit", graph, seed: 91);
        }

        /// <summary>The rule: units of 64 outputs; a Linear is shared from SplitThreshold of multiply-accumulates like a conv.</summary>
        [Fact]
        public void Linear_units_are_64_outputs_and_work_is_its_multiply_accumulates()
        {
            NetworkPlan plan = GraphCompiler.Plan(Classifier());
            var linears = plan.Fused.Steps.Where(s => s.Kind == StepKind.Linear).ToList();
            Assert.Equal(new[] { 16, 2, 1 }, linears.Select(RowRange.Rows));
            Assert.Equal(new[] { true, true, false }, linears.Select(RowRange.Splittable));
            Assert.Equal(new[] { 131L * 1000, 1000L * 70, 70L * 10 }, linears.Select(RowRange.Work));
        }

        /// <summary>The shared Linears allocate nothing, on the calling thread or the workers (fused and unfused, batch 1 and 3).</summary>
        [Fact]
        public void Shared_linears_allocate_nothing_on_any_thread()
        {
            GraphAssert.AllocatesNothingOnAnyThread("LinearAlloc", Classifier(), seed: 6);
        }
    }
}
