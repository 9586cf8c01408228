using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FusedNet.Generator.Model;
using FusedNet.Internal;
using FusedNet.Tests.Graphs;
using FusedNet.Tests.Harness;
using FusedNet.Tests.Modules;
using Xunit.Abstractions;

namespace FusedNet.Tests.Calibration
{
    // Attribute front end: a BatchNorm alone, and a BatchNorm read by a second one (so the second sees normalised values).
    [FusedNetwork(2, 1, 2)]
    [BatchNorm2d]
    public partial class HandCalibrationNet;

    [FusedNetwork(2, 1, 2)]
    [BatchNorm2d]
    [BatchNorm2d(Epsilon = 1e-3f)]
    public partial class HandCalibrationTwoNet;

    // Attribute chain with odd shapes: Conv-BN-ReLU, a BN after a pool (not foldable), Linear + BatchNorm1d.
    [FusedNetwork(3, 7, 5)]
    [Conv2d(7, 3, Padding = 1)]
    [BatchNorm2d]
    [ReLU]
    [MaxPool2d(2)]
    [BatchNorm2d]
    [Conv2d(19, 1, Bias = false)]
    [BatchNorm2d]
    [Hardswish]
    [GlobalAvgPool2d]
    [Linear(5)]
    [BatchNorm1d]
    public partial class ChainCalibrationNet;

    /// <summary>
    /// BatchNorm recalibration (BatchNormRecalibration.Recalibrate): the calibration pass against a training-mode reference in
    /// double (TrainModeReference), PyTorch's running-statistics update, and the recalibrated weights rebuilt into networks.
    /// Tolerance: 1e-4·max(1, |expected|) on outputs and statistics (float kernels against double; the statistics are sums of
    /// float activations, accumulated in double).
    /// </summary>
    public class BatchNormRecalibrationTests
    {
        private readonly ITestOutputHelper _output;
        public BatchNormRecalibrationTests(ITestOutputHelper output) => _output = output;

        private static readonly Lazy<CompiledGraphs> s_graphs = new(() => GraphCompiler.Compile(new Dictionary<string, GraphNet>
        {
            ["Residual"] = Residual(batchNormOn1x1: true),
            ["ResidualBatch1"] = Residual(batchNormOn1x1: false),
            ["ChainTwin"] = ChainTwin(),
        }));

        /// <summary>
        /// Stem conv-bn-relu, a residual block (conv-bn-relu, conv-bn, + stem, relu), max pool, a standalone BN (after the pool),
        /// a 1×1 conv to 19 channels + BN + Hardswish, global pool, Linear(5) and optionally BatchNorm2d on [19, 1, 1] and
        /// BatchNorm1d, which need a batch of 2 or more (1 value per channel otherwise).
        /// </summary>
        private static GraphNet Residual(bool batchNormOn1x1)
        {
            var g = new GraphNet(3, 7, 5);
            int stem = g.ConvBn(GraphNet.In, 6, 3, "stem.conv", "stem.bn", padding: 1);
            int y = g.ConvBn(stem, 6, 3, "block.conv1", "block.bn1", padding: 1);
            y = g.ConvBn(y, 6, 3, "block.conv2", "block.bn2", padding: 1, activation: null);
            int x = g.ReLU(g.Add(y, stem));
            x = g.BatchNorm(g.MaxPool(x, 2, 2), "pool.bn");
            x = g.Act(g.BatchNorm(g.Conv(x, 19, 1, "wide", bias: false), "wide.bn"), LayerKind.Hardswish);
            x = g.AdaptiveAvgPool(x);
            if (batchNormOn1x1) x = g.BatchNorm(x, "pooled.bn");
            x = g.Linear(g.Flatten(x), 5, "fc");
            if (batchNormOn1x1) g.BatchNorm1d(x, "fc.bn");
            return g;
        }

