using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Model;
using FusedNet.Modules;
using FusedNet.Tests.Generator;
using FusedNet.Tests.Harness;
using FusedNet.Tests.Networks;
using FusedNet.Tests.Reference;
using Microsoft.CodeAnalysis;

namespace FusedNet.Tests.Layers
{
    /// <summary>ImageNet normalisation before a padded 3x3 conv: 3 channels, odd H/W.</summary>
    [FusedNetwork(3, 11, 9)]
    [Normalize(new[] { 0.485f, 0.456f, 0.406f }, new[] { 0.229f, 0.224f, 0.225f })]
    [Conv2d(10, 3, Padding = 1)]
    [ReLU]
    public partial class NormalizePaddedNet;

    /// <summary>Padding 2, stride 2, a 5x5 kernel, no bias (the fold gives it one).</summary>
    [FusedNetwork(3, 10, 7)]
    [Normalize(new[] { 0.5f, -1f, 2f }, new[] { 0.25f, 2f, 0.5f })]
    [Conv2d(12, 5, Stride = 2, Padding = 2, Bias = false)]
    public partial class NormalizeStrideNet;

    /// <summary>No padding: the fold is exact without a border fill.</summary>
    [FusedNetwork(3, 8, 8)]
    [Normalize(new[] { 0.485f, 0.456f, 0.406f }, new[] { 0.229f, 0.224f, 0.225f })]
    [Conv2d(6, 3)]
    public partial class NormalizeUnpaddedNet;

    /// <summary>
    /// BatchNorm2d before convolutions: a dense 3x3 (Winograd where the planner picks it: 20 → 20 channels), a depthwise one,
    /// a grouped one with padding 2 and stride 2 (10 channels per group: scalar kernel), and an unpadded 1x1. Odd H/W, channel
    /// counts not multiples of 8.
    /// </summary>
    [FusedNetwork(5, 13, 11)]
    [Conv2d(20, 3, Padding = 1)]
    [ReLU]
    [BatchNorm2d]
    [Conv2d(20, 3, Padding = 1)]
    [ReLU]
    [BatchNorm2d]
    [Conv2d(20, 3, Padding = 1, Groups = 20)]
    [ReLU]
    [BatchNorm2d]
    [Conv2d(10, 3, Stride = 2, Padding = 2, Groups = 2)]
    [ReLU]
    [BatchNorm2d]
    [Conv2d(9, 1)]
    public partial class BatchNormBeforeConvNet;

    /// <summary><see cref="BatchNormBeforeConvNet"/> with Winograd off.</summary>
    [FusedNetwork(5, 13, 11, Winograd = false)]
    [Conv2d(20, 3, Padding = 1)]
    [ReLU]
    [BatchNorm2d]
    [Conv2d(20, 3, Padding = 1)]
    [ReLU]
    [BatchNorm2d]
    [Conv2d(20, 3, Padding = 1, Groups = 20)]
    [ReLU]
    [BatchNorm2d]
    [Conv2d(10, 3, Stride = 2, Padding = 2, Groups = 2)]
    [ReLU]
    [BatchNorm2d]
    [Conv2d(9, 1)]
    public partial class BatchNormBeforeConvDirectNet;

    /// <summary>The module front end: Normalize (collection expressions), a padded conv, BN → conv.</summary>
    [FusedNetwork(3, 7, 9), FusedModule]
    public partial class NormalizeModuleNet : Module
    {
        readonly Normalize normalize = new([0.485f, 0.456f, 0.406f], new[] { 0.229f, 0.224f, 0.225f });
        readonly Conv2d conv1 = new(3, 8, 3, padding: 1);
        readonly BatchNorm2d bn = new(8);
        readonly Conv2d conv2 = new(8, 4, 3, padding: 1);

        public Tensor Forward(Tensor x) => conv2.Forward(bn.Forward(F.Relu(conv1.Forward(normalize.Forward(x)))));
    }

