using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator;
using FusedNet.Generator.Model;
using FusedNet.Tests.Generator;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace FusedNet.Tests.Modules
{
    /// <summary>Runs the generator on module source and returns what the module front end extracted (the Extract step's output).</summary>
    internal static class ModuleSpecs
    {
        public const string Usings = "using System;\nusing FusedNet;\nusing FusedNet.Modules;\n";

        public static (NetworkSpec? Spec, IReadOnlyList<Diagnostic> Diagnostics, GeneratorRun Run) Extract(string source, string? className = null)
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(source);
            GeneratorRunResult result = Assert.Single(run.RunResult.Results);
            Assert.True(result.Exception is null, $"The generator threw: {result.Exception}");
            // The front end itself must not fail (the later stages are tested on their own).
            Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "FN9999" && d.GetMessage().Contains("stage 'Extract'"));
            var specs = GeneratorAssert.StepOutputs(result, FusedNetworkGenerator.TrackingNames.Extract)
                .Select(o => o.Value)
                .OfType<Result<NetworkSpec>>()
                .ToList();
            Result<NetworkSpec> extracted = className is null ? Assert.Single(specs) : specs.Single(s => s.Value?.ClassName == className);
            // Only the front end's own diagnostics: later stages may not handle graph layers yet.
            var diagnostics = extracted.Diagnostics.Select(d => d.ToDiagnostic()).ToList();
            return (extracted.Value, diagnostics, run);
        }

        /// <summary>The spec, asserting the front end reported nothing.</summary>
        public static NetworkSpec Spec(string source, string? className = null)
        {
            (NetworkSpec? spec, IReadOnlyList<Diagnostic> diagnostics, _) = Extract(source, className);
            Assert.True(diagnostics.Count == 0, "Unexpected diagnostics:\n" + string.Join("\n", diagnostics));
            Assert.NotNull(spec);
            return spec!;
        }

        /// <summary>"name:Kind<-inputs" per layer, for compact assertions.</summary>
        public static string[] Describe(NetworkSpec spec) =>
            spec.Layers.Select(l => $"{l.Name}:{l.Kind}<-{string.Join(",", l.Inputs)}").ToArray();
    }
}