        /// <summary>The reference twin of <see cref="ChainCalibrationNet"/> (attribute front end): same layers, same names.</summary>
        private static GraphNet ChainTwin()
        {
            var g = new GraphNet(3, 7, 5);
            int x = g.Conv(GraphNet.In, 7, 3, "0", padding: 1);
            x = g.BatchNorm(x, "1");
            x = g.Act(x, LayerKind.ReLU, name: "2");
            x = g.MaxPool(x, 2, 2); // node 3
            x = g.BatchNorm(x, "4");
            x = g.Conv(x, 19, 1, "5", bias: false);
            x = g.BatchNorm(x, "6");
            x = g.Act(x, LayerKind.Hardswish, name: "7");
            x = g.GlobalAvgPool(x); // node 8
            x = g.Linear(x, 5, "9");
            g.BatchNorm1d(x, "10");
            return g;
        }

        /// <summary>The largest |actual − expected|/max(1, |expected|) an assertion of the running test saw (printed by some tests).</summary>
        private static double s_worst;

        private static void AssertClose(double expected, double actual, string what)
        {
            double tolerance = 1e-4 * Math.Max(1, Math.Abs(expected));
            s_worst = Math.Max(s_worst, Math.Abs(actual - expected) / Math.Max(1, Math.Abs(expected)));
            Assert.True(Math.Abs(actual - expected) <= tolerance, $"{what}: {actual} vs expected {expected} (|diff| {Math.Abs(actual - expected):G3} > {tolerance:G3})");
        }

        private static void AssertOutputs(double[][] expected, ReadOnlySpan<float> actual, string what)
        {
            int length = expected[0].Length;
            Assert.Equal(expected.Length * length, actual.Length);
            for (int n = 0; n < expected.Length; n++)
                for (int i = 0; i < length; i++)
                    AssertClose(expected[n][i], actual[n * length + i], $"{what}: sample {n} output {i}");
        }

        /// <summary>The running statistics of <paramref name="weights"/> equal the reference's batch mean and unbiased variance.</summary>
        private static void AssertStatistics(TrainModeReference.Result reference, IWeightSource weights, string what)
        {
            Assert.NotEmpty(reference.Statistics);
            foreach ((string name, (double[] mean, double[] variance)) in reference.Statistics)
            {
                float[] runningMean = TrainModeReference.Read(weights, name + ".running_mean");
                float[] runningVar = TrainModeReference.Read(weights, name + ".running_var");
                for (int c = 0; c < mean.Length; c++)
                {
                    AssertClose(mean[c], runningMean[c], $"{what}: {name}.running_mean[{c}]");
                    AssertClose(variance[c], runningVar[c], $"{what}: {name}.running_var[{c}]");
                }
            }
        }

        private static float[] RunCalibration(IFusedNetwork network, ReadOnlySpan<float> input, int batch, IWeightSource weights)
        {
            var output = new float[batch * network.OutputLength];
            var context = new BatchNormCalibrationContext(p => (TrainModeReference.Read(weights, p + ".weight"), TrainModeReference.Read(weights, p + ".bias")));
            ((IBatchNormCalibration)network).RunCalibrationBatch(input, output, batch, context);
            return output;
        }

