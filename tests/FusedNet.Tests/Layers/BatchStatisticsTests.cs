using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Model;
using FusedNet.Modules;
using FusedNet.Tests.Calibration;
using FusedNet.Tests.Graphs;
using FusedNet.Tests.Harness;
using FusedNet.Tests.Reference;
using Xunit.Abstractions;

namespace FusedNet.Tests.Layers
{
    // Hand-computed cases: a BatchNorm2d alone, and a flat BatchNorm1d (which needs two samples).
    [FusedNetwork(2, 1, 2)]
    [BatchNorm2d(TrackRunningStats = false)]
    public partial class HandBatchStatisticsNet;

    [FusedNetwork(3, 1, 1)]
    [Flatten]
    [BatchNorm1d(TrackRunningStats = false)]
    [ReLU]
    public partial class HandBatchStatistics1dNet;

    // Values with a mean 10^4 times their spread, over (N, H, W) with odd sizes and 19 channels.
    [FusedNetwork(19, 23, 17)]
    [BatchNorm2d(TrackRunningStats = false, Epsilon = 1e-3f)]
    [Tanh]
    public partial class LargeMeanBatchStatisticsNet;

    /// <summary>The module front end: <c>new BatchNorm2d(c, trackRunningStats: false)</c> after a conv (not folded into it).</summary>
    [FusedNetwork(3, 9, 7), FusedModule]
    public partial class BatchStatisticsModuleNet : Module
    {
        readonly Conv2d conv = new(3, 10, 3, padding: 1, bias: false);
        readonly BatchNorm2d bn = new(10, trackRunningStats: false);
        readonly BatchNorm2d tracked = new(10, momentum: 0.05f);

        public Tensor Forward(Tensor x) => tracked.Forward(F.Relu(bn.Forward(conv.Forward(x))));
    }

    /// <summary>
    /// BatchNorm2d/BatchNorm1d with <c>TrackRunningStats = false</c> (PyTorch <c>track_running_stats=False</c>): even in eval mode
    /// they normalise with the statistics of the batch given to Forward, per channel over (N, H, W):
    /// y = (x − mean)/√(var + ε)·γ + β with the BIASED variance var = Σ (x − mean)²/(N·H·W). A batch of one uses that sample
    /// alone; a flat BatchNorm1d then has one value per feature, which PyTorch rejects ("Expected more than 1 value per
    /// channel when training"), and so does Forward. Checked against numbers worked out by hand (each fails with the unbiased
    /// variance), against a double reference run layer by layer over the whole batch (Calibration/TrainModeReference in eval
    /// form: only these BatchNorms take batch statistics), on both paths, batch 1/2/3/5, 1 and 2 threads, Winograd on;
    /// 0 B per call. Tolerance as everywhere: |actual − expected| ≤ 1e-4·max(1, |expected|).
    /// </summary>
    public class BatchStatisticsTests
    {
        private readonly ITestOutputHelper _output;
        public BatchStatisticsTests(ITestOutputHelper output) => _output = output;

        private static double s_worst;

