using System;
using FusedNet.Internal;

namespace FusedNet.Tests.Kernels
{
    /// <summary>
    /// The F(4x4, 3x3) matrices of WinogradTransform, checked in double against the definition (no generated code involved):
    /// the 1-D algorithm Aᵀ[(G·g) ⊙ (Bᵀ·d)] is the correlation y[i] = Σ_k d[i + k]·g[k] for 4 outputs of a 3-tap filter over
    /// 6 inputs, the 2-D nesting Aᵀ[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A is the 4x4 correlation of a 6x6 tile, and PackConv3x3 puts U where
    /// the kernel reads it ([36][out vector][in][lanes], padding lanes zero).
    /// </summary>
    public class WinogradTransformTests
    {
        private static double[] Random(Random rng, int n)
        {
            var values = new double[n];
            for (int i = 0; i < n; i++) values[i] = rng.NextDouble() * 2 - 1;
            return values;
        }

        [Fact]
        public void One_dimensional_F4_3_is_the_correlation()
        {
            var rng = new Random(1);
            for (int trial = 0; trial < 100; trial++)
            {
                double[] g = Random(rng, 3), d = Random(rng, 6);
                var product = new double[6];
                for (int k = 0; k < 6; k++)
                {
                    double gk = 0, dk = 0;
                    for (int j = 0; j < 3; j++) gk += WinogradTransform.G[k, j] * g[j];
                    for (int j = 0; j < 6; j++) dk += WinogradTransform.BT[k, j] * d[j];
                    product[k] = gk * dk;
                }
                for (int i = 0; i < 4; i++)
                {
                    double y = 0;
                    for (int k = 0; k < 6; k++) y += WinogradTransform.AT[i, k] * product[k];
                    double expected = d[i] * g[0] + d[i + 1] * g[1] + d[i + 2] * g[2];
                    Assert.True(Math.Abs(y - expected) < 1e-13, $"trial {trial}, output {i}: {y} vs {expected}");
                }
            }
        }

        [Fact]
        public void Two_dimensional_F4x4_3x3_is_the_correlation_of_a_tile()
        {
            var rng = new Random(2);
            for (int trial = 0; trial < 50; trial++)
            {
                double[] g = Random(rng, 9), d = Random(rng, 36);
                float[] filter = Array.ConvertAll(g, v => (float)v);
                double[] u = WinogradTransform.TransformFilter(filter);
                // V = Bᵀ·d·B
                var bd = new double[36];
                var v = new double[36];
                for (int i = 0; i < 6; i++)
                    for (int j = 0; j < 6; j++)
                        for (int k = 0; k < 6; k++) bd[i * 6 + j] += WinogradTransform.BT[i, k] * d[k * 6 + j];
                for (int i = 0; i < 6; i++)
                    for (int j = 0; j < 6; j++)
                        for (int k = 0; k < 6; k++) v[i * 6 + j] += bd[i * 6 + k] * WinogradTransform.BT[j, k];
                var m = new double[36];
                for (int i = 0; i < 36; i++) m[i] = u[i] * v[i];
                // Y = Aᵀ·M·A
                var am = new double[24];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 6; j++)
                        for (int k = 0; k < 6; k++) am[i * 6 + j] += WinogradTransform.AT[i, k] * m[k * 6 + j];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++)
                    {
                        double y = 0;
                        for (int k = 0; k < 6; k++) y += am[i * 6 + k] * WinogradTransform.AT[j, k];
                        double expected = 0;
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++) expected += d[(i + ky) * 6 + j + kx] * filter[ky * 3 + kx];
                        Assert.True(Math.Abs(y - expected) < 1e-12, $"trial {trial}, output ({i}, {j}): {y} vs {expected}");
                    }
            }
        }

        [Fact]
        public void The_interpolation_matrices_have_the_documented_entries()
        {
            // Row k of G: Lagrange-scaled evaluation of g0 + g1·x + g2·x² at 0, 1, −1, 2, −2, ∞.
            double[] points = { 0, 1, -1, 2, -2 };
            for (int k = 0; k < 5; k++)
            {
                double denominator = 1;
                for (int j = 0; j < 5; j++) if (j != k) denominator *= points[k] - points[j];
                for (int p = 0; p < 3; p++)
                    Assert.Equal(Math.Pow(points[k], p) / denominator, WinogradTransform.G[k, p], 12);
            }
            Assert.Equal(new double[] { 0, 0, 1 }, new[] { WinogradTransform.G[5, 0], WinogradTransform.G[5, 1], WinogradTransform.G[5, 2] });
            // Column k of Aᵀ: powers of point k (the ∞ column picks the top coefficient).
            for (int i = 0; i < 4; i++)
            {
                for (int k = 0; k < 5; k++) Assert.Equal(Math.Pow(points[k], i), WinogradTransform.AT[i, k]);
                Assert.Equal(i == 3 ? 1 : 0, WinogradTransform.AT[i, 5]);
            }
        }

        [Theory]
        [InlineData(5, 3, 4)]
        [InlineData(17, 2, 16)]
        [InlineData(16, 3, 8)]
        public void Packing_puts_U_where_the_kernel_reads_it(int outChannels, int inChannels, int lanes)
        {
            var rng = new Random(outChannels);
            float[] weight = Array.ConvertAll(Random(rng, outChannels * inChannels * 9), v => (float)v);
            float[] packed = WinogradTransform.PackConv3x3(weight, outChannels, inChannels, lanes);
            int vectors = (outChannels + lanes - 1) / lanes;
            Assert.Equal(36 * vectors * inChannels * lanes, packed.Length);
            for (int o = 0; o < vectors * lanes; o++)
                for (int i = 0; i < inChannels; i++)
                {
                    double[]? u = o < outChannels ? WinogradTransform.TransformFilter(weight.AsSpan((o * inChannels + i) * 9, 9)) : null;
                    for (int xi = 0; xi < 36; xi++)
                    {
                        float actual = packed[((xi * vectors + o / lanes) * inChannels + i) * lanes + o % lanes];
                        Assert.Equal(u is null ? 0f : (float)u[xi], actual);
                    }
                }
        }
    }
}
