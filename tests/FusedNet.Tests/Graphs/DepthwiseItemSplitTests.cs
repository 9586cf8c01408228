using System.Linq;
using System.Text.RegularExpressions;
using FusedNet.Generator.Emit;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// A depthwise conv whose input a step wrote that threads share by output channels (ConvEmitter.DepthwiseItems) is shared
    /// by (64-channel unit, row) items, so each thread reads the channels it wrote; and a depthwise conv, memory-bound like a
    /// pass, is shared after a shared step from 1/8 of SplitThreshold. Every output is computed by the same code as on one
    /// thread, so results on 2–4 threads must be bit-for-bit the one-thread ones, fused and unfused, batch 1 and 3; and they
    /// match the double reference (1e-4·max(1, |ref|)). 200 channels leave a partial last unit (8 channels: half a
    /// Vector512, one Vector256, two Vector128), widths are odd, one depthwise conv has stride 2 and 7 rows.
    /// </summary>
    public class DepthwiseItemSplitTests
    {
        /// <summary>
        /// 1×1 conv 700 → 200 at 7×9 (+ BN, ReLU6; 560 KB of weights: split by items), depthwise 3×3 (+ BN, ReLU6), 1×1 200 → 700
        /// (+ BN, ReLU6), depthwise 3×3 stride 2 (→ 4×5, + BN, ReLU), and a small 1×1 200 → 24 (split by rows) with a depthwise after it.
        /// </summary>
        private static GraphNet Blocks()
        {
            var g = new GraphNet(700, 7, 9) { Winograd = WinogradUse.Never };
            int x = g.ConvBn(GraphNet.In, 200, 1, "pw1", "pw1_bn", activation: LayerKind.ReLU6);
            x = g.ConvBn(x, 200, 3, "dw1", "dw1_bn", padding: 1, groups: 200, activation: LayerKind.ReLU6);
            x = g.ConvBn(x, 700, 1, "pw2", "pw2_bn", activation: LayerKind.ReLU6);
            x = g.ConvBn(x, 700, 3, "dw2", "dw2_bn", stride: 2, padding: 1, groups: 700);
            x = g.ConvBn(x, 24, 1, "pw3", "pw3_bn", activation: LayerKind.ReLU6);
            g.ConvBn(x, 24, 3, "dw3", "dw3_bn", padding: 1, groups: 24, activation: LayerKind.ReLU6);
            return g;
        }

        [Fact]
        public void Depthwise_convs_after_channel_shared_steps_match_one_thread_bit_for_bit()
        {
            GraphNet graph = Blocks();
            using CompiledGraphs compiled = GraphCompiler.Compile("DwItems", graph);
            string source = NetworkEmitter.Emit(compiled.Plans["DwItems"]);
            // dw1: 4 units × 7 rows; dw2: 11 units × 4 rows (fused path and its profiled twin).
            Assert.Equal(2, Regex.Matches(source, @"RunRows\(this, \d+, 28, chunksPerThread: 4\); // \(64-channel unit, row\) items").Count);
            Assert.Equal(2, Regex.Matches(source, @"RunRows\(this, \d+, 44, chunksPerThread: 4\); // \(64-channel unit, row\) items").Count);
            Assert.Matches(@"case \d+: FusedStep\d+Items\(s, own, rowBegin, rowEnd\); break;", source);
            GraphAssert.ThreadsMatchOneThreadBitForBit(compiled, "DwItems", graph, seed: 117);
        }

        /// <summary>The rule: only depthwise convs whose producer threads share by output channels; the unit count is per 64 channels.</summary>
        [Fact]
        public void Only_depthwise_convs_after_channel_shared_steps_are_split_by_items()
        {
            NetworkPlan plan = GraphCompiler.Plan(Blocks());
            var buffers = plan.Buffers.ToDictionary(b => b.Name);
            var steps = plan.Fused.Steps;
            string Name(StepPlan s) => plan.Layers[s.MainLayer].Name;
            Assert.Equal(new[] { "pw1", "pw2" }, steps.Where(s => ConvEmitter.SplitsByItems(s, buffers[s.Input])).Select(Name));
            var depthwise = steps.Where(s => s.Kind == StepKind.Conv && s.Algorithm == ConvAlgorithm.Depthwise).ToList();
            Assert.Equal(new[] { "dw1", "dw2", "dw3" }, depthwise.Select(Name));
            Assert.Equal(new int?[] { 28, 44, null }, depthwise.Select(s => ConvEmitter.DepthwiseItems(s, steps[s.Id - 1], buffers)));
            // Without a producer (the first step), or a producer that is not a conv, there is nothing to follow.
            Assert.Null(ConvEmitter.DepthwiseItems(depthwise[0], null, buffers));
        }

        /// <summary>A depthwise conv after a shared step is shared from 1/8 of SplitThreshold, as a pass is; a dense conv is not.</summary>
        [Fact]
        public void Depthwise_convs_follow_the_pass_rule_after_a_shared_step()
        {
            using CompiledGraphs compiled = GraphCompiler.Compile("DwRule", Blocks());
            string source = NetworkEmitter.Emit(compiled.Plans["DwRule"]);
            // dw1: 200·9·63 = 113,400 multiply-accumulates; dw3: 24·9·20 = 4,320; pw3 (dense): 700·24·20 = 336,000.
            Assert.Contains("shared = workers is not null && (113400L >= _splitThreshold || shared && 113400L * 8 >= _splitThreshold);", source);
            Assert.Contains("shared = workers is not null && (4320L >= _splitThreshold || shared && 4320L * 8 >= _splitThreshold);", source);
            Assert.Contains("shared = workers is not null && 336000L >= _splitThreshold;", source);
        }

        /// <summary>The depthwise item split allocates nothing, on the calling thread or the workers.</summary>
        [Fact]
        public void Depthwise_item_split_allocates_nothing_on_any_thread()
        {
            GraphAssert.AllocatesNothingOnAnyThread("DwItemsAlloc", Blocks(), seed: 8);
        }
    }
}