        [Theory]
        [InlineData("Residual", 3, 11)]
        // Not "Residual" with batch 2: its BatchNorms on [19, 1, 1] and [5] then see n = 2 values per channel, and
        // y = ±γ·d/√(d² + ε) with d = (x₁ − x₂)/2 amplifies the float32 rounding of x by |x|/|d| (seen: 1.6e-4 with the
        // Vector128 kernels). That is the conditioning of training-mode BN on two values, not a kernel error.
        [InlineData("ResidualBatch1", 2, 12)]
        [InlineData("ResidualBatch1", 1, 13)] // batch 1: the statistics of the one sample over H·W
        [InlineData("ResidualBatch1", 3, 14)]
        public void Calibration_pass_and_statistics_match_the_training_mode_reference(string name, int batch, int seed)
        {
            CompiledGraphs graphs = s_graphs.Value;
            GraphNet g = name == "Residual" ? Residual(true) : Residual(false);
            (IFusedNetwork network, IWeightSource weights) = graphs.CreateRandom(name, seed);
            float[] input = RandomWeights.RandomInput(batch * network.InputLength, seed);
            TrainModeReference.Result reference = TrainModeReference.Run(g, weights, input, batch);

            AssertOutputs(reference.Outputs, RunCalibration(network, input, batch, weights), $"{name} batch {batch} training-mode outputs");
            // One batch from reset statistics with the cumulative average: running = this batch's mean and unbiased variance.
            InMemoryWeights recalibrated = BatchNormRecalibration.Recalibrate(network, weights, new[] { input });
            AssertStatistics(reference, recalibrated, $"{name} batch {batch}");
            _output.WriteLine($"{name} batch {batch}: largest relative error {s_worst:G3}");
            s_worst = 0;
            // Everything else is unchanged.
            foreach (string tensor in weights.TensorNames.Where(t => !t.EndsWith(".running_mean") && !t.EndsWith(".running_var")))
                Assert.Equal(TrainModeReference.Read(weights, tensor), TrainModeReference.Read(recalibrated, tensor));
        }

        [Fact]
        public void Attribute_chain_calibration_matches_the_reference_on_odd_shapes()
        {
            var weights = RandomWeights.Create(ChainCalibrationNet.ExpectedWeights, seed: 21);
            var network = new ChainCalibrationNet(weights);
            const int batch = 3;
            float[] input = RandomWeights.RandomInput(batch * ChainCalibrationNet.InputLength, seed: 22);
            TrainModeReference.Result reference = TrainModeReference.Run(ChainTwin(), weights, input, batch);
            Assert.Equal(new[] { "1", "4", "6", "10" }, reference.Statistics.Keys.OrderBy(k => k.Length).ThenBy(k => k));
            AssertOutputs(reference.Outputs, RunCalibration(network, input, batch, weights), "chain training-mode outputs");
            AssertStatistics(reference, BatchNormRecalibration.Recalibrate(network, weights, new[] { input }), "chain");
        }

