using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static FusedNet.Tests.Generator.DiagnosticTests;

namespace FusedNet.Tests.Generator
{
    /// <summary>
    /// FN0017 (issue 7 item 8): the total scratch bytes per instance and the total parameter bytes are limited (2 GiB each
    /// by default; MSBuild properties FusedNetMaxScratchBytes / FusedNetMaxWeightBytes), FN0018 for a property value that
    /// is not a size, and the generated ScratchBytes / WeightBytes constants. Every expected size is worked out by hand in
    /// the comments, from the layout rules of docs/architecture.md (NHWC, channels rounded up to 16, zero border).
    /// </summary>
    public class SizeLimitTests
    {
        private const long GiB = 1L << 30;

        private static Dictionary<string, string> Scratch(string value) => new() { ["FusedNetMaxScratchBytes"] = value };
        private static Dictionary<string, string> Weights(string value) => new() { ["FusedNetMaxWeightBytes"] = value };

        // [16, 4000, 4000] in, read by a padded 3x3 conv (border 1: 4002 x 4002 x 16 floats = 1025024256 bytes), its
        // output [16, 4000, 4000] (1024000000 bytes) read by a 1x1 conv whose output cannot reuse either live buffer
        // (the input's border differs): three buffers, 3073024256 bytes. Both paths share them (they never run together).
        // The fused path pipelines the two convs, the 1x1 reading the 3x3's rows from a one-row rolling window
        // (4000 x 16 floats = 256000 bytes): 3073280256 bytes in all.
        // Winograd = false: the 3x3 conv runs direct, so there is no Winograd workspace (its size is checked on its own below).
        private const string FourBuffersOfOneGiB = "FusedNetwork(16, 4000, 4000, Winograd = false)";
        private static readonly string FourGiBNetwork = Net(FourBuffersOfOneGiB, "Conv2d(16, 3, Padding = 1)", "Conv2d(16, 1)");

        private const string FourGiBMessage =
            "Network 'Net' needs 3073280256 bytes (~2.86 GiB) of scratch buffers per instance (allocated again by every CloneForThread), " +
            "more than the limit of 2147483648 bytes (2 GiB). Largest buffers: " +
            "buffer0 [16, 4000, 4000] stored as 4002 x 4002 x 16, the fused path's input: 1025024256 bytes (~977.54 MiB); " +
            "buffer1 [16, 4000, 4000] stored as 4000 x 4000 x 16, fused output of Layer 0 '0' (Conv2d): 1024000000 bytes (~976.56 MiB); " +
            "buffer2 [16, 4000, 4000] stored as 4000 x 4000 x 16, fused output of Layer 1 '1' (Conv2d): 1024000000 bytes (~976.56 MiB); and 1 more. " +
            "Make the network smaller, or raise the limit with the MSBuild property <FusedNetMaxScratchBytes>3GiB</FusedNetMaxScratchBytes> in the project file.";

        [Fact]
        public void ScratchOverTheDefaultLimit_IsFN0017_OnTheNetworkAttribute()
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(FourGiBNetwork);

            GeneratorAssert.SingleError(run, FourGiBNetwork, "FN0017", FourBuffersOfOneGiB, FourGiBMessage);
        }

        [Theory]
        [InlineData("4GiB")]
        [InlineData("4294967296")]
        [InlineData(" 4096 MiB ")]
        [InlineData("4194304kib")]
        [InlineData("1TiB")]
        public void ScratchLimitRaisedByTheProperty_Compiles(string value)
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(FourGiBNetwork, Scratch(value));

