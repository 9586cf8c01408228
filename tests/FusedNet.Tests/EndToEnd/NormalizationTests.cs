using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Tests.Harness;
using FusedNet.Tests.Reference;
using Xunit.Abstractions;

namespace FusedNet.Tests.EndToEnd
{
    // Hand-computed cases (values below). One sample each.
    [FusedNetwork(1, 1, 4)]
    [LayerNorm(ElementwiseAffine = false)]
    public partial class HandLayerNormNet;

    [FusedNetwork(4, 1, 2)]
    [GroupNorm(2)]
    public partial class HandGroupNormNet;

    // Inputs with a mean 10^4 times their spread, over many values per group (odd sizes, channels not multiples of 8).
    [FusedNetwork(6, 61, 67)]
    [LayerNorm]
    [SiLU]
    public partial class LargeMeanLayerNormNet;

    [FusedNetwork(12, 45, 37)]
    [GroupNorm(3)]
    [ReLU]
    public partial class LargeMeanGroupNormNet;

    [FusedNetwork(19, 33, 29)]
    [InstanceNorm2d(Affine = true)]
    [Tanh]
    public partial class LargeMeanInstanceNormNet;

    // Normalisations between convolutions whose rows two threads split (the normalisations run on one thread).
    [FusedNetwork(24, 40, 40)]
    [Conv2d(32, 3, Padding = 1)]
    [GroupNorm(8)]
    [ReLU]
    [Conv2d(20, 3, Padding = 1)]
    [InstanceNorm2d(Affine = true)]
    [GELU]
    [LayerNorm]
    [GlobalAvgPool2d]
    [Linear(5)]
    public partial class NormThreadsNet;

    /// <summary>
    /// LayerNorm, GroupNorm and InstanceNorm2d beyond the sweep (which runs them against the double reference and ONNX
    /// Runtime): numbers worked out by hand, large means, two threads, batches, and the metadata. Tolerance as everywhere,
    /// |actual − expected| ≤ 1e-4·max(1, |expected|) (DESIGN §4).
    /// </summary>
    public class NormalizationTests
    {
        private readonly ITestOutputHelper _output;

        public NormalizationTests(ITestOutputHelper output) => _output = output;

        private static void AssertClose(IReadOnlyList<double> expected, ReadOnlySpan<float> actual, string what)
        {
            Assert.Equal(expected.Count, actual.Length);
            for (int i = 0; i < expected.Count; i++)
            {
                double error = Math.Abs(actual[i] - expected[i]);
                Assert.True(error <= 1e-4 * Math.Max(1, Math.Abs(expected[i])),
                    $"{what}[{i}]: expected {expected[i]}, actual {actual[i]} (error {error:E2})");
            }
        }

        private static float[] Run(IFusedNetwork net, float[] input, int batch, bool fused)
        {
            var output = new float[batch * net.OutputLength];
            Array.Fill(output, float.NaN);
            if (fused) net.Forward(input, output, batch);
            else net.ForwardUnfused(input, output, batch);
            return output;
        }

        /// <summary>
        /// x = [1, 2, 3, 6]: mean 3, deviations −2, −1, 0, 3, Σ squares 14, biased variance 14/4 = 3.5, so
        /// y = dev/√(3.5 + 1e−5) = [−1.0690434, −0.5345217, 0, 1.6035652]. With the unbiased variance 14/3 the result would
        /// be [−0.9258, −0.4629, 0, 1.3887], 0.14 off at the first element: this test fails on n − 1.
        /// </summary>
        [Fact]
        public void LayerNorm_OfFourValues_MatchesTheHandComputedBiasedVarianceResult()
        {
            using var net = new HandLayerNormNet(new InMemoryWeights());
            double[] expected = [-1.0690434404458735, -0.5345217202229368, 0.0, 1.6035651606688102];
            float[] input = [1, 2, 3, 6];
            AssertClose(expected, Run(net, input, 1, fused: true), "fused");
            AssertClose(expected, Run(net, input, 1, fused: false), "unfused");
        }