        /// <summary>
        /// BatchNorms placed before convolutions (the fused path folds them into the conv with a filled border; the calibration
        /// pass runs the unfused path, where each is a pass) are recalibrated like any other: against the training-mode
        /// reference of the same chain (Layers/NormalizeTests.BatchNormBeforeConvNet: padded, depthwise, grouped stride-2 and
        /// 1x1 convs after BNs), and the network rebuilt from the new statistics matches the eval reference on both paths
        /// (the border fill comes from the new statistics). A Normalize (constants) is not a BatchNorm: it runs as in eval.
        /// </summary>
        [Fact]
        public void BatchNorms_before_convolutions_and_normalize_layers_recalibrate_as_the_reference()
        {
            var g = new GraphNet(5, 13, 11);
            int x = g.ReLU(g.Conv(GraphNet.In, 20, 3, "0", padding: 1));
            x = g.BatchNorm(x, "2");
            x = g.ReLU(g.Conv(x, 20, 3, "3", padding: 1));
            x = g.BatchNorm(x, "5");
            x = g.ReLU(g.Conv(x, 20, 3, "6", padding: 1, groups: 20));
            x = g.BatchNorm(x, "8");
            x = g.ReLU(g.Conv(x, 10, 3, "9", stride: 2, padding: 2, groups: 2));
            x = g.BatchNorm(x, "11");
            g.Conv(x, 9, 1, "12");

            var weights = RandomWeights.Create(FusedNet.Tests.Layers.BatchNormBeforeConvNet.ExpectedWeights, seed: 31);
            IFusedNetwork network = new FusedNet.Tests.Layers.BatchNormBeforeConvNet(weights);
            const int batch = 3;
            float[] input = RandomWeights.RandomInput(batch * network.InputLength, seed: 32);
            TrainModeReference.Result reference = TrainModeReference.Run(g, weights, input, batch);
            Assert.Equal(new[] { "2", "5", "8", "11" }, reference.Statistics.Keys.OrderBy(k => k.Length).ThenBy(k => k));
            AssertOutputs(reference.Outputs, RunCalibration(network, input, batch, weights), "BN-before-conv training-mode outputs");
            InMemoryWeights recalibrated = BatchNormRecalibration.Recalibrate(network, weights, new[] { input });
            AssertStatistics(reference, recalibrated, "BN-before-conv");

            // Rebuilt: the eval-mode reference with the new statistics, fused (folded, filled borders) and unfused.
            var rebuilt = new FusedNet.Tests.Layers.BatchNormBeforeConvNet(recalibrated);
            Assert.Null(rebuilt.FusedPathFallback);
            float[] fused = new float[batch * network.OutputLength], unfused = new float[fused.Length];
            rebuilt.Forward(input, fused, batch);
            rebuilt.ForwardUnfused(input, unfused, batch);
            for (int n = 0; n < batch; n++)
            {
                double[] expected = g.Run(recalibrated, input.AsSpan(n * network.InputLength, network.InputLength));
                for (int i = 0; i < expected.Length; i++)
                {
                    AssertClose(expected[i], fused[n * network.OutputLength + i], $"rebuilt fused sample {n} [{i}]");
                    AssertClose(expected[i], unfused[n * network.OutputLength + i], $"rebuilt unfused sample {n} [{i}]");
                }
            }

            // A network with a Normalize and no BatchNorm: nothing to recalibrate, every tensor unchanged, the pass still runs.
            var plainWeights = RandomWeights.Create(FusedNet.Tests.Layers.NormalizePaddedNet.ExpectedWeights, seed: 33);
            IFusedNetwork plain = new FusedNet.Tests.Layers.NormalizePaddedNet(plainWeights);
            float[] plainInput = RandomWeights.RandomInput(2 * plain.InputLength, seed: 34);
            InMemoryWeights same = BatchNormRecalibration.Recalibrate(plain, plainWeights, new[] { plainInput });
            foreach (string tensor in plainWeights.TensorNames)
                Assert.Equal(TrainModeReference.Read(plainWeights, tensor), TrainModeReference.Read(same, tensor));
        }

        /// <summary>
        /// Rebuilt from the recalibrated weights, both paths on 2 threads (batch split by samples, and one sample split by rows)
        /// equal the eval-mode reference with the new statistics; the weights saved to safetensors and reloaded give the same.
        /// </summary>
        [Fact]
        public void Recalibrated_weights_rebuild_networks_that_match_the_eval_reference_and_survive_safetensors()
        {
            CompiledGraphs graphs = s_graphs.Value;
            GraphNet g = Residual(true);
            (IFusedNetwork network, IWeightSource weights) = graphs.CreateRandom("Residual", 31);
            float[][] batches = Enumerable.Range(0, 3).Select(i => RandomWeights.RandomInput(4 * network.InputLength, 40 + i)).ToArray();
            InMemoryWeights recalibrated = BatchNormRecalibration.Recalibrate(network, weights, batches, new BatchNormRecalibrationOptions { Momentum = 0.1 });

            string path = Path.Combine(Path.GetTempPath(), $"fusednet-recalibrated-{Guid.NewGuid():N}.safetensors");
            try
            {
                SafetensorsFile.Save(path, recalibrated);
                using SafetensorsFile reloaded = SafetensorsFile.Open(path);
                const int batch = 3;
                float[] input = RandomWeights.RandomInput(batch * network.InputLength, 50);
                double[][] expected = Enumerable.Range(0, batch)
                    .Select(n => g.Run(recalibrated, input.AsSpan(n * network.InputLength, network.InputLength))).ToArray();
                foreach (IWeightSource source in new IWeightSource[] { recalibrated, reloaded })
                {
                    var rebuilt = graphs.Create("Residual", source, new NetworkOptions { Threads = 2 });
                    IFusedNetwork net = rebuilt;
                    var fused = new float[batch * rebuilt.OutputLength];
                    var unfused = new float[batch * rebuilt.OutputLength];
                    var single = new float[rebuilt.OutputLength];
                    net.Forward(input, fused, batch);
                    net.ForwardUnfused(input, unfused, batch);
                    net.Forward(input.AsSpan(0, rebuilt.InputLength), single);
                    // Recalibration leaves Forward as it was: no allocation per call (smallest of three windows, AllocationMeter).
                    Assert.Equal(0, AllocationMeter.LeastBytes(() => net.Forward(input, fused, batch)));
                    AssertOutputs(expected, fused, $"fused, 2 threads, from {source}");
                    AssertOutputs(expected, unfused, $"unfused, 2 threads, from {source}");
                    AssertOutputs(expected.Take(1).ToArray(), single, $"fused one sample split by rows, from {source}");
                    ((IDisposable)rebuilt).Dispose();
                }
                // The statistics really changed (the seeded ones are not the data's).
                Assert.NotEqual(TrainModeReference.Read(weights, "wide.bn.running_var"), TrainModeReference.Read(reloaded, "wide.bn.running_var"));
            }
            finally
            {
                File.Delete(path);
            }
        }

