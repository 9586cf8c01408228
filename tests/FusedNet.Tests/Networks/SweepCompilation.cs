using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FusedNet.Tests.Networks
{
    /// <summary>
    /// Compiles every sweep network in one compilation, once per test run (xunit class fixture). If some
    /// networks do not compile, their errors are recorded against them and the rest are compiled again without
    /// them, so one generator bug fails only the networks it affects.
    /// </summary>
    public sealed class SweepCompilation : IDisposable
    {
        private readonly Lazy<LoadedNetworks> _loaded;
        private readonly Dictionary<string, List<string>> _errorsByClass = new(StringComparer.Ordinal);

        public SweepCompilation() => _loaded = new Lazy<LoadedNetworks>(Compile);

        public LoadedNetworks Loaded => _loaded.Value;

        /// <summary>Generator and compiler errors attributed to <paramref name="className"/> (empty when it compiled).</summary>
        public IReadOnlyList<string> ErrorsOf(string className)
        {
            _ = Loaded;
            return _errorsByClass.TryGetValue(className, out var errors) ? errors : Array.Empty<string>();
        }

        /// <summary>Diagnostics the generator reported for <paramref name="className"/> (warnings included).</summary>
        public IReadOnlyList<Diagnostic> GeneratorDiagnosticsOf(string className) =>
            Loaded.Generation.GeneratorDiagnostics.Where(d => OwningClass(d) == className).ToList();

        public void Dispose()
        {
            if (_loaded.IsValueCreated) _loaded.Value.Dispose();
        }

        private LoadedNetworks Compile()
        {
            List<SweepCase> cases = SweepCatalog.Cases.ToList();
            for (int attempt = 0; ; attempt++)
            {
                GeneratorRun run = GeneratorHarness.RunGenerator(SweepCatalog.Source(cases));
                (LoadedNetworks? loaded, IReadOnlyList<Diagnostic> errors) = GeneratorHarness.TryLoad(run);
                if (loaded is not null) return loaded;
                if (attempt == 2)
                    throw new InvalidOperationException(GeneratorHarness.DescribeErrors(errors, run.GeneratedSources.Length));

                var failing = new HashSet<string>(StringComparer.Ordinal);
                foreach (Diagnostic error in errors)
                {
                    string owner = OwningClass(error) ?? "(unattributed)";
                    failing.Add(owner);
                    if (!_errorsByClass.TryGetValue(owner, out var list)) _errorsByClass[owner] = list = new List<string>();
                    list.Add(Describe(error));
                }
                if (failing.Contains("(unattributed)"))
                    throw new InvalidOperationException("Sweep compilation failed with errors not attributable to one network:\n  " +
                        string.Join("\n  ", _errorsByClass["(unattributed)"]));
                cases.RemoveAll(c => failing.Contains(c.ClassName));
            }
        }

        /// <summary>The outermost class around the diagnostic: the network whose declaration or generated file it is in.</summary>
        private static string? OwningClass(Diagnostic diagnostic)
        {
            if (!diagnostic.Location.IsInSource) return null;
            SyntaxNode? node = diagnostic.Location.SourceTree!.GetRoot().FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            return node.AncestorsAndSelf().OfType<ClassDeclarationSyntax>().LastOrDefault()?.Identifier.ValueText;
        }

        private static string Describe(Diagnostic diagnostic)
        {
            string line = "";
            if (diagnostic.Location.IsInSource)
            {
                var lines = diagnostic.Location.SourceTree!.GetText().Lines;
                line = "\n      | " + lines[diagnostic.Location.GetLineSpan().StartLinePosition.Line].ToString().Trim();
            }
            return diagnostic + line;
        }
    }
}
