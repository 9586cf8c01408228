using System.Collections.Generic;
using System.Linq;
using FusedNet.Tests.Generator;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace FusedNet.Tests.Modules
{
    /// <summary>
    /// FN0019–FN0021 and FN0031, the graph rules shape inference checks on a module network: reported on the exact
    /// `+`, `Tensor.Cat`, `*` or layer call of Forward, naming both shapes; no source is generated.
    /// </summary>
    public class GraphDiagnosticTests
    {
        public sealed record Case(string Source, string Id, string At, string[] MessageParts);

        private static string Net(string body) =>
            ModuleSpecs.Usings + "namespace User\n{\n    [FusedNetwork(8, 8, 8), FusedModule]\n    public partial class Net : Module\n    {\n" + body + "\n    }\n}\n";

        public static readonly Dictionary<string, Case> Cases = new()
        {
            ["FN0019 residual without downsample"] = new(Net("""
                readonly Conv2d conv = new(8, 16, 3, stride: 2, padding: 1);
                public Tensor Forward(Tensor x) => conv.Forward(x) + x;
                """), "FN0019", "conv.Forward(x) + x",
                ["cannot add [16, 4, 4] and [8, 8, 8]", "downsample (1x1 Conv2d with the same stride, then BatchNorm2d)"]),

            ["FN0020 Cat of different sizes"] = new(Net("""
                readonly Conv2d a = new(8, 4, 1);
                readonly Conv2d b = new(8, 4, 3, stride: 2, padding: 1);
                public Tensor Forward(Tensor x) => Tensor.Cat(a.Forward(x), b.Forward(x));
                """), "FN0020", "Tensor.Cat(a.Forward(x), b.Forward(x))",
                ["cannot concatenate [4, 8, 8] and [4, 4, 4] along channels", "same H x W (the first operand is 8 x 8)"]),

            ["FN0021 scale with other channels"] = new(Net("""
                readonly Conv2d squeeze = new(8, 4, 1);
                public Tensor Forward(Tensor x) => x * F.Sigmoid(squeeze.Forward(F.AdaptiveAvgPool2d(x, 1)));
                """), "FN0021", "x * F.Sigmoid(squeeze.Forward(F.AdaptiveAvgPool2d(x, 1)))",
                ["cannot multiply [8, 8, 8] by [4, 1, 1]", "[C, 1, 1] (or [C]) tensor with the same C"]),

            ["FN0021 spatial scale"] = new(Net("""
                readonly Conv2d gate = new(8, 8, 1);
                public Tensor Forward(Tensor x) => x * gate.Forward(x);
                """), "FN0021", "x * gate.Forward(x)", ["cannot multiply [8, 8, 8] by [8, 8, 8]"]),

            ["FN0031 Conv2d inChannels"] = new(Net("""
                readonly Conv2d conv1 = new(8, 16, 3, padding: 1);
                readonly Conv2d conv2 = new(8, 16, 3, padding: 1);
                public Tensor Forward(Tensor x) => conv2.Forward(conv1.Forward(x));
                """), "FN0031", "conv2.Forward(conv1.Forward(x))",
                ["'conv2' (Conv2d): declared with inChannels = 8, but its input is [16, 8, 8] (16 channels)"]),

            ["FN0031 BatchNorm2d numFeatures"] = new(Net("""
                readonly Conv2d conv = new(8, 16, 1);
                readonly BatchNorm2d bn = new(8);
                public Tensor Forward(Tensor x) => bn.Forward(conv.Forward(x));
                """), "FN0031", "bn.Forward(conv.Forward(x))", ["declared with numFeatures = 8, but its input is [16, 8, 8] (16 channels)"]),

            ["FN0031 Linear inFeatures"] = new(Net("""
                readonly Linear fc = new(8, 10);
                public Tensor Forward(Tensor x) => fc.Forward(F.Flatten(x));
                """), "FN0031", "fc.Forward(F.Flatten(x))", ["declared with inFeatures = 8, but its input is [512] (512 features)"]),
        };

        public static IEnumerable<object[]> CaseNames() => Cases.Keys.Select(k => new object[] { k });

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Reports_the_graph_rule_on_the_exact_expression(string name)
        {
            Case c = Cases[name];
            GeneratorRun run = GeneratorHarness.RunGenerator(c.Source);
            GeneratorAssert.NoGeneratorException(run);
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal(c.Id, diagnostic.Id);
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            foreach (string part in c.MessageParts) Assert.Contains(part, message);
            var span = diagnostic.Location.SourceSpan;
            Assert.Equal(c.At, c.Source.Substring(span.Start, span.Length));
            Assert.Empty(run.GeneratedSources);
        }
    }
}