        /// <summary>
        /// PyTorch's update over two batches (statistics m1, v1 then m2, v2, from the reference): momentum null from reset is the
        /// mean of the batch statistics; momentum 0.1 from reset gives 0.9·(0.9·0 + 0.1·m1) + 0.1·m2 (and 1 in place of 0 for
        /// the variance); momentum 0.1 without reset starts from the stored running statistics.
        /// </summary>
        [Fact]
        public void Momentum_null_and_0_1_with_and_without_reset_follow_the_PyTorch_update()
        {
            CompiledGraphs graphs = s_graphs.Value;
            GraphNet g = Residual(true);
            (IFusedNetwork network, IWeightSource weights) = graphs.CreateRandom("Residual", 61);
            float[] first = RandomWeights.RandomInput(3 * network.InputLength, 62), second = RandomWeights.RandomInput(2 * network.InputLength, 63);
            var r1 = TrainModeReference.Run(g, weights, first, 3).Statistics;
            var r2 = TrainModeReference.Run(g, weights, second, 2).Statistics;
            var batches = new[] { first, second };

            var cumulative = BatchNormRecalibration.Recalibrate(network, weights, batches);
            var momentum = BatchNormRecalibration.Recalibrate(network, weights, batches, new BatchNormRecalibrationOptions { Momentum = 0.1 });
            var continued = BatchNormRecalibration.Recalibrate(network, weights, batches, new BatchNormRecalibrationOptions { Momentum = 0.1, ResetRunningStatistics = false });
            foreach (string bn in r1.Keys)
            {
                float[] oldMean = TrainModeReference.Read(weights, bn + ".running_mean"), oldVar = TrainModeReference.Read(weights, bn + ".running_var");
                for (int c = 0; c < oldMean.Length; c++)
                {
                    double m1 = r1[bn].Mean[c], m2 = r2[bn].Mean[c], v1 = r1[bn].UnbiasedVariance[c], v2 = r2[bn].UnbiasedVariance[c];
                    AssertClose((m1 + m2) / 2, TrainModeReference.Read(cumulative, bn + ".running_mean")[c], $"{bn} cumulative mean[{c}]");
                    AssertClose((v1 + v2) / 2, TrainModeReference.Read(cumulative, bn + ".running_var")[c], $"{bn} cumulative var[{c}]");
                    AssertClose(0.9 * (0.1 * m1) + 0.1 * m2, TrainModeReference.Read(momentum, bn + ".running_mean")[c], $"{bn} momentum mean[{c}]");
                    AssertClose(0.9 * (0.9 * 1 + 0.1 * v1) + 0.1 * v2, TrainModeReference.Read(momentum, bn + ".running_var")[c], $"{bn} momentum var[{c}]");
                    AssertClose(0.9 * (0.9 * oldMean[c] + 0.1 * m1) + 0.1 * m2, TrainModeReference.Read(continued, bn + ".running_mean")[c], $"{bn} continued mean[{c}]");
                    AssertClose(0.9 * (0.9 * oldVar[c] + 0.1 * v1) + 0.1 * v2, TrainModeReference.Read(continued, bn + ".running_var")[c], $"{bn} continued var[{c}]");
                }
            }
        }

