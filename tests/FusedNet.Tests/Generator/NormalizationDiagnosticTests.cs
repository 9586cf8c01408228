using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Tests.Harness;
using FusedNet.Tests.Modules;
using FusedNet.Tests.Reference;
using Microsoft.CodeAnalysis;

namespace FusedNet.Tests.Generator
{
    /// <summary>
    /// LayerNorm, GroupNorm and InstanceNorm2d declarations PyTorch would reject (FN0033–FN0035, and the shared
    /// FN0005/FN0012/FN0013/FN0031), from both front ends: one error on the offending attribute or call, with its whole
    /// message; and a module network using the three modules, compiled and run against the double reference.
    /// </summary>
    public class NormalizationDiagnosticTests
    {
        public static readonly Dictionary<string, DiagnosticTests.Case> AttributeCases = new()
        {
            ["FN0033 groups do not divide the channels"] = new(DiagnosticTests.Net("FusedNetwork(6, 4, 4)", "GroupNorm(4)"),
                "FN0033", "GroupNorm(4)", "Layer 0 '0' (GroupNorm): numGroups = 4 must divide the input channels (6, input shape [6, 4, 4]), as in PyTorch"),
            ["FN0034 LayerNorm over the last dimension only"] = new(DiagnosticTests.Net("FusedNetwork(3, 5, 7)", "ReLU", "LayerNorm(7)"),
                "FN0034", "LayerNorm(7)",
                "Layer 1 '1' (LayerNorm): normalized shape [7] is only the last dimension of the input [3, 5, 7]: normalising part of a sample is not supported; FusedNet's LayerNorm normalises the whole sample, so give its shape [3, 5, 7] (or no shape at all)"),
            ["FN0034 LayerNorm over another shape"] = new(DiagnosticTests.Net("FusedNetwork(3, 5, 7)", "LayerNorm(3, 7, 5)"),
                "FN0034", "LayerNorm(3, 7, 5)",
                "Layer 0 '0' (LayerNorm): normalized shape [3, 7, 5] does not match the end of the input's shape [3, 5, 7] (PyTorch would reject it); FusedNet's LayerNorm normalises the whole sample, so give its shape [3, 5, 7] (or no shape at all)"),
            ["FN0035 InstanceNorm2d over one pixel"] = new(DiagnosticTests.Net("FusedNetwork(4, 1, 1)", "InstanceNorm2d"),
                "FN0035", "InstanceNorm2d",
                "Layer 0 '0' (InstanceNorm2d): its input [4, 1, 1] has one pixel per channel, so the per-sample statistics are over a single value (PyTorch: \"Expected more than 1 spatial element\"); use TrackRunningStats, or normalise a larger tensor"),
            ["FN0005 GroupNorm numGroups 0"] = new(DiagnosticTests.Net("FusedNetwork(4, 2, 2)", "GroupNorm(0)"),
                "FN0005", "GroupNorm(0)", "Layer 0 '0' (GroupNorm): numGroups must be positive, but is 0"),
            ["FN0012 InstanceNorm2d on a flat tensor"] = new(DiagnosticTests.Net("FusedNetwork(4, 2, 2)", "Flatten", "InstanceNorm2d"),
                "FN0012", "InstanceNorm2d", "Layer 1 '1' (InstanceNorm2d): needs a [C, H, W] input, but its input is the flat tensor [16]"),
            ["FN0013 LayerNorm epsilon 0"] = new(DiagnosticTests.Net("FusedNetwork(4, 2, 2)", "LayerNorm(Epsilon = 0f)"),
                "FN0013", "LayerNorm(Epsilon = 0f)", "Layer 0 '0' (LayerNorm): Epsilon = 0 must be a positive finite number"),
            ["FN0013 GroupNorm negative epsilon"] = new(DiagnosticTests.Net("FusedNetwork(4, 2, 2)", "GroupNorm(2, Epsilon = -1e-5f)"),
                "FN0013", "GroupNorm(2, Epsilon = -1e-5f)", "Layer 0 '0' (GroupNorm): Epsilon = -1E-05 must be a positive finite number"),
        };

        public static TheoryData<string> AttributeCaseNames => new(AttributeCases.Keys);

        [Theory]
        [MemberData(nameof(AttributeCaseNames))]
        public void Attribute_ReportsOneErrorOnTheOffendingAttribute(string caseName)
        {
            DiagnosticTests.Case c = AttributeCases[caseName];
            GeneratorRun run = GeneratorHarness.RunGenerator(c.Source);
            GeneratorAssert.SingleError(run, c.Source, c.Id, c.Attribute, c.Message);
        }

        private static string ModuleNet(string body) =>
            ModuleSpecs.Usings + "namespace User\n{\n    [FusedNetwork(8, 6, 5), FusedModule]\n    public partial class Net : Module\n    {\n" + body + "\n    }\n}\n";