        /// <summary>
        /// GroupNorm(2) on [4, 1, 2], channels c0 = [1, 3], c1 = [5, 7], c2 = [0, 0], c3 = [0, 4]; γ = [2, 0.5, 1, −1],
        /// β = [1, −1, 0, 0.5]. Group 0 (c0, c1): mean 4, variance (9 + 1 + 1 + 9)/4 = 5. Group 1 (c2, c3): mean 1,
        /// variance (1 + 1 + 1 + 9)/4 = 3. y = (x − mean)/√(var + 1e−5)·γ[c] + β[c], e.g. c0: (1 − 4)/√5.00001·2 + 1 = −1.6832789.
        /// </summary>
        [Fact]
        public void GroupNorm_TwoGroups_MatchesTheHandComputedResult()
        {
            var weights = new InMemoryWeights();
            weights.Add("0.weight", [2f, 0.5f, 1f, -1f], 4);
            weights.Add("0.bias", [1f, -1f, 0f, 0.5f], 4);
            using var net = new HandGroupNormNet(weights);
            float[] input = [1, 3, 5, 7, 0, 0, 0, 4]; // NCHW: channel by channel
            double[] expected =
            [
                -1.6832788897221995, 0.10557370342593342, -0.7763934258564833, -0.3291802775694501,
                -0.5773493069415827, -0.5773493069415827, 1.0773493069415827, -1.2320479208247481,
            ];
            AssertClose(expected, Run(net, input, 1, fused: true), "fused");
            AssertClose(expected, Run(net, input, 1, fused: false), "unfused");
        }

        public static TheoryData<string> LargeMeanNets => new() { "LayerNorm", "GroupNorm", "InstanceNorm2d" };

        /// <summary>
        /// Values 10⁴ ± N(0, 1) over up to 24 507 values per group: a float sum of the raw values loses the mean (an error
        /// of ~0.03 in the output), and subtracting a float mean still leaves ~5e−4; the kernel's shifted sums do not.
        /// </summary>
        [Theory]
        [MemberData(nameof(LargeMeanNets))]
        public void LargeMean_SmallSpread_StaysWithinTolerance(string kind)
        {
            (IFusedNetwork net, RefNetwork reference, IWeightSource weights) = kind switch
            {
                "LayerNorm" => Build(w => new LargeMeanLayerNormNet(w), new RefNetwork(6, 61, 67, [new RefLayerNorm(), new RefSiLU()]), LargeMeanLayerNormNet.ExpectedWeights),
                "GroupNorm" => Build(w => new LargeMeanGroupNormNet(w), new RefNetwork(12, 45, 37, [new RefGroupNorm(3), new RefReLU()]), LargeMeanGroupNormNet.ExpectedWeights),
                _ => Build(w => new LargeMeanInstanceNormNet(w), new RefNetwork(19, 33, 29, [new RefInstanceNorm2d { Affine = true }, new RefTanh()]), LargeMeanInstanceNormNet.ExpectedWeights),
            };
            using ((IDisposable)net)
            {
                const int batch = 3;
                float[] input = RandomWeights.RandomInput(batch * net.InputLength, seed: 5);
                for (int i = 0; i < input.Length; i++) input[i] += 10000f;
                double[][] expected = reference.RunBatch(weights, input, batch);
                double worst = 0;
                foreach (bool fused in new[] { true, false })
                {
                    float[] actual = Run(net, input, batch, fused);
                    for (int n = 0; n < batch; n++)
                    {
                        AssertClose(expected[n], actual.AsSpan(n * net.OutputLength, net.OutputLength), $"{kind} {(fused ? "fused" : "unfused")} sample {n}");
                        for (int i = 0; i < net.OutputLength; i++) worst = Math.Max(worst, Math.Abs(actual[n * net.OutputLength + i] - expected[n][i]));
                    }
                }
                _output.WriteLine($"{kind}: largest error {worst:E2} with inputs 1e4 ± N(0, 1)");
            }
        }