    /// <summary>
    /// Normalize(mean, std) and BatchNorm2d before a convolution. The fused path folds them into the convolution
    /// (W' = W·s[c], b' = b + Σ W·t[c]) and fills the convolution's padding border with the raw value that normalises to 0,
    /// so border pixels match PyTorch, which zero-pads AFTER the normalisation. Checked against the double reference that
    /// applies the normalisation unfolded (tolerance 1e-4·max(1, |ref|): float accumulation over at most 180 products per
    /// output; the fold is in double) on both paths, batch 1 and 3, 1 and 2 threads (SplitThreshold 0), Winograd on and
    /// off; border pixels explicitly against a naive fold; γ = 0; no allocation per call; FN0045–FN0047 from both front ends.
    /// </summary>
    public class NormalizeTests
    {
        private const double Tolerance = 1e-4;

        private static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f], ImageNetStd = [0.229f, 0.224f, 0.225f];

        private static readonly RefNetwork PaddedReference = new(3, 11, 9,
            [new RefNormalize(ImageNetMean, ImageNetStd), new RefConv2d(10, 3) { Padding = 1 }, new RefReLU()]);

        private static readonly RefNetwork StrideReference = new(3, 10, 7,
            [new RefNormalize([0.5f, -1f, 2f], [0.25f, 2f, 0.5f]), new RefConv2d(12, 5) { Stride = 2, Padding = 2, Bias = false }]);

        private static readonly RefNetwork UnpaddedReference = new(3, 8, 8,
            [new RefNormalize(ImageNetMean, ImageNetStd), new RefConv2d(6, 3)]);

        private static readonly RefNetwork BatchNormReference = new(5, 13, 11,
        [
            new RefConv2d(20, 3) { Padding = 1 }, new RefReLU(), new RefBatchNorm2d(),
            new RefConv2d(20, 3) { Padding = 1 }, new RefReLU(), new RefBatchNorm2d(),
            new RefConv2d(20, 3) { Padding = 1, Groups = 20 }, new RefReLU(), new RefBatchNorm2d(),
            new RefConv2d(10, 3) { Stride = 2, Padding = 2, Groups = 2 }, new RefReLU(), new RefBatchNorm2d(),
            new RefConv2d(9, 1),
        ]);

        private static IFusedNetwork Create(string name, IWeightSource weights, NetworkOptions options) => name switch
        {
            "padded" => new NormalizePaddedNet(weights, options),
            "stride" => new NormalizeStrideNet(weights, options),
            "unpadded" => new NormalizeUnpaddedNet(weights, options),
            "bn-winograd" => new BatchNormBeforeConvNet(weights, options),
            "bn-direct" => new BatchNormBeforeConvDirectNet(weights, options),
            _ => throw new ArgumentException(name),
        };

        private static RefNetwork ReferenceOf(string name) => name switch
        {
            "padded" => PaddedReference,
            "stride" => StrideReference,
            "unpadded" => UnpaddedReference,
            _ => BatchNormReference,
        };

        public static IEnumerable<object[]> Runs() =>
            from name in new[] { "padded", "stride", "unpadded", "bn-winograd", "bn-direct" }
            from threads in new[] { 1, 2 }
            from batch in new[] { 1, 3 }
            select new object[] { name, threads, batch };

        [Theory]
        [MemberData(nameof(Runs))]
        public void MatchesTheUnfoldedReference_OnBothPaths(string name, int threads, int batch)
        {
            RefNetwork reference = ReferenceOf(name);
            InMemoryWeights weights = SweepWeights.Create(reference, seed: 4501);
            // Inputs around the means (images in [0, 1]) and far from them, so border and interior both matter.
            float[] input = RandomWeights.RandomInput(batch * reference.InputLength, seed: 4502);
            double[][] expected = reference.RunBatch(weights, input, batch);
            IFusedNetwork net = Create(name, weights, new NetworkOptions { Threads = threads, SplitThreshold = 0 });
            using var owner = (IDisposable)net;
            foreach (bool fused in new[] { true, false })
                AssertClose(expected, Run(net, input, batch, fused), $"{name} {(fused ? "Forward" : "ForwardUnfused")}");
        }

