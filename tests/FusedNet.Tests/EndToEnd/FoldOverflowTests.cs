using System.IO;

namespace FusedNet.Tests.EndToEnd
{
    /// <summary>
    /// Finite weights can fold to ±Infinity in float (issue 7, item 4): γ = 3e36 with running_var = 0 gives a scale
    /// γ/√(σ² + ε) ≈ 9.5e38, beyond float.MaxValue ≈ 3.4e38. The constructor must reject it, naming the network, the
    /// BatchNorm (its weight prefix) and the channel, instead of building a network that outputs ±Inf/NaN.
    /// </summary>
    public class FoldOverflowTests
    {
        private static InMemoryWeights WithOverflowingChannel(System.Collections.Generic.IReadOnlyList<WeightInfo> expected, string batchNorm, int channel, int seed)
        {
            InMemoryWeights weights = RandomWeights.Create(expected, seed);
            float[] gamma = weights.GetValues(batchNorm + ".weight").ToArray();
            float[] variance = weights.GetValues(batchNorm + ".running_var").ToArray();
            gamma[channel] = 3e36f;
            variance[channel] = 0f;
            weights.Set(batchNorm + ".weight", gamma, gamma.Length);
            weights.Set(batchNorm + ".running_var", variance, variance.Length);
            return weights;
        }

        [Theory]
        [InlineData("1", 5)]   // folded into Conv2d '0' (with bias)
        [InlineData("4", 0)]   // folded into Conv2d '3' (Bias = false)
        [InlineData("8", 15)]  // folded into the 1x1 Conv2d '7'
        public void ConvBatchNorm_OverflowingFold_IsRejected(string batchNorm, int channel)
        {
            InMemoryWeights weights = WithOverflowingChannel(SeqBasic.ExpectedWeights, batchNorm, channel, seed: 9);

            var error = Assert.Throws<InvalidDataException>(() => new SeqBasic(weights));

            // The fused path's fold or, when the random weights are small enough for it to fit, the unfused path's
            // scale-and-shift pass (it runs the same BatchNorm with the scale itself as a float) reports it.
            Assert.StartsWith($"SeqBasic: folding BatchNorm '{batchNorm}' overflows float at channel {channel}: ", error.Message);
            Assert.Matches(@"at channel \d+: (folded weight\[\d+\]|folded bias|scale) = -?Infinity \(", error.Message);
            Assert.Contains("γ = weight = 3E+36, σ² = running_var = 0, ε = 9.999999747378752E-06", error.Message);
        }

        [Fact]
        public void LinearBatchNorm1d_OverflowingFold_IsRejected()
        {
            InMemoryWeights weights = WithOverflowingChannel(SeqActs.ExpectedWeights, "26", 2, seed: 9);

            var error = Assert.Throws<InvalidDataException>(() => new SeqActs(weights));

            Assert.StartsWith("SeqActs: folding BatchNorm '26' overflows float at channel 2: ", error.Message);
            Assert.Contains("γ = weight = 3E+36, σ² = running_var = 0", error.Message);
        }

        [Fact]
        public void StandaloneBatchNorm_OverflowingScale_IsRejected()
        {
            InMemoryWeights weights = WithOverflowingChannel(SeqStandaloneBn.ExpectedWeights, "0", 1, seed: 9);

            var error = Assert.Throws<InvalidDataException>(() => new SeqStandaloneBn(weights));

            Assert.StartsWith("SeqStandaloneBn: folding BatchNorm '0' overflows float at channel 1: scale = Infinity", error.Message);
        }

        [Fact]
        public void OverflowOnlyInTheBias_IsRejected()
        {
            // The scale fits (γ = 1e38, σ² + ε = 1) and the small weights stay finite, but (b − μ)·s + β overflows.
            InMemoryWeights weights = RandomWeights.Create(SeqBasic.ExpectedWeights, 9);
            weights.Set("1.weight", Filled(8, 1e38f), 8);
            weights.Set("1.running_var", Filled(8, 1f), 8);
            weights.Set("1.running_mean", Filled(8, -100f), 8);
            weights.Set("0.weight", Filled(8 * 3 * 3 * 3, 1e-3f), 8, 3, 3, 3);

            var error = Assert.Throws<InvalidDataException>(() => new SeqBasic(weights));

            Assert.StartsWith("SeqBasic: folding BatchNorm '1' overflows float at channel 0: folded bias = Infinity", error.Message);
            Assert.EndsWith("(8 channels overflow in all)", error.Message);
        }

        [Fact]
        public void LargeButFiniteFold_IsAccepted()
        {
            // γ = 3e36 with σ² = 1: scale 3e36, and weights below 1 give folded values below 3e36, still finite floats.
            InMemoryWeights weights = RandomWeights.Create(SeqBasic.ExpectedWeights, 9);
            float[] gamma = weights.GetValues("4.weight").ToArray();
            gamma[3] = 3e36f;
            weights.Set("4.weight", gamma, gamma.Length);
            weights.Set("4.running_var", Filled(16, 1f), 16);

            var net = new SeqBasic(weights); // no exception: the check rejects overflow only, not large values
            Assert.Equal(SeqBasic.OutputLength, ((IFusedNetwork)net).OutputLength);
        }

        private static float[] Filled(int length, float value)
        {
            var values = new float[length];
            System.Array.Fill(values, value);
            return values;
        }
    }
}
