using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FusedNet.Tests.Docs
{
    /// <summary>A fenced code block of a Markdown file: its info string, text and the line of its opening fence (1-based).</summary>
    public sealed record CodeBlock(string Info, string Code, int Line)
    {
        /// <summary>The language: the info string's first word, as GitHub reads it.</summary>
        public string Language => Info.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";

        /// <summary>C# under any of the names GitHub highlights as C#.</summary>
        public bool IsCSharp => Language is "csharp" or "cs" or "c#" or "C#";

        /// <summary>
        /// Marked <c>```csharp fragment</c>: deliberately not a whole program (a few lines shown inside prose), so it is not
        /// compiled. GitHub still highlights it as C#.
        /// </summary>
        public bool IsFragment => Info.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Contains("fragment");
    }

    /// <summary>
    /// Every C# block of README.md compiles, as pasted into a project's Program.cs (top-level statements) or a .cs file,
    /// with the FusedNet generator running on it, against .NET 10 and FusedNet.Runtime: no error and no warning, so
    /// the README cannot drift from the API. README.md travels with the test binaries (FusedNet.Tests.csproj copies
    /// it), so this works in a fresh clone and wherever the binaries run.
    /// </summary>
    public class ReadmeCodeTests
    {
        [Fact]
        public void Every_csharp_block_of_the_README_compiles_with_the_generator()
        {
            string readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md"));
            List<CodeBlock> blocks = ExtractBlocks(readme).Where(b => b.IsCSharp).ToList();
            List<CodeBlock> compiled = blocks.Where(b => !b.IsFragment).ToList();

            // Not vacuous: the quick start (a network declaration plus the calls on it) is among the compiled blocks.
            Assert.Contains(compiled, b => b.Code.Contains("[FusedNetwork(", StringComparison.Ordinal) && b.Code.Contains(".Forward(", StringComparison.Ordinal));

            var failures = new StringBuilder();
            foreach (CodeBlock block in compiled)
            {
                IReadOnlyList<Diagnostic> problems = Compile(block.Code, out int generatedFiles);
                if (problems.Count > 0)
                {
                    failures.Append("README.md line ").Append(block.Line).Append(": ")
                        .Append(GeneratorHarness.DescribeErrors(problems, generatedFiles)).Append('\n');
                }
            }
            Assert.True(failures.Length == 0,
                "README.md C# blocks must compile as pasted (mark a deliberate fragment with ```csharp fragment):\n" + failures);
        }

        /// <summary>The check can fail: the README's old quick start (declaration before the statements) is CS8803.</summary>
        [Fact]
        public void A_block_with_the_class_before_the_statements_is_reported()
        {
            const string code = """
                using FusedNet;

                [FusedNetwork(1, 4, 4)]
                [Conv2d(2, 3)]
                public partial class Net;

                var net = new Net(new InMemoryWeights());
                """;
            IReadOnlyList<Diagnostic> problems = Compile(code, out _);
            Assert.Contains(problems, d => d.Id == "CS8803");
        }

        /// <summary>A block that calls a member the generator does not add fails, so generated members really are checked.</summary>
        [Fact]
        public void A_block_using_a_member_that_is_not_generated_is_reported()
        {
            const string code = """
                using FusedNet;

                var net = new Net(new InMemoryWeights());
                net.Predict(new float[16], new float[8]);

                [FusedNetwork(1, 4, 4)]
                [Conv2d(2, 3)]
                public partial class Net;
                """;
            IReadOnlyList<Diagnostic> problems = Compile(code, out int generatedFiles);
            Assert.Equal(1, generatedFiles);
            Assert.Equal("CS1061", Assert.Single(problems).Id);
        }

        [Fact]
        public void Extraction_finds_fences_languages_lines_and_fragments()
        {
            const string markdown = """
                # Title
                ```bash
                dotnet test
                ```
                Text.

                ```csharp
                var a = 1;
                ```
                ```csharp fragment
                net.Forward(x, y);
                ```
                ````cs
                // ``` inside a longer fence
                ````
                """;
            List<CodeBlock> blocks = ExtractBlocks(markdown).ToList();
            Assert.Equal(["bash", "csharp", "csharp", "cs"], blocks.Select(b => b.Language));
            Assert.Equal([2, 7, 10, 13], blocks.Select(b => b.Line));
            Assert.Equal("var a = 1;\n", blocks[1].Code);
            Assert.Equal([false, false, true, false], blocks.Select(b => b.IsFragment));
            Assert.Equal("// ``` inside a longer fence\n", blocks[3].Code);
        }

        /// <summary>
        /// Compiles <paramref name="code"/> as one file with the generator: an executable if it has top-level statements,
        /// else a library. Returns the generator's diagnostics and the compiler's errors and warnings.
        /// </summary>
        private static IReadOnlyList<Diagnostic> Compile(string code, out int generatedFiles)
        {
            bool topLevel = CSharpSyntaxTree.ParseText(code).GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(
                code, outputKind: topLevel ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary);
            GeneratorRun run = GeneratorHarness.RunGenerator(compilation);
            generatedFiles = run.GeneratedSources.Length;
            return run.GeneratorDiagnostics
                .Concat(run.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning))
                .ToList();
        }

        /// <summary>
        /// The fenced code blocks of <paramref name="markdown"/> (CommonMark backtick or tilde fences of three or more; a
        /// block closes at a fence of the same character at least as long). An unclosed block runs to the end.
        /// </summary>
        public static IEnumerable<CodeBlock> ExtractBlocks(string markdown)
        {
            string[] lines = markdown.Replace("\r\n", "\n").Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string opening = lines[i].TrimStart();
                if (!(opening.StartsWith("```", StringComparison.Ordinal) || opening.StartsWith("~~~", StringComparison.Ordinal))) continue;
                char fenceChar = opening[0];
                int fenceLength = opening.TakeWhile(c => c == fenceChar).Count();
                string info = opening.Substring(fenceLength).Trim();
                int start = i;
                var code = new StringBuilder();
                for (i++; i < lines.Length; i++)
                {
                    string line = lines[i].TrimStart();
                    int run = line.TakeWhile(c => c == fenceChar).Count();
                    if (run >= fenceLength && line.Substring(run).Trim().Length == 0) break;
                    code.Append(lines[i]).Append('\n');
                }
                yield return new CodeBlock(info, code.ToString(), start + 1);
            }
        }
    }
}
