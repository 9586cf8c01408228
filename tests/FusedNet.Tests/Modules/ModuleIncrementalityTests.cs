using System.Linq;
using FusedNet.Tests.Generator;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FusedNet.Tests.Modules
{
    /// <summary>DESIGN §7 for the module front end: editing Forward (or a block in another file) regenerates, unrelated edits do not.</summary>
    public class ModuleIncrementalityTests
    {
        private const string Network = ModuleSpecs.Usings + """
            namespace User
            {
                [FusedNetwork(3, 8, 8), FusedModule]
                public partial class Net : Module
                {
                    readonly Block block = new(3, 8);
                    readonly Linear fc = new(8, 4);
                    public Tensor Forward(Tensor x) => fc.Forward(F.Flatten(F.AdaptiveAvgPool2d(block.Forward(x), 1)));
                }
            }
            """;

        private const string Block = ModuleSpecs.Usings + """
            namespace User
            {
                [FusedModule]
                public class Block(int i, int o) : Module
                {
                    readonly Conv2d conv = new(i, o, 3, padding: 1, bias: false);
                    readonly BatchNorm2d bn = new(o);
                    public Tensor Forward(Tensor x) => F.Relu(bn.Forward(conv.Forward(x)));
                }
            }
            """;

        private const string Unrelated = "namespace Other { public static class Tools { public static int One() => 1; } }\n";

        private static CSharpCompilation Compilation() =>
            GeneratorHarness.CreateCompilation(Network).AddSyntaxTrees(
                CSharpSyntaxTree.ParseText(Block, GeneratorAssert.ParseOptions, path: "Block.cs"),
                CSharpSyntaxTree.ParseText(Unrelated, GeneratorAssert.ParseOptions, path: "Other.cs"));

        private static CSharpCompilation Edit(CSharpCompilation compilation, string path, string text) =>
            compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(t => t.FilePath == path),
                CSharpSyntaxTree.ParseText(text, GeneratorAssert.ParseOptions, path: path));

        private static GeneratorRunResult Rerun(CSharpCompilation first, CSharpCompilation edited)
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(first);
            GeneratorAssert.NoGeneratorException(run);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Single(run.GeneratedSources);
            GeneratorRunResult result = Assert.Single(run.Driver.RunGenerators(edited).GetRunResult().Results);
            Assert.Null(result.Exception);
            return result;
        }

        private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step) =>
            GeneratorAssert.StepOutputs(result, step).Select(o => o.Reason).ToArray();

        [Fact]
        public void Editing_an_unrelated_file_does_not_re_emit()
        {
            CSharpCompilation compilation = Compilation();
            GeneratorRunResult result = Rerun(compilation, Edit(compilation, "Other.cs", Unrelated.Replace("=> 1;", "=> 2;")));
            Assert.All(Reasons(result, GeneratorAssert.Emit), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        }

        [Fact]
        public void Editing_Forward_re_emits()
        {
            CSharpCompilation compilation = Compilation();
            GeneratorRunResult result = Rerun(compilation, Edit(compilation, GeneratorAssert.SourcePath,
                Network.Replace("F.Flatten(F.AdaptiveAvgPool2d(block.Forward(x), 1))", "F.Flatten(F.AdaptiveAvgPool2d(F.Tanh(block.Forward(x)), 1))")));
            Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, GeneratorAssert.Emit));
        }

        [Fact]
        public void Editing_a_block_in_another_file_re_emits()
        {
            CSharpCompilation compilation = Compilation();
            GeneratorRunResult result = Rerun(compilation, Edit(compilation, "Block.cs", Block.Replace("F.Relu(", "F.Relu6(")));
            Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, GeneratorAssert.Emit));
        }
    }
}
