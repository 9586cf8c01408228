using System;
using System.Collections.Generic;
using System.IO;
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
    /// <summary><see cref="NormalizePaddedNet"/> with mean and std read from the weights (0.mean, 0.std).</summary>
    [FusedNetwork(3, 11, 9)]
    [Normalize]
    [Conv2d(10, 3, Padding = 1)]
    [ReLU]
    public partial class NormalizeTensorsPaddedNet;

    /// <summary><see cref="NormalizeStrideNet"/> with mean and std read from the weights.</summary>
    [FusedNetwork(3, 10, 7)]
    [Normalize]
    [Conv2d(12, 5, Stride = 2, Padding = 2, Bias = false)]
    public partial class NormalizeTensorsStrideNet;

    /// <summary>
    /// 17 channels: folded into a 17 → 20 3x3 padded conv (Winograd where the planner picks it), folded into a stride-2 conv
    /// with padding 2 whose input is an activation's output (a filled border on an inner buffer), kept as a pass before an
    /// activation, and ending the network under a Name override.
    /// </summary>
    [FusedNetwork(17, 9, 7)]
    [Normalize]
    [Conv2d(20, 3, Padding = 1)]
    [ReLU]
    [Normalize]
    [Conv2d(6, 3, Stride = 2, Padding = 2)]
    [Normalize]
    [Sigmoid]
    [Normalize(Name = "last")]
    public partial class NormalizeTensorsWideNet;

    /// <summary><see cref="NormalizeTensorsWideNet"/> with Winograd off.</summary>
    [FusedNetwork(17, 9, 7, Winograd = false)]
    [Normalize]
    [Conv2d(20, 3, Padding = 1)]
    [ReLU]
    [Normalize]
    [Conv2d(6, 3, Stride = 2, Padding = 2)]
    [Normalize]
    [Sigmoid]
    [Normalize(Name = "last")]
    public partial class NormalizeTensorsWideDirectNet;

    /// <summary><see cref="NormalizeModuleNet"/> with <c>new Normalize(3)</c>: normalize.mean and normalize.std from the weights.</summary>
    [FusedNetwork(3, 7, 9), FusedModule]
    public partial class NormalizeTensorsModuleNet : Module
    {
        readonly Normalize normalize = new(3);
        readonly Conv2d conv1 = new(3, 8, 3, padding: 1);
        readonly BatchNorm2d bn = new(8);
        readonly Conv2d conv2 = new(8, 4, 3, padding: 1);

        public Tensor Forward(Tensor x) => conv2.Forward(bn.Forward(F.Relu(conv1.Forward(normalize.Forward(x)))));
    }

    /// <summary>
    /// Normalize whose mean and std are the tensors P.mean and P.std of the weights (<c>[Normalize]</c>, <c>new
    /// Normalize(numChannels)</c>). It must compute exactly what the constant form computes with the same values (bit for bit:
    /// same fold, same border fill, same pass), match the unfolded double reference (tolerance 1e-4·max(1, |ref|), as
    /// <see cref="NormalizeTests"/>: float accumulation over at most 180 products per output, the fold in double) on both
    /// paths, batch 1 and 3, 1 and 2 threads, Winograd on and off, border pixels included; reject bad tensor values at
    /// construction; and list the tensors in the metadata. The weights give every Normalize non-trivial statistics
    /// (<see cref="SweepWeights"/>: means in [−1, 1], stds in [0.2, 2]), so a network ignoring the tensors fails.
    /// </summary>
    public class NormalizeTensorTests
    {
        private const double Tolerance = 1e-4;

        private static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f], ImageNetStd = [0.229f, 0.224f, 0.225f];

        private static readonly RefNetwork PaddedReference = new(3, 11, 9,
            [new RefNormalizeTensors(), new RefConv2d(10, 3) { Padding = 1 }, new RefReLU()]);

        private static readonly RefNetwork StrideReference = new(3, 10, 7,
            [new RefNormalizeTensors(), new RefConv2d(12, 5) { Stride = 2, Padding = 2, Bias = false }]);

        private static readonly RefNetwork WideReference = new(17, 9, 7,
        [
            new RefNormalizeTensors(), new RefConv2d(20, 3) { Padding = 1 }, new RefReLU(),
            new RefNormalizeTensors(), new RefConv2d(6, 3) { Stride = 2, Padding = 2 },
            new RefNormalizeTensors(), new RefSigmoid(), new RefNormalizeTensors { Name = "last" },
        ]);

        private static readonly RefNetwork ModuleReference = new(3, 7, 9,
        [
            new RefNormalizeTensors { Name = "normalize" }, new RefConv2d(8, 3) { Padding = 1, Name = "conv1" }, new RefReLU(),
            new RefBatchNorm2d { Name = "bn" }, new RefConv2d(4, 3) { Padding = 1, Name = "conv2" },
        ]);

        private static IFusedNetwork Create(string name, IWeightSource weights, NetworkOptions? options = null)
        {
            options ??= new NetworkOptions();
            return name switch
            {
                "padded" => new NormalizeTensorsPaddedNet(weights, options),
                "stride" => new NormalizeTensorsStrideNet(weights, options),
                "wide" => new NormalizeTensorsWideNet(weights, options),
                "wide-direct" => new NormalizeTensorsWideDirectNet(weights, options),
                "module" => new NormalizeTensorsModuleNet(weights, options),
                _ => throw new ArgumentException(name),
            };
        }

        private static RefNetwork ReferenceOf(string name) => name switch
        {
            "padded" => PaddedReference,
            "stride" => StrideReference,
            "module" => ModuleReference,
            _ => WideReference,
        };

        public static IEnumerable<object[]> Runs() =>
            from name in new[] { "padded", "stride", "wide", "wide-direct", "module" }
            from threads in new[] { 1, 2 }
            from batch in new[] { 1, 3 }
            select new object[] { name, threads, batch };

        [Theory]
        [MemberData(nameof(Runs))]
        public void MatchesTheUnfoldedReference_OnBothPaths(string name, int threads, int batch)
        {
            RefNetwork reference = ReferenceOf(name);
            InMemoryWeights weights = SweepWeights.Create(reference, seed: 4601);
            float[] input = RandomWeights.RandomInput(batch * reference.InputLength, seed: 4602);
            double[][] expected = reference.RunBatch(weights, input, batch);
            IFusedNetwork net = Create(name, weights, new NetworkOptions { Threads = threads, SplitThreshold = 0 });
            using var owner = (IDisposable)net;
            foreach (bool fused in new[] { true, false })
                AssertClose(expected, Run(net, input, batch, fused), $"{name} {(fused ? "Forward" : "ForwardUnfused")}");
        }

        public static IEnumerable<object[]> Twins() =>
            from name in new[] { "padded", "stride", "module" }
            from threads in new[] { 1, 2 }
            from batch in new[] { 1, 3 }
            select new object[] { name, threads, batch };

        /// <summary>
        /// The constant form's network and the tensor form's, with the same conv (and BatchNorm) weights and the constants as
        /// the tensors: the same fold, border fill and pass, so the outputs are identical bit for bit on both paths.
        /// </summary>
        [Theory]
        [MemberData(nameof(Twins))]
        public void MatchesTheConstantForm_BitForBit(string name, int threads, int batch)
        {
            (float[] mean, float[] std, string prefix) = name == "stride"
                ? (new[] { 0.5f, -1f, 2f }, new[] { 0.25f, 2f, 0.5f }, "0")
                : (ImageNetMean, ImageNetStd, name == "module" ? "normalize" : "0");
            InMemoryWeights weights = SweepWeights.Create(ReferenceOf(name), seed: 4603);
            weights.Set(prefix + ".mean", mean, 3);
            weights.Set(prefix + ".std", std, 3);
            var options = new NetworkOptions { Threads = threads, SplitThreshold = 0 };
            // The constant form ignores the two extra tensors (a loader ignores tensors a network does not expect).
            IFusedNetwork constants = name switch
            {
                "padded" => new NormalizePaddedNet(weights, options),
                "stride" => new NormalizeStrideNet(weights, options),
                _ => new NormalizeModuleNet(weights, options),
            };
            IFusedNetwork tensors = Create(name, weights, options);
            using var owner1 = (IDisposable)constants;
            using var owner2 = (IDisposable)tensors;
            float[] input = RandomWeights.RandomInput(batch * constants.InputLength, seed: 4604);
            foreach (bool fused in new[] { true, false })
            {
                float[] expected = Run(constants, input, batch, fused), actual = Run(tensors, input, batch, fused);
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                        $"{name} {(fused ? "Forward" : "ForwardUnfused")} [{i}]: tensors {actual[i]:R}, constants {expected[i]:R}");
            }
        }

        /// <summary>
        /// Border pixels, explicitly (as <see cref="NormalizeTests.BorderPixels_AreExact_NotTheNaiveFold"/>, with the statistics
        /// read from the weights): a naive fold pads the normalised input with −mean/std instead of 0; it differs from the exact
        /// answer on every border pixel and on no interior one, and both paths give the exact answer.
        /// </summary>
        [Fact]
        public void BorderPixels_AreExact_NotTheNaiveFold()
        {
            InMemoryWeights weights = SweepWeights.Create(PaddedReference, seed: 4605);
            float[] mean = weights.GetValues("0.mean").ToArray(), std = weights.GetValues("0.std").ToArray();
            using var net = new NormalizeTensorsPaddedNet(weights);
            BorderFoldAssert.ExactNotNaive(net, weights, mean, std, channels: 3, height: 11, width: 9, outChannels: 10, inputSeed: 4606);
        }

        [Fact]
        public void Metadata_ListsMeanAndStd_AndTheStepsFoldThem()
        {
            Assert.Equal(
                [("0.mean", WeightRole.NormalizeMean, "0", "[3]"), ("0.std", WeightRole.NormalizeStd, "0", "[3]"),
                 ("1.weight", WeightRole.ConvWeight, "1", "[10, 3, 3, 3]"), ("1.bias", WeightRole.ConvBias, "1", "[10]")],
                NormalizeTensorsPaddedNet.ExpectedWeights.Select(w => (w.Name, w.Role, w.LayerName, w.ShapeText)));
            Assert.Equal(["0.mean", "0.std", "1.weight", "1.bias", "3.mean", "3.std", "4.weight", "4.bias", "5.mean", "5.std", "last.mean", "last.std"],
                NormalizeTensorsWideNet.ExpectedWeights.Select(w => w.Name));
            Assert.All(NormalizeTensorsWideNet.ExpectedWeights.Where(w => w.Role is WeightRole.NormalizeMean or WeightRole.NormalizeStd),
                w => Assert.Equal(w.Name.StartsWith("3.", StringComparison.Ordinal) ? "[20]" : w.Name.StartsWith("5.", StringComparison.Ordinal) || w.Name.StartsWith("last.", StringComparison.Ordinal) ? "[6]" : "[17]", w.ShapeText));
            Assert.Equal(["normalize.mean", "normalize.std", "conv1.weight", "conv1.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "conv2.weight", "conv2.bias"],
                NormalizeTensorsModuleNet.ExpectedWeights.Select(w => w.Name));

            // mean and std are buffers (PyTorch registers them so), not learnable parameters.
            LayerInfo layer = NormalizeTensorsPaddedNet.Layers[0];
            Assert.Equal(("Normalize", "Normalize(3, mean=0.mean, std=0.std)", 0L), (layer.Kind, layer.Description, layer.ParameterCount));
            Assert.Equal("Normalize(3, mean=normalize.mean, std=normalize.std)", NormalizeTensorsModuleNet.Layers[0].Description);

            IReadOnlyList<string> fused = NormalizeTensorsPaddedNet.Steps(true), unfused = NormalizeTensorsPaddedNet.Steps(false);
            Assert.Contains("Normalize(3, mean=0.mean, std=0.std) + Conv2d(3, 10", Assert.Single(fused), StringComparison.Ordinal);
            Assert.Equal(3, unfused.Count);
            Assert.StartsWith("Normalize(3, mean=0.mean", unfused[0], StringComparison.Ordinal);
            // Wide: two folds (conv + ReLU, conv), then the pass before Sigmoid (with it) and the last one: 4 steps; unfused one per layer.
            Assert.Equal(4, NormalizeTensorsWideNet.Steps(true).Count);
            Assert.Equal(8, NormalizeTensorsWideNet.Steps(false).Count);
        }

        /// <summary>The plan: the tensor form folds like the constant form, reading its tensors, with Winograd on the 17 → 20 conv.</summary>
        [Fact]
        public void Plan_FoldsFromTheTensors_WithAFilledBorder_AndWinograd()
        {
            NetworkPlan plan = PlanOf(DiagnosticTests.Net("FusedNetwork(17, 9, 7)", "Normalize", "Conv2d(20, 3, Padding = 1)", "ReLU",
                "Normalize", "Conv2d(6, 3, Stride = 2, Padding = 2)", "Normalize", "Sigmoid"), out string generated);
            StepPlan first = plan.Fused.Steps[0], second = plan.Fused.Steps[1];
            Assert.Equal((0, 0, ConvAlgorithm.Winograd), (first.InputNormalization!.Layer, first.InputNormalization.NormalizeFirstTensor, first.Algorithm));
            Assert.Equal((3, 4), (second.InputNormalization!.Layer, second.InputNormalization.NormalizeFirstTensor));
            Assert.Equal([0, 3], plan.Buffers.Where(b => b.BorderFillLayer >= 0).Select(b => b.BorderFillLayer).Order());
            StepPlan pass = Assert.Single(plan.Fused.Steps, s => s.Kind == StepKind.ScaleShift);
            Assert.Equal((5, 8, -1), (pass.Normalization!.Layer, pass.Normalization.NormalizeFirstTensor, pass.BatchNormFirstTensor));
            Assert.Equal(3, plan.Unfused.Steps.Count(s => s.Normalization?.NormalizeFirstTensor >= 0));

            // The generated constructor says where the constants come from.
            Assert.Contains("BorderFill_Layer0 = raw[0]; // Normalize maps mean[c] to 0; the mean comes from the tensor 0.mean", generated, StringComparison.Ordinal);
            Assert.Contains("InputNormalizationFolding.NormalizeScaleShift(raw[0], raw[1]);", generated, StringComparison.Ordinal);
            Assert.Contains("mean and std from the tensors 5.mean and 5.std", generated, StringComparison.Ordinal);
            Assert.Contains("InputNormalizationFolding.NormalizePass(raw[8], raw[9], \"Net\", \"5\");", generated, StringComparison.Ordinal);
        }

        public static IEnumerable<object[]> BadValues() =>
        [
            ["padded", "std", 1, 0f, "every Normalize std must be positive (y = (x - mean) / std), actual 0.std[1] = 0"],
            ["padded", "std", 1, -0f, "every Normalize std must be positive (y = (x - mean) / std), actual 0.std[1] = -0"],
            ["padded", "std", 2, -0.5f, "every Normalize std must be positive (y = (x - mean) / std), actual 0.std[2] = -0.5"],
            ["padded", "std", 0, float.NaN, "tensor '0.std' of layer '0': expected finite values, actual NaN at flat index 0"],
            ["padded", "mean", 2, float.PositiveInfinity, "tensor '0.mean' of layer '0': expected finite values, actual Infinity at flat index 2"],
            ["module", "std", 0, 0f, "tensor 'normalize.std' of layer 'normalize': every Normalize std must be positive (y = (x - mean) / std), actual normalize.std[0] = 0"],
            ["wide", "std", 19, -2f, "tensor '3.std' of layer '3': every Normalize std must be positive (y = (x - mean) / std), actual 3.std[19] = -2"],
        ];

        /// <summary>A std that is not positive, or a non-finite value, is rejected at construction naming network, tensor and value.</summary>
        [Theory]
        [MemberData(nameof(BadValues))]
        public void BadTensorValues_AreRejectedAtConstruction(string name, string tensor, int index, float value, string expected)
        {
            InMemoryWeights weights = SweepWeights.Create(ReferenceOf(name), seed: 4607);
            string prefix = name switch { "module" => "normalize", "wide" => "3", _ => "0" };
            float[] values = weights.GetValues($"{prefix}.{tensor}").ToArray();
            values[index] = value;
            weights.Set($"{prefix}.{tensor}", values, values.Length);
            var error = Assert.Throws<InvalidDataException>(() => ((IDisposable)Create(name, weights)).Dispose());
            Assert.StartsWith(name switch { "module" => "NormalizeTensorsModuleNet", "wide" => "NormalizeTensorsWideNet", _ => "NormalizeTensorsPaddedNet" } + ": cannot load weights",
                error.Message, StringComparison.Ordinal);
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }

        /// <summary>
        /// A std so small that 1/std overflows float (positive and finite, so the loader accepts it): the fold and the pass
        /// refuse it at construction, naming the layer, instead of computing ∞ − ∞ = NaN where PyTorch's value is finite.
        /// </summary>
        [Theory]
        [InlineData("padded", "0", "folding the normalisation '0' into the convolution after it overflows float")]
        [InlineData("wide", "5", "Normalize '5' channel 1: mean = ")]
        public void StdOverflowingTheScale_IsRejected(string name, string prefix, string expected)
        {
            InMemoryWeights weights = SweepWeights.Create(ReferenceOf(name), seed: 4608);
            float[] std = weights.GetValues(prefix + ".std").ToArray();
            std[1] = 1e-39f;
            weights.Set(prefix + ".std", std, std.Length);
            var error = Assert.Throws<InvalidDataException>(() => ((IDisposable)Create(name, weights)).Dispose());
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void WrongShape_OrMissingTensor_GivesTheLoadersError()
        {
            InMemoryWeights weights = SweepWeights.Create(PaddedReference, seed: 4609);
            // A PyTorch model often registers its statistics as [1, 3, 1, 1] for broadcasting: FusedNet expects [C].
            weights.Set("0.mean", [0.5f, 0.5f, 0.5f], 1, 3, 1, 1);
            var error = Assert.Throws<InvalidDataException>(() => new NormalizeTensorsPaddedNet(weights));
            Assert.Contains("tensor '0.mean' of layer '0': expected shape [3], actual [1, 3, 1, 1]", error.Message, StringComparison.Ordinal);

            weights.Set("0.mean", [0.5f, 0.5f, 0.5f], 3);
            weights.Set("0.std", [1f, 1f, 1f, 1f], 4);
            error = Assert.Throws<InvalidDataException>(() => new NormalizeTensorsPaddedNet(weights));
            Assert.Contains("tensor '0.std' of layer '0': expected shape [3], actual [4]", error.Message, StringComparison.Ordinal);

            Assert.True(weights.Remove("0.std"));
            error = Assert.Throws<InvalidDataException>(() => new NormalizeTensorsPaddedNet(weights));
            Assert.Contains("missing tensor: '0.std' [3]", error.Message, StringComparison.Ordinal);
        }

        /// <summary>Seeded random weights give mean 0 and std 1: the identity, so the network computes its conv alone.</summary>
        [Fact]
        public void SeededRandomWeights_GiveTheIdentity()
        {
            InMemoryWeights weights = RandomWeights.Create(NormalizeTensorsPaddedNet.ExpectedWeights, seed: 4610);
            Assert.Equal([0f, 0f, 0f], weights.GetValues("0.mean").ToArray());
            Assert.Equal([1f, 1f, 1f], weights.GetValues("0.std").ToArray());
            var convOnly = new RefNetwork(3, 11, 9, [new RefConv2d(10, 3) { Padding = 1, Name = "1" }, new RefReLU()]);
            float[] input = RandomWeights.RandomInput(3 * convOnly.InputLength, seed: 4611);
            double[][] expected = convOnly.RunBatch(weights, input, 3);
            using var net = new NormalizeTensorsPaddedNet(weights);
            foreach (bool fused in new[] { true, false })
                AssertClose(expected, Run(net, input, 3, fused), $"identity {(fused ? "Forward" : "ForwardUnfused")}");
        }

        [Fact]
        public void Forward_AllocatesNothing()
        {
            using var wide = new NormalizeTensorsWideNet(SweepWeights.Create(WideReference, seed: 4612), new NetworkOptions { Threads = 2, SplitThreshold = 0 });
            using var module = new NormalizeTensorsModuleNet(SweepWeights.Create(ModuleReference, seed: 4613));
            float[] one = RandomWeights.RandomInput(NormalizeTensorsWideNet.InputLength, 1), three = RandomWeights.RandomInput(3 * NormalizeTensorsWideNet.InputLength, 2);
            float[] outOne = new float[NormalizeTensorsWideNet.OutputLength], outThree = new float[3 * NormalizeTensorsWideNet.OutputLength];
            float[] image = RandomWeights.RandomInput(NormalizeTensorsModuleNet.InputLength, 3), imageOut = new float[NormalizeTensorsModuleNet.OutputLength];
            void Calls()
            {
                wide.Forward(one, outOne);
                wide.ForwardUnfused(one, outOne);
                wide.Forward(three, outThree, 3);
                wide.ForwardUnfused(three, outThree, 3);
                module.Forward(image, imageOut);
                module.ForwardUnfused(image, imageOut);
            }
            for (int i = 0; i < 5; i++) Calls();
            Assert.Equal(0, AllocationMeter.LeastBytes(() =>
            {
                for (int i = 0; i < 20; i++) Calls();
            }));
        }

        [Fact]
        public void NumChannelsMismatch_IsFN0031()
        {
            string source = FusedNet.Tests.Modules.ModuleSpecs.Usings + """
                namespace User
                {
                    [FusedNetwork(3, 5, 5), FusedModule]
                    public partial class Net : Module
                    {
                        readonly Normalize normalize = new(4);
                        readonly Conv2d conv = new(3, 4, 3, padding: 1);
                        public Tensor Forward(Tensor x) => conv.Forward(normalize.Forward(x));
                    }
                }
                """;
            GeneratorRun run = GeneratorHarness.RunGenerator(source);
            GeneratorAssert.NoGeneratorException(run);
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("FN0031", diagnostic.Id);
            Assert.Equal("Layer 0 'normalize' (Normalize): declared with numChannels = 4, but its input is [3, 5, 5] (3 channels). Change the argument to 3, or check the layer before it.",
                diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Empty(run.GeneratedSources);
        }

        /// <summary>
        /// The tensor form's name is a weight prefix (it must be unique, FN0014); two constant-form Normalize layers may still
        /// share a name, as they read nothing.
        /// </summary>
        [Fact]
        public void TensorForm_NameIsAWeightPrefix()
        {
            const string attribute = "Normalize(Name = \"x\")";
            string source = DiagnosticTests.Net("FusedNetwork(3, 5, 5)", "Conv2d(3, 1, Name = \"x\")", attribute);
            GeneratorAssert.SingleError(GeneratorHarness.RunGenerator(source), source, "FN0014", attribute,
                "Layer 1 'x' (Normalize): weight prefix 'x' is already used by Layer 0 'x' (Conv2d); both would read 'x.weight'");

            const string constant = "Normalize(new[] { 0f, 0f, 0f }, new[] { 1f, 1f, 1f }, Name = \"x\")";
            GeneratorRun run = GeneratorHarness.RunGenerator(DiagnosticTests.Net("FusedNetwork(3, 5, 5)", "Conv2d(3, 1, Name = \"x\")", constant));
            GeneratorAssert.NoGeneratorException(run);
            Assert.Empty(run.GeneratorDiagnostics);
        }

        private static NetworkPlan PlanOf(string source, out string generated)
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(source);
            GeneratorAssert.NoGeneratorException(run);
            Assert.Empty(run.GeneratorDiagnostics);
            generated = Assert.Single(run.GeneratedSources).Text;
            GeneratorRunResult result = Assert.Single(run.RunResult.Results);
            return (NetworkPlan)Assert.Single(result.TrackedSteps[GeneratorAssert.Plan].SelectMany(s => s.Outputs)).Value;
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
