using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using FusedNet.Generator.Model;
using FusedNet.Tests.Harness;

namespace FusedNet.Tests.Modules
{
    /// <summary>
    /// The module-form samples (samples/ResNet18, samples/MobileNetV2) read by the module front end: every weight name
    /// and shape torchvision's state_dict has (tests/fixtures/torchvision/*.manifest.tsv, num_batches_tracked aside).
    /// </summary>
    public class SampleNetworkTests
    {
        public static string SampleSource(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", file));

        public static string ResNet18Source => SampleSource("ResNet18.cs");

        public static string MobileNetV2Source => SampleSource("MobileNetV2.cs");

        /// <summary>MobileNetV2 as the fixture mobilenet_v2_10_035_96: 10 classes, width 0.35, input 96x96.</summary>
        public static string MobileNetV2Small => MobileNetV2Source
            .Replace("[FusedNetwork(3, 224, 224), FusedModule]", "[FusedNetwork(3, 96, 96), FusedModule]")
            .Replace("(int numClasses = 1000, double widthMult = 1.0)", "(int numClasses = 10, double widthMult = 0.35)");

        /// <summary>name → shape of the manifest, without num_batches_tracked.</summary>
        public static Dictionary<string, string> Manifest(string file) =>
            File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "fixtures", "torchvision", file))
                .Where(l => l.Length > 0)
                .Select(l => l.Split('\t'))
                .Where(f => !f[0].EndsWith(".num_batches_tracked", StringComparison.Ordinal))
                .ToDictionary(f => f[0], f => f[2]);

        /// <summary>The weights each layer reads, with shapes from the declared channels (Conv2d, BatchNorm, Linear).</summary>
        private static Dictionary<string, string> DeclaredWeights(NetworkSpec spec)
        {
            var weights = new Dictionary<string, string>();
            foreach (LayerSpec layer in spec.Layers)
            {
                switch (layer.Kind)
                {
                    case LayerKind.Conv2d:
                        weights.Add(layer.Name + ".weight", $"{layer.OutChannels},{layer.DeclaredInChannels / layer.Groups},{layer.KernelHeight},{layer.KernelWidth}");
                        if (layer.Bias) weights.Add(layer.Name + ".bias", $"{layer.OutChannels}");
                        break;
                    case LayerKind.BatchNorm2d or LayerKind.BatchNorm1d:
                        foreach (string tensor in new[] { "weight", "bias", "running_mean", "running_var" })
                            weights.Add(layer.Name + "." + tensor, $"{layer.DeclaredInChannels}");
                        break;
                    case LayerKind.Linear:
                        weights.Add(layer.Name + ".weight", $"{layer.OutChannels},{layer.DeclaredInChannels}");
                        if (layer.Bias) weights.Add(layer.Name + ".bias", $"{layer.OutChannels}");
                        break;
                }
            }
            return weights;
        }

        private static void AssertSameWeights(Dictionary<string, string> expected, Dictionary<string, string> actual)
        {
            Assert.Empty(expected.Keys.Except(actual.Keys).OrderBy(k => k));
            Assert.Empty(actual.Keys.Except(expected.Keys).OrderBy(k => k));
            foreach ((string name, string shape) in expected) Assert.True(shape == actual[name], $"{name}: expected [{shape}], declared [{actual[name]}]");
        }

        [Fact]
        public void ResNet18_declares_torchvision_names_and_shapes()
        {
            NetworkSpec spec = ModuleSpecs.Spec(ResNet18Source, "ResNet18");
            AssertSameWeights(Manifest("resnet18.manifest.tsv"), DeclaredWeights(spec));
            Assert.Equal("this()", spec.ConstructorChain);
            Assert.Equal((3, 224, 224), (spec.InputChannels, spec.InputHeight, spec.InputWidth));
            // 8 blocks, one Add each; the last layer is fc and it is the output.
            Assert.Equal(8, spec.Layers.Count(l => l.Kind == LayerKind.Add));
            Assert.Equal("fc", spec.Layers[spec.ResolvedOutputLayer].Name);
            // layer2.0's downsample reads the block's input, and the Add reads bn2 and the downsample.
            LayerSpec add = spec.Layers.First(l => l.Kind == LayerKind.Add && l.Name.StartsWith("layer2.0", StringComparison.Ordinal));
            Assert.Equal(new[] { "layer2.0.bn2", "layer2.0.downsample.1" }, add.Inputs.Select(i => spec.Layers[i].Name));
        }

        [Fact]
        public void MobileNetV2_declares_torchvision_names_and_shapes()
        {
            NetworkSpec spec = ModuleSpecs.Spec(MobileNetV2Source, "MobileNetV2");
            AssertSameWeights(Manifest("mobilenet_v2.manifest.tsv"), DeclaredWeights(spec));
            // Residual blocks: stride 1 and same channels (10 of the 17 inverted residuals).
            Assert.Equal(10, spec.Layers.Count(l => l.Kind == LayerKind.Add));
            Assert.Equal("classifier.1", spec.Layers[spec.ResolvedOutputLayer].Name);
        }

        [Fact]
        public void MobileNetV2_width_035_declares_the_fixture_names_and_shapes()
        {
            NetworkSpec spec = ModuleSpecs.Spec(MobileNetV2Small, "MobileNetV2");
            AssertSameWeights(Manifest("mobilenet_v2_10_035_96.manifest.tsv"), DeclaredWeights(spec));
        }
    }
}

namespace FusedNet.Tests.Modules
{
    /// <summary>The samples compiled end to end: the generated ExpectedWeights (shape inference over the graph) equal torchvision's manifest.</summary>
    public class SampleNetworkCompilationTests
    {
        private static Dictionary<string, string> ExpectedWeights(string source, string className)
        {
            using LoadedNetworks loaded = GeneratorHarness.CompileAndLoad(source);
            Type type = loaded.GetNetworkType(className);
            var weights = (IReadOnlyList<WeightInfo>)type.GetProperty("ExpectedWeights", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
            return weights.ToDictionary(w => w.Name, w => string.Join(",", w.Shape.ToArray()));
        }

        [Fact]
        public void ResNet18_generated_expected_weights_equal_the_torchvision_manifest() =>
            Generated_expected_weights_equal_the_torchvision_manifest("ResNet18", "resnet18.manifest.tsv");

        [Theory]
        [InlineData("MobileNetV2", "mobilenet_v2.manifest.tsv")]
        [InlineData("MobileNetV2Small", "mobilenet_v2_10_035_96.manifest.tsv")]
        public void Generated_expected_weights_equal_the_torchvision_manifest(string network, string manifest)
        {
            string source = network switch
            {
                "ResNet18" => SampleNetworkTests.ResNet18Source,
                "MobileNetV2" => SampleNetworkTests.MobileNetV2Source,
                _ => SampleNetworkTests.MobileNetV2Small,
            };
            Dictionary<string, string> expected = SampleNetworkTests.Manifest(manifest);
            Dictionary<string, string> actual = ExpectedWeights(source, network == "ResNet18" ? "ResNet18" : "MobileNetV2");
            Assert.Empty(expected.Keys.Except(actual.Keys).OrderBy(k => k));
            Assert.Empty(actual.Keys.Except(expected.Keys).OrderBy(k => k));
            foreach ((string name, string shape) in expected) Assert.True(shape == actual[name], $"{name}: expected [{shape}], generated [{actual[name]}]");
        }
    }
}