        /// <summary>
        /// A batch of 3 samples of [2, 1, 2] worked out by hand. Channel 0 holds 1..6: mean 3.5, M2 = Σ(x − 3.5)² = 17.5, biased
        /// variance 17.5/6 = 2.91667 (what normalises), unbiased 17.5/5 = 3.5 (what running_var gets). Channel 1 holds 0, 0, 2,
        /// −2, 4, −4: mean 0, M2 = 40, biased 6.66667, unbiased 8. With γ = (2, 0.5), β = (1, −1):
        /// y = (x − mean)/√(biased + 1e-5)·γ + β. Swapping the two variances changes both the outputs and running_var.
        /// </summary>
        [Fact]
        public void Hand_computed_batch_of_three_uses_biased_variance_to_normalise_and_unbiased_for_running_var()
        {
            var weights = new InMemoryWeights();
            weights.Add("0.weight", new[] { 2f, 0.5f }, 2);
            weights.Add("0.bias", new[] { 1f, -1f }, 2);
            weights.Add("0.running_mean", new[] { 0.25f, -0.5f }, 2);
            weights.Add("0.running_var", new[] { 2f, 3f }, 2);
            weights.Add("0.num_batches_tracked", new[] { 5f });
            var network = new HandCalibrationNet(weights);
            float[] input = { 1, 2, 0, 0, /**/ 3, 4, 2, -2, /**/ 5, 6, 4, -4 }; // NCHW, N = 3: [c0 w0, c0 w1, c1 w0, c1 w1] per sample

            var output = RunCalibration(network, input, 3, weights);
            double s0 = 2 / Math.Sqrt(17.5 / 6 + 1e-5), s1 = 0.5 / Math.Sqrt(40.0 / 6 + 1e-5);
            double[] expected =
            {
                (1 - 3.5) * s0 + 1, (2 - 3.5) * s0 + 1, 0 * s1 - 1, 0 * s1 - 1,
                (3 - 3.5) * s0 + 1, (4 - 3.5) * s0 + 1, 2 * s1 - 1, -2 * s1 - 1,
                (5 - 3.5) * s0 + 1, (6 - 3.5) * s0 + 1, 4 * s1 - 1, -4 * s1 - 1,
            };
            for (int i = 0; i < expected.Length; i++) AssertClose(expected[i], output[i], $"output {i}");

            // Reset + cumulative (the defaults): running = the batch's mean and unbiased variance; the count restarts at 1.
            var fresh = BatchNormRecalibration.Recalibrate(network, weights, new[] { input });
            Assert.Equal(new[] { 3.5f, 0f }, TrainModeReference.Read(fresh, "0.running_mean"));
            Assert.Equal(new[] { 3.5f, 8f }, TrainModeReference.Read(fresh, "0.running_var"));
            Assert.Equal(new[] { 1f }, TrainModeReference.Read(fresh, "0.num_batches_tracked"));
            // Momentum 0.1 from reset: mean 0.1·3.5 = 0.35, 0; var 0.9·1 + 0.1·3.5 = 1.25, 0.9 + 0.8 = 1.7.
            var momentum = BatchNormRecalibration.Recalibrate(network, weights, new[] { input }, new BatchNormRecalibrationOptions { Momentum = 0.1 });
            AssertClose(0.35, TrainModeReference.Read(momentum, "0.running_mean")[0], "momentum mean 0");
            AssertClose(1.25, TrainModeReference.Read(momentum, "0.running_var")[0], "momentum var 0");
            AssertClose(1.7, TrainModeReference.Read(momentum, "0.running_var")[1], "momentum var 1");
            // Cumulative without reset continues from num_batches_tracked = 5: factor 1/6, then 1/7; the count becomes 7.
            var continued = BatchNormRecalibration.Recalibrate(network, weights, new[] { input, input }, new BatchNormRecalibrationOptions { ResetRunningStatistics = false });
            double mean = 0.25 * 5.0 / 6 + 3.5 / 6;
            mean = mean * 6.0 / 7 + 3.5 / 7;
            AssertClose(mean, TrainModeReference.Read(continued, "0.running_mean")[0], "continued mean 0");
            Assert.Equal(new[] { 7f }, TrainModeReference.Read(continued, "0.num_batches_tracked"));

            // The rebuilt network normalises with the new statistics (eval mode): x = 1 → (1 − 3.5)/√(3.5 + 1e-5)·2 + 1.
            var rebuilt = new HandCalibrationNet(fresh);
            var y = new float[4];
            rebuilt.Forward(input.AsSpan(0, 4), y);
            AssertClose((1 - 3.5) / Math.Sqrt(3.5 + 1e-5) * 2 + 1, y[0], "rebuilt eval output 0");
        }