        [Fact]
        public void FusedPath_FoldsTheNormalisation_UnfusedPathKeepsAPass()
        {
            IReadOnlyList<string> fused = NormalizePaddedNet.Steps(true), unfused = NormalizePaddedNet.Steps(false);
            Assert.Single(fused); // Normalize + Conv2d + ReLU: one step
            Assert.Contains("Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]) + Conv2d(3, 10", fused[0], StringComparison.Ordinal);
            Assert.Equal(3, unfused.Count);
            Assert.StartsWith("Normalize(", unfused[0], StringComparison.Ordinal);

            // BN before each conv: every BatchNorm is folded (5 convs, no BatchNorm pass); unfused keeps 4 BatchNorm passes.
            Assert.Equal(5, BatchNormBeforeConvNet.Steps(true).Count);
            Assert.All(BatchNormBeforeConvNet.Steps(true), s => Assert.Contains("Conv2d(", s, StringComparison.Ordinal));
            Assert.Equal(4, BatchNormBeforeConvNet.Steps(true).Count(s => s.StartsWith("BatchNorm2d(", StringComparison.Ordinal)));
            Assert.Equal(4, BatchNormBeforeConvNet.Steps(false).Count(s => s.StartsWith("BatchNorm2d", StringComparison.Ordinal)));

            LayerInfo layer = NormalizePaddedNet.Layers[0];
            Assert.Equal("Normalize", layer.Kind);
            Assert.Equal(0, layer.ParameterCount);
            Assert.Empty(NormalizePaddedNet.ExpectedWeights.Where(w => w.Name.StartsWith("0.", StringComparison.Ordinal)));
        }

        /// <summary>
        /// Border pixels, explicitly: a naive fold (zero border in the raw input) computes the conv of the normalised input
        /// padded with −mean/std instead of 0. The test first shows that this differs from the exact answer on every border
        /// pixel and not on interior ones (so it can tell them apart), then that both paths give the exact one.
        /// </summary>
        [Fact]
        public void BorderPixels_AreExact_NotTheNaiveFold()
        {
            InMemoryWeights weights = SweepWeights.Create(PaddedReference, seed: 4503);
            using var net = new NormalizePaddedNet(weights);
            BorderFoldAssert.ExactNotNaive(net, weights, ImageNetMean, ImageNetStd, channels: 3, height: 11, width: 9, outChannels: 10, inputSeed: 4504);
        }

        /// <summary>
        /// γ = 0 in one channel of a BatchNorm before a padded conv: no raw value normalises to 0 there, so the fold cannot be
        /// exact on border pixels. The network says so (FusedPathFallback) and Forward runs the unfused path: still exact.
        /// γ = 0 before the unpadded 1x1 conv needs no border: no fallback.
        /// </summary>
        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void GammaZero_BeforeAPaddedConv_FallsBackToTheUnfusedPath(bool winograd)
        {
            InMemoryWeights weights = SweepWeights.Create(BatchNormReference, seed: 4505);
            float[] gamma = weights.GetValues("5.weight").ToArray();
            gamma[3] = 0f;
            weights.Set("5.weight", gamma, 20);
            float[] input = RandomWeights.RandomInput(3 * BatchNormReference.InputLength, seed: 4506);
            double[][] expected = BatchNormReference.RunBatch(weights, input, 3);
            IFusedNetwork net = Create(winograd ? "bn-winograd" : "bn-direct", weights, new NetworkOptions { Threads = 2, SplitThreshold = 0 });
            using var owner = (IDisposable)net;
            string? reason = winograd ? ((BatchNormBeforeConvNet)net).FusedPathFallback : ((BatchNormBeforeConvDirectNet)net).FusedPathFallback;
            Assert.NotNull(reason);
            Assert.Contains("BatchNorm '5'", reason, StringComparison.Ordinal);
            Assert.Contains("channel 3", reason, StringComparison.Ordinal);
            foreach (bool fused in new[] { true, false })
                AssertClose(expected, Run(net, input, 3, fused), $"γ = 0, {(fused ? "Forward" : "ForwardUnfused")}");

            // The same γ = 0 only before the unpadded 1x1 conv (layer 11 → 12): folded exactly, no fallback.
            InMemoryWeights other = SweepWeights.Create(BatchNormReference, seed: 4505);
            float[] last = other.GetValues("11.weight").ToArray();
            last[7] = 0f;
            other.Set("11.weight", last, 10);
            using var exact = new BatchNormBeforeConvNet(other);
            Assert.Null(exact.FusedPathFallback);
            double[][] expectedOther = BatchNormReference.RunBatch(other, input, 3);
            AssertClose(expectedOther, Run(exact, input, 3, fused: true), "γ = 0 before the 1x1 conv, Forward");
        }

