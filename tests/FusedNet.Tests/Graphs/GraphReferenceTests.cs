using System;
using FusedNet.Tests.Reference;

namespace FusedNet.Tests.Graphs
{
    /// <summary>The graph reference itself: its fast conv equals RefConv2d, and the graph-only operations on hand-made values.</summary>
    public class GraphReferenceTests
    {
        [Theory]
        [InlineData(3, 7, 5, 8, 3, 1, 1, 1, 1, true)]
        [InlineData(4, 13, 11, 6, 3, 2, 1, 1, 2, false)]
        [InlineData(6, 9, 9, 6, 3, 1, 1, 2, 6, true)]   // depthwise, dilated
        [InlineData(2, 1, 1, 5, 3, 2, 1, 1, 1, true)]   // 1×1 input, all taps but the centre in the padding
        [InlineData(5, 8, 6, 7, 7, 2, 3, 1, 1, false)]  // 7×7/2 pad 3, as ResNet's conv1
        [InlineData(4, 5, 7, 4, 1, 2, 0, 1, 2, true)]   // 1×1 strided grouped
        public void FastConvEqualsRefConv2d(int c, int h, int w, int outChannels, int k, int stride, int padding, int dilation, int groups, bool bias)
        {
            var conv = new RefConv2d(outChannels, k) { Stride = stride, Padding = padding, Dilation = dilation, Groups = groups, Bias = bias, Name = "c" };
            RefShape input = RefShape.Spatial(c, h, w);
            RefShape output = conv.OutputShape(input);
            var expected = new System.Collections.Generic.List<WeightInfo>();
            var weights = new InMemoryWeights();
            var rng = new Random(k * 100 + c);
            foreach (RefTensor t in conv.Tensors("c", input))
            {
                var values = new float[t.ElementCount];
                for (int i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
                weights.Add(t.Name, values, t.Shape);
            }
            float[] x32 = RandomWeights.RandomInput(input.Length, seed: 3);
            double[] x = Array.ConvertAll(x32, v => (double)v);
            double[] slow = conv.Forward(x, input, output, new RefLayerWeights(weights, "c"));
            double[] fast = GraphRefMath.Conv(conv, x, input, output, new RefLayerWeights(weights, "c"));
            Assert.Equal(slow.Length, fast.Length);
            for (int i = 0; i < slow.Length; i++) Assert.True(Math.Abs(slow[i] - fast[i]) <= 1e-12 * Math.Max(1, Math.Abs(slow[i])), $"{i}: {fast[i]} vs {slow[i]}");
        }

        [Fact]
        public void GraphOperationsOnHandMadeValues()
        {
            // Cat along channels of [1, 1, 2] and [2, 1, 2]: the planes one after another.
            Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6 }, GraphRefMath.Cat(new[] { new double[] { 1, 2 }, new double[] { 3, 4, 5, 6 } }));
            // [2, 1, 2] times [2, 1, 1]: each channel plane scaled by its own factor.
            Assert.Equal(new double[] { 10, 20, -3, -4 }, GraphRefMath.MulBroadcast(new double[] { 1, 2, 3, 4 }, new double[] { 10, -1 }, RefShape.Spatial(2, 1, 2)));
            // AdaptiveAvgPool2d(1) of [2, 1, 3]: the plane means.
            Assert.Equal(new double[] { 2, -5 }, GraphRefMath.AdaptiveAvgPool1(new double[] { 1, 2, 3, -4, -5, -6 }, RefShape.Spatial(2, 1, 3)));
            Assert.Equal(new double[] { 4, 6 }, GraphRefMath.Add(new double[] { 1, 2 }, new double[] { 3, 4 }));
        }
    }
}
