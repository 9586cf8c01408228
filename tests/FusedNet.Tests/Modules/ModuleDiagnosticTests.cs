using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Model;
using FusedNet.Tests.Generator;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace FusedNet.Tests.Modules
{
    /// <summary>FN0022-FN0030, the module front end's diagnostics: ID, severity, the exact expression they sit on, the message.</summary>
    public class ModuleDiagnosticTests
    {
        public sealed record Case(string Source, string Id, string At, string[] MessageParts);

        private static string Net(string body, string modules = "", string declaration = "public partial class Net : Module") =>
            ModuleSpecs.Usings + "namespace User\n{\n" + modules + "\n    [FusedNetwork(8, 8, 8), FusedModule]\n    " + declaration + "\n    {\n" + body + "\n    }\n}\n";

        public static readonly Dictionary<string, Case> Cases = new()
        {
            ["FN0022 a call Forward cannot read"] = new(Net("""
                readonly ReLU relu = new();
                public Tensor Forward(Tensor x) { Console.WriteLine("hi"); return relu.Forward(x); }
                """), "FN0022", "Console.WriteLine(\"hi\")", ["Module 'Net': the call 'Console.WriteLine(\"hi\")' is not supported here", "Forward may use locals"]),
            ["FN0022 new in Forward"] = new(Net("""
                public Tensor Forward(Tensor x) { var r = new ReLU(); return r.Forward(x); }
                """), "FN0022", "new ReLU()", ["'new ReLU()' in Forward", "create sub-modules in field initialisers"]),
            ["FN0022 a while loop without a constant condition"] = new(Net("""
                readonly ReLU relu = new();
                public Tensor Forward(Tensor x) { Tensor? y = null; y ??= relu.Forward(x); return y; }
                """), "FN0022", "y ??= relu.Forward(x)", ["'y ??= relu.Forward(x)' is not supported here"]),

            ["FN0023 module argument"] = new(Net("""
                readonly Conv2d conv1 = new(8, 8, 3, stride: Environment.ProcessorCount);
                public Tensor Forward(Tensor x) => conv1.Forward(x);
                """), "FN0023", "Environment.ProcessorCount",
                ["Module 'Net': setting 'stride' of conv1 does not fold to a constant: 'Environment.ProcessorCount'", "not known at build time"]),
            ["FN0023 condition"] = new(Net("""
                readonly ReLU relu = new();
                public Tensor Forward(Tensor x) => DateTime.Now.Year > 2000 ? relu.Forward(x) : F.Tanh(x);
                """), "FN0023", "DateTime.Now", ["the condition of '?:' does not fold to a constant: 'DateTime.Now'"]),

            ["FN0024 null sub-module called"] = new(Net("""
                readonly Sequential? downsample = null;
                public Tensor Forward(Tensor x) => downsample!.Forward(x);
                """), "FN0024", "downsample!.Forward(x)", ["Module 'Net': null sub-module 'downsample' is called"]),

            ["FN0025 recursive module"] = new(Net("""
                readonly Loop loop = new();
                public Tensor Forward(Tensor x) => loop.Forward(x);
                """, """
                [FusedModule]
                public class Loop : Module
                {
                    readonly Loop inner = new Loop();
                    public Tensor Forward(Tensor x) => inner.Forward(x);
                }
                """), "FN0025", "new Loop()", ["Module 'Loop' instantiates itself (Loop -> Loop)"]),

            ["FN0026 loop too long"] = new(Net("""
                public Tensor Forward(Tensor x)
                {
                    for (int i = 0; i < 1000000; i++) x = F.Relu(x);
                    return x;
                }
                """), "FN0026", "for (int i = 0; i < 1000000; i++) x = F.Relu(x);", ["runs more than 10000 times at build time"]),

            ["FN0027 Forward returns its input"] = new(Net("""
                public Tensor Forward(Tensor x) => x;
                """), "FN0027", "x", ["Forward returns its input unchanged"]),
            ["FN0027 sub-module without Forward"] = new(Net("""
                readonly Empty empty = new Empty();
                public Tensor Forward(Tensor x) => empty.Forward(x);
                """, """
                [FusedModule]
                public class Empty : Module { }
                """), "FN0027", "new Empty()", ["class 'Empty' has no method 'public Tensor Forward(Tensor x)'"]),

            ["FN0028 primary constructor parameter without default"] = new(Net("""
                readonly Linear fc = new(512, classes);
                public Tensor Forward(Tensor x) => fc.Forward(F.Flatten(x));
                """, declaration: "public partial class Net(int classes) : Module"), "FN0028", "int classes",
                ["Module class 'Net' has the primary constructor parameter 'classes' without a default value"]),
            ["FN0028 sub-module class not marked"] = new(Net("""
                readonly Plain plain = new Plain();
                public Tensor Forward(Tensor x) => plain.Forward(x);
                """, """
                public class Plain : Module { public Tensor Forward(Tensor x) => F.Relu(x); }
                """), "FN0028", "new Plain()", ["Module class 'Plain' is used as a sub-module but is not marked [FusedModule]"]),
            ["FN0028 layer attributes on a module network"] = new(
                ModuleSpecs.Usings + "namespace User\n{\n    [FusedNetwork(8, 8, 8), FusedModule]\n    [ReLU]\n    public partial class Net : Module\n    {\n        public Tensor Forward(Tensor x) => F.Relu(x);\n    }\n}\n",
                "FN0028", "ReLU", ["has layer attributes and [FusedModule]"]),

            ["FN0029 adaptive pool to 2x2"] = new(Net("""
                public Tensor Forward(Tensor x) => F.AdaptiveAvgPool2d(x, 2);
                """), "FN0029", "2", ["AdaptiveAvgPool2d to 2x2 is not supported; only output size 1"]),
        };

        public static IEnumerable<object[]> CaseNames() => Cases.Keys.Select(k => new object[] { k });

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Reports_the_diagnostic_on_the_exact_expression(string name)
        {
            Case c = Cases[name];
            (NetworkSpec? spec, IReadOnlyList<Diagnostic> diagnostics, GeneratorRun run) = ModuleSpecs.Extract(c.Source);
            GeneratorAssert.NoGeneratorException(run);
            Assert.Null(spec);
            // The front end's diagnostics (FN0028 for layer attributes comes from the extractor too).
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal(c.Id, diagnostic.Id);
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            foreach (string part in c.MessageParts) Assert.Contains(part, message);
            AssertAt(c.Source, diagnostic, c.At);
            Assert.Empty(run.GeneratedSources);
        }

        /// <summary>The diagnostic covers exactly <paramref name="text"/> (its last occurrence when it occurs more than once).</summary>
        private static void AssertAt(string source, Diagnostic diagnostic, string text)
        {
            var span = diagnostic.Location.SourceSpan;
            Assert.True(span.End <= source.Length, $"span {span} outside the source");
            Assert.Equal(text, source.Substring(span.Start, span.Length));
            Assert.Equal("Networks.cs", diagnostic.Location.GetLineSpan().Path);
        }

        [Fact]
        public void FN0030_an_unused_sub_module_is_a_warning_and_the_network_still_compiles()
        {
            string source = Net("""
                readonly Conv2d conv = new(8, 8, 3, padding: 1);
                readonly Conv2d spare = new(8, 8, 1);
                readonly Sequential head = new(new ReLU(), new Flatten());
                public Tensor Forward(Tensor x) => head.Forward(conv.Forward(x));
                """);
            (NetworkSpec? spec, _, GeneratorRun run) = ModuleSpecs.Extract(source);
            GeneratorAssert.NoGeneratorException(run);
            Assert.NotNull(spec);
            Diagnostic warning = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("FN0030", warning.Id);
            Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
            Assert.Equal("Module 'Net': sub-module 'spare' is never called by Forward; its weights are not part of the network",
                warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            AssertAt(source, warning, "spare");
            Assert.Single(run.GeneratedSources); // a warning does not stop generation
            Assert.DoesNotContain(run.CompilationDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        }

        [Fact]
        public void FN0030_is_reported_once_per_declaration_for_every_instance()
        {
            string source = Net("""
                readonly Block a = new(), b = new();
                public Tensor Forward(Tensor x) => b.Forward(a.Forward(x));
                """, """
                [FusedModule]
                public class Block : Module
                {
                    readonly ReLU used = new();
                    readonly Tanh unused = new();
                    public Tensor Forward(Tensor x) => used.Forward(x);
                }
                """);
            (_, _, GeneratorRun run) = ModuleSpecs.Extract(source);
            Diagnostic warning = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("FN0030", warning.Id);
            AssertAt(source, warning, "unused");
        }
    }
}