        [Fact]
        public void ModuleFrontEnd_MatchesTheReference()
        {
            var reference = new RefNetwork(3, 7, 9,
            [
                new RefNormalize(ImageNetMean, ImageNetStd), new RefConv2d(8, 3) { Padding = 1, Name = "conv1" }, new RefReLU(),
                new RefBatchNorm2d { Name = "bn" }, new RefConv2d(4, 3) { Padding = 1, Name = "conv2" },
            ]);
            Assert.Equal(["conv1.weight", "conv1.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "conv2.weight", "conv2.bias"],
                NormalizeModuleNet.ExpectedWeights.Select(w => w.Name));
            InMemoryWeights weights = SweepWeights.Create(reference, seed: 4507);
            float[] input = RandomWeights.RandomInput(3 * reference.InputLength, seed: 4508);
            double[][] expected = reference.RunBatch(weights, input, 3);
            using var net = new NormalizeModuleNet(weights);
            Assert.Equal(2, NormalizeModuleNet.Steps(true).Count); // Normalize + conv1 + ReLU, bn + conv2
            foreach (bool fused in new[] { true, false })
                AssertClose(expected, Run(net, input, 3, fused), $"module {(fused ? "Forward" : "ForwardUnfused")}");
        }

        [Fact]
        public void Forward_AllocatesNothing()
        {
            InMemoryWeights weights = SweepWeights.Create(BatchNormReference, seed: 4509);
            using var net = new BatchNormBeforeConvNet(weights, new NetworkOptions { Threads = 2, SplitThreshold = 0 });
            using var padded = new NormalizePaddedNet(SweepWeights.Create(PaddedReference, seed: 4510));
            float[] one = RandomWeights.RandomInput(BatchNormBeforeConvNet.InputLength, 1), three = RandomWeights.RandomInput(3 * BatchNormBeforeConvNet.InputLength, 2);
            float[] outOne = new float[BatchNormBeforeConvNet.OutputLength], outThree = new float[3 * BatchNormBeforeConvNet.OutputLength];
            float[] image = RandomWeights.RandomInput(NormalizePaddedNet.InputLength, 3), imageOut = new float[NormalizePaddedNet.OutputLength];
            void Calls()
            {
                net.Forward(one, outOne);
                net.ForwardUnfused(one, outOne);
                net.Forward(three, outThree, 3);
                net.ForwardUnfused(three, outThree, 3);
                padded.Forward(image, imageOut);
                padded.ForwardUnfused(image, imageOut);
            }
            for (int i = 0; i < 5; i++) Calls();
            Assert.Equal(0, AllocationMeter.LeastBytes(() =>
            {
                for (int i = 0; i < 20; i++) Calls();
            }));
        }

        /// <summary>
        /// The plan: the filled buffer is the folded conv's input only; no zero-border tensor of either path shares it (the
        /// fill is part of the layout key), and the unfused path never touches it.
        /// </summary>
        [Fact]
        public void FilledBorderBuffer_IsNeverSharedWithAZeroBorderTensor()
        {
            // Two same-shaped tensors with padded readers in a row: without the fill in the layout key, the second
            // (zero border) could reuse the first's buffer.
            string source = DiagnosticTests.Net("FusedNetwork(8, 6, 6)", "BatchNorm2d", "Conv2d(8, 3, Padding = 1)", "ReLU",
                "Conv2d(8, 3, Padding = 1)", "ReLU", "Conv2d(8, 3, Padding = 1)", "ReLU", "Conv2d(8, 3, Padding = 1)");
            NetworkPlan plan = PlanOf(source);
            BufferPlan filled = Assert.Single(plan.Buffers, b => b.BorderFillLayer >= 0);
            Assert.Equal(0, filled.BorderFillLayer);
            Assert.Equal(1, filled.Border);
            Assert.Equal(filled.Name, plan.Fused.InputBuffer);
            StepPlan reader = Assert.Single(plan.Fused.Steps, s => s.Reads.Contains(filled.Name));
            Assert.NotNull(reader.InputNormalization);
            Assert.DoesNotContain(plan.Fused.Steps, s => s.Output == filled.Name);
            Assert.DoesNotContain(plan.Unfused.Steps, s => s.Output == filled.Name || s.Reads.Contains(filled.Name));
            Assert.NotEqual(filled.Name, plan.Unfused.InputBuffer);
            // The zero-border tensors of the same shape and border share buffers among themselves, as before.
            Assert.True(plan.Buffers.Count(b => b.BorderFillLayer < 0 && b.Border == 1 && b.Shape == filled.Shape) >= 2);
        }

        [Fact]
        public void NotFolded_WhenTheInputHasAnotherReader_OrAnActivationFollows()
        {
            // The BatchNorm's input is also read by the Add: the normalisation stays a pass (a zero-border reader shares it).
            string source = FusedNet.Tests.Modules.ModuleSpecs.Usings + """
                namespace User
                {
                    [FusedNetwork(4, 5, 5), FusedModule]
                    public partial class Net : Module
                    {
                        readonly BatchNorm2d bn = new(4);
                        readonly Conv2d conv = new(4, 4, 3, padding: 1);
                        public Tensor Forward(Tensor x) => conv.Forward(bn.Forward(x)) + x;
                    }
                }
                """;
            NetworkPlan plan = PlanOf(source);
            Assert.DoesNotContain(plan.Buffers, b => b.BorderFillLayer >= 0);
            Assert.Contains(plan.Fused.Steps, s => s.Kind == StepKind.ScaleShift);
            Assert.DoesNotContain(plan.Fused.Steps, s => s.InputNormalization is not null);

            NetworkPlan activated = PlanOf(DiagnosticTests.Net("FusedNetwork(3, 5, 5)",
                "Normalize(new[] { 0.5f, 0.5f, 0.5f }, new[] { 0.5f, 0.5f, 0.5f })", "ReLU", "Conv2d(4, 3, Padding = 1)"));
            StepPlan pass = Assert.Single(activated.Fused.Steps, s => s.Kind == StepKind.ScaleShift);
            Assert.NotNull(pass.Normalization);
            Assert.DoesNotContain(activated.Buffers, b => b.BorderFillLayer >= 0);
        }

        private static NetworkPlan PlanOf(string source)
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(source);
            GeneratorAssert.NoGeneratorException(run);
            Assert.Empty(run.GeneratorDiagnostics);
            GeneratorRunResult result = Assert.Single(run.RunResult.Results);
            return (NetworkPlan)Assert.Single(result.TrackedSteps[GeneratorAssert.Plan].SelectMany(s => s.Outputs)).Value;
        }

