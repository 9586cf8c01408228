using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FusedNet.Tests.Generator
{
    /// <summary>
    /// The shape of the generated file for one small network (DESIGN §5, §7): header, one commented method per fused
    /// step with its shapes and multiply-accumulates, literal loop bounds; and, compiled and loaded, the static
    /// metadata (layers and expected weights) checked against values worked out by hand below.
    /// </summary>
    public class GeneratedSourceTests : IClassFixture<GeneratedSourceTests.CompiledSmallNet>
    {
        /// <summary>The network compiled and loaded once for the class's tests (compiling is the slow part).</summary>
        public sealed class CompiledSmallNet : IDisposable
        {
            public LoadedNetworks Loaded { get; } = GeneratorHarness.CompileAndLoad(Source);

            public void Dispose() => Loaded.Dispose();
        }

        private readonly LoadedNetworks _loaded;

        public GeneratedSourceTests(CompiledSmallNet compiled) => _loaded = compiled.Loaded;

        public const string Source = """
            using FusedNet;

            namespace Shapes
            {
                [FusedNetwork(3, 8, 8)]
                [Conv2d(16, 3, Padding = 1)]
                [BatchNorm2d]
                [ReLU]
                [MaxPool2d(2)]
                [Conv2d(8, 3, Bias = false, Name = "features.4")]
                [BatchNorm2d(Epsilon = 1e-3f, Name = "features.5")]
                [Dropout(0.25f)]
                [Flatten]
                [Linear(10)]
                public partial class SmallNet { }
            }
            """;

        // Worked out by hand (DESIGN §3, §4): output size = floor((in + 2·pad − dil·(k−1) − 1) / stride) + 1;
        // parameters as PyTorch's parameters() counts them (BatchNorm: γ and β, running statistics are buffers);
        // multiply-accumulates = output elements × (in channels / groups) × kh × kw for Conv2d, in × out for Linear.
        private static readonly (string Name, string Kind, int[] In, int[] Out, long Parameters, long Macs)[] ExpectedLayers =
        [
            ("0", "Conv2d", [3, 8, 8], [16, 8, 8], 16 * 3 * 3 * 3 + 16, 16 * 8 * 8 * (3 * 3 * 3)),   // 448, 27648
            ("1", "BatchNorm2d", [16, 8, 8], [16, 8, 8], 2 * 16, 0),
            ("2", "ReLU", [16, 8, 8], [16, 8, 8], 0, 0),
            ("3", "MaxPool2d", [16, 8, 8], [16, 4, 4], 0, 0),                                       // (8 − 2)/2 + 1 = 4
            ("features.4", "Conv2d", [16, 4, 4], [8, 2, 2], 8 * 16 * 3 * 3, 8 * 2 * 2 * (16 * 3 * 3)), // no bias: 1152, 4608
            ("features.5", "BatchNorm2d", [8, 2, 2], [8, 2, 2], 2 * 8, 0),
            ("6", "Dropout", [8, 2, 2], [8, 2, 2], 0, 0),
            ("7", "Flatten", [8, 2, 2], [32], 0, 0),
            ("8", "Linear", [32], [10], 32 * 10 + 10, 32 * 10),
        ];

        private static readonly (string Name, WeightRole Role, string Layer, int[] Shape)[] ExpectedTensors =
        [
            ("0.weight", WeightRole.ConvWeight, "0", [16, 3, 3, 3]),
            ("0.bias", WeightRole.ConvBias, "0", [16]),
            ("1.weight", WeightRole.BatchNormWeight, "1", [16]),
            ("1.bias", WeightRole.BatchNormBias, "1", [16]),
            ("1.running_mean", WeightRole.BatchNormRunningMean, "1", [16]),
            ("1.running_var", WeightRole.BatchNormRunningVar, "1", [16]),
            ("features.4.weight", WeightRole.ConvWeight, "features.4", [8, 16, 3, 3]), // Bias = false: no features.4.bias
            ("features.5.weight", WeightRole.BatchNormWeight, "features.5", [8]),
            ("features.5.bias", WeightRole.BatchNormBias, "features.5", [8]),
            ("features.5.running_mean", WeightRole.BatchNormRunningMean, "features.5", [8]),
            ("features.5.running_var", WeightRole.BatchNormRunningVar, "features.5", [8]),
            ("8.weight", WeightRole.LinearWeight, "8", [10, 32]),
            ("8.bias", WeightRole.LinearBias, "8", [10]),
        ];

        private static readonly Lazy<GeneratorRun> s_run = new(() => GeneratorHarness.RunGenerator(Source));

        private static string Generated => Assert.Single(s_run.Value.GeneratedSources).Text;

        /// <summary>The text of the generated method <paramref name="name"/>: from its signature to the next member's doc comment.</summary>
        private static string MethodBody(string name)
        {
            int start = Generated.IndexOf($"public static void {name}(", StringComparison.Ordinal);
            Assert.True(start >= 0, $"No method {name} in the generated source.");
            int end = Generated.IndexOf("/// <summary>", start, StringComparison.Ordinal);
            return end < 0 ? Generated[start..] : Generated[start..end];
        }

        [Fact]
        public void OneFile_NamedAfterTheClass_WithTheHeader()
        {
            GeneratorAssert.NoGeneratorException(s_run.Value);
            Assert.Empty(s_run.Value.GeneratorDiagnostics);
            GeneratedSource file = Assert.Single(s_run.Value.GeneratedSources);
            Assert.Equal("Shapes.SmallNet.FusedNet.g.cs", file.HintName);

            string[] lines = file.Text.Split('\n');
            Assert.Equal("// <auto-generated/>", lines[0].TrimEnd('\r'));
            Assert.Contains("#nullable enable", lines.Select(l => l.TrimEnd('\r')));
            Assert.Contains("[global::System.CodeDom.Compiler.GeneratedCode(\"FusedNet.Generator\",", file.Text);
            Assert.Contains("partial class SmallNet : global::FusedNet.IFusedNetwork", file.Text);
        }

        [Fact]
        public void EachFusedStep_HasACommentNamingItsLayersShapesAndMultiplyAccumulates()
        {
            // Step 0 fuses Conv2d + BatchNorm2d + ReLU; Dropout disappears, so step 2 fuses the second conv with its BN.
            Assert.Contains("// Step 0: Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)) + BatchNorm2d(16, eps=1E-05) + ReLU()  [layers 0 '0', 1 '1', 2 '2']", Generated);
            Assert.Contains("//   [3, 8, 8] -> [16, 8, 8], 27648 multiply-accumulates", Generated);
            Assert.Contains("// Step 1: MaxPool2d(kernel_size=2, stride=2, padding=0)  [layers 3 '3']", Generated);
            Assert.Contains("//   [16, 8, 8] -> [16, 4, 4]", Generated);
            Assert.Contains("// Step 2: Conv2d(16, 8, kernel_size=(3, 3), stride=(1, 1), bias=False) + BatchNorm2d(8, eps=0.001)  [layers 4 'features.4', 5 'features.5']", Generated);
            Assert.Contains("//   [16, 4, 4] -> [8, 2, 2], 4608 multiply-accumulates", Generated);
            Assert.Contains("// Step 3: Flatten()  [layers 7 '7']", Generated);
            Assert.Contains("// Step 4: Linear(in_features=32, out_features=10, bias=True)  [layers 8 '8']", Generated);
            Assert.Contains("//   [32] -> [10], 320 multiply-accumulates", Generated);
            Assert.DoesNotContain("Dropout(p=0.25)  [layers", Generated);
        }

        [Fact]
        public void FusedConv_HasVector128And256And512Methods_DocumentedWithTheirShapes()
        {
            // 16 output channels fill a Vector512, so all three widths are emitted and the widest accelerated one runs.
            Assert.Contains("public static void Conv3x3_3to16_8x8_Relu_V128(", Generated);
            Assert.Contains("public static void Conv3x3_3to16_8x8_Relu_V256(", Generated);
            Assert.Contains("public static void Conv3x3_3to16_8x8_Relu_V512(", Generated);
            Assert.Contains("if (s_useVector512) global::FusedNet.Generated.NetworkKernels.Conv3x3_3to16_8x8_Relu_V512(", Generated);
            Assert.Contains("else if (s_useVector256) global::FusedNet.Generated.NetworkKernels.Conv3x3_3to16_8x8_Relu_V256(", Generated);
            Assert.Contains("else global::FusedNet.Generated.NetworkKernels.Conv3x3_3to16_8x8_Relu_V128(", Generated);
            const string Summary = "/// Fused step 0: Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)) + BatchNorm2d(16, eps=1E-05) + ReLU()  [layers 0 '0', 1 '1', 2 '2'].<br/>";
            Assert.Equal(3, CountOf(Generated, Summary));
            Assert.Contains("/// <remarks>[3, 8, 8] in buffer0 (border 1) → [16, 8, 8] in buffer1 (border 0); 27648 multiply-accumulates; V128.</remarks>", Generated);
            Assert.Contains("/// <remarks>[3, 8, 8] in buffer0 (border 1) → [16, 8, 8] in buffer1 (border 0); 27648 multiply-accumulates; V256.</remarks>", Generated);
        }

        [Fact]
        public void NarrowSteps_HaveNoVector512Variant_AndDispatchBetween256And128()
        {
            // Fused step 2 has 8 output channels: a Vector512 would be half empty, so only V256 and V128 exist.
            Assert.Contains("public static void Conv3x3_16to8_2x2_V128(", Generated);
            Assert.DoesNotContain("Conv3x3_16to8_2x2_V512(", Generated);
            Assert.Contains("if (s_useVector256) global::FusedNet.Generated.NetworkKernels.Conv3x3_16to8_2x2_V256(", Generated);
        }

        [Fact]
        public void Vector128Kernels_UseMultiplyAddEstimate_WiderOnesFusedMultiplyAdd()
        {
            // V128 kernels also run on x86-64 without FMA, where Vector128.FusedMultiplyAdd is a software call per lane.
            string v128 = MethodBody("Conv3x3_3to16_8x8_Relu_V128");
            Assert.Contains("Vector128.MultiplyAddEstimate(", v128);
            Assert.DoesNotContain("FusedMultiplyAdd(", v128);
            Assert.DoesNotContain("Vector256", v128);
            Assert.Contains("Vector256.FusedMultiplyAdd(", MethodBody("Conv3x3_3to16_8x8_Relu_V256"));
        }

        [Fact]
        public void ConvKernels_HaveLiteralLoopBounds()
        {
            // Kernel taps are literal loop bounds, and no loop in a conv kernel runs to a variable bound except the output rows,
            // which run over [rowBegin, rowEnd) so several threads can share a step; one thread's call passes the literal
            // (0, height). (How input channels are walked, looped or unrolled, is the emitter's choice and not asserted.)
            foreach (string method in new[] { "Conv3x3_3to16_8x8_Relu_V128", "Conv3x3_3to16_8x8_Relu_V256", "Conv3x3_3to16_8x8_Relu_V512", "Conv3x3_3to16_8x8_V256" })
            {
                string body = MethodBody(method);
                Assert.Contains("for (int oy = rowBegin; oy < rowEnd; oy++) // output rows [rowBegin, rowEnd) of 8", body);
                Assert.Contains("for (int ky = 0; ky < 3; ky++)", body);
                Assert.Contains("for (int kx = 0; kx < 3; kx++)", body);
                AssertEveryLoopBoundIsALiteral(method, body);
                Assert.Matches($@"\.{method}\([^;]*, rowBegin, rowEnd\);", Generated);
            }
            Assert.Contains("FusedStep0(s, s, 0, 8);", Generated); // one thread: all 8 rows
            string second = MethodBody("Conv3x3_16to8_2x2_V256");
            Assert.Contains("for (int oy = rowBegin; oy < rowEnd; oy++) // output rows [rowBegin, rowEnd) of 2", second);
            AssertEveryLoopBoundIsALiteral("Conv3x3_16to8_2x2_V256", second);
        }

        private static void AssertEveryLoopBoundIsALiteral(string method, string body)
        {
            var bounds = System.Text.RegularExpressions.Regex.Matches(body, @"for \(int (\w+) = [^;]+; \1 < ([^;]+);").Select(m => m.Groups[2].Value).ToList();
            Assert.NotEmpty(bounds);
            Assert.All(bounds, bound => Assert.True(int.TryParse(bound, out _) || bound == "rowEnd", $"{method} has a loop bound '{bound}' that is not a literal."));
        }

        [Fact]
        public void UnfusedPath_RunsConvBatchNormAndActivationAsSeparateSteps()
        {
            Assert.Contains("// Step 0: Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))  [layers 0 '0']", Generated);
            Assert.Contains("// Step 1: BatchNorm2d(16, eps=1E-05)  [layers 1 '1']", Generated);
            Assert.Contains("// Step 2: ReLU()  [layers 2 '2']", Generated);
            Assert.Contains(".Conv3x3_3to16_8x8_V256(", Generated);
            Assert.Contains(".BatchNorm_16x8x8_V256(", Generated);
            Assert.Contains(".Relu_16x8x8_V256(", Generated);
        }

        [Fact]
        public void CompiledNetwork_StaticMetadata_MatchesTheHandWorkedValues()
        {
            Type type = _loaded.GetNetworkType("Shapes.SmallNet");

            // Readable without weights: static members only.
            Assert.Equal(3 * 8 * 8, Constant<int>(type, "InputLength"));
            Assert.Equal(10, Constant<int>(type, "OutputLength"));
            Assert.Equal(27648L + 4608 + 320, Constant<long>(type, "MultiplyAccumulates"));
            Assert.Equal(new TensorShape(3, 8, 8), Static<TensorShape>(type, "InputShape"));
            Assert.Equal(TensorShape.Flat(10), Static<TensorShape>(type, "OutputShape"));
            AssertLayers(Static<IReadOnlyList<LayerInfo>>(type, "Layers"));
            AssertWeights(Static<IReadOnlyList<WeightInfo>>(type, "ExpectedWeights"));
        }

        [Fact]
        public void CompiledNetwork_InstanceMetadata_MatchesTheStaticOne()
        {
            var expected = Static<IReadOnlyList<WeightInfo>>(_loaded.GetNetworkType("SmallNet"), "ExpectedWeights");

            IFusedNetwork network = _loaded.Create("SmallNet", RandomWeights.Create(expected, seed: 7));

            Assert.Equal(192, network.InputLength);
            Assert.Equal(10, network.OutputLength);
            Assert.Equal(new TensorShape(3, 8, 8), network.InputShape);
            Assert.Equal(TensorShape.Flat(10), network.OutputShape);
            AssertLayers(network.Layers);
            AssertWeights(network.ExpectedWeights);
            // The network runs: every output written and finite (correctness is the end-to-end tests' job).
            var output = new float[10];
            Array.Fill(output, float.NaN);
            network.Forward(RandomWeights.RandomInput(192, seed: 3), output);
            Assert.All(output, v => Assert.True(float.IsFinite(v)));
        }

        [Fact]
        public void GeneratedDocumentation_IsWellFormed_WhenTheUserBuildsDocs()
        {
            // XML specials in a layer name are escaped in the doc comments.
            AssertDocumentationIsClean("Name = \"<b>&amp;</summary>\"");
        }

        [Fact]
        public void GeneratedDocumentation_IsWellFormed_WithControlCharactersInNames()
        {
            AssertDocumentationIsClean("Name = \"a\\u0001\"");
        }

        /// <summary>
        /// A library with GenerateDocumentationFile parses doc comments in Diagnose mode: the generated XML docs must then
        /// raise no warning (CS1570 badly formed XML and friends). <paramref name="nameArgument"/> replaces the second
        /// conv's Name argument.
        /// </summary>
        private static void AssertDocumentationIsClean(string nameArgument)
        {
            string source = Source.Replace("Name = \"features.4\"", nameArgument);
            var options = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose);
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source);
            SyntaxTree tree = compilation.SyntaxTrees.Single();
            compilation = compilation.ReplaceSyntaxTree(tree, tree.WithRootAndOptions(tree.GetRoot(), options));
            GeneratorDriver driver = CSharpGeneratorDriver.Create([new FusedNet.Generator.FusedNetworkGenerator().AsSourceGenerator()], parseOptions: options);

            driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation updated, out var generatorDiagnostics);

            Assert.Empty(generatorDiagnostics);
            var problems = updated.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(problems.Count == 0, string.Join("\n", problems.Take(10)));
        }

        private static void AssertLayers(IReadOnlyList<LayerInfo> layers)
        {
            Assert.Equal(ExpectedLayers.Length, layers.Count);
            for (int i = 0; i < layers.Count; i++)
            {
                var (name, kind, input, output, parameters, macs) = ExpectedLayers[i];
                LayerInfo layer = layers[i];
                Assert.Equal(i, layer.Index);
                Assert.Equal(name, layer.Name);
                Assert.Equal(kind, layer.Kind);
                Assert.Equal(Shape(input), layer.InputShape);
                Assert.Equal(Shape(output), layer.OutputShape);
                Assert.True(parameters == layer.ParameterCount, $"Layer {i} ({kind}): {layer.ParameterCount} parameters, expected {parameters}.");
                Assert.True(macs == layer.MultiplyAccumulates, $"Layer {i} ({kind}): {layer.MultiplyAccumulates} MACs, expected {macs}.");
            }
            Assert.Equal("Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))", layers[0].Description);
        }

        private static void AssertWeights(IReadOnlyList<WeightInfo> weights)
        {
            Assert.Equal(ExpectedTensors.Select(t => t.Name), weights.Select(w => w.Name));
            for (int i = 0; i < weights.Count; i++)
            {
                var (name, role, layer, shape) = ExpectedTensors[i];
                Assert.Equal(role, weights[i].Role);
                Assert.Equal(layer, weights[i].LayerName);
                Assert.Equal(shape, weights[i].Shape.ToArray());
                Assert.Equal(shape.Aggregate(1, (a, b) => a * b), weights[i].ElementCount);
            }
            Assert.DoesNotContain(weights, w => w.Name == "features.4.bias");
            Assert.DoesNotContain(weights, w => w.Name.Contains("num_batches_tracked", StringComparison.Ordinal));
        }

        private static TensorShape Shape(int[] dims) => dims.Length == 1 ? TensorShape.Flat(dims[0]) : new TensorShape(dims[0], dims[1], dims[2]);

        private static T Constant<T>(Type type, string name) =>
            (T)(type.GetField(name, BindingFlags.Public | BindingFlags.Static)
                ?? throw new InvalidOperationException($"{type.Name} has no public constant {name}.")).GetValue(null)!;

        private static T Static<T>(Type type, string name) =>
            (T)(type.GetProperty(name, BindingFlags.Public | BindingFlags.Static)
                ?? throw new InvalidOperationException($"{type.Name} has no public static property {name}.")).GetValue(null)!;

        private static int CountOf(string text, string value)
        {
            int count = 0;
            for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
                count++;
            return count;
        }
    }
}