        private static void AssertClose(IReadOnlyList<double> expected, ReadOnlySpan<float> actual, string what)
        {
            Assert.Equal(expected.Count, actual.Length);
            for (int i = 0; i < expected.Count; i++)
            {
                double error = Math.Abs(actual[i] - expected[i]);
                s_worst = Math.Max(s_worst, error / Math.Max(1, Math.Abs(expected[i])));
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

        private static InMemoryWeights HandWeights()
        {
            var weights = new InMemoryWeights();
            weights.Add("0.weight", [2f, -0.5f], 2);
            weights.Add("0.bias", [0.5f, 1f], 2);
            return weights;
        }

        /// <summary>
        /// Three samples of [2, 1, 2] (NCHW): c0 = [1, 2], [3, 4], [5, 9]; c1 = [10, 10], [10, 14], [6, 10]. γ = [2, −0.5],
        /// β = [0.5, 1]. c0: mean 4, Σ (x − 4)² = 9 + 4 + 1 + 0 + 1 + 25 = 40, biased variance 40/6; c1: mean 10,
        /// Σ = 16 + 16 = 32, biased variance 32/6. y = (x − mean)/√(var + 1e−5)·γ + β, e.g. the first value
        /// (1 − 4)/√(6.66667)·2 + 0.5 = −1.823788. With the unbiased variances 8 and 6.4 it would be −1.62132: this test fails on n − 1.
        /// </summary>
        [Fact]
        public void BatchOfThree_MatchesTheHandComputedBiasedVarianceResult()
        {
            using var net = new HandBatchStatisticsNet(HandWeights());
            float[] input = [1, 2, 10, 10, 3, 4, 10, 14, 5, 9, 6, 10];
            double[] expected = new double[12];
            double[] mean = [4, 10], variance = [40.0 / 6, 32.0 / 6], gamma = [2, -0.5], beta = [0.5, 1];
            for (int i = 0; i < 12; i++)
            {
                int c = i / 2 % 2;
                expected[i] = (input[i] - mean[c]) / Math.Sqrt(variance[c] + 1e-5) * gamma[c] + beta[c];
            }
            Assert.Equal(-1.823788, expected[0], 6); // the number in the summary, worked out by hand
            AssertClose(expected, Run(net, input, 3, fused: true), "fused");
            AssertClose(expected, Run(net, input, 3, fused: false), "unfused");
        }

        /// <summary>
        /// A batch of one sample uses that sample alone over H × W: c0 = [1, 2] has mean 1.5 and biased variance 0.25, so
        /// y = ±0.5/√(0.25 + 1e−5)·2 + 0.5 = [−1.49996, 2.49996]; c1 = [10, 10] has variance 0, so y = β = 1 (not NaN).
        /// </summary>
        [Fact]
        public void BatchOfOne_UsesThatSampleAlone()
        {
            using var net = new HandBatchStatisticsNet(HandWeights());
            double d = 0.5 / Math.Sqrt(0.25 + 1e-5) * 2;
            double[] expected = [0.5 - d, 0.5 + d, 1, 1];
            Assert.Equal(-1.49996, expected[0], 5);
            float[] input = [1, 2, 10, 10];
            AssertClose(expected, Run(net, input, 1, fused: true), "fused");
            AssertClose(expected, Run(net, input, 1, fused: false), "unfused");
        }

        /// <summary>
        /// Flat BatchNorm1d over two samples [1, 5, −2] and [3, 5, 2] (γ = 1, β = 0, then ReLU): means [2, 5, 0], biased
        /// variances [1, 0, 4] (unbiased: [2, 0, 8]), so the outputs are [0, 0, 0] and [1/√(1 + 1e−5), 0, 2/√(4 + 1e−5)].
        /// </summary>
        [Fact]
        public void BatchNorm1d_TwoSamples_MatchesTheHandComputedResult_AndOneSampleIsRejected()
        {
            using var net = new HandBatchStatistics1dNet(RandomWeights.Create(HandBatchStatistics1dNet.ExpectedWeights, seed: 0));
            Assert.Equal(["1.weight", "1.bias"], HandBatchStatistics1dNet.ExpectedWeights.Select(w => w.Name));
            var ones = new InMemoryWeights();
            ones.Add("1.weight", [1f, 1f, 1f], 3);
            ones.Add("1.bias", [0f, 0f, 0f], 3);
            using var identity = new HandBatchStatistics1dNet(ones);
            float[] input = [1, 5, -2, 3, 5, 2];
            double[] expected = [0, 0, 0, 1 / Math.Sqrt(1 + 1e-5), 0, 2 / Math.Sqrt(4 + 1e-5)];
            AssertClose(expected, Run(identity, input, 2, fused: true), "fused");
            AssertClose(expected, Run(identity, input, 2, fused: false), "unfused");

            foreach (bool fused in new[] { true, false })
            {
                var error = Assert.Throws<ArgumentException>(() => Run(identity, [1, 5, -2], 1, fused));
                Assert.Equal("batchSize", error.ParamName);
                Assert.Contains("layer 1 '1' (BatchNorm1d) has no running statistics", error.Message);
                Assert.Contains("Expected more than 1 value per channel when training", error.Message);
            }
        }

        /// <summary>Metadata: no running tensors are expected, and the layer says it uses batch statistics.</summary>
        [Fact]
        public void ExpectedWeights_HaveNoRunningStatistics_AndTheDescriptionSaysSo()
        {
            Assert.Equal(["0.weight", "0.bias"], HandBatchStatisticsNet.ExpectedWeights.Select(w => w.Name));
            Assert.Equal("BatchNorm2d(2, eps=1E-05, track_running_stats=False)", HandBatchStatisticsNet.Layers[0].Description);
            Assert.Equal(["conv.weight", "bn.weight", "bn.bias", "tracked.weight", "tracked.bias", "tracked.running_mean", "tracked.running_var"],
                BatchStatisticsModuleNet.ExpectedWeights.Select(w => w.Name));
        }

        /// <summary>Values 10⁴ ± N(0, 1) over 3 × 23 × 17 values per channel: the shifted sums and the float centre keep 1e-4.</summary>
        [Fact]
        public void LargeMean_SmallSpread_StaysWithinTolerance()
        {
            var weights = RandomWeights.Create(LargeMeanBatchStatisticsNet.ExpectedWeights, seed: 3);
            using var net = new LargeMeanBatchStatisticsNet(weights);
            var reference = new RefNetwork(19, 23, 17, [new RefBatchNorm2d { TrackRunningStats = false, Epsilon = 1e-3f }, new RefTanh()]);
            const int batch = 3;
            float[] input = RandomWeights.RandomInput(batch * LargeMeanBatchStatisticsNet.InputLength, seed: 7);
            for (int i = 0; i < input.Length; i++) input[i] = 10_000f + input[i];
            double[][] expected = BatchReference(reference, weights, input, batch);
            s_worst = 0;
            foreach (bool fused in new[] { true, false })
                AssertClose(expected.SelectMany(e => e).ToArray(), Run(net, input, batch, fused), fused ? "fused" : "unfused");
            _output.WriteLine($"worst relative error {s_worst:E2}");
        }

        /// <summary>
        /// An attribute chain's batch reference: the one layer is a batch-statistics BatchNorm, so the whole batch's values of
        /// each channel are normalised together (TrainModeReference.BatchNorm), then each sample goes through the rest.
        /// </summary>
        private static double[][] BatchReference(RefNetwork reference, IWeightSource weights, float[] input, int batch)
        {
            RefLayerShape first = reference.Shapes[0];
            var x = Enumerable.Range(0, batch).Select(n => input.Skip(n * reference.InputLength).Take(reference.InputLength).Select(v => (double)v).ToArray()).ToArray();
            (double[][] normalised, _) = TrainModeReference.BatchNorm(x, first.Input, ((RefBatchNorm)first.Layer).Epsilon,
                TrainModeReference.Read(weights, "0.weight"), TrainModeReference.Read(weights, "0.bias"));
            for (int n = 0; n < batch; n++)
                for (int l = 1; l < reference.Shapes.Count; l++)
                {
                    RefLayerShape s = reference.Shapes[l];
                    normalised[n] = s.Layer.Forward(normalised[n], s.Input, s.Output, new RefLayerWeights(weights, reference.PrefixOf(l)));
                }
            return normalised;
        }

        /// <summary>
        /// The module front end: conv (no bias) → BatchNorm2d without running statistics → ReLU → a tracked BatchNorm2d (which
        /// cannot fold into anything: a pass). Against the double reference, batch 1 and 4.
        /// </summary>
        [Fact]
        public void ModuleFrontEnd_MatchesTheReference()
        {
            var g = new GraphNet(3, 9, 7);
            int x = g.Conv(GraphNet.In, 10, 3, "conv", padding: 1, bias: false);
            x = g.ReLU(g.BatchNorm(x, "bn", trackRunningStats: false));
            g.BatchNorm(x, "tracked");
            var weights = RandomWeights.Create(BatchStatisticsModuleNet.ExpectedWeights, seed: 11);
            using var net = new BatchStatisticsModuleNet(weights);
            foreach (int batch in new[] { 1, 4 })
            {
                float[] input = RandomWeights.RandomInput(batch * BatchStatisticsModuleNet.InputLength, seed: batch);
                double[] expected = TrainModeReference.Run(g, weights, input, batch, batchStatisticsOnly: true).Outputs.SelectMany(o => o).ToArray();
                AssertClose(expected, Run(net, input, batch, fused: true), $"fused, batch {batch}");
                AssertClose(expected, Run(net, input, batch, fused: false), $"unfused, batch {batch}");
            }
        }

        // ---- graphs: residual blocks, BatchNorms before convs, flat BatchNorm1d, Winograd ----

        private static readonly Lazy<CompiledGraphs> s_graphs = new(() => GraphCompiler.Compile(new Dictionary<string, GraphNet>
        {
            ["Mixed"] = Mixed(),
            ["WinogradBatch"] = WinogradBatch(),
        }));

        /// <summary>
        /// Stem conv → BN (batch) → ReLU; a residual block (conv → tracked BN folded, + stem, ReLU); a BN (batch) before a
        /// 1×1 conv (not folded into it, unlike a tracked one); conv 3×3 stride 2 → BN (batch) → Hardswish; adaptive pool,
        /// Linear(7) → flat BN1d (batch). 13 and 19 channels: not multiples of 8. Needs batches of two or more.
        /// </summary>
        private static GraphNet Mixed()
        {
            var g = new GraphNet(5, 9, 11);
            int stem = g.ReLU(g.BatchNorm(g.Conv(GraphNet.In, 13, 3, "stem", padding: 1), "stem_bn", trackRunningStats: false));
            int y = g.BatchNorm(g.Conv(stem, 13, 3, "block", padding: 1, bias: false), "block_bn");
            int x = g.ReLU(g.Add(y, stem));
            x = g.Conv(g.BatchNorm(x, "before_bn", trackRunningStats: false), 19, 1, "pointwise");
            x = g.Act(g.BatchNorm(g.Conv(x, 19, 3, "down", stride: 2, padding: 1), "down_bn", trackRunningStats: false), LayerKind.Hardswish);
            x = g.Flatten(g.AdaptiveAvgPool(x));
            g.BatchNorm1d(g.Linear(x, 7, "fc"), "fc_bn", trackRunningStats: false);
            return g;
        }

        /// <summary>Two Winograd convs (forced: GraphNet.Winograd = Always) each followed by a BN (batch): 24 → 20 → 17 channels at 12×12.</summary>
        private static GraphNet WinogradBatch()
        {
            var g = new GraphNet(24, 12, 12) { Winograd = WinogradUse.Always };
            int x = g.ReLU(g.BatchNorm(g.Conv(GraphNet.In, 20, 3, "conv1", padding: 1), "bn1", trackRunningStats: false));
            g.BatchNorm(g.Conv(x, 17, 3, "conv2", padding: 1), "bn2", trackRunningStats: false);
            return g;
        }

        public static TheoryData<string, int, int> GraphCases => new()
        {
            { "Mixed", 2, 1 }, { "Mixed", 3, 1 }, { "Mixed", 5, 2 }, { "Mixed", 3, 2 },
            { "WinogradBatch", 1, 1 }, { "WinogradBatch", 3, 1 }, { "WinogradBatch", 1, 2 }, { "WinogradBatch", 4, 2 },
        };

        [Theory]
        [MemberData(nameof(GraphCases))]
        public void Graphs_MatchTheBatchReference_FusedAndUnfused(string name, int batch, int threads)
        {
            GraphNet g = name == "Mixed" ? Mixed() : WinogradBatch();
            var weights = RandomWeights.Create(s_graphs.Value.ExpectedWeights(name), seed: 17);
            var net = s_graphs.Value.Create(name, weights, new NetworkOptions { Threads = threads });
            try
            {
                float[] input = RandomWeights.RandomInput(batch * net.InputLength, seed: 23 + batch);
                double[] expected = TrainModeReference.Run(g, weights, input, batch, batchStatisticsOnly: true).Outputs.SelectMany(o => o).ToArray();
                s_worst = 0;
                AssertClose(expected, Run(net, input, batch, fused: true), $"{name} fused, batch {batch}, {threads} thread(s)");
                AssertClose(expected, Run(net, input, batch, fused: false), $"{name} unfused, batch {batch}, {threads} thread(s)");
                _output.WriteLine($"{name}, batch {batch}, {threads} thread(s): worst relative error {s_worst:E2}");
            }
            finally
            {
                ((IDisposable)net).Dispose();
            }
        }

        /// <summary>
        /// The plan: a batch-statistics BatchNorm is never folded into the conv before it nor into the conv after it, and the
        /// tracked one in the same graph still is.
        /// </summary>
        [Fact]
        public void BatchStatistics_AreNeverFolded_TrackedOnesStillAre()
        {
            NetworkPlan plan = s_graphs.Value.Plans["Mixed"];
            string[] titles = plan.Fused.Steps.Select(s => s.Title).ToArray();
            _output.WriteLine(string.Join("\n", titles));
            Assert.Equal(4, plan.Fused.Steps.Count(s => s.NormOverBatch));
            Assert.Contains(plan.Fused.Steps, s => s.Kind == StepKind.Conv && s.BatchNormFirstTensor >= 0 && s.Title.Contains("block_bn"));
            Assert.DoesNotContain(plan.Fused.Steps, s => s.InputNormalization is not null);
            Assert.All(plan.Fused.Steps.Where(s => s.Kind is StepKind.Conv or StepKind.Linear), s => Assert.DoesNotContain("track_running_stats=False", s.Title));
        }

        /// <summary>A batch of identical samples has each sample's own statistics: every output equals the batch-of-one output.</summary>
        [Fact]
        public void IdenticalSamples_GiveTheBatchOfOneResult()
        {
            var weights = RandomWeights.Create(s_graphs.Value.ExpectedWeights("WinogradBatch"), seed: 5);
            var net = s_graphs.Value.Create("WinogradBatch", weights);
            try
            {
                float[] one = RandomWeights.RandomInput(net.InputLength, seed: 9);
                float[] single = Run(net, one, 1, fused: true);
                float[] three = Run(net, [.. one, .. one, .. one], 3, fused: true);
                double[] expected = single.Select(v => (double)v).ToArray();
                for (int n = 0; n < 3; n++) AssertClose(expected, three.AsSpan(n * net.OutputLength, net.OutputLength), $"sample {n}");
            }
            finally
            {
                ((IDisposable)net).Dispose();
            }
        }

        /// <summary>Batches through the phases allocate nothing (one scratch, whatever the batch size), on 1 and 2 threads.</summary>
        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void Batches_AllocateNothing(int threads)
        {
            var weights = RandomWeights.Create(s_graphs.Value.ExpectedWeights("Mixed"), seed: 1);
            var net = s_graphs.Value.Create("Mixed", weights, new NetworkOptions { Threads = threads });
            try
            {
                const int batch = 6;
                float[] input = RandomWeights.RandomInput(batch * net.InputLength, seed: 2);
                var output = new float[batch * net.OutputLength];
                net.Forward(input, output, batch);
                net.ForwardUnfused(input, output, batch);
                long bytes = AllocationMeter.LeastBytes(() =>
                {
                    for (int i = 0; i < 20; i++)
                    {
                        net.Forward(input, output, batch);
                        net.ForwardUnfused(input, output, batch);
                    }
                });
                Assert.Equal(0, bytes);
            }
            finally
            {
                ((IDisposable)net).Dispose();
            }
        }

        /// <summary>
        /// Recalibration: the tracked BatchNorm gets new running statistics (the training-mode reference's), the ones without
        /// running statistics normalise with the batch's in the calibration pass too, and no running tensors appear for them.
        /// </summary>
        [Fact]
        public void Recalibration_UpdatesOnlyTheTrackedBatchNorms()
        {
            var weights = RandomWeights.Create(s_graphs.Value.ExpectedWeights("Mixed"), seed: 4);
            var net = s_graphs.Value.Create("Mixed", weights);
            try
            {
                const int batch = 4;
                float[] input = RandomWeights.RandomInput(batch * net.InputLength, seed: 8);
                InMemoryWeights recalibrated = BatchNormRecalibration.Recalibrate(net, weights, new[] { input });
                TrainModeReference.Result reference = TrainModeReference.Run(Mixed(), weights, input, batch);
                Assert.Equal(["block_bn.running_mean", "block_bn.running_var"],
                    recalibrated.TensorNames.Where(n => n.Contains("running")).OrderBy(n => n, StringComparer.Ordinal));
                (double[] mean, double[] unbiased) = reference.Statistics["block_bn"];
                float[] runningMean = recalibrated.GetValues("block_bn.running_mean").ToArray();
                float[] runningVar = recalibrated.GetValues("block_bn.running_var").ToArray();
                for (int c = 0; c < 13; c++)
                {
                    Assert.True(Math.Abs(runningMean[c] - mean[c]) <= 1e-4 * Math.Max(1, Math.Abs(mean[c])), $"running_mean[{c}]");
                    Assert.True(Math.Abs(runningVar[c] - unbiased[c]) <= 1e-4 * Math.Max(1, Math.Abs(unbiased[c])), $"running_var[{c}]");
                }
            }
            finally
            {
                ((IDisposable)net).Dispose();
            }
        }
    }
}
