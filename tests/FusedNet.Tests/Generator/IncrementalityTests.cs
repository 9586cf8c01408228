using System.Collections.Generic;
using System.Linq;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FusedNet.Tests.Generator
{
    /// <summary>
    /// DESIGN §7: editing code that does not change a network must not re-plan or re-emit it. The driver tracks its
    /// steps; after an edit, the outputs of the Plan and Emit steps must be Cached or Unchanged, and a real change to
    /// the network must make Emit Modified (so the test can fail both ways).
    /// </summary>
    public class IncrementalityTests
    {
        private const string Network = """
            using FusedNet;

            namespace User
            {
                [FusedNetwork(3, 8, 8)]
                [Conv2d(8, 3, Padding = 1)]
                [BatchNorm2d]
                [ReLU]
                [GlobalAvgPool2d]
                [Linear(4)]
                public partial class Net { }

                public class Helper
                {
                    public int Twice(int x) => 2 * x;
                }
            }
            """;

        private const string Unrelated = "namespace Other { public static class Tools { public static int One() => 1; } }\n";

        /// <summary>The driver after a first run over <paramref name="compilation"/>, with step tracking on.</summary>
        private static GeneratorDriver FirstRun(Compilation compilation)
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(compilation);
            GeneratorAssert.NoGeneratorException(run);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.NotEmpty(run.GeneratedSources);
            return run.Driver;
        }

        private static GeneratorRunResult Rerun(GeneratorDriver driver, Compilation edited)
        {
            GeneratorRunResult result = Assert.Single(driver.RunGenerators(edited).GetRunResult().Results);
            Assert.Null(result.Exception);
            return result;
        }

        private static CSharpCompilation Edit(CSharpCompilation compilation, string path, string newText)
        {
            SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
            return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(newText, GeneratorAssert.ParseOptions, path: path));
        }

        /// <summary>Every output of the step was reused (Cached: the input did not change; Unchanged: recomputed to an equal value).</summary>
        private static void AssertReused(GeneratorRunResult result, string trackingName)
        {
            var outputs = GeneratorAssert.StepOutputs(result, trackingName);
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => Assert.True(
                o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"{trackingName} output was {o.Reason}, expected Cached or Unchanged."));
        }

        private static void AssertNothingReEmitted(GeneratorRunResult result)
        {
            AssertReused(result, GeneratorAssert.Plan);
            AssertReused(result, GeneratorAssert.Emit);
        }

        [Fact]
        public void AddingAnUnrelatedFile_ReusesPlanAndEmit()
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Network);
            GeneratorDriver driver = FirstRun(compilation);

            GeneratorRunResult result = Rerun(driver, compilation.AddSyntaxTrees(
                CSharpSyntaxTree.ParseText(Unrelated, GeneratorAssert.ParseOptions, path: "Other.cs")));

            AssertNothingReEmitted(result);
        }

        [Fact]
        public void EditingCodeInAnotherFile_ReusesPlanAndEmit()
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Network)
                .AddSyntaxTrees(CSharpSyntaxTree.ParseText(Unrelated, GeneratorAssert.ParseOptions, path: "Other.cs"));
            GeneratorDriver driver = FirstRun(compilation);

            GeneratorRunResult result = Rerun(driver, Edit(compilation, "Other.cs", Unrelated.Replace("=> 1;", "=> 1 + 1; public static int Two() => 2;")));

            AssertNothingReEmitted(result);
        }

        [Fact]
        public void EditingOtherCodeInTheSameFile_ReusesPlanAndEmit()
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Network);
            GeneratorDriver driver = FirstRun(compilation);

            GeneratorRunResult result = Rerun(driver, Edit(compilation, GeneratorAssert.SourcePath,
                Network.Replace("public int Twice(int x) => 2 * x;", "public int Twice(int x) => x + x;\n        public int Thrice(int x) => 3 * x;")));

            AssertNothingReEmitted(result);
        }

        [Fact]
        public void CommentsAndBlankLinesAboveTheNetwork_ReusePlanAndEmit()
        {
            // The attributes move (their locations change), but the plan holds no locations: it compares equal.
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Network);
            GeneratorDriver driver = FirstRun(compilation);

            GeneratorRunResult result = Rerun(driver, Edit(compilation, GeneratorAssert.SourcePath,
                Network.Replace("    [FusedNetwork(3, 8, 8)]", "    // A comment about the network.\n\n\n    /* and another */\n    [FusedNetwork(3, 8, 8)]")));

            AssertNothingReEmitted(result);
            // The extraction did see the edit (so the test exercises the equality of the later models, not a no-op).
            Assert.Contains(GeneratorAssert.StepOutputs(result, FusedNet.Generator.FusedNetworkGenerator.TrackingNames.Extract),
                o => o.Reason == IncrementalStepRunReason.Modified);
        }

        [Fact]
        public void AnEquivalentRewriteOfTheAttributes_ReusesPlanAndEmit()
        {
            // Same network, spelled differently: constant expressions, a named constructor argument, the Attribute suffix.
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Network);
            GeneratorDriver driver = FirstRun(compilation);

            GeneratorRunResult result = Rerun(driver, Edit(compilation, GeneratorAssert.SourcePath, Network
                .Replace("[Conv2d(8, 3, Padding = 1)]", "[Conv2d(4 + 4, kernelSize: 3, Padding = 2 - 1)]")
                .Replace("[BatchNorm2d]", "[BatchNorm2dAttribute(Epsilon = 1e-5f)]")));

            AssertNothingReEmitted(result);
        }

        [Fact]
        public void ChangingTheNetwork_ReEmitsIt()
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Network);
            GeneratorDriver driver = FirstRun(compilation);

            GeneratorRunResult result = Rerun(driver, Edit(compilation, GeneratorAssert.SourcePath,
                Network.Replace("[Conv2d(8, 3, Padding = 1)]", "[Conv2d(16, 3, Padding = 1)]")));

            var emitted = GeneratorAssert.StepOutputs(result, GeneratorAssert.Emit);
            Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(emitted).Reason);
            Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(GeneratorAssert.StepOutputs(result, GeneratorAssert.Plan)).Reason);
            Assert.Contains("Conv2d(3, 16, kernel_size=(3, 3)", Assert.Single(result.GeneratedSources).SourceText.ToString());
        }

        [Fact]
        public void ChangingOneNetwork_ReEmitsOnlyThatOne()
        {
            const string Second = "namespace User\n{\n    [FusedNet.FusedNetwork(1, 4, 4)]\n    [FusedNet.Flatten]\n    [FusedNet.Linear(2)]\n    public partial class Small { }\n}\n";
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Network)
                .AddSyntaxTrees(CSharpSyntaxTree.ParseText(Second, GeneratorAssert.ParseOptions, path: "Small.cs"));
            GeneratorDriver driver = FirstRun(compilation);

            GeneratorRunResult result = Rerun(driver, Edit(compilation, "Small.cs", Second.Replace("Linear(2)", "Linear(3)")));

            Dictionary<string, IncrementalStepRunReason> byFile = GeneratorAssert.StepOutputs(result, GeneratorAssert.Emit)
                .ToDictionary(o => ((FusedNet.Generator.FusedNetworkGenerator.EmitOutput)o.Value).HintName!, o => o.Reason);
            Assert.Equal(2, byFile.Count);
            Assert.Equal(IncrementalStepRunReason.Modified, byFile["User.Small.FusedNet.g.cs"]);
            Assert.True(byFile["User.Net.FusedNet.g.cs"] is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"The untouched network's Emit was {byFile["User.Net.FusedNet.g.cs"]}.");
        }

        [Fact]
        public void EditingLayersOnAnotherPartialDeclaration_IsPickedUp()
        {
            // [FusedNetwork] in one file, the layers (all on one declaration, as FN0004 requires) in another: an edit to the
            // layers' file must re-emit the network even though the file holding [FusedNetwork] did not change.
            const string Shape = "namespace User\n{\n    [FusedNet.FusedNetwork(2, 4, 4)]\n    public partial class Split { }\n}\n";
            const string Layers = "namespace User\n{\n    [FusedNet.Conv2d(8, 3)]\n    [FusedNet.ReLU]\n    public partial class Split { }\n}\n";
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Shape)
                .AddSyntaxTrees(CSharpSyntaxTree.ParseText(Layers, GeneratorAssert.ParseOptions, path: "Layers.cs"));
            GeneratorDriver driver = FirstRun(compilation);

            GeneratorRunResult result = Rerun(driver, Edit(compilation, "Layers.cs", Layers.Replace("Conv2d(8, 3)", "Conv2d(12, 3)")));

            Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(GeneratorAssert.StepOutputs(result, GeneratorAssert.Emit)).Reason);
            Assert.Contains("Conv2d(2, 12, kernel_size=(3, 3)", Assert.Single(result.GeneratedSources).SourceText.ToString());
        }

        [Fact]
        public void DiagnosticsFollowTheirAttribute_WhenItMoves()
        {
            // Diagnostics carry locations, so unlike the plan they must be recomputed: a stale one would point at the
            // wrong line after an edit above it.
            string broken = Network.Replace("[Conv2d(8, 3, Padding = 1)]", "[Conv2d(8, 3, Padding = -1)]");
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(broken);
            GeneratorRun first = GeneratorHarness.RunGenerator(compilation);
            Diagnostic before = Assert.Single(first.GeneratorDiagnostics);
            string moved = broken.Replace("namespace User", "// two\n// lines\nnamespace User");

            GeneratorDriver driver = first.Driver.RunGenerators(Edit(compilation, GeneratorAssert.SourcePath, moved));

            Diagnostic after = Assert.Single(driver.GetRunResult().Diagnostics);
            Assert.Equal("FN0006", after.Id);
            Assert.Equal(before.Location.GetLineSpan().StartLinePosition.Line + 2, after.Location.GetLineSpan().StartLinePosition.Line);
            GeneratorAssert.AssertLocation(after, moved, "Conv2d(8, 3, Padding = -1)");
        }

        [Fact]
        public void SameSourceTwice_GivesTheSameText()
        {
            // Deterministic output: two independent runs emit byte-identical files.
            string first = Assert.Single(GeneratorHarness.RunGenerator(Network).GeneratedSources).Text;
            string second = Assert.Single(GeneratorHarness.RunGenerator(Network).GeneratedSources).Text;

            Assert.Equal(first, second);
        }
    }
}
