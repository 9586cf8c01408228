using System;
using System.Linq;

namespace FusedNet.Tests.Layers
{
    /// <summary>
    /// The explicit border-pixel check of a normalisation folded into a padded 3x3 conv followed by ReLU (network input
    /// [C, H, W] → Normalize → Conv2d(O, 3, Padding = 1) → ReLU, conv weights "1.weight"/"1.bias"). A naive fold (zero border
    /// in the raw input) computes the conv of the normalised input padded with −mean/std instead of 0. The check first shows
    /// that this differs from the exact answer on every border pixel and on no interior one (so it can tell them apart), then
    /// that both paths give the exact answer (1e-4·max(1, |exact|)).
    /// </summary>
    internal static class BorderFoldAssert
    {
        public static void ExactNotNaive(IFusedNetwork net, InMemoryWeights weights, float[] mean, float[] std, int channels, int height, int width,
            int outChannels, int inputSeed)
        {
            const double Tolerance = 1e-4;
            int C = channels, H = height, W = width, O = outChannels;
            float[] input = new float[C * H * W];
            var random = new Random(inputSeed);
            for (int i = 0; i < input.Length; i++) input[i] = (float)random.NextDouble(); // an image in [0, 1]
            double[] weight = weights.GetValues("1.weight").ToArray().Select(v => (double)v).ToArray();
            double[] bias = weights.GetValues("1.bias").ToArray().Select(v => (double)v).ToArray();
            double[] normalized = new double[input.Length];
            for (int c = 0; c < C; c++)
            for (int i = 0; i < H * W; i++)
                normalized[c * H * W + i] = (input[c * H * W + i] - (double)mean[c]) / std[c];
            double[] exact = Conv3x3Padded(normalized, C, H, W, weight, bias, O, c => 0.0);
            double[] naive = Conv3x3Padded(normalized, C, H, W, weight, bias, O, c => -(double)mean[c] / std[c]);

            float[] fused = new float[net.OutputLength], unfused = new float[net.OutputLength];
            net.Forward(input, fused);
            net.ForwardUnfused(input, unfused);
            int borderPixels = 0;
            for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                bool border = y == 0 || x == 0 || y == H - 1 || x == W - 1;
                double largestGap = 0;
                for (int o = 0; o < O; o++)
                {
                    int at = (o * H + y) * W + x;
                    double e = Math.Max(0, exact[at]), n = Math.Max(0, naive[at]); // the network ends in ReLU
                    largestGap = Math.Max(largestGap, Math.Abs(e - n));
                    Assert.True(Math.Abs(fused[at] - e) <= Tolerance * Math.Max(1, Math.Abs(e)), $"Forward [{o}, {y}, {x}]: {fused[at]} vs exact {e} (naive fold: {n})");
                    Assert.True(Math.Abs(unfused[at] - e) <= Tolerance * Math.Max(1, Math.Abs(e)), $"ForwardUnfused [{o}, {y}, {x}]: {unfused[at]} vs exact {e}");
                }
                if (border)
                {
                    borderPixels++;
                    Assert.True(largestGap > 0.05, $"border pixel ({y}, {x}): the naive fold should differ from the exact answer, gap {largestGap}");
                }
                else
                    Assert.True(largestGap < 1e-9, $"interior pixel ({y}, {x}): no difference expected, gap {largestGap}");
            }
            Assert.Equal(2 * (H + W) - 4, borderPixels);
        }

        /// <summary>Conv2d 3x3, stride 1, padding 1, with channel c's padding holding <paramref name="padValue"/>(c).</summary>
        private static double[] Conv3x3Padded(double[] x, int channels, int height, int width, double[] weight, double[] bias, int outChannels,
            Func<int, double> padValue)
        {
            var y = new double[outChannels * height * width];
            for (int o = 0; o < outChannels; o++)
            for (int r = 0; r < height; r++)
            for (int q = 0; q < width; q++)
            {
                double sum = bias[o];
                for (int c = 0; c < channels; c++)
                for (int kh = 0; kh < 3; kh++)
                for (int kw = 0; kw < 3; kw++)
                {
                    int iy = r + kh - 1, ix = q + kw - 1;
                    double v = iy < 0 || ix < 0 || iy >= height || ix >= width ? padValue(c) : x[(c * height + iy) * width + ix];
                    sum += weight[((o * channels + c) * 3 + kh) * 3 + kw] * v;
                }
                y[(o * height + r) * width + q] = sum;
            }
            return y;
        }
    }
}