        /// <summary>
        /// Two BatchNorms in a row: the second sees the first's batch-normalised output, whose batch mean is β and biased
        /// variance γ²·biased/(biased + ε). With γ = (2, 0.5), β = (1, −1) on the hand batch: mean (1, −1), unbiased variance
        /// 6/5 of the biased one.
        /// </summary>
        [Fact]
        public void A_BatchNorm_after_a_BatchNorm_sees_batch_normalised_inputs()
        {
            var weights = new InMemoryWeights();
            foreach (string p in new[] { "0", "1" })
            {
                weights.Add(p + ".weight", p == "0" ? new[] { 2f, 0.5f } : new[] { 1f, 1f }, 2);
                weights.Add(p + ".bias", p == "0" ? new[] { 1f, -1f } : new[] { 0f, 0f }, 2);
                weights.Add(p + ".running_mean", new[] { 0f, 0f }, 2);
                weights.Add(p + ".running_var", new[] { 1f, 1f }, 2);
            }
            var network = new HandCalibrationTwoNet(weights);
            float[] input = { 1, 2, 0, 0, 3, 4, 2, -2, 5, 6, 4, -4 };
            var result = BatchNormRecalibration.Recalibrate(network, weights, new[] { input });
            double[] biased = { 17.5 / 6, 40.0 / 6 };
            double[] gamma = { 2, 0.5 };
            float[] mean = TrainModeReference.Read(result, "1.running_mean"), variance = TrainModeReference.Read(result, "1.running_var");
            for (int c = 0; c < 2; c++)
            {
                AssertClose(c == 0 ? 1 : -1, mean[c], $"second BN mean {c}");
                AssertClose(gamma[c] * gamma[c] * biased[c] / (biased[c] + 1e-5) * 6 / 5, variance[c], $"second BN var {c}");
            }
        }

        [Fact]
        public void One_value_per_channel_and_bad_batches_are_rejected_with_clear_messages()
        {
            CompiledGraphs graphs = s_graphs.Value;
            (IFusedNetwork network, IWeightSource weights) = graphs.CreateRandom("Residual", 71);
            // Batch 1 reaches BatchNorm1d (and the BatchNorm on [19, 1, 1]) with one value per channel: PyTorch refuses it too.
            var e = Assert.Throws<ArgumentException>(() => BatchNormRecalibration.Recalibrate(network, weights, new[] { RandomWeights.RandomInput(network.InputLength, 1) }));
            Assert.Contains("pooled.bn", e.Message);
            Assert.Contains("1 value per channel", e.Message);
            var length = Assert.Throws<ArgumentException>(() => BatchNormRecalibration.Recalibrate(network, weights, new[] { new float[network.InputLength + 1] }));
            Assert.Contains($"not a positive multiple of the input length {network.InputLength}", length.Message);
            Assert.Throws<ArgumentException>(() => BatchNormRecalibration.Recalibrate(network, weights, Array.Empty<float[]>()));
            Assert.Throws<ArgumentOutOfRangeException>(() => BatchNormRecalibration.Recalibrate(network, weights, new[] { new float[network.InputLength * 2] }, new BatchNormRecalibrationOptions { Momentum = 1.5 }));
        }

