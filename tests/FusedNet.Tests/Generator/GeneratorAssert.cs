using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace FusedNet.Tests.Generator
{
    /// <summary>Assertions and small helpers shared by the generator tests (the harness runs the generator).</summary>
    internal static class GeneratorAssert
    {
        /// <summary>The path the harness gives its single source file.</summary>
        public const string SourcePath = "Networks.cs";

        /// <summary>Parse options matching the harness's, for extra syntax trees added to its compilations.</summary>
        public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

        /// <summary>
        /// The span of <paramref name="attributeText"/> (an attribute without its brackets, e.g. "Conv2d(8, 3)")
        /// in <paramref name="source"/>; it must occur exactly once, so tests cannot point at the wrong layer.
        /// </summary>
        public static TextSpan SpanOf(string source, string attributeText)
        {
            int start = source.IndexOf(attributeText, StringComparison.Ordinal);
            Assert.True(start >= 0, $"'{attributeText}' does not occur in the test source.");
            Assert.True(source.IndexOf(attributeText, start + 1, StringComparison.Ordinal) < 0,
                $"'{attributeText}' occurs more than once in the test source; make it unique.");
            return new TextSpan(start, attributeText.Length);
        }

        /// <summary>
        /// Asserts the generator reported exactly one diagnostic: <paramref name="id"/>, an error, on exactly the
        /// attribute <paramref name="attributeText"/>, with message <paramref name="message"/>; and that it
        /// generated nothing (a network with an error gets no source).
        /// </summary>
        public static Diagnostic SingleError(GeneratorRun run, string source, string id, string attributeText, string message)
        {
            NoGeneratorException(run);
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal(id, diagnostic.Id);
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            AssertLocation(diagnostic, source, attributeText);
            Assert.Empty(run.GeneratedSources);
            return diagnostic;
        }

        /// <summary>The diagnostic sits on exactly the attribute text (path, span and line all agree).</summary>
        public static void AssertLocation(Diagnostic diagnostic, string source, string attributeText, string path = SourcePath)
        {
            TextSpan expected = SpanOf(source, attributeText);
            // The generator keeps no syntax trees past extraction, so it reports file locations (path + span + lines),
            // not locations inside a tree: Kind is ExternalFile, and the span and lines are what the user sees.
            Assert.NotEqual(LocationKind.None, diagnostic.Location.Kind);
            Assert.Equal(expected, diagnostic.Location.SourceSpan);
            FileLinePositionSpan lines = diagnostic.Location.GetLineSpan();
            Assert.Equal(path, lines.Path);
            int expectedLine = source.Take(expected.Start).Count(c => c == '\n');
            Assert.Equal(expectedLine, lines.StartLinePosition.Line);
        }

        /// <summary>
        /// The generator ran without throwing: no exception in its result, no CS8785 ("generator failed"), and no FN9999
        /// (an exception inside a stage, which the generator reports instead of throwing).
        /// </summary>
        public static void NoGeneratorException(GeneratorRun run)
        {
            GeneratorRunResult result = Assert.Single(run.RunResult.Results);
            Assert.True(result.Exception is null, $"The generator threw: {result.Exception}");
            Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CS8785");
            Assert.DoesNotContain(run.RunResult.Diagnostics, d => d.Id == "CS8785");
            Diagnostic? internalError = run.GeneratorDiagnostics.FirstOrDefault(d => d.Id == "FN9999");
            Assert.True(internalError is null, $"The generator failed internally: {internalError}");
        }

        /// <summary>The compiler finds no error and no warning in the input plus the generated code (generator diagnostics aside).</summary>
        public static void CompilesCleanly(GeneratorRun run)
        {
            List<Diagnostic> problems = run.CompilationDiagnostics
                .Where(d => d.Severity >= DiagnosticSeverity.Warning)
                .ToList();
            Assert.True(problems.Count == 0, "Expected a clean compilation, got:\n" + string.Join("\n", problems.Take(20)));
        }

        /// <summary>The output values of one tracked step of the run, with why each was produced.</summary>
        public static IReadOnlyList<(object Value, IncrementalStepRunReason Reason)> StepOutputs(GeneratorRunResult result, string trackingName) =>
            result.TrackedSteps.TryGetValue(trackingName, out var steps)
                ? steps.SelectMany(step => step.Outputs).ToList()
                : [];

        /// <summary>The tracking names the tests rely on, straight from the generator so a rename breaks the build.</summary>
        public static string Plan => FusedNetworkGenerator.TrackingNames.Plan;
        public static string Emit => FusedNetworkGenerator.TrackingNames.Emit;
    }
}
