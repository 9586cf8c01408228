using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet;

namespace FusedNet.Tests.Weights
{
    public class RandomWeightsTests
    {
        /// <summary>A conv (with bias) + BN + linear network's weights, big enough for statistics.</summary>
        private static readonly WeightInfo[] Network =
        {
            new("0.weight", WeightRole.ConvWeight, "0", 64, 32, 3, 3),
            new("0.bias", WeightRole.ConvBias, "0", 64),
            new("1.weight", WeightRole.BatchNormWeight, "1", 1000),
            new("1.bias", WeightRole.BatchNormBias, "1", 1000),
            new("1.running_mean", WeightRole.BatchNormRunningMean, "1", 1000),
            new("1.running_var", WeightRole.BatchNormRunningVar, "1", 1000),
            new("4.weight", WeightRole.LinearWeight, "4", 10, 200),
            new("4.bias", WeightRole.LinearBias, "4", 10),
        };

        [Fact]
        public void Same_seed_gives_bit_identical_weights_and_different_seeds_differ()
        {
            InMemoryWeights first = RandomWeights.Create(Network, seed: 7);
            InMemoryWeights second = RandomWeights.Create(Network, seed: 7);
            InMemoryWeights other = RandomWeights.Create(Network, seed: 8);

            foreach (WeightInfo info in Network)
            {
                Assert.Equal(Bits(first.GetValues(info.Name)), Bits(second.GetValues(info.Name)));
                Assert.NotEqual(Bits(first.GetValues(info.Name)), Bits(other.GetValues(info.Name)));
            }
        }

        [Fact]
        public void Values_are_pinned_so_they_never_change_across_dotnet_versions()
        {
            // Golden bits, reproduced independently by a 20-line Python script (SplitMix64, FNV-1a stream seed,
            // 24-bit uniform mapped in double). Integer and IEEE arithmetic only, so they hold on every
            // platform and .NET version; a change here means the generator changed, and every sample with it.
            InMemoryWeights weights = RandomWeights.Create(Network, seed: 42);
            Assert.Equal(GoldenConvWeights, Bits(weights.GetValues("0.weight")[..4]));
            Assert.Equal(GoldenRunningVar, Bits(weights.GetValues("1.running_var")[..2]));
        }

        private static readonly uint[] GoldenConvWeights = { 998648982, 1019423513, 3179851914, 1040045926 };
        private static readonly uint[] GoldenRunningVar = { 1061492130, 1057297097 };

        [Fact]
        public void Each_tensor_has_its_own_stream_so_other_layers_do_not_shift_it()
        {
            InMemoryWeights full = RandomWeights.Create(Network, seed: 3);
            InMemoryWeights withoutConv = RandomWeights.Create(Network.Where(w => w.LayerName != "0").ToArray(), seed: 3);
            Assert.Equal(Bits(full.GetValues("4.weight")), Bits(withoutConv.GetValues("4.weight")));
        }

        [Theory]
        [InlineData(WeightInitialization.KaimingUniform)]
        [InlineData(WeightInitialization.XavierUniform)]
        public void Weights_and_biases_are_uniform_within_their_bounds(WeightInitialization init)
        {
            InMemoryWeights weights = RandomWeights.Create(Network, seed: 11, init);

            // fan_in = 32·3·3 = 288, fan_out = 64·3·3 = 576 for the conv; 200 and 10 for the linear.
            double convBound = init == WeightInitialization.KaimingUniform ? Math.Sqrt(6.0 / 288) : Math.Sqrt(6.0 / (288 + 576));
            double linearBound = init == WeightInitialization.KaimingUniform ? Math.Sqrt(6.0 / 200) : Math.Sqrt(6.0 / (200 + 10));
            AssertUniform(weights.GetValues("0.weight"), convBound);
            AssertUniform(weights.GetValues("4.weight"), linearBound);

            // Biases use the fan_in of their layer's weight, whatever the weight initialisation.
            AssertWithin(weights.GetValues("0.bias"), 1 / Math.Sqrt(288));
            AssertWithin(weights.GetValues("4.bias"), 1 / Math.Sqrt(200));
        }

        [Fact]
        public void BatchNorm_statistics_are_non_trivial_and_in_range()
        {
            InMemoryWeights weights = RandomWeights.Create(Network, seed: 5);

            float[] gamma = weights.GetValues("1.weight").ToArray();
            Assert.All(gamma, g => Assert.InRange(MathF.Abs(g), 0.5f, 1.5f));
            // About 1 in 5 negative: with 1000 draws the count has a standard deviation of ~13, so 150..250 is ~4σ.
            Assert.InRange(gamma.Count(g => g < 0), 150, 250);

            Assert.All(weights.GetValues("1.bias").ToArray(), b => Assert.InRange(b, -0.5f, 0.5f));
            Assert.All(weights.GetValues("1.running_mean").ToArray(), m => Assert.InRange(m, -0.5f, 0.5f));
            float[] variance = weights.GetValues("1.running_var").ToArray();
            Assert.All(variance, v => Assert.InRange(v, 0.3f, 2.0f));
            // Spread over the whole range, not a constant.
            Assert.True(variance.Min() < 0.35f && variance.Max() > 1.95f);
        }

        [Fact]
        public void Random_input_is_standard_normal_and_deterministic()
        {
            float[] input = RandomWeights.RandomInput(100_001, seed: 9); // Odd length: the last pair is half used.
            Assert.Equal(Bits(input), Bits(RandomWeights.RandomInput(100_001, seed: 9)));
            Assert.NotEqual(Bits(input), Bits(RandomWeights.RandomInput(100_001, seed: 10)));
            Assert.NotEqual(0f, input[^1]);

            // Standard errors over 1e5 samples: mean 0.003, variance 0.0045. Bounds of 0.02 / 0.03 are ~6σ.
            double mean = input.Average(v => (double)v);
            double variance = input.Average(v => (v - mean) * (v - mean));
            Assert.InRange(mean, -0.02, 0.02);
            Assert.InRange(variance, 0.97, 1.03);
            Assert.All(input, v => Assert.True(float.IsFinite(v)));
        }

        private static void AssertUniform(ReadOnlySpan<float> values, double bound)
        {
            AssertWithin(values, bound);
            float[] array = values.ToArray();
            // U(-b, b) has mean 0 and variance b²/3. With ≥ 2000 samples the relative standard error of the
            // variance is under 2.5%, so 10% is a safe bound; extremes must reach within 2% of the bound.
            double mean = array.Average(v => (double)v);
            double variance = array.Average(v => (double)v * v);
            Assert.InRange(mean, -0.05 * bound, 0.05 * bound);
            Assert.InRange(variance, 0.9 * bound * bound / 3, 1.1 * bound * bound / 3);
            Assert.True(array.Max() > 0.98 * bound && array.Min() < -0.98 * bound);
        }

        private static void AssertWithin(ReadOnlySpan<float> values, double bound)
        {
            float limit = (float)bound;
            foreach (float v in values)
                Assert.InRange(v, -limit, limit);
        }

        private static uint[] Bits(ReadOnlySpan<float> values)
        {
            var bits = new uint[values.Length];
            for (int i = 0; i < values.Length; i++)
                bits[i] = BitConverter.SingleToUInt32Bits(values[i]);
            return bits;
        }
    }
}