        [Fact]
        public void FN0045_WrongLength_Attribute()
        {
            string source = DiagnosticTests.Net("FusedNetwork(3, 5, 5)", "Normalize(new[] { 0.5f, 0.5f }, new[] { 0.5f, 0.5f, 0.5f })", "Conv2d(4, 3)");
            GeneratorAssert.SingleError(GeneratorHarness.RunGenerator(source), source, "FN0045", "Normalize(new[] { 0.5f, 0.5f }, new[] { 0.5f, 0.5f, 0.5f })",
                "Layer 0 '0' (Normalize): mean has 2 values and std 3, but the input [3, 5, 5] has 3 channels; give one mean and one std per channel");
        }

        [Theory]
        [InlineData("0f", "0")]
        [InlineData("-0.5f", "-0.5")]
        [InlineData("float.NaN", "NaN")]
        [InlineData("float.PositiveInfinity", "Infinity")]
        public void FN0046_StdNotPositiveFinite(string std, string shown)
        {
            string attribute = $"Normalize(new[] {{ 0.5f, 0.5f, 0.5f }}, new[] {{ 1f, {std}, 1f }})";
            string source = DiagnosticTests.Net("FusedNetwork(3, 5, 5)", attribute, "Conv2d(4, 3)");
            GeneratorAssert.SingleError(GeneratorHarness.RunGenerator(source), source, "FN0046", attribute,
                $"Layer 0 '0' (Normalize): std[1] = {shown} must be a positive finite number (y = (x - mean) / std)");
        }