        /// <summary>
        /// Module front end with residual Adds: the sample ResNet-18 (torchvision's module code, BasicBlock with downsample) at
        /// 33×33, against the reference twin Architectures.ResNet18(33) (the same state_dict names).
        /// </summary>
        [Fact]
        public void Module_front_end_resnet18_recalibrates_as_the_training_mode_reference()
        {
            string source = SampleNetworkTests.ResNet18Source.Replace("[FusedNetwork(3, 224, 224), FusedModule]", "[FusedNetwork(3, 33, 33), FusedModule]");
            Assert.Contains("[FusedNetwork(3, 33, 33), FusedModule]", source);
            using LoadedNetworks loaded = GeneratorHarness.CompileAndLoad(source);
            Type type = loaded.GetNetworkType("ResNet18");
            var expected = (IReadOnlyList<WeightInfo>)type.GetProperty("ExpectedWeights")!.GetValue(null)!;
            var weights = RandomWeights.Create(expected, seed: 81);
            IFusedNetwork network = loaded.Create("ResNet18", weights);
            const int batch = 2;
            float[] input = RandomWeights.RandomInput(batch * network.InputLength, 82);
            TrainModeReference.Result reference = TrainModeReference.Run(Architectures.ResNet18(33), weights, input, batch);
            Assert.Equal(20, reference.Statistics.Count); // 17 BNs on the main path + 3 downsample BNs
            AssertOutputs(reference.Outputs, RunCalibration(network, input, batch, weights), "ResNet-18 training-mode outputs");
            s_worst = 0;
            AssertStatistics(reference, BatchNormRecalibration.Recalibrate(network, weights, new[] { input }), "ResNet-18");
            _output.WriteLine($"ResNet-18 33x33 batch 2: largest relative error of the running statistics {s_worst:G3}");
        }

        /// <summary>Speed: ResNet-18 (CIFAR-size 32×32 input, 10 classes) over 1,000 images in batches of 50; prints the time.</summary>
        [Fact]
        public void ResNet18_over_1000_images_of_32x32_takes_seconds()
        {
            GraphNet g = Architectures.ResNet18(32);
            using CompiledGraphs graphs = GraphCompiler.Compile(new Dictionary<string, GraphNet> { ["ResNet18x32"] = g });
            (IFusedNetwork network, IWeightSource weights) = graphs.CreateRandom("ResNet18x32", 91);
            float[][] batches = Enumerable.Range(0, 20).Select(i => RandomWeights.RandomInput(50 * network.InputLength, 100 + i)).ToArray();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            InMemoryWeights result = BatchNormRecalibration.Recalibrate(network, weights, batches);
            clock.Stop();
            _output.WriteLine($"ResNet-18 32x32, 1000 images in 20 batches of 50: {clock.Elapsed.TotalSeconds:F2} s");
            // For scale: the same 1,000 images through ForwardUnfused (one thread), which the calibration pass runs step by step.
            var output = new float[50 * network.OutputLength];
            clock.Restart();
            foreach (float[] b in batches) network.ForwardUnfused(b, output, 50);
            _output.WriteLine($"ForwardUnfused of the same 1000 images: {clock.Elapsed.TotalSeconds:F2} s");
            Assert.True(clock.Elapsed.TotalSeconds < 120, $"took {clock.Elapsed.TotalSeconds:F1} s");
            Assert.NotEqual(TrainModeReference.Read(weights, "layer4.1.bn2.running_mean"), TrainModeReference.Read(result, "layer4.1.bn2.running_mean"));
        }
    }
}