        private static (IFusedNetwork, RefNetwork, IWeightSource) Build(Func<IWeightSource, IFusedNetwork> create, RefNetwork reference,
            IReadOnlyList<WeightInfo> expected)
        {
            // γ and β away from 1 and 0, so the affine is checked too.
            InMemoryWeights weights = RandomWeights.Create(expected, seed: 3);
            var random = new Random(4);
            foreach (WeightInfo info in expected)
                weights.Set(info.Name, Enumerable.Range(0, info.ElementCount).Select(_ => (float)(random.NextDouble() * 2 - 0.5)).ToArray(), info.Shape.ToArray());
            return (create(weights), reference, weights);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        public void TwoThreads_MatchTheReference_FusedAndUnfused(int batch)
        {
            var reference = new RefNetwork(24, 40, 40,
            [
                new RefConv2d(32, 3) { Padding = 1 }, new RefGroupNorm(8), new RefReLU(),
                new RefConv2d(20, 3) { Padding = 1 }, new RefInstanceNorm2d { Affine = true }, new RefGELU(),
                new RefLayerNorm(), new RefGlobalAvgPool2d(), new RefLinear(5),
            ]);
            (IFusedNetwork single, _, IWeightSource weights) = Build(w => new NormThreadsNet(w), reference, NormThreadsNet.ExpectedWeights);
            using ((IDisposable)single)
            using (var parallel = new NormThreadsNet(weights, new NetworkOptions { Threads = 2, SplitThreshold = 0 }))
            {
                float[] input = RandomWeights.RandomInput(batch * NormThreadsNet.InputLength, seed: 8);
                double[][] expected = reference.RunBatch(weights, input, batch);
                foreach (bool fused in new[] { true, false })
                {
                    float[] two = Run(parallel, input, batch, fused);
                    for (int n = 0; n < batch; n++)
                        AssertClose(expected[n], two.AsSpan(n * 5, 5), $"2 threads, {(fused ? "fused" : "unfused")}, sample {n}");
                    Assert.Equal(Run(single, input, batch, fused), two); // and bit for bit one thread's result
                }
                var output = new float[batch * 5];
                Assert.Equal(0, AllocationMeter.LeastBytes(() => parallel.Forward(input, output, batch)));
                Assert.Equal(0, AllocationMeter.LeastBytes(() => parallel.ForwardUnfused(input, output, batch)));
            }
        }

        [Fact]
        public void Metadata_NamesThePyTorchLayersAndTheirTensors()
        {
            LayerInfo[] layers = NormThreadsNet.Layers.ToArray();
            Assert.Equal("GroupNorm(8, 32, eps=1E-05, affine=True)", layers[1].Description);
            Assert.Equal("InstanceNorm2d(20, eps=1E-05, affine=True, track_running_stats=False)", layers[4].Description);
            Assert.Equal("LayerNorm((20, 40, 40), eps=1E-05, elementwise_affine=True)", layers[6].Description);
            Assert.Equal(2L * 20 * 40 * 40, layers[6].ParameterCount);
            WeightInfo layerNormWeight = NormThreadsNet.ExpectedWeights.Single(w => w.Name == "6.weight");
            Assert.Equal(new[] { 20, 40, 40 }, layerNormWeight.Shape);
            Assert.Equal(WeightRole.NormWeight, layerNormWeight.Role);
            Assert.DoesNotContain(HandLayerNormNet.ExpectedWeights, w => w.Name.StartsWith("0.", StringComparison.Ordinal)); // no affine: no tensors
        }

        [Fact]
        public void RandomWeights_GiveTheNormalisationsPyTorchsInitialisation()
        {
            InMemoryWeights weights = RandomWeights.Create(NormThreadsNet.ExpectedWeights, seed: 1);
            Assert.All(weights.GetValues("1.weight").ToArray(), v => Assert.Equal(1f, v));
            Assert.All(weights.GetValues("1.bias").ToArray(), v => Assert.Equal(0f, v));
            Assert.All(weights.GetValues("6.weight").ToArray(), v => Assert.Equal(1f, v));
        }
    }
}