        [Fact]
        public void FN0047_MeanNotFinite()
        {
            const string attribute = "Normalize(new[] { 0.5f, 0.5f, float.NegativeInfinity }, new[] { 1f, 1f, 1f })";
            string source = DiagnosticTests.Net("FusedNetwork(3, 5, 5)", attribute, "Conv2d(4, 3)");
            GeneratorAssert.SingleError(GeneratorHarness.RunGenerator(source), source, "FN0047", attribute,
                "Layer 0 '0' (Normalize): mean[2] = -Infinity must be a finite number");
        }

        [Fact]
        public void FN0045_ModuleFrontEnd()
        {
            string source = FusedNet.Tests.Modules.ModuleSpecs.Usings + """
                namespace User
                {
                    [FusedNetwork(4, 4, 4), FusedModule]
                    public partial class Net : Module
                    {
                        readonly Normalize normalize = new([0.1f, 0.2f, 0.3f], [1f, 1f, 1f]);
                        public Tensor Forward(Tensor x) => normalize.Forward(x);
                    }
                }
                """;
            GeneratorRun run = GeneratorHarness.RunGenerator(source);
            GeneratorAssert.NoGeneratorException(run);
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("FN0045", diagnostic.Id);
            Assert.Equal("Layer 0 'normalize' (Normalize): mean has 3 values and std 3, but the input [4, 4, 4] has 4 channels; give one mean and one std per channel",
                diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Empty(run.GeneratedSources);
        }

        [Fact]
        public void ModuleFrontEnd_ArrayWithoutValues_IsAnError()
        {
            string source = FusedNet.Tests.Modules.ModuleSpecs.Usings + """
                namespace User
                {
                    [FusedNetwork(3, 4, 4), FusedModule]
                    public partial class Net : Module
                    {
                        readonly Normalize normalize = new(new float[3], [1f, 1f, 1f]);
                        public Tensor Forward(Tensor x) => normalize.Forward(x);
                    }
                }
                """;
            GeneratorRun run = GeneratorHarness.RunGenerator(source);
            GeneratorAssert.NoGeneratorException(run);
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            Assert.NotEqual("FN9999", diagnostic.Id);
            Assert.Contains("new float[3]", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            Assert.Empty(run.GeneratedSources);
        }

        private static float[] Run(IFusedNetwork net, float[] input, int batch, bool fused)
        {
            float[] output = new float[batch * net.OutputLength];
            Array.Fill(output, float.NaN);
            if (fused) net.Forward(input, output, batch);
            else net.ForwardUnfused(input, output, batch);
            return output;
        }

        private static void AssertClose(double[][] expected, float[] actual, string what)
        {
            int length = expected[0].Length;
            for (int n = 0; n < expected.Length; n++)
            for (int i = 0; i < length; i++)
            {
                double e = expected[n][i], a = actual[n * length + i];
                Assert.True(Math.Abs(a - e) <= Tolerance * Math.Max(1, Math.Abs(e)), $"{what}: sample {n} [{i}]: {a} vs reference {e}");
            }
        }
    }
}
