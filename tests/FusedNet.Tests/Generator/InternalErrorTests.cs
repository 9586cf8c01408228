using System;
using System.Linq;
using FusedNet.Generator.Helpers;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace FusedNet.Tests.Generator
{
    /// <summary>
    /// DESIGN §7: an internal failure is itself a diagnostic (FN9999), never silence and never an exception into the
    /// compiler. The generator's test-only hook makes a chosen stage throw; the hook is AsyncLocal, so it reaches only
    /// the generator runs of the test that sets it.
    /// </summary>
    public class InternalErrorTests
    {
        private const string Bug = "simulated bug in the stage";

        /// <summary>Runs the generator on <paramref name="source"/> with <paramref name="stage"/> throwing.</summary>
        internal static GeneratorRun RunWithFailingStage(string source, string stage)
        {
            GeneratorTestHooks.BeforeStage.Value = name =>
            {
                if (name == stage) throw new InvalidOperationException(Bug);
            };
            try
            {
                return GeneratorHarness.RunGenerator(source);
            }
            finally
            {
                GeneratorTestHooks.BeforeStage.Value = null;
            }
        }

        private static Diagnostic AssertSingleInternalError(GeneratorRun run, string stage, string network)
        {
            GeneratorRunResult result = Assert.Single(run.RunResult.Results);
            Assert.Null(result.Exception);
            Assert.DoesNotContain(run.RunResult.Diagnostics, d => d.Id == "CS8785");
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("FN9999", diagnostic.Id);
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            Assert.Equal($"FusedNet failed internally in stage '{stage}' for '{network}': System.InvalidOperationException: {Bug}. " +
                         "This is a bug in FusedNet, not in your declaration; please report it with the declaration.",
                diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Empty(run.GeneratedSources);
            return diagnostic;
        }

        private static readonly string Source = DiagnosticTests.Declaration("ProbeNet", "FusedNetwork(3, 8, 8)", "Conv2d(8, 3)", "ReLU");

        [Fact]
        public void ExtractFailure_IsFN9999OnTheClassName()
        {
            string source = "using FusedNet;\n" + Source;
            GeneratorRun run = RunWithFailingStage(source, "Extract");
            Diagnostic diagnostic = AssertSingleInternalError(run, "Extract", "ProbeNet");
            GeneratorAssert.AssertLocation(diagnostic, source, "ProbeNet");
        }

        [Fact]
        public void AnalyzeFailure_IsFN9999OnTheNetworkAttribute()
        {
            string source = "using FusedNet;\n" + Source;
            GeneratorRun run = RunWithFailingStage(source, "Analyze");
            Diagnostic diagnostic = AssertSingleInternalError(run, "Analyze", "ProbeNet");
            GeneratorAssert.AssertLocation(diagnostic, source, "FusedNetwork(3, 8, 8)");
        }

        [Fact]
        public void EmitFailure_IsFN9999NamingTheNetwork()
        {
            // The plan holds no locations (so moving a declaration does not re-emit): the diagnostic has none either.
            GeneratorRun run = RunWithFailingStage("using FusedNet;\n" + Source, "Emit");
            Diagnostic diagnostic = AssertSingleInternalError(run, "Emit", "ProbeNet");
            Assert.Equal(Location.None, diagnostic.Location);
        }

        [Fact]
        public void OrphanLayerCheckFailure_IsFN9999OnTheClassName()
        {
            string source = "using FusedNet;\nnamespace User\n{\n    [Conv2d(8, 3)]\n    public partial class ProbeNet { }\n}\n";
            GeneratorRun run = RunWithFailingStage(source, "OrphanLayers");
            Diagnostic diagnostic = AssertSingleInternalError(run, "OrphanLayers", "ProbeNet");
            GeneratorAssert.AssertLocation(diagnostic, source, "ProbeNet");
        }

        [Fact]
        public void WithoutTheHook_TheSameSourceGeneratesCode()
        {
            // The control: the source itself is fine, so FN9999 above came from the simulated bug alone.
            GeneratorRun run = GeneratorHarness.RunGenerator("using FusedNet;\n" + Source);
            GeneratorAssert.NoGeneratorException(run);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Single(run.GeneratedSources);
        }

        [Fact]
        public void TheRobustnessCheck_FailsOnAnInternalError()
        {
            // RobustnessTests' "never throws" check must be able to fail: an input that meets an internal error fails it.
            GeneratorTestHooks.BeforeStage.Value = name =>
            {
                if (name == "Analyze") throw new InvalidOperationException(Bug);
            };
            try
            {
                Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => RobustnessTests.AssertNeverThrows(RobustnessTests.Corpus["global namespace"]));
            }
            finally
            {
                GeneratorTestHooks.BeforeStage.Value = null;
            }
        }
    }
}
