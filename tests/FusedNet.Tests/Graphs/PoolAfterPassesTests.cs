using System.Collections.Generic;
using FusedNet.Generator.Emit;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// A window pool right after a Winograd step that threads share by passes, whose windows do not overlap (k = stride, no
    /// padding), runs in the same job: each pass, then the pool rows its output rows feed, with no hand-over between the two
    /// steps. The pool kernel is the same, so results on 2–4 threads must be bit-for-bit the one-thread ones, fused and
    /// unfused, one sample and a batch; and they match the double reference. Forced to 2 tile rows per pass (8 output rows):
    /// 26 rows (7 tile rows: a last pass of one tile row whose rows 24–25 feed pool row 12 of 13) with a max pool, 32 rows
    /// with an average pool, and a 3×3 stride-2 padded max pool (overlapping windows: not joined).
    /// </summary>
    public class PoolAfterPassesTests
    {
        private static GraphNet ConvPool(int channels, int h, int w, bool max, int kernel = 2, int padding = 0)
        {
            var g = new GraphNet(channels, h, w) { Winograd = WinogradUse.Always };
            int x = g.ConvBn(GraphNet.In, 24, 3, "conv", "bn", padding: 1);
            x = max ? g.MaxPool(x, kernel, 2, padding) : g.AvgPool(x, kernel, 2, padding);
            g.Conv(x, 10, 1, "head");
            return g;
        }

        [Fact]
        public void Pools_run_with_the_passes_that_feed_them_bit_for_bit()
        {
            var graphs = new Dictionary<string, GraphNet>
            {
                ["PoolPass_max"] = ConvPool(17, 26, 11, max: true),
                ["PoolPass_avg"] = ConvPool(16, 32, 9, max: false),
                ["PoolPass_overlap"] = ConvPool(16, 32, 9, max: true, kernel: 3, padding: 1),
            };
            WinogradTiling.RowsPerPassOverride = 2;
            CompiledGraphs compiled;
            try
            {
                compiled = GraphCompiler.Compile(graphs);
                string max = NetworkEmitter.Emit(compiled.Plans["PoolPass_max"]);
                Assert.Matches(@"else workers!\.RunRows\(this, 600000, 4, chunksPerThread: 4\); // passes of 2 tile rows, each with the step 1 pool rows it feeds", max);
                Assert.Contains("case 600000: FusedStep0(s, own, rowBegin * 2, global::System.Math.Min(rowEnd * 2, 7)); " +
                                "FusedStep1(s, own, rowBegin * 4, global::System.Math.Min(rowEnd * 4, 13)); break;", max);
                string avg = NetworkEmitter.Emit(compiled.Plans["PoolPass_avg"]);
                Assert.Contains("case 600000: FusedStep0(s, own, rowBegin * 2, global::System.Math.Min(rowEnd * 2, 8)); " +
                                "FusedStep1(s, own, rowBegin * 4, global::System.Math.Min(rowEnd * 4, 16)); break;", avg);
                string overlap = NetworkEmitter.Emit(compiled.Plans["PoolPass_overlap"]);
                Assert.DoesNotContain("600000", overlap);
            }
            finally
            {
                WinogradTiling.RowsPerPassOverride = null;
            }
            using (compiled)
            {
                GraphAssert.ThreadsMatchOneThreadBitForBit(compiled, graphs, seedBefore: 130);
            }
        }
    }
}
