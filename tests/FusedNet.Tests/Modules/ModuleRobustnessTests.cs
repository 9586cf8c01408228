using System.Collections.Generic;
using System.Linq;
using FusedNet.Tests.Generator;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FusedNet.Tests.Modules
{
    /// <summary>Half-typed module code never crashes the generator, and the compiler's own errors are not repeated as FN diagnostics.</summary>
    public class ModuleRobustnessTests
    {
        private const string Head = ModuleSpecs.Usings + "namespace User\n{\n    [FusedNetwork(8, 8, 8), FusedModule]\n    public partial class Net : Module\n    {\n";

        public static IEnumerable<object[]> Broken() => new[]
        {
            "        readonly Conv2d conv = new(8, 8, \n        public Tensor Forward(Tensor x) => conv.Forward(x);\n    }\n}\n",
            "        readonly Conv2d conv = new(8, 8, 3);\n        public Tensor Forward(Tensor x) => conv.Forwar(x);\n    }\n}\n",
            "        readonly Conv2d conv = new(8, 8, 3);\n        public Tensor Forward(Tensor x) { var y = conv.Forward(x) return y; }\n    }\n}\n",
            "        readonly Conv2d conv = new(8, 8, 3, strid: 2);\n        public Tensor Forward(Tensor x) => conv.Forward(x);\n    }\n}\n",
            "        readonly Conv2d conv = new(8, 8, 3);\n        public Tensor Forward(Tensor x) => conv.Forward(x) + ;\n    }\n}\n",
            "        readonly Missing m = new();\n        public Tensor Forward(Tensor x) => m.Forward(x);\n    }\n}\n",
            "        readonly Conv2d conv = new(8, 8, 3);\n        public Tensor Forward(Tensor x) => Tensor.Cat(conv.Forward(x), 3);\n    }\n}\n",
            "        readonly Conv2d conv = new(8, 8, 3);\n        public Tensor Forward(Tensor x) { if (conv) return x; return conv.Forward(x); }\n    }\n}\n",
            "        readonly Conv2d conv = new(8, 8, 3);\n        public Tensor Forward(Tensor x)\n",
            "        readonly Sequential s = new(new Conv2d(8, 8, 3), null!, new ReLU());\n        public Tensor Forward(Tensor x) => s.Forward(x);\n    }\n}\n",
            "        readonly Conv2d conv = new(8, 8, 3);\n        public Tensor Forward(Tensor x) => Forward(x);\n    }\n}\n",
            "        public Tensor Forward(Tensor x) => F.Relu(x, 3);\n    }\n}\n",
            "        readonly int n = 1 / 0;\n        public Tensor Forward(Tensor x) => F.Relu(x);\n    }\n}\n",
        }.Select(tail => new object[] { tail });

        [Theory]
        [MemberData(nameof(Broken))]
        public void Half_typed_module_code_does_not_crash_the_generator(string tail)
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(Head + tail);
            GeneratorAssert.NoGeneratorException(run);
            // Where the compiler reports an error, the front end adds none of its own for the same code.
            bool compilerErrors = run.Compilation.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error && !d.Id.StartsWith("FN"));
            if (compilerErrors) Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        }

        [Fact]
        public void Module_types_next_to_layer_attributes_are_not_ambiguous()
        {
            // FusedNet.Modules.Conv2d (a module) and FusedNet.Conv2dAttribute (a layer attribute): in an attribute, C# looks
            // for Conv2d and Conv2dAttribute and keeps the one that is an attribute class; in 'new Conv2d(...)' only the module fits.
            const string source = ModuleSpecs.Usings + """
                namespace User
                {
                    [FusedNetwork(3, 8, 8)]
                    [Conv2d(8, 3, Padding = 1)]
                    [BatchNorm2d]
                    [ReLU]
                    [Flatten]
                    [Linear(4)]
                    public partial class Attributes;

                    [FusedNetwork(3, 8, 8), FusedModule]
                    public partial class Modules : Module
                    {
                        readonly Conv2d conv = new(3, 8, 3, padding: 1);
                        readonly BatchNorm2d bn = new(8);
                        readonly ReLU relu = new();
                        readonly Linear fc = new(512, 4);
                        public Tensor Forward(Tensor x) => fc.Forward(F.Flatten(relu.Forward(bn.Forward(conv.Forward(x)))));
                    }
                }
                """;
            GeneratorRun run = GeneratorHarness.RunGenerator(source);
            GeneratorAssert.NoGeneratorException(run);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Equal(2, run.GeneratedSources.Length);
            Assert.DoesNotContain(run.CompilationDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        }

        [Fact]
        public void The_description_types_throw_a_clear_NotSupportedException()
        {
            var e = Assert.Throws<System.NotSupportedException>(() => new FusedNet.Modules.ReLU().Forward(null!));
            Assert.Contains("description", e.Message);
            Assert.Contains("Forward(ReadOnlySpan<float> input, Span<float> output)", e.Message);
        }
    }
}