            GeneratorAssert.NoGeneratorException(run);
            Assert.Empty(run.GeneratorDiagnostics);
            string generated = Assert.Single(run.GeneratedSources).Text;
            Assert.Contains("public const long ScratchBytes = 3073280256L;", generated);
        }

        [Fact]
        public void ScratchLimitRaisedToOneByteLess_IsStillFN0017_NamingThatLimit()
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(FourGiBNetwork, Scratch("3073280255"));

            GeneratorAssert.SingleError(run, FourGiBNetwork, "FN0017", FourBuffersOfOneGiB, FourGiBMessage
                .Replace("more than the limit of 2147483648 bytes (2 GiB)", "more than the limit of 3073280255 bytes (~2.86 GiB)"));
        }

        [Fact]
        public void ScratchExactlyAtTheDefaultLimit_Compiles_AndOneBufferMore_IsFN0017()
        {
            // [16, 4096, 4096] read by a 1x1 conv (16 channels, no border: 1 GiB) and the conv's output (1 GiB): exactly the
            // 2 GiB limit. Both paths use the same two buffers (they never run at the same time).
            string atLimit = Net("FusedNetwork(16, 4096, 4096)", "Conv2d(16, 1)");
            GeneratorRun fits = GeneratorHarness.RunGenerator(atLimit);
            GeneratorAssert.NoGeneratorException(fits);
            Assert.Empty(fits.GeneratorDiagnostics);
            Assert.Contains("public const long ScratchBytes = 2147483648L;", Assert.Single(fits.GeneratedSources).Text);

            // A 2048 x 2048 max pool adds one [16, 2, 2] buffer (it cannot reuse the dead input: another layout): 256 bytes over.
            string over = Net("FusedNetwork(16, 4096, 4096)", "Conv2d(16, 1)", "MaxPool2d(2048)");
            GeneratorRun run = GeneratorHarness.RunGenerator(over);
            GeneratorAssert.SingleError(run, over, "FN0017", "FusedNetwork(16, 4096, 4096)",
                "Network 'Net' needs 2147483904 bytes (~2 GiB) of scratch buffers per instance (allocated again by every CloneForThread), " +
                "more than the limit of 2147483648 bytes (2 GiB). Largest buffers: " +
                "buffer0 [16, 4096, 4096] stored as 4096 x 4096 x 16, the fused path's input: 1073741824 bytes (1 GiB); " +
                "buffer1 [16, 4096, 4096] stored as 4096 x 4096 x 16, fused output of Layer 0 '0' (Conv2d): 1073741824 bytes (1 GiB); " +
                "buffer2 [16, 2, 2] stored as 2 x 2 x 16, fused output of Layer 1 '1' (MaxPool2d): 256 bytes. " +
                "Make the network smaller, or raise the limit with the MSBuild property <FusedNetMaxScratchBytes>3GiB</FusedNetMaxScratchBytes> in the project file.");
        }

        // Linear 16384 -> 16384: a 2^28-float weight (FN0015's limit exactly). Packed for 16 lanes it is 16384 x 16384
        // floats plus a 16384-float bias. The fused path folds the BatchNorm1d into it, the unfused path packs it plain
        // (and the BatchNorm as 2 x 16384 floats of scale and shift): 2 x (2^28 + 2^14) x 4 + 2^17 bytes = 2147745792
        // bytes, 256 KiB over 2 GiB. (Without the BatchNorm both paths would share one packing: half as much.)
        private const string LinearNetwork = "FusedNetwork(16384, 1, 1)";
        private static readonly string BigLinear = Net(LinearNetwork, "Flatten", "Linear(16384, Name = \"fc\")", "BatchNorm1d(Name = \"bn\")");

        [Fact]
        public void WeightsOverTheDefaultLimit_IsFN0017_NamingTheLayer()
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(BigLinear);

            GeneratorAssert.SingleError(run, BigLinear, "FN0017", LinearNetwork,
                "Network 'Net' needs 2147745792 bytes (~2 GiB) of folded and packed parameters (both paths; clones share them), " +
                "more than the limit of 2147483648 bytes (2 GiB). Largest layers: Layer 1 'fc' (Linear): 2147614720 bytes (~2 GiB); " +
                "Layer 2 'bn' (BatchNorm1d): 131072 bytes (128 KiB). " +
                "Make the network smaller, or raise the limit with the MSBuild property <FusedNetMaxWeightBytes>3GiB</FusedNetMaxWeightBytes> in the project file.");
        }

        [Fact]
        public void WeightLimitRaisedByTheProperty_Compiles_WithTheTotalAsWeightBytes()
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(BigLinear, Weights("2147745792"));

            GeneratorAssert.NoGeneratorException(run);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Contains("public const long WeightBytes = 2147745792L;", Assert.Single(run.GeneratedSources).Text);
        }

        [Fact]
        public void BothLimitsExceeded_GiveOneFN0017Each()
        {
            // The scratch limit does not raise the weight limit, nor the other way round.
            string source = Net("FusedNetwork(16384, 1, 1)", "Flatten", "Linear(16384)", "BatchNorm1d");
            GeneratorRun run = GeneratorHarness.RunGenerator(source, new Dictionary<string, string>
            {
                ["FusedNetMaxScratchBytes"] = "1KiB", // input, Flatten and Linear output, shared by both paths: 3 x 16384 floats = 192 KiB
                ["FusedNetMaxWeightBytes"] = "1GiB",
            });

            GeneratorAssert.NoGeneratorException(run);
            Assert.Equal(["FN0017", "FN0017"], run.GeneratorDiagnostics.Select(d => d.Id));
            Assert.Contains("needs 196608 bytes (192 KiB) of scratch buffers per instance", run.GeneratorDiagnostics[0].GetMessage());
            Assert.Contains("more than the limit of 1024 bytes (1 KiB)", run.GeneratorDiagnostics[0].GetMessage());
            Assert.Contains("needs 2147745792 bytes (~2 GiB) of folded and packed parameters", run.GeneratorDiagnostics[1].GetMessage());
            Assert.Empty(run.GeneratedSources);
        }

        [Theory]
        [InlineData("FusedNetMaxScratchBytes", "lots", "it does not start with a whole number")]
        [InlineData("FusedNetMaxScratchBytes", "-5", "it does not start with a whole number")]
        [InlineData("FusedNetMaxWeightBytes", "0", "it must be more than 0")]
        [InlineData("FusedNetMaxWeightBytes", "2GB", "'GB' is not a unit (use B, KiB, MiB, GiB or TiB)")]
        [InlineData("FusedNetMaxScratchBytes", "9223372036854775808", "it is larger than 2^63 - 1 bytes")]
        [InlineData("FusedNetMaxScratchBytes", "8388608TiB", "it is larger than 2^63 - 1 bytes")]
        public void InvalidPropertyValue_IsFN0018_WithoutLocation_AndTheDefaultApplies(string property, string value, string why)
        {
            // A small network: it still compiles, under the default limit, so FN0018 is the only diagnostic.
            string source = Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3)", "ReLU");

            GeneratorRun run = GeneratorHarness.RunGenerator(source, new Dictionary<string, string> { [property] = value });

            GeneratorAssert.NoGeneratorException(run);
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("FN0018", diagnostic.Id);
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            Assert.Equal(Location.None, diagnostic.Location);
            Assert.Equal($"The MSBuild property {property} = '{value}' is not a size: {why}. Give a whole number of bytes, optionally with a unit: " +
                "4294967296, 4096MiB, 4GiB (B, KiB, MiB, GiB, TiB). Until it is fixed, the default of 2147483648 bytes (2 GiB) applies.",
                diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Single(run.GeneratedSources);
        }

        [Fact]
        public void WinogradWorkspace_CountsToTheScratch_AndTheOptOutRemovesIt()
        {
            // The same network with Winograd allowed (the default): the 16 -> 16 3x3 conv at 4000x4000 runs Winograd, and one
            // workspace is added: 1000 tiles per tile row, V and M of 36 x 1000 x 16 floats each, a 36 x 16 transpose area, no
            // zero row (4000 rows are whole tiles): 1152576 floats = 4610304 bytes on top of the 3073024256 of the buffers.
            string source = Net("FusedNetwork(16, 4000, 4000)", "Conv2d(16, 3, Padding = 1)", "Conv2d(16, 1)");
            GeneratorRun run = GeneratorHarness.RunGenerator(source, Scratch("4GiB"));
            GeneratorAssert.NoGeneratorException(run);
            Assert.Empty(run.GeneratorDiagnostics);
            string generated = Assert.Single(run.GeneratedSources).Text;
            Assert.Contains("public const long ScratchBytes = 3077634560L;", generated);
            Assert.Contains("WinogradWorkspace = new global::FusedNet.Internal.AlignedBuffer(1152576);", generated);
            Assert.Contains("Winograd4x4_Conv3x3_16to16_4000x4000_V512(", generated);

            // Winograd = false on [FusedNetwork]: no workspace, a direct kernel.
            string direct = Assert.Single(GeneratorHarness.RunGenerator(FourGiBNetwork, Scratch("4GiB")).GeneratedSources).Text;
            Assert.DoesNotContain("Winograd", direct.Replace("Winograd = false", ""));
            Assert.Contains("Conv3x3_16to16_4000x4000_V512(", direct);
        }

        [Fact]
        public void InvalidPropertyValue_FallsBackToTheDefault_SoATooLargeNetworkIsStillFN0017()
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(FourGiBNetwork, Scratch("8 gigabytes"));

            GeneratorAssert.NoGeneratorException(run);
            Assert.Equal(["FN0018", "FN0017"], run.GeneratorDiagnostics.Select(d => d.Id).OrderByDescending(id => id));
            Assert.Empty(run.GeneratedSources);
        }

        [Fact]
        public void LimitsStageFailure_IsFN9999_AndTheDefaultsApply()
        {
            // A bug while reading the properties is reported (once, without a location), never silent; the networks are
            // still checked against the defaults: a small one compiles, a 4 GiB one is FN0017.
            string source = Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3)") + Declaration("Big", FourBuffersOfOneGiB, "Conv2d(16, 3, Padding = 1)", "Conv2d(16, 1)");

            GeneratorRun run = InternalErrorTests.RunWithFailingStage(source, FusedNet.Generator.FusedNetworkGenerator.TrackingNames.Limits);

            Assert.Equal(["FN0017", "FN9999"], run.GeneratorDiagnostics.Select(d => d.Id).Order());
            Diagnostic failure = run.GeneratorDiagnostics.Single(d => d.Id == "FN9999");
            Assert.Equal(Location.None, failure.Location);
            Assert.Equal("FusedNet failed internally in stage 'Limits' for 'FusedNetMaxScratchBytes, FusedNetMaxWeightBytes': " +
                "System.InvalidOperationException: simulated bug in the stage. This is a bug in FusedNet, not in your declaration; please report it with the declaration.",
                failure.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.StartsWith("Network 'Big' needs 3073280256 bytes", run.GeneratorDiagnostics.Single(d => d.Id == "FN0017").GetMessage());
            Assert.Equal("User.Net.FusedNet.g.cs", Assert.Single(run.GeneratedSources).HintName);
        }

        [Fact]
        public void EmptyProperty_MeansTheDefault()
        {
            // An unset MSBuild property reaches the generator as an empty build_property value.
            GeneratorRun run = GeneratorHarness.RunGenerator(FourGiBNetwork, Scratch(""));

            GeneratorAssert.SingleError(run, FourGiBNetwork, "FN0017", FourBuffersOfOneGiB, FourGiBMessage);
        }

        [Fact]
        public void SmallNetwork_Constants_WorkedOutByHand()
        {
            // Input [3, 8, 8] read by a padded 3x3 conv (broadcast: the input stays dense, 3 channels) and the conv's
            // output [8, 8, 8] (vector channels: 16), then an in-place ReLU, then a 2x2 max pool to [8, 4, 4] (16 channels).
            // Input 10 x 10 x 3 = 300, conv out 8 x 8 x 16 = 1024, pool out 4 x 4 x 16 = 256 floats, every one a layout of
            // its own (no reuse), and the unfused path reuses the same three buffers: 1580 floats x 4 = 6320 bytes.
            // Parameters: conv 8 outputs in one 8-lane vector (no Vector512: 8 outputs do not fill 16), 8 x 9 x 3 = 216
            // weights + 8 bias = 224 floats = 896 bytes, packed once: with no BatchNorm to fold, both paths share it.
            string source = Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3, Padding = 1)", "ReLU", "MaxPool2d(2)");

            string generated = Assert.Single(GeneratorHarness.RunGenerator(source).GeneratedSources).Text;

            Assert.Contains("public const long ScratchBytes = 6320L;", generated);
            Assert.Contains("public const long WeightBytes = 896L;", generated);
        }

        /// <summary>
        /// A network with every kind of step (padded, strided, depthwise, grouped vector and grouped scalar convs, standalone
        /// BatchNorm, pools, Flatten, Linear + BatchNorm1d): the constants must equal what the constructed instance really
        /// allocates, measured on its AlignedBuffers.
        /// </summary>
        private const string EveryStep = """
            using FusedNet;
            namespace User
            {
                [FusedNetwork(3, 20, 18)]
                [Conv2d(24, 3, Padding = 1)]
                [BatchNorm2d]
                [ReLU]
                [Conv2d(24, 3, Padding = 2, Groups = 24)]
                [Conv2d(48, 1, Groups = 3)]
                [Conv2d(36, 3, Stride = 2, Padding = 1, Groups = 12)]
                [BatchNorm2d]
                [Hardswish]
                [AvgPool2d(2)]
                [Flatten]
                [Linear(20)]
                [BatchNorm1d]
                [Sigmoid]
                [Linear(5, Bias = false)]
                public partial class EveryStep { }
            }
            """;

        [Fact]
        public void Constants_MatchWhatAnInstanceAllocates()
        {
            using LoadedNetworks loaded = GeneratorHarness.CompileAndLoad(EveryStep);
            Type type = loaded.GetNetworkType("EveryStep");
            var layers = (IReadOnlyList<LayerInfo>)type.GetProperty("Layers")!.GetValue(null)!;
            var expected = (IReadOnlyList<WeightInfo>)type.GetProperty("ExpectedWeights")!.GetValue(null)!;
            IFusedNetwork network = loaded.Create("EveryStep", RandomWeights.Create(expected, seed: 11));
            long scratchConst = (long)type.GetField("ScratchBytes")!.GetValue(null)!;
            long weightConst = (long)type.GetField("WeightBytes")!.GetValue(null)!;
            Assert.Equal(scratchConst, network.ScratchBytes);
            Assert.Equal(weightConst, network.WeightBytes);

            long scratch = AllocatedBytes(type, network, "_scratch");
            long weights = AllocatedBytes(type, network, "_weights");
            Assert.Equal(scratch, scratchConst);
            if (network.VectorWidth == VectorWidth.Vector512)
                Assert.Equal(weights, weightConst);       // packed for the widest kernels: the constant is exact
            else
                Assert.InRange(weights, 1, weightConst);  // narrower vectors pad less: the constant is an upper bound

            // And the scratch is really the planned total: a layer that writes a new tensor needs its input and its output
            // alive at once (channels stored rounded up to 16), so a constant that forgot a buffer could not pass.
            static long Stored(TensorShape s) => 4L * ((s.Channels + 15) / 16 * 16) * s.Height * s.Width;
            long largestStep = layers.Where(l => l.Kind is "Conv2d" or "AvgPool2d" or "Linear" or "Flatten")
                .Max(l => Stored(l.InputShape) + Stored(l.OutputShape));
            Assert.True(scratchConst >= largestStep, $"ScratchBytes {scratchConst} < {largestStep}");
        }

        [Fact]
        public void CloneForThread_AllocatesScratchBytesAgain_AndSharesTheWeights()
        {
            using LoadedNetworks loaded = GeneratorHarness.CompileAndLoad(EveryStep);
            Type type = loaded.GetNetworkType("EveryStep");
            var expected = (IReadOnlyList<WeightInfo>)type.GetProperty("ExpectedWeights")!.GetValue(null)!;
            IFusedNetwork network = loaded.Create("EveryStep", RandomWeights.Create(expected, seed: 3));
            var clone = (IFusedNetwork)type.GetMethod("CloneForThread")!.Invoke(network, null)!;

            Assert.Equal(network.ScratchBytes, AllocatedBytes(type, clone, "_scratch"));
            Assert.NotSame(Field(type, network, "_scratch"), Field(type, clone, "_scratch"));
            Assert.Same(Field(type, network, "_weights"), Field(type, clone, "_weights"));
        }

        private static object Field(Type type, object instance, string name) =>
            type.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(instance)!;

        /// <summary>Bytes (Length × 4) of every AlignedBuffer held by the instance's field <paramref name="name"/>.</summary>
        private static long AllocatedBytes(Type type, object instance, string name)
        {
            object holder = Field(type, instance, name);
            var buffers = holder.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public)
                .Where(f => f.FieldType == typeof(FusedNet.Internal.AlignedBuffer))
                .Select(f => (FusedNet.Internal.AlignedBuffer)f.GetValue(holder)!)
                .ToList();
            Assert.NotEmpty(buffers);
            return buffers.Sum(b => 4L * b.Length);
        }

        [Fact]
        public void ChangingALimit_ReAnalyses_ButReEmitsNothing()
        {
            // The limits are a pipeline input: a new value re-runs the check, but the plan (which holds no limit) compares
            // equal, so a network that fits both before and after is not emitted again.
            string source = Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3)", "ReLU");
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source);
            GeneratorRun first = GeneratorHarness.RunGenerator(compilation, null, Scratch("1GiB"));
            Assert.Empty(first.GeneratorDiagnostics);

            GeneratorRunResult result = Assert.Single(first.Driver
                .WithUpdatedAnalyzerConfigOptions(new BuildPropertyOptions(Scratch("3GiB")))
                .RunGenerators(compilation).GetRunResult().Results);

            Assert.Contains(GeneratorAssert.StepOutputs(result, FusedNet.Generator.FusedNetworkGenerator.TrackingNames.Limits),
                o => o.Reason == IncrementalStepRunReason.Modified);
            foreach (string step in new[] { GeneratorAssert.Plan, GeneratorAssert.Emit })
                Assert.All(GeneratorAssert.StepOutputs(result, step), o => Assert.True(
                    o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step} output was {o.Reason}."));
        }

        [Fact]
        public void RaisingALimit_EmitsTheNetworkThatDidNotFit()
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(FourGiBNetwork);
            GeneratorRun first = GeneratorHarness.RunGenerator(compilation);
            Assert.Equal("FN0017", Assert.Single(first.GeneratorDiagnostics).Id);

            GeneratorDriver driver = first.Driver
                .WithUpdatedAnalyzerConfigOptions(new BuildPropertyOptions(Scratch("4GiB")))
                .RunGenerators(compilation);

            GeneratorDriverRunResult result = driver.GetRunResult();
            Assert.Empty(result.Diagnostics);
            Assert.Contains("public const long ScratchBytes = 3073280256L;", Assert.Single(result.GeneratedTrees).ToString());
        }
    }
}