        public static readonly Dictionary<string, (string Source, string Id, string At, string Message)> ModuleCases = new()
        {
            ["FN0031 GroupNorm numChannels"] = (ModuleNet("""
                readonly GroupNorm norm = new(2, 16);
                public Tensor Forward(Tensor x) => norm.Forward(x);
                """), "FN0031", "norm.Forward(x)", "declared with numChannels = 16, but its input is [8, 6, 5] (8 channels)"),
            ["FN0031 InstanceNorm2d numFeatures"] = (ModuleNet("""
                readonly InstanceNorm2d norm = new(4);
                public Tensor Forward(Tensor x) => norm.Forward(x);
                """), "FN0031", "norm.Forward(x)", "declared with numFeatures = 4, but its input is [8, 6, 5] (8 channels)"),
            ["FN0033 GroupNorm groups"] = (ModuleNet("""
                readonly GroupNorm norm = new(3, 8);
                public Tensor Forward(Tensor x) => norm.Forward(x);
                """), "FN0033", "norm.Forward(x)", "numGroups = 3 must divide the input channels (8, input shape [8, 6, 5])"),
            ["FN0034 LayerNorm of the last dimensions"] = (ModuleNet("""
                readonly LayerNorm norm = new(new[] { 6, 5 });
                public Tensor Forward(Tensor x) => norm.Forward(x);
                """), "FN0034", "norm.Forward(x)", "normalized shape [6, 5] is only the last dimensions of the input [8, 6, 5]"),
        };

        public static TheoryData<string> ModuleCaseNames => new(ModuleCases.Keys);

        [Theory]
        [MemberData(nameof(ModuleCaseNames))]
        public void Module_ReportsOneErrorOnTheCall(string caseName)
        {
            (string source, string id, string at, string part) = ModuleCases[caseName];
            GeneratorRun run = GeneratorHarness.RunGenerator(source);
            GeneratorAssert.NoGeneratorException(run);
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal(id, diagnostic.Id);
            Assert.Contains(part, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            var span = diagnostic.Location.SourceSpan;
            Assert.Equal(at, source.Substring(span.Start, span.Length));
        }

        /// <summary>The three modules with PyTorch's constructor arguments, in one Forward, against the double reference.</summary>
        [Fact]
        public void ModuleNetwork_WithTheThreeNormalisations_MatchesTheReference()
        {
            string source = ModuleNet("""
                readonly Conv2d conv = new(8, 12, 3, padding: 1);
                readonly GroupNorm gn = new(3, 12, eps: 1e-4f);
                readonly InstanceNorm2d inorm = new(12, affine: true);
                readonly InstanceNorm2d tracked = new(12, momentum: 0.2f, trackRunningStats: true);
                readonly LayerNorm ln = new(new[] { 12, 6, 5 }, elementwiseAffine: false);
                readonly LayerNorm head = new(12);
                public Tensor Forward(Tensor x)
                {
                    x = F.Relu(gn.Forward(conv.Forward(x)));
                    x = tracked.Forward(inorm.Forward(x));
                    x = F.AdaptiveAvgPool2d(ln.Forward(x), 1);
                    return head.Forward(F.Flatten(x));
                }
                """);
            using LoadedNetworks loaded = GeneratorHarness.CompileAndLoad(source);
            IFusedNetwork net = loaded.Create("Net", Weights(out var reference, out InMemoryWeights weights));
            try
            {
                Assert.Equal(new[] { "conv.weight", "conv.bias", "gn.weight", "gn.bias", "inorm.weight", "inorm.bias", "tracked.running_mean", "tracked.running_var", "head.weight", "head.bias" },
                    net.ExpectedWeights.Select(w => w.Name));
                float[] input = RandomWeights.RandomInput(2 * net.InputLength, seed: 12);
                double[][] expected = reference.RunBatch(weights, input, 2);
                foreach (bool fused in new[] { true, false })
                {
                    var output = new float[2 * net.OutputLength];
                    if (fused) net.Forward(input, output, 2);
                    else net.ForwardUnfused(input, output, 2);
                    for (int n = 0; n < 2; n++)
                        for (int i = 0; i < net.OutputLength; i++)
                            Assert.True(Math.Abs(output[n * 12 + i] - expected[n][i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[n][i])),
                                $"{(fused ? "fused" : "unfused")} sample {n} [{i}]: expected {expected[n][i]}, actual {output[n * 12 + i]}");
                }
            }
            finally
            {
                (net as IDisposable)?.Dispose();
            }
        }

        /// <summary>The module network's weights under its field names, and the equivalent reference chain reading them.</summary>
        private static InMemoryWeights Weights(out RefNetwork reference, out InMemoryWeights weights)
        {
            reference = new RefNetwork(8, 6, 5,
            [
                new RefConv2d(12, 3) { Padding = 1, Name = "conv" }, new RefGroupNorm(3) { Epsilon = 1e-4f, Name = "gn" }, new RefReLU(),
                new RefInstanceNorm2d { Affine = true, Name = "inorm" }, new RefInstanceNorm2d { TrackRunningStats = true, Name = "tracked" },
                new RefLayerNorm { ElementwiseAffine = false, Name = "ln" }, new RefGlobalAvgPool2d(), new RefLayerNorm { Name = "head" },
            ]);
            weights = Networks.SweepWeights.Create(reference, seed: 21);
            return weights;
        }
    }
}
