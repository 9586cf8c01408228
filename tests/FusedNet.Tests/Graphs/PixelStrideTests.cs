using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// Feature maps of 512 and 1024 channels are stored with one cache line more per pixel (BufferPlan.PixelStride: 528
    /// and 1040 floats; 256 channels stay 256), so pixels do not all fall on the same few L1 sets. Every kernel must step pixels by the
    /// stored stride and never read the extra line as channels: a network of such maps through each kind of step (Winograd,
    /// depthwise, 1×1 and strided 3×3 direct convs, a residual Add, a channel Cat, a max pool, a global pool into a
    /// Linear; BatchNorm as its own pass on the unfused path) matches the double reference (1e-4·max(1, |ref|)) and, on
    /// 2–4 threads, its one-thread result bit for bit.
    /// </summary>
    public class PixelStrideTests
    {
        /// <summary>256 channels at 9×7 in; 3×3 256→256, depthwise, 1×1 256→512, a stride-2 3×3 and 1×1 shortcut added, a Cat to 1024, depthwise 1024, pools, Linear.</summary>
        private static GraphNet Strided()
        {
            var g = new GraphNet(256, 9, 7);
            int x = g.ConvBn(GraphNet.In, 256, 3, "conv", "bn", padding: 1);
            int dw = g.Act(g.Conv(x, 256, 3, "dw", padding: 1, groups: 256), LayerKind.ReLU6);
            int wide = g.ConvBn(dw, 512, 1, "expand", "expand_bn");
            int down = g.Conv(wide, 512, 3, "down", stride: 2, padding: 1);
            int shortcut = g.Conv(wide, 512, 1, "shortcut", stride: 2);
            int sum = g.ReLU(g.Add(down, shortcut));
            int cat = g.Cat(sum, g.MaxPool(g.Conv(wide, 512, 1, "side", stride: 1), 2, 2, padding: 1));
            int deep = g.ConvBn(cat, 1024, 3, "deep_dw", "deep_bn", padding: 1, groups: 1024, activation: LayerKind.ReLU6);
            g.Linear(g.Flatten(g.GlobalAvgPool(deep)), 10, "fc");
            return g;
        }

        [Fact]
        public void Feature_maps_of_512_channel_multiples_are_stored_one_line_wider()
        {
            NetworkPlan plan = GraphCompiler.Plan(Strided());
            var strides = plan.Buffers.Where(b => !b.Shape.IsFlat && b.VectorChannels)
                .Select(b => (b.Shape.Channels, b.ChannelStride)).Distinct().OrderBy(p => p.Channels).ToList();
            Assert.Equal(new[] { (256, 256), (512, 528), (1024, 1040) }, strides);
            // Flat tensors keep their 16-aligned length (the Linear reads them as one vector).
            Assert.All(plan.Buffers.Where(b => b.Shape.IsFlat), b => Assert.Equal(BufferPlan.RoundUp(b.Shape.Channels, 16), b.ChannelStride));
        }

        [Fact]
        public void Strided_feature_maps_match_the_reference_and_one_thread_on_threads()
        {
            var graphs = new Dictionary<string, GraphNet> { ["PixelStride"] = Strided() };
            using CompiledGraphs compiled = GraphCompiler.Compile(graphs);
            GraphAssert.ThreadsMatchOneThreadBitForBit(compiled, graphs, seedBefore: 140);
        }
    }
}
