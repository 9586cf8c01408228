using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using FusedNet.Onnx;
using FusedNet.Onnx.Specs;
using FusedNet.Tests.Harness;
using FusedNet.Tests.Weights;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace FusedNet.Tests.OnnxOracle
{
    /// <summary>
    /// The graph rows of the bench's network specs (bench/FusedNet.Onnx/Specs: Add, Cat, Mul, AdaptiveAvgPool2d, rows
    /// naming their inputs) and the torchvision specs built from them (TorchvisionSpecs, used by the bench's resnet18
    /// and mobilenetv2 rows): the tensors they expect are torchvision's (the name manifests in tests/fixtures/torchvision),
    /// their ONNX graphs run by ONNX Runtime agree with their double reference, and on libtorch's own weights and input
    /// (mobilenet_v2_10_035_96) both reproduce libtorch's output.
    /// </summary>
    public class GraphSpecTests
    {
        private readonly ITestOutputHelper _output;

        public GraphSpecTests(ITestOutputHelper output) => _output = output;

        public static TheoryData<string> ManifestCases() => new() { "resnet18", "mobilenet_v2", "mobilenet_v2_10_035_96" };

        private static NetworkSpec SpecOf(string manifest) => manifest switch
        {
            "resnet18" => TorchvisionSpecs.ResNet18(),
            "mobilenet_v2" => TorchvisionSpecs.MobileNetV2(),
            "mobilenet_v2_10_035_96" => TorchvisionSpecs.MobileNetV2(inputSize: 96, classes: 10, widthMult: 0.35),
            _ => throw new ArgumentOutOfRangeException(nameof(manifest)),
        };

        [Theory]
        [MemberData(nameof(ManifestCases))]
        public void SpecExpectsExactlyTheTorchvisionTensors(string manifest)
        {
            // name \t dtype \t comma-separated shape; num_batches_tracked (I64, shape []) is not read by FusedNet.
            var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (string line in File.ReadAllLines(Fixtures.PathOf(Path.Combine("torchvision", manifest + ".manifest.tsv"))))
            {
                if (line.Length == 0) continue;
                string[] fields = line.Split('\t');
                if (fields[0].EndsWith(".num_batches_tracked", StringComparison.Ordinal)) continue;
                Assert.Equal("Float32", fields[1]);
                expected.Add(fields[0], "[" + fields[2].Replace(",", ", ", StringComparison.Ordinal) + "]");
            }

            NetworkSpec spec = SpecOf(manifest);
            var actual = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, shape) in spec.ExpectedWeights())
                actual.Add(name, "[" + string.Join(", ", shape) + "]"); // Add throws on a duplicate name

            var missing = expected.Where(e => !actual.ContainsKey(e.Key)).Select(e => $"{e.Key} {e.Value}").ToList();
            var extra = actual.Where(a => !expected.ContainsKey(a.Key)).Select(a => $"{a.Key} {a.Value}").ToList();
            var wrongShape = expected.Where(e => actual.TryGetValue(e.Key, out string? s) && s != e.Value)
                .Select(e => $"{e.Key}: manifest {e.Value}, spec {actual[e.Key]}").ToList();
            Assert.True(missing.Count + extra.Count + wrongShape.Count == 0,
                $"{manifest}: missing from the spec: {string.Join("; ", missing)}\nnot in the manifest: {string.Join("; ", extra)}\nshapes: {string.Join("; ", wrongShape)}");
            _output.WriteLine($"{manifest}: {actual.Count} float tensors, {spec.Layers.Count} rows, {spec.MultiplyAccumulates():N0} MACs, output {spec.OutputShape}");
        }

        [Fact]
        public void TorchvisionShapesAndMultiplyAccumulates()
        {
            NetworkSpec resnet = TorchvisionSpecs.ResNet18();
            NetworkSpec mobilenet = TorchvisionSpecs.MobileNetV2();
            Assert.Equal(TensorShape.Flat(1000), resnet.OutputShape);
            Assert.Equal(TensorShape.Flat(1000), mobilenet.OutputShape);
            // The published counts: ResNet-18 1.814 G multiply-adds, MobileNetV2 300.8 M (conv and linear layers).
            Assert.InRange(resnet.MultiplyAccumulates(), 1_810_000_000L, 1_820_000_000L);
            Assert.InRange(mobilenet.MultiplyAccumulates(), 295_000_000L, 305_000_000L);
            // 8 BasicBlocks (3 with a downsample), 10 of MobileNetV2's 17 blocks have a residual Add.
            Assert.Equal(8, resnet.Layers.Count(l => l is AddSpec));
            Assert.Equal(3, resnet.Layers.Count(l => l.Name?.EndsWith(".downsample.0", StringComparison.Ordinal) == true));
            Assert.Equal(10, mobilenet.Layers.Count(l => l is AddSpec));
            Assert.True(resnet.IsGraph && mobilenet.IsGraph);
        }

        [Fact]
        public void ChainSpecsStayChains()
        {
            var spec = new NetworkSpec(new TensorShape(2, 4, 4), new ConvSpec(3, 3, padding: 1), ActivationSpec.Relu(), new GlobalAvgPoolSpec());
            Assert.False(spec.IsGraph);
            Assert.Equal(new[] { -1 }, spec.LayerInputIndices(0));
            Assert.Equal(new[] { 0 }, spec.LayerInputIndices(1));
            Assert.Equal(new[] { 1 }, spec.LayerInputIndices(2));
        }

        [Fact]
        public void RowsMayOnlyReadEarlierRows()
        {
            var shape = new TensorShape(2, 4, 4);
            Assert.Throws<ArgumentException>(() => new NetworkSpec(shape, ActivationSpec.Relu(), new AddSpec().From(0, 1)));
            Assert.Throws<ArgumentException>(() => new NetworkSpec(shape, ActivationSpec.Relu(), new AddSpec().From(0)));
            Assert.Throws<ArgumentException>(() => new NetworkSpec(shape, ActivationSpec.Relu(), ActivationSpec.Relu().From(-2)));
            Assert.Throws<ArgumentException>(() => new NetworkSpec(shape, new ConvSpec(3, 1), new AddSpec().From(-1, 0))); // 2 vs 3 channels
            Assert.Throws<ArgumentException>(() => new NetworkSpec(shape, new AddSpec()));                                // no From
        }

        /// <summary>
        /// Every graph row kind in one small network (a squeeze-excite scale with both scale shapes, a channel
        /// concatenation of three tensors, two residual adds, a read of the network input far down): ORT (no graph
        /// optimisation) and the double reference agree.
        /// </summary>
        [Fact]
        public void SmallGraphOnnxRuntimeAgreesWithReference()
        {
            var spec = new NetworkSpec(new TensorShape(4, 9, 9),
                new ConvSpec(8, 3, padding: 1).Named("stem"),                        // 0: [8, 9, 9]
                new BatchNormSpec().Named("stem_bn"),                                 // 1
                ActivationSpec.Relu(),                                                // 2
                new ConvSpec(8, 3, padding: 1, groups: 8, bias: false).Named("dw").From(2), // 3
                new AddSpec().From(3, 2),                                             // 4: residual
                new AdaptiveAvgPoolSpec().From(4),                                    // 5: [8, 1, 1]
                new ConvSpec(8, 1).Named("se"),                                       // 6: [8, 1, 1]
                ActivationSpec.Sigmoid(),                                             // 7
                new MulSpec().From(4, 7),                                             // 8: [8, 9, 9] · [8, 1, 1]
                new ConvSpec(4, 1, bias: false).Named("shortcut").From(-1),           // 9: from the network input
                new ConcatSpec().From(8, 9, -1),                                      // 10: [20, 9, 9]
                new ConvSpec(6, 3, stride: 2, padding: 1).Named("down"),              // 11: [6, 5, 5]
                new AdaptiveAvgPoolSpec(),                                            // 12: [6, 1, 1]
                new FlattenSpec(),                                                    // 13: [6]
                new LinearSpec(6).Named("fc"),                                        // 14: [6]
                ActivationSpec.Sigmoid(),                                             // 15
                new MulSpec().From(14, 15),                                           // 16: [6] · [6] elementwise
                new ConvSpec(6, 1).Named("late").From(11),                            // 17: [6, 5, 5]
                new MulSpec().From(17, 16),                                           // 18: [6, 5, 5] · flat [6] → Reshape
                new AddSpec().From(18, 11));                                          // 19
            Assert.Equal(new TensorShape(6, 5, 5), spec.OutputShape);
            Assert.Equal(new[] { 8, 9, -1 }, spec.LayerInputIndices(10));

            IWeightSource weights = RandomWeights.Create(spec.ExpectedWeightInfos(), seed: 3);
            float[] input = RandomWeights.RandomInput(spec.InputShape.Length, seed: 4);
            CompareOrtWithReference(spec, weights, input, "small_graph", tolerance: 1e-5);
        }

        /// <summary>ResNet-18 and MobileNetV2 at a small input (the same rows, a quarter of the pixels): ORT and the reference agree.</summary>
        [Theory]
        [InlineData("resnet18")]
        [InlineData("mobilenet_v2")]
        public void TorchvisionSpecsOnnxRuntimeAgreesWithReference(string name)
        {
            NetworkSpec spec = name == "resnet18" ? TorchvisionSpecs.ResNet18(inputSize: 64, classes: 10) : TorchvisionSpecs.MobileNetV2(inputSize: 64, classes: 10);
            IWeightSource weights = RandomWeights.Create(spec.ExpectedWeightInfos(), seed: 42);
            float[] input = RandomWeights.RandomInput(spec.InputShape.Length, seed: 7);
            CompareOrtWithReference(spec, weights, input, name, tolerance: 1e-4);
        }

        /// <summary>
        /// torchvision's mobilenet_v2(num_classes=10, width_mult=0.35) on libtorch's saved weights and input (2 samples of
        /// 3×96×96, fixture README): the spec's ONNX graph in ORT and its double reference both reproduce libtorch's logits,
        /// so the spec's rows (residual adds, ReLU6, depthwise strides, names) are torchvision's network, not just its names.
        /// </summary>
        [Fact]
        public void MobileNetV2SpecReproducesLibtorch()
        {
            NetworkSpec spec = TorchvisionSpecs.MobileNetV2(inputSize: 96, classes: 10, widthMult: 0.35);
            string stem = Path.Combine("torchvision", "mobilenet_v2_10_035_96");
            float[] input = ReadFloats(Fixtures.PathOf(stem + ".input.bin"));
            float[] libtorch = ReadFloats(Fixtures.PathOf(stem + ".expected.bin"));
            int inLength = spec.InputShape.Length, outLength = spec.OutputShape.Length;
            Assert.Equal(2 * inLength, input.Length);
            Assert.Equal(2 * outLength, libtorch.Length);

            using SafetensorsFile weights = SafetensorsFile.Open(Fixtures.PathOf(stem + ".safetensors"));
            using OrtNetworkSession ort = Session(spec, weights, "mobilenet_v2_10_035_96");
            double ortError = 0, referenceError = 0;
            for (int n = 0; n < 2; n++)
            {
                ReadOnlySpan<float> sample = input.AsSpan(n * inLength, inLength);
                ReadOnlySpan<float> expected = libtorch.AsSpan(n * outLength, outLength);
                sample.CopyTo(ort.Input);
                ort.Run();
                ortError = Math.Max(ortError, MaxError(expected, ort.Output));
                referenceError = Math.Max(referenceError, MaxError(expected, spec.EvaluateReference(sample, weights)));
            }
            _output.WriteLine($"max |x - libtorch| / max(1, |libtorch|): ORT {ortError:E2}, reference {referenceError:E2}");
            Assert.InRange(ortError, 0, 1e-4);
            Assert.InRange(referenceError, 0, 1e-4);
        }

        /// <summary>
        /// samples/ResNet18 and samples/MobileNetV2 (the module front end, compiled in memory) are the networks the
        /// torchvision specs describe: VerifyAgainst (kinds, weighted names, shapes, Inputs edges, tensors in order)
        /// passes, and on random weights FusedNet's Forward and ForwardUnfused match ORT (every optimisation, as the bench).
        /// </summary>
        [Theory]
        [InlineData("ResNet18")]
        [InlineData("MobileNetV2")]
        public void SamplesAreTheSpecNetworksAndMatchOnnxRuntime(string className)
        {
            bool resnet = className == "ResNet18";
            NetworkSpec spec = resnet ? TorchvisionSpecs.ResNet18() : TorchvisionSpecs.MobileNetV2();
            using LoadedNetworks loaded = GeneratorHarness.CompileAndLoad(resnet ? Modules.SampleNetworkTests.ResNet18Source : Modules.SampleNetworkTests.MobileNetV2Source);
            IWeightSource weights = RandomWeights.Create(spec.ExpectedWeightInfos(), seed: 42);
            IFusedNetwork network = loaded.Create(className, weights);
            spec.VerifyAgainst(className, network);

            float[] input = RandomWeights.RandomInput(spec.InputShape.Length, seed: 7);
            float[] fused = new float[network.OutputLength], unfused = new float[network.OutputLength];
            network.Forward(input, fused);
            network.ForwardUnfused(input, unfused);
            using var ort = new OrtNetworkSession(spec.ToOnnxModel(className, weights),
                NetworkSpec.OnnxInputName, LayerSpec.BatchDims(spec.InputShape),
                NetworkSpec.OnnxOutputName, LayerSpec.BatchDims(spec.OutputShape));
            input.CopyTo(ort.Input);
            ort.Run();
            double fusedError = MaxError(ort.Output, fused), unfusedError = MaxError(ort.Output, unfused);
            _output.WriteLine($"{className}: max |x - ORT| / max(1, |ORT|): Forward {fusedError:E2}, ForwardUnfused {unfusedError:E2}");
            Assert.InRange(fusedError, 0, 1e-3);   // the bench's --check tolerance (24 and 53 layers of float sums)
            Assert.InRange(unfusedError, 0, 1e-3);
        }

        /// <summary>samples/MobileNetV2 at width 0.35, 96×96, 10 classes on libtorch's weights and input: FusedNet reproduces libtorch's logits.</summary>
        [Fact]
        public void SampleMobileNetV2ReproducesLibtorch()
        {
            NetworkSpec spec = TorchvisionSpecs.MobileNetV2(inputSize: 96, classes: 10, widthMult: 0.35);
            string stem = Path.Combine("torchvision", "mobilenet_v2_10_035_96");
            float[] input = ReadFloats(Fixtures.PathOf(stem + ".input.bin"));
            float[] libtorch = ReadFloats(Fixtures.PathOf(stem + ".expected.bin"));
            using LoadedNetworks loaded = GeneratorHarness.CompileAndLoad(Modules.SampleNetworkTests.MobileNetV2Small);
            IFusedNetwork network;
            using (SafetensorsFile weights = SafetensorsFile.Open(Fixtures.PathOf(stem + ".safetensors")))
                network = loaded.Create("MobileNetV2", weights);
            spec.VerifyAgainst("MobileNetV2 0.35", network);
            int inLength = spec.InputShape.Length, outLength = spec.OutputShape.Length;
            double error = 0;
            for (int n = 0; n < 2; n++)
            {
                float[] output = new float[outLength];
                network.Forward(input.AsSpan(n * inLength, inLength), output);
                error = Math.Max(error, MaxError(libtorch.AsSpan(n * outLength, outLength), output));
            }
            _output.WriteLine($"FusedNet MobileNetV2 0.35 vs libtorch: max |x - libtorch| / max(1, |libtorch|) = {error:E2}");
            Assert.InRange(error, 0, 1e-4);
        }

        private void CompareOrtWithReference(NetworkSpec spec, IWeightSource weights, float[] input, string graphName, double tolerance)
        {
            using OrtNetworkSession ort = Session(spec, weights, graphName);
            input.CopyTo(ort.Input);
            ort.Run();
            float[] reference = spec.EvaluateReference(input, weights);
            double error = MaxError(reference, ort.Output);
            _output.WriteLine($"{graphName}: max |ORT - reference| / max(1, |reference|) = {error.ToString("E2", CultureInfo.InvariantCulture)}, " +
                $"output[0..3] = {string.Join(", ", reference.Take(3))}");
            Assert.True(reference.All(float.IsFinite));
            Assert.InRange(error, 0, tolerance);
        }

        private static OrtNetworkSession Session(NetworkSpec spec, IWeightSource weights, string graphName) =>
            new(spec.ToOnnxModel(graphName, weights),
                NetworkSpec.OnnxInputName, LayerSpec.BatchDims(spec.InputShape),
                NetworkSpec.OnnxOutputName, LayerSpec.BatchDims(spec.OutputShape),
                GraphOptimizationLevel.ORT_DISABLE_ALL);

        private static double MaxError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
        {
            Assert.Equal(expected.Length, actual.Length);
            double max = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                double diff = Math.Abs((double)actual[i] - expected[i]);
                max = Math.Max(max, double.IsNaN(diff) ? double.PositiveInfinity : diff / Math.Max(1.0, Math.Abs(expected[i])));
            }
            return max;
        }

        private static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();
    }
}
