using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace FusedNet.Tests.Generator
{
    /// <summary>
    /// DESIGN §7: the generator never throws, whatever it is given, including code being typed. A corpus of
    /// malformed, half-typed and extreme inputs; for every one the generator must finish without an exception
    /// (no CS8785 "generator failed", no FN9999 internal error) and answer: generated source, or an FN error, or the
    /// input already has a C# compiler error of its own. When the input is valid C# the code it adds must compile
    /// with no error and no warning.
    /// </summary>
    public class RobustnessTests
    {
        /// <summary>An input, and whether it is valid C# on its own (then the generated code must compile cleanly too).</summary>
        public sealed record Input(string Source, bool IsValidCSharp);

        private static Input Valid(string source) => new(source, true);
        private static Input Broken(string source) => new(source, false);

        /// <summary>[FusedNetwork(…)] and layer attributes on User.Net, as the diagnostic tests build it.</summary>
        private static string Net(string network, params string[] layers) => DiagnosticTests.Net(network, layers);

        public static readonly Dictionary<string, Input> Corpus = new()
        {
            // Half-typed code.
            ["[Conv2d( at end of file"] = Broken("using FusedNet;\n[FusedNetwork(3, 8, 8)]\n[Conv2d("),
            ["[FusedNetwork( at end of file"] = Broken("using FusedNet;\n[FusedNetwork("),
            ["unterminated argument list"] = Broken("using FusedNet;\nnamespace User\n{\n    [FusedNetwork(3, 8, 8)]\n    [Conv2d(8, 3\n    public partial class Net { }\n}\n"),
            ["unterminated attribute list"] = Broken("using FusedNet;\n[FusedNetwork(3, 8, 8)]\n[Conv2d(8, 3)\npublic partial class Net { }\n"),
            ["class without a body at end of file"] = Broken("using FusedNet;\n[FusedNetwork(3, 8, 8)]\n[ReLU]\npublic partial class Net"),
            ["empty attribute list"] = Broken("using FusedNet;\n[FusedNetwork(3, 8, 8)]\n[]\n[ReLU]\npublic partial class Net { }\n"),
            ["garbage"] = Broken("}}}{{{ [[[ ((( ;; [FusedNetwork(3, 8, 8)] partial partial class class"),

            // Missing or wrongly typed arguments.
            ["FusedNetwork missing an argument"] = Broken(Net("FusedNetwork(3, 8)", "ReLU")),
            ["FusedNetwork without arguments"] = Broken(Net("FusedNetwork", "ReLU")),
            ["Conv2d missing its kernel size"] = Broken(Net("FusedNetwork(3, 8, 8)", "Conv2d(8)", "ReLU")),
            ["Linear without arguments"] = Broken(Net("FusedNetwork(3, 8, 8)", "Flatten", "Linear()")),
            ["string input shape"] = Broken(Net("FusedNetwork(\"3\", 8, 8)", "ReLU")),
            ["fractional out channels"] = Broken(Net("FusedNetwork(3, 8, 8)", "Conv2d(8.5, 3)")),
            ["string stride"] = Broken(Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3, Stride = \"2\")")),
            ["string dropout"] = Broken(Net("FusedNetwork(3, 8, 8)", "Dropout(\"half\")")),
            ["int bias"] = Broken(Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3, Bias = 1)")),
            ["string epsilon"] = Broken(Net("FusedNetwork(3, 8, 8)", "BatchNorm2d(Epsilon = \"small\")")),
            ["int name"] = Broken(Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3, Name = 5)")),
            ["non-constant argument"] = Broken(Net("FusedNetwork(3, 8, 8)", "Conv2d(System.Environment.ProcessorCount, 3)")),
            ["overflowing constant"] = Broken(Net("FusedNetwork(3, 8, 8)", "Conv2d(int.MaxValue + 1, 3)")),
            ["unknown named arguments"] = Broken(Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3, Strides = 2)", "ReLU(Inplace = true)")),
            ["unknown attribute among the layers"] = Broken(Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3)", "Conv3d(8, 3)", "ReLU")),

            // Attributes where they do not belong (FusedNet's attributes target classes only).
            ["on a struct"] = Broken("using FusedNet;\n[FusedNetwork(3, 8, 8)]\n[Conv2d(8, 3)]\npublic partial struct Net { }\n"),
            ["on a record struct"] = Broken("using FusedNet;\n[FusedNetwork(3, 8, 8)]\n[ReLU]\npublic partial record struct Net;\n"),
            ["on an interface"] = Broken("using FusedNet;\n[FusedNetwork(3, 8, 8)]\n[ReLU]\npublic partial interface INet { }\n"),
            ["on an enum"] = Broken("using FusedNet;\n[FusedNetwork(3, 8, 8)]\n[ReLU]\npublic enum Net { A }\n"),
            ["on a method"] = Broken("using FusedNet;\npublic partial class Host\n{\n    [FusedNetwork(3, 8, 8)]\n    [Conv2d(8, 3)]\n    void M() { }\n}\n"),
            ["layers alone on a struct"] = Broken("using FusedNet;\n[Conv2d(8, 3)]\n[ReLU]\npublic partial struct Net { }\n"),
            ["duplicated FusedNetwork"] = Broken(Net("FusedNetwork(3, 8, 8)", "FusedNetwork(3, 8, 8)", "Conv2d(8, 3)")),
            ["FusedNetwork with different shapes on two partial declarations"] = Broken(
                "using FusedNet;\n[FusedNetwork(3, 8, 8)]\npublic partial class Net { }\n[FusedNetwork(1, 4, 4)]\n[Linear(2)]\npublic partial class Net { }\n"),

            // Extreme but valid C#: the generator answers with diagnostics, or with code that compiles.
            ["int.MaxValue everywhere"] = Valid(Net("FusedNetwork(int.MaxValue, int.MaxValue, int.MaxValue)",
                "Conv2d(int.MaxValue, int.MaxValue, KernelWidth = int.MaxValue, Stride = int.MaxValue, Padding = int.MaxValue, Dilation = int.MaxValue, Groups = int.MaxValue)",
                "MaxPool2d(int.MaxValue, Stride = int.MaxValue, Padding = int.MaxValue)", "Linear(int.MaxValue)")),
            ["int.MaxValue layers on a small input"] = Valid(Net("FusedNetwork(3, 8, 8)",
                "Conv2d(int.MaxValue, int.MaxValue, KernelWidth = int.MaxValue, Stride = int.MaxValue, Padding = int.MaxValue, Dilation = int.MaxValue, Groups = int.MaxValue)")),
            ["int.MaxValue dilation"] = Valid(Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3, Dilation = int.MaxValue)")),
            ["int.MaxValue stride"] = Valid(Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3, Stride = int.MaxValue)", "AvgPool2d(1, Stride = int.MaxValue)", "Flatten", "Linear(3)")),
            ["int.MinValue everywhere"] = Valid(Net("FusedNetwork(int.MinValue, int.MinValue, int.MinValue)",
                "Conv2d(int.MinValue, int.MinValue, KernelWidth = int.MinValue, Stride = int.MinValue, Padding = int.MinValue, Dilation = int.MinValue, Groups = int.MinValue)")),
            ["int.MinValue layers on a small input"] = Valid(Net("FusedNetwork(3, 8, 8)",
                "Conv2d(8, 3, Padding = int.MinValue)", "MaxPool2d(int.MinValue, Padding = int.MinValue)", "Linear(int.MinValue)")),
            ["negative everything"] = Valid(Net("FusedNetwork(-1, -1, -1)",
                "Conv2d(-1, -1, KernelWidth = -1, Stride = -1, Padding = -1, Dilation = -1, Groups = -1)",
                "MaxPool2d(-1, Stride = -1, Padding = -1)", "Dropout(-1f)", "BatchNorm2d(Epsilon = -1f)", "Linear(-1)", "LeakyReLU(-1f)", "ELU(-1f)")),
            ["negative layers after a valid input"] = Valid(Net("FusedNetwork(3, 8, 8)",
                "Conv2d(-8, -3, Stride = -1, Padding = -1, Dilation = -1, Groups = -1)", "AvgPool2d(-2, Stride = -2, Padding = -2)", "Linear(-10)")),
            ["all special floats"] = Valid(Net("FusedNetwork(3, 8, 8)", "BatchNorm2d(Epsilon = float.NaN)", "LeakyReLU(float.PositiveInfinity)",
                "ELU(float.NaN)", "Dropout(float.NegativeInfinity)", "BatchNorm2d(Epsilon = float.Epsilon)")),
            // Small layers, and Dropout (no code) for most of them, keep the generated file quick to compile.
            ["200 layers"] = Valid(Net("FusedNetwork(4, 2, 2)", Enumerable.Range(0, 25)
                .SelectMany(_ => new[] { "Conv2d(4, 1)", "BatchNorm2d", "ReLU", "Dropout(0.1f)", "Dropout", "Dropout(0f)", "Dropout(0.5f)", "Dropout(0.9f)" }).ToArray())),
            ["every layer kind"] = Valid(Net("FusedNetwork(3, 9, 9)",
                "Conv2d(16, 3, Padding = 1, Bias = false)", "BatchNorm2d", "ReLU6", "Conv2d(16, 3, Padding = 2, Dilation = 2, Groups = 16)", "Sigmoid",
                "Conv2d(24, 1, Groups = 4)", "Tanh", "MaxPool2d(3, Stride = 2, Padding = 1)", "SiLU", "AvgPool2d(2, Stride = 1)", "Hardswish",
                "BatchNorm2d(Epsilon = 1e-3f)", "Hardsigmoid", "LeakyReLU(0.2f)", "ELU(0.5f)", "GELU(Approximate = true)", "GELU", "Dropout(0.3f)",
                "Flatten", "Linear(12, Bias = false)", "BatchNorm1d", "ReLU", "Linear(5)")),
            ["boundary values that are still valid"] = Valid(Net("FusedNetwork(1, 1, 1)", "Conv2d(1, 1)", "MaxPool2d(1)", "AvgPool2d(2, Stride = 5, Padding = 1)",
                "Dropout(0f)", "BatchNorm2d(Epsilon = float.Epsilon)", "LeakyReLU(float.MaxValue)", "GlobalAvgPool2d", "Flatten", "Linear(1)")),

            // Names and identifiers that must be escaped or cannot be used as they are.
            ["unicode identifiers and names"] = Valid("using FusedNet;\nnamespace Пример.例子\n{\n    [FusedNetwork(3, 8, 8)]\n" +
                "    [Conv2d(8, 3, Name = \"特征.0\")]\n    [BatchNorm2d(Name = \"норма\")]\n    [ReLU(Name = \"😀\")]\n    [Flatten(Name = \"\\u00e9t\\u00e9\")]\n" +
                "    [Linear(4, Name = \"κεφαλή 😀\")]\n    public partial class Сеть_ζ { }\n}\n"),
            ["names with quotes, line breaks and comment ends"] = Valid(Net("FusedNetwork(3, 8, 8)",
                "Conv2d(8, 3, Name = \"a\\\"b\")", "BatchNorm2d(Name = \"line\\nbreak\\r\\n#error no\")", "Conv2d(8, 1, Name = \"*/ /* \\\\ </summary> & <x>\")",
                "BatchNorm2d(Name = \"sep\\u2028\\u2029end\")", "ReLU(Name = \"@\\\" {0} {{x}} $\\\"\")", "Conv2d(8, 1, Name = \"nul\\0tab\\tbell\\a\")",
                "Flatten", "Linear(2, Name = \"// comment\\n}\")")),
            ["Name = null"] = Valid(Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3, Name = null)")),

            // Ordinary declarations written in less common ways.
            ["class declared with a semicolon"] = Valid("using FusedNet;\n[FusedNetwork(3, 8, 8)]\n[Conv2d(8, 3)]\npublic partial class Net;\n"),
            ["global namespace"] = Valid("using FusedNet;\n[FusedNetwork(3, 8, 8)]\n[Conv2d(8, 3)]\n[BatchNorm2d]\ninternal sealed partial class Net { }\n"),
            ["file-scoped namespace"] = Valid("using FusedNet;\nnamespace User.Models.Vision;\n[FusedNetwork(3, 8, 8)]\n[Conv2d(8, 3)]\npublic sealed partial class Net { }\n"),
            ["base class, interface and members of its own"] = Valid("using FusedNet;\nnamespace User\n{\n    public abstract class Model { public abstract string Describe(); }\n" +
                "    [FusedNetwork(3, 8, 8)]\n    [Conv2d(8, 3)]\n    [GlobalAvgPool2d]\n    public partial class Net : Model, System.IDisposable\n    {\n" +
                "        private int _uses;\n        public override string Describe() => \"net \" + _uses++;\n        public void Dispose() { }\n    }\n}\n"),
            ["unsafe sealed internal"] = Valid("using FusedNet;\nnamespace User\n{\n    [FusedNetwork(3, 8, 8)]\n    [Conv2d(8, 3)]\n    internal sealed unsafe partial class Net { }\n}\n"),
            ["qualified, aliased and suffixed attribute names"] = Valid("using Conv = FusedNet.Conv2dAttribute;\nnamespace User\n{\n" +
                "    [global::FusedNet.FusedNetworkAttribute(3, 8, 8)]\n    [Conv(8, 3)]\n    [FusedNet.BatchNorm2d()]\n    [FusedNet.ReLUAttribute]\n    public partial class Net { }\n}\n"),
            ["named constructor arguments out of order"] = Valid(Net("FusedNetwork(width: 8, height: 6, channels: 3)",
                "Conv2d(kernelSize: 3, outChannels: 8, Padding = 1)", "LeakyReLU(negativeSlope: 0.2f)")),
            ["constant expressions"] = Valid("using FusedNet;\nnamespace User\n{\n    static class Sizes { public const int C = 4 * 2; public const float Eps = 1e-3f / 2; }\n" +
                "    [FusedNetwork(Sizes.C / 2 - 1, 2 << 2, 8)]\n    [Conv2d(Sizes.C, Sizes.C / 4 + 1, Padding = (int)1.0)]\n    [BatchNorm2d(Epsilon = Sizes.Eps)]\n    public partial class Net { }\n}\n"),
            ["attributes in one list and behind #if"] = Valid("using FusedNet;\nnamespace User\n{\n    [FusedNetwork(3, 8, 8), Conv2d(8, 3)]\n    [BatchNorm2d, ReLU]\n" +
                "#if NEVER_DEFINED\n    [Conv2d(0, 0)]\n#endif\n    [Flatten]\n    public partial class Net { }\n}\n"),
            ["two networks with one name in two namespaces"] = Valid("using FusedNet;\nnamespace A\n{\n    [FusedNetwork(3, 8, 8)]\n    [Conv2d(8, 3)]\n    public partial class Net { }\n}\n" +
                "namespace A.B\n{\n    [FusedNetwork(1, 4, 4)]\n    [Flatten]\n    [Linear(2)]\n    public partial class Net { }\n}\n"),
        };

        public static TheoryData<string> CorpusNames => new(Corpus.Keys);

        [Theory]
        [MemberData(nameof(CorpusNames))]
        public void NeverThrows(string inputName) => AssertNeverThrows(Corpus[inputName]);

        /// <summary>
        /// The generator finishes without an exception or internal error; it answers (generated source, an FN error, or
        /// the input is already invalid C# on its own, so silence cannot hide a swallowed failure); nothing the compiler
        /// reports is in the generated files; and a valid input compiles cleanly with the generated code (generator
        /// diagnostics aside: they are the answer).
        /// </summary>
        internal static GeneratorRun AssertNeverThrows(Input input)
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(input.Source);

            GeneratorAssert.NoGeneratorException(run);
            bool answered = run.GeneratedSources.Length > 0 ||
                run.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("FN", System.StringComparison.Ordinal));
            Assert.True(answered || InputHasCompilerErrors(input.Source),
                "The generator answered nothing (no source, no FN error) for an input without compiler errors of its own.");
            var generatedTrees = run.Compilation.SyntaxTrees.Where(t => t.FilePath != GeneratorAssert.SourcePath).ToHashSet();
            var inGenerated = run.CompilationDiagnostics
                .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && generatedTrees.Contains(tree))
                .ToList();
            Assert.True(inGenerated.Count == 0, "The generated code has problems:\n" + string.Join("\n", inGenerated.Take(20)));
            if (input.IsValidCSharp)
                GeneratorAssert.CompilesCleanly(run);
            else
                Assert.Contains(run.CompilationDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
            return run;
        }

        /// <summary>Whether the input, compiled without the generator, already has a C# error.</summary>
        private static bool InputHasCompilerErrors(string source) =>
            GeneratorHarness.CreateCompilation(source).GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);

        // Inputs the generator gets wrong today. Each is skipped with the reason, and passes once the bug is fixed.

        [Fact]
        public void NeverThrows_FusedNetworkOnTwoPartialDeclarations() => AssertNeverThrows(Broken(
            "using FusedNet;\n[FusedNetwork(3, 8, 8)]\n[Conv2d(8, 3)]\npublic partial class Net { }\n[FusedNetwork(3, 8, 8)]\npublic partial class Net { }\n"));

        [Fact]
        public void NeverThrows_NamespaceWithKeywords() => AssertNeverThrows(Valid(
            "using FusedNet;\nnamespace @class.@int\n{\n    [FusedNetwork(3, 8, 8)]\n    [Conv2d(8, 3)]\n    public partial class Net { }\n}\n"));

        [Fact]
        public void NeverThrows_ClassNamedWithAKeyword() => AssertNeverThrows(Valid(
            "using FusedNet;\nnamespace User\n{\n    [FusedNetwork(3, 8, 8)]\n    [Conv2d(8, 3)]\n    public partial class @event { }\n}\n"));

        [Fact]
        public void NeverThrows_NameWithNextLineCharacter() => AssertNeverThrows(Valid(
            Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3, Name = \"a\\u0085b\")")));

        [Fact]
        public void NeverThrows_ClassNamedLikeAGeneratedType() => AssertNeverThrows(Valid(
            "using FusedNet;\nnamespace User\n{\n    [FusedNetwork(3, 8, 8)]\n    [Conv2d(8, 3)]\n    public partial class Scratch { }\n}\n"));

        [Fact]
        public void NeverThrows_PrimaryConstructor() => AssertNeverThrows(Valid(
            "using FusedNet;\nnamespace User\n{\n    [FusedNetwork(3, 8, 8)]\n    [Conv2d(8, 3)]\n    public partial class Net(int tag)\n    {\n        public int Tag => tag;\n    }\n}\n"));

        [Fact]
        public void NeverThrows_HugeKernelAndPadding() => AssertNeverThrows(Valid(
            Net("FusedNetwork(3, 8, 8)", "Conv2d(8, int.MaxValue, Padding = int.MaxValue)")));

        [Fact]
        public void NeverThrows_BaseClassWithoutParameterlessConstructor() => AssertNeverThrows(Broken(
            "using FusedNet;\nnamespace User\n{\n    public abstract class Model { protected Model(string name) { } }\n" +
            "    [FusedNetwork(3, 8, 8)]\n    [Conv2d(8, 3)]\n    public partial class Net : Model { }\n}\n"));

        [Fact]
        public void FileLocalClass_GetsTheMembersOrADiagnostic()
        {
            // The compilation is clean, but the generated 'partial class Net' (not file-local) declares another type:
            // the user's class gets no Forward. Either the members land on the user's class or a diagnostic says why not.
            const string Source = "using FusedNet;\nnamespace User\n{\n    [FusedNetwork(3, 8, 8)]\n    [Conv2d(8, 3)]\n    file partial class Net\n    {\n        static void Use(Net net) => net.Forward(new float[192], new float[288]);\n    }\n}\n";

            GeneratorRun run = GeneratorHarness.RunGenerator(Source);

            GeneratorAssert.NoGeneratorException(run);
            if (run.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
                return;
            GeneratorAssert.CompilesCleanly(run);
        }

        [Fact]
        public void EveryGeneratorDiagnosticOfTheCorpus_IsAnFNErrorOnTheUsersFile()
        {
            foreach ((string name, Input input) in Corpus)
            {
                GeneratorRun run = GeneratorHarness.RunGenerator(input.Source);
                foreach (Diagnostic diagnostic in run.GeneratorDiagnostics)
                {
                    Assert.True(diagnostic.Id.StartsWith("FN", System.StringComparison.Ordinal), $"{name}: {diagnostic}");
                    Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
                    Assert.Equal(GeneratorAssert.SourcePath, diagnostic.Location.GetLineSpan().Path);
                    var span = diagnostic.Location.SourceSpan;
                    Assert.True(span.End <= input.Source.Length, $"{name}: {diagnostic} points past the end of the file.");
                    // Diagnostics sit on an attribute (its text is a layer or network attribute name and arguments).
                    string text = input.Source.Substring(span.Start, span.Length);
                    Assert.Matches(new Regex(@"^[\w.:]+(\(.*\))?$", RegexOptions.Singleline), text);
                }
            }
        }

        /// <summary>Each AlignedBuffer the generated code allocates: its length and the shape comment after it.</summary>
        private static IEnumerable<(long Length, string Comment)> AllocatedBuffers(string generated) =>
            Regex.Matches(generated, @"new global::FusedNet\.Internal\.AlignedBuffer\((-?\d+)\); // (.*)")
                .Select(m => (long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value));

        [Fact]
        public void HugeConvPadding_IsRejected_NotWrappedAround()
        {
            // True output: floor((8 + 2·(2^31 − 1) − 2 − 1) / 1) + 1 = 2^32 + 4 per side, far over 2^28 elements.
            string source = Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3, Padding = int.MaxValue)");

            GeneratorRun run = GeneratorHarness.RunGenerator(source);

            GeneratorAssert.NoGeneratorException(run);
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("FN0015", diagnostic.Id);
            GeneratorAssert.AssertLocation(diagnostic, source, "Conv2d(8, 3, Padding = int.MaxValue)");
            Assert.Empty(run.GeneratedSources);
        }

        [Fact]
        public void HugePoolPadding_IsRejected_NotWrappedAround()
        {
            string source = Net("FusedNetwork(3, 8, 8)", "MaxPool2d(2, Padding = int.MaxValue)");

            GeneratorRun run = GeneratorHarness.RunGenerator(source);

            GeneratorAssert.NoGeneratorException(run);
            GeneratorAssert.SingleError(run, source, "FN0013", "MaxPool2d(2, Padding = int.MaxValue)",
                "Layer 0 '0' (MaxPool2d): Padding = 2147483647 must be at most half the kernel size 2, as in PyTorch");
        }

        [Theory]
        [InlineData("FusedNetwork(16, 4096, 4096)", "ReLU", 0)]                            // 16 × 4096 × 4096 = 2^28
        [InlineData("FusedNetwork(16, 4094, 4094)", "Conv2d(16, 3, Padding = 1)", 1)]    // with its border: 16 × 4096 × 4096
        public void LargestAllowedTensor_GetsBuffersThatHoldIt(string network, string layer, int border)
        {
            // FN0015 allows 2^28 floats per tensor as stored: channels rounded up to 16, plus the zero border a padded
            // reader needs. These inputs are exactly at the limit. Their buffer must hold all of it: a wrapped-around
            // length would let the kernels write outside the buffer. The conv case needs four such buffers (4 GiB, over
            // FN0017's default 2 GiB of scratch), so the limit is raised as a project would.
            string source = Net(network, layer);

            GeneratorRun run = GeneratorHarness.RunGenerator(source, new Dictionary<string, string> { ["FusedNetMaxScratchBytes"] = "8GiB" });

            GeneratorAssert.NoGeneratorException(run);
            Assert.Empty(run.GeneratorDiagnostics);
            var buffers = AllocatedBuffers(Assert.Single(run.GeneratedSources).Text).ToList();
            Assert.Contains(buffers, b => b.Length == 1L << 28 && b.Comment.EndsWith($"border {border}", System.StringComparison.Ordinal));
            Assert.All(buffers, b => Assert.True(b.Length > 0 && b.Length <= 1L << 28, $"Buffer of {b.Length} floats for {b.Comment}"));
        }

        [Theory]
        [InlineData("FusedNetwork(17, 4096, 4096)", "ReLU", "FusedNetwork(17, 4096, 4096)",
            "Network 'Net': the tensor [17, 4096, 4096] (stored as 32 x 4096 x 4096: channels rounded up to a multiple of 16) takes 536870912 floats")]
        [InlineData("FusedNetwork(16, 4096, 4097)", "ReLU", "FusedNetwork(16, 4096, 4097)",
            "Network 'Net': the tensor [16, 4096, 4097] (stored as 16 x 4096 x 4097: channels rounded up to a multiple of 16) takes 268500992 floats")]
        [InlineData("FusedNetwork(1, 16384, 16384)", "ReLU", "FusedNetwork(1, 16384, 16384)",
            "Network 'Net': the tensor [1, 16384, 16384] (stored as 16 x 16384 x 16384: channels rounded up to a multiple of 16) takes 4294967296 floats")]
        [InlineData("FusedNetwork(16, 4095, 4094)", "Conv2d(16, 3, Padding = 1)", "Conv2d(16, 3, Padding = 1)",
            "Layer 0 '0' (Conv2d): the tensor [16, 4095, 4094] with padding 1 (stored as 16 x 4097 x 4096: channels rounded up to a multiple of 16, plus the zero border of the padding) takes 268500992 floats")]
        public void JustBeyondTheLargestAllowedTensor_IsFN0015(string network, string layer, string attribute, string message)
        {
            // The other side of the limit: one more channel group, row or column; or 2^28 elements that take 16 × 2^28
            // floats once their single channel is rounded up.
            string source = Net(network, layer);

            GeneratorRun run = GeneratorHarness.RunGenerator(source);

            GeneratorAssert.SingleError(run, source, "FN0015", attribute,
                message + ", more than the limit of 2^28 = 268435456 floats per tensor; FusedNet targets small networks");
        }

        [Fact]
        public void LargeTensors_GetBuffersThatHoldThem()
        {
            // The same check where the padded buffer still fits in int: [1, 4096, 4096] pads to 16 channels, 2^28 floats.
            string source = Net("FusedNetwork(1, 4096, 4096)", "ReLU");

            GeneratorRun run = GeneratorHarness.RunGenerator(source);

            GeneratorAssert.NoGeneratorException(run);
            Assert.Empty(run.GeneratorDiagnostics);
            var buffers = AllocatedBuffers(Assert.Single(run.GeneratedSources).Text).ToList();
            Assert.NotEmpty(buffers);
            Assert.All(buffers, b => Assert.True(b.Length >= 4096L * 4096, $"Buffer of {b.Length} floats for {b.Comment}"));
        }

        [Fact]
        public void NameNull_MeansTheDefaultPrefix()
        {
            string source = Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3, Name = null)");

            GeneratorRun run = GeneratorHarness.RunGenerator(source);

            GeneratorAssert.NoGeneratorException(run);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Contains("new global::FusedNet.WeightInfo(\"0.weight\"", Assert.Single(run.GeneratedSources).Text);
        }

        [Fact]
        public void CancelledRun_StopsWithoutReportingAFailure()
        {
            // OperationCanceledException must pass through the generator's guard (it is not a crash).
            string source = Net("FusedNetwork(3, 8, 8)", "Conv2d(8, 3)", "ReLU");
            var compilation = GeneratorHarness.CreateCompilation(source);
            GeneratorDriver driver = Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(
                [new FusedNet.Generator.FusedNetworkGenerator().AsSourceGenerator()], parseOptions: GeneratorAssert.ParseOptions);
            using var cancelled = new System.Threading.CancellationTokenSource();
            cancelled.Cancel();

            Assert.ThrowsAny<System.OperationCanceledException>(() => driver.RunGenerators(compilation, cancelled.Token));
        }

        [Fact]
        public void SourcesBuiltFromTheCorpus_AreWhatTheyClaim()
        {
            // The corpus labels are part of what is tested: "valid" inputs really compile without the generator.
            var invalid = new List<string>();
            foreach ((string name, Input input) in Corpus.Where(c => c.Value.IsValidCSharp))
            {
                var errors = GeneratorHarness.CreateCompilation(input.Source).GetDiagnostics()
                    .Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                if (errors.Count > 0) invalid.Add($"{name}: {errors[0]}");
            }
            Assert.Empty(invalid);
        }
    }
}
