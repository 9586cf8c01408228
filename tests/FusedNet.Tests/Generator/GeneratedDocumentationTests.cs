using System.Linq;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FusedNet.Tests.Generator
{
    /// <summary>
    /// A user project with GenerateDocumentationFile and warnings as errors must build with a network in it: every
    /// public member the generator adds (InputLength, InputShape, Forward overloads, the constructor, CloneForThread, …)
    /// carries a doc comment, the doc comments are well-formed (crefs resolve), and the generated file does not hide
    /// CS1591 behind a pragma. The compiler checks doc comments only in DocumentationMode.Diagnose, which is what
    /// GenerateDocumentationFile turns on.
    /// </summary>
    public class GeneratedDocumentationTests
    {
        // The user's own declaration is documented, as it must be in such a project: so any CS1591 comes from generated code.
        // Every layer kind that changes the emitted members is present (fused conv + BN + activation, pool, flatten, Linear + BN1d).
        private const string NamespacedNetwork = """
            using FusedNet;

            namespace User.Models
            {
                /// <summary>A network the user documented.</summary>
                [FusedNetwork(3, 8, 8)]
                [Conv2d(16, 3, Padding = 1)]
                [BatchNorm2d]
                [ReLU]
                [MaxPool2d(2)]
                [Flatten]
                [Linear(12)]
                [BatchNorm1d]
                [GELU]
                [Linear(4)]
                public partial class DocumentedNet { }
            }
            """;

        // No namespace, and no doc comment of the user's: the generated summary documents the class.
        private const string GlobalNetwork = """
            using FusedNet;

            [FusedNetwork(1, 6, 6)]
            [Conv2d(8, 3, Groups = 1)]
            [Sigmoid]
            [GlobalAvgPool2d]
            [Linear(2, Bias = false)]
            public partial class GlobalNet;
            """;

        [Theory]
        [InlineData(NamespacedNetwork)]
        [InlineData(GlobalNetwork)]
        public void Generated_public_members_are_documented_under_GenerateDocumentationFile(string source)
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source, documentationMode: DocumentationMode.Diagnose);
            GeneratorRun run = GeneratorHarness.RunGenerator(compilation);
            Assert.Empty(run.GeneratorDiagnostics);
            GeneratedSource generated = Assert.Single(run.GeneratedSources);

            // The generated tree really is checked: parsed with the documentation mode of the user's project.
            SyntaxTree generatedTree = run.Compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith(generated.HintName, System.StringComparison.Ordinal));
            Assert.Equal(DocumentationMode.Diagnose, generatedTree.Options.DocumentationMode);

            Assert.DoesNotContain("CS1591", generated.Text);

            // Every diagnostic, warnings included (a warnings-as-errors project fails on those too), in any file.
            var problems = run.CompilationDiagnostics
                .Where(d => d.Severity >= DiagnosticSeverity.Warning)
                .ToList();
            Assert.True(problems.Count == 0, GeneratorHarness.DescribeErrors(problems, run.GeneratedSources.Length));
        }

        /// <summary>
        /// The check above can fail: an undocumented public member added to the same compilation is reported as CS1591,
        /// so an empty diagnostic list means the generated members are documented, not that nothing was checked.
        /// </summary>
        [Fact]
        public void Documentation_mode_reports_an_undocumented_public_member()
        {
            string source = GlobalNetwork + "\npublic static class Undocumented { public static int Value => 1; }\n";
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source, documentationMode: DocumentationMode.Diagnose);
            GeneratorRun run = GeneratorHarness.RunGenerator(compilation);

            var missing = run.CompilationDiagnostics
                .Where(d => d.Id == "CS1591" && d.GetMessage().Contains("Undocumented", System.StringComparison.Ordinal))
                .ToList();
            Assert.Equal(2, missing.Count); // the class and its property
        }
    }
}
