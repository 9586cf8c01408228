using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FusedNet.Tests.Harness
{
    /// <summary>One source file the generator added: its hint name and text.</summary>
    public sealed record GeneratedSource(string HintName, string Text);

    /// <summary>What running the generator on some source produced.</summary>
    public sealed class GeneratorRun
    {
        private readonly Lazy<ImmutableArray<Diagnostic>> _compilationDiagnostics;

        internal GeneratorRun(Compilation compilation, GeneratorDriver driver, ImmutableArray<Diagnostic> generatorDiagnostics)
        {
            Compilation = compilation;
            Driver = driver;
            GeneratorDiagnostics = generatorDiagnostics;
            RunResult = driver.GetRunResult();
            GeneratedSources = RunResult.Results
                .SelectMany(r => r.GeneratedSources)
                .Select(s => new GeneratedSource(s.HintName, s.SourceText.ToString()))
                .ToImmutableArray();
            // Binding the whole compilation is the expensive part; only do it when asked.
            _compilationDiagnostics = new Lazy<ImmutableArray<Diagnostic>>(() => Compilation.GetDiagnostics());
        }

        /// <summary>The input compilation plus the generated syntax trees.</summary>
        public Compilation Compilation { get; }

        /// <summary>The driver after the run (step tracking on), for incrementality tests: run it again on an edited compilation.</summary>
        public GeneratorDriver Driver { get; }

        public GeneratorDriverRunResult RunResult { get; }

        /// <summary>Diagnostics the generator reported (FN0001…).</summary>
        public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

        public ImmutableArray<GeneratedSource> GeneratedSources { get; }

        /// <summary>Compiler diagnostics of <see cref="Compilation"/>, generated code included (computed on first access).</summary>
        public ImmutableArray<Diagnostic> CompilationDiagnostics => _compilationDiagnostics.Value;

        /// <summary>Error diagnostics from the generator and the compiler.</summary>
        public IEnumerable<Diagnostic> Errors =>
            GeneratorDiagnostics.Concat(CompilationDiagnostics).Where(d => d.Severity == DiagnosticSeverity.Error);
    }

    /// <summary>
    /// Runs the FusedNet generator on source text in memory, and compiles and loads the result into a
    /// collectible AssemblyLoadContext, as the Regex generator's tests do.
    /// </summary>
    public static class GeneratorHarness
    {
        private static int s_assemblyCounter;

        private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

        private static readonly CSharpCompilationOptions CompilationOptions = new(
            OutputKind.DynamicallyLinkedLibrary,
            optimizationLevel: OptimizationLevel.Release,
            allowUnsafe: true,
            nullableContextOptions: NullableContextOptions.Enable);

        // .NET 10 reference assemblies plus FusedNet.Runtime (attributes, IWeightSource, IFusedNetwork).
        private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
            Basic.Reference.Assemblies.Net100.References.All
                .Cast<MetadataReference>()
                .Append(MetadataReference.CreateFromFile(typeof(IWeightSource).Assembly.Location))
                .ToImmutableArray());

        /// <summary>
        /// The generator under test. The only line that names the generator type, so a rename or a missing
        /// generator shows up here and nowhere else.
        /// </summary>
        public static IIncrementalGenerator CreateGenerator() => new FusedNet.Generator.FusedNetworkGenerator();

        /// <summary>A compilation of <paramref name="source"/> (one file) against .NET 10 and FusedNet.Runtime, without running the generator.</summary>
        /// <param name="source">The C# text, parsed as the file Networks.cs.</param>
        /// <param name="assemblyName">Defaults to a unique name.</param>
        /// <param name="outputKind">A library by default; <see cref="OutputKind.ConsoleApplication"/> for top-level statements.</param>
        /// <param name="documentationMode">
        /// <see cref="DocumentationMode.Diagnose"/> makes the compiler check doc comments as a project with
        /// GenerateDocumentationFile does (CS1591 for a public member without one). The generated files are
        /// parsed with the same options (see <see cref="RunGenerator(Compilation, IIncrementalGenerator?)"/>).
        /// </param>
        public static CSharpCompilation CreateCompilation(string source, string? assemblyName = null,
            OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary, DocumentationMode documentationMode = DocumentationMode.Parse) =>
            CSharpCompilation.Create(
                assemblyName ?? "FusedNet.InMemory" + Interlocked.Increment(ref s_assemblyCounter),
                [CSharpSyntaxTree.ParseText(source, ParseOptions.WithDocumentationMode(documentationMode), path: "Networks.cs")],
                References.Value,
                CompilationOptions.WithOutputKind(outputKind));

        /// <summary>Runs the FusedNet generator (or <paramref name="generator"/>, for testing the harness) on <paramref name="source"/>.</summary>
        public static GeneratorRun RunGenerator(string source, IIncrementalGenerator? generator = null) =>
            RunGenerator(CreateCompilation(source), generator);

        /// <summary>
        /// Runs the FusedNet generator on <paramref name="source"/> with MSBuild properties as the compiler passes them to
        /// generators (<c>build_property.Name</c> global options, from CompilerVisibleProperty items).
        /// </summary>
        public static GeneratorRun RunGenerator(string source, IReadOnlyDictionary<string, string> buildProperties) =>
            RunGenerator(CreateCompilation(source), generator: null, buildProperties);

        /// <summary>
        /// Runs the generator on an existing compilation. Generated files are parsed with the options of the
        /// compilation's first file (so its documentation mode applies to them too), as the compiler does.
        /// </summary>
        public static GeneratorRun RunGenerator(Compilation compilation, IIncrementalGenerator? generator = null,
            IReadOnlyDictionary<string, string>? buildProperties = null)
        {
            var parseOptions = compilation.SyntaxTrees.FirstOrDefault()?.Options as CSharpParseOptions ?? ParseOptions;
            GeneratorDriver driver = CSharpGeneratorDriver.Create(
                [(generator ?? CreateGenerator()).AsSourceGenerator()],
                parseOptions: parseOptions,
                optionsProvider: buildProperties is null ? null : new BuildPropertyOptions(buildProperties),
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation updated, out ImmutableArray<Diagnostic> diagnostics);
            return new GeneratorRun(updated, driver, diagnostics);
        }

        /// <summary>
        /// Runs the generator on <paramref name="source"/>, compiles the result and loads it into a collectible
        /// context. Throws <see cref="InvalidOperationException"/> listing every error (with its source line) if
        /// the generator or the compiler reports any.
        /// </summary>
        public static LoadedNetworks CompileAndLoad(string source, IIncrementalGenerator? generator = null)
        {
            GeneratorRun run = RunGenerator(source, generator);
            (LoadedNetworks? loaded, IReadOnlyList<Diagnostic> errors) = TryLoad(run);
            return loaded ?? throw new InvalidOperationException(DescribeErrors(errors, run.GeneratedSources.Length));
        }

        /// <summary>
        /// Emits the compilation of <paramref name="run"/> and loads it into a collectible context; on any
        /// generator or compiler error, returns no assembly and the errors instead.
        /// </summary>
        public static (LoadedNetworks? Loaded, IReadOnlyList<Diagnostic> Errors) TryLoad(GeneratorRun run)
        {
            using var image = new MemoryStream();
            var emit = run.Compilation.Emit(image);
            var errors = run.GeneratorDiagnostics.Concat(emit.Diagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Count > 0 || !emit.Success) return (null, errors);

            image.Position = 0;
            var context = new CollectibleContext(run.Compilation.AssemblyName ?? "FusedNet.InMemory");
            Assembly assembly = context.LoadFromStream(image);
            return (new LoadedNetworks(context, assembly, run), errors);
        }

        /// <summary>Every error with the source line it points at, for a test failure message.</summary>
        public static string DescribeErrors(IReadOnlyList<Diagnostic> errors, int generatedFileCount)
        {
            var text = new StringBuilder();
            text.Append(errors.Count).Append(" error(s) compiling the networks (").Append(generatedFileCount).Append(" generated file(s)):\n");
            foreach (Diagnostic error in errors.Take(50))
            {
                text.Append("  ").Append(error).Append('\n');
                if (error.Location.IsInSource)
                {
                    var lines = error.Location.SourceTree!.GetText().Lines;
                    int line = error.Location.GetLineSpan().StartLinePosition.Line;
                    text.Append("      | ").Append(lines[line].ToString().Trim()).Append('\n');
                }
            }
            if (errors.Count > 50) text.Append("  … and ").Append(errors.Count - 50).Append(" more\n");
            return text.ToString();
        }

        /// <summary>
        /// Loads the compiled networks in isolation so they can be unloaded. Load returns null for every
        /// dependency, so FusedNet.Runtime resolves to the copy the tests already use and IFusedNetwork casts work.
        /// </summary>
        private sealed class CollectibleContext : AssemblyLoadContext
        {
            public CollectibleContext(string name) : base(name, isCollectible: true) { }

            protected override Assembly? Load(AssemblyName assemblyName) => null;
        }
    }

    /// <summary>Global analyzer options holding MSBuild properties as build_property.Name, as the compiler gives them to generators.</summary>
    public sealed class BuildPropertyOptions : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider
    {
        private readonly Options _global;

        public BuildPropertyOptions(IReadOnlyDictionary<string, string> properties) =>
            _global = new Options(properties.ToDictionary(p => "build_property." + p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase));

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GlobalOptions => _global;

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

        private sealed class Options(Dictionary<string, string> values) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions
        {
            public static readonly Options Empty = new([]);

            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) =>
                values.TryGetValue(key, out value);
        }
    }

    /// <summary>An in-memory compiled assembly of networks; creates them by class name and unloads on Dispose.</summary>
    public sealed class LoadedNetworks : IDisposable
    {
        private readonly AssemblyLoadContext _context;
        private bool _disposed;

        internal LoadedNetworks(AssemblyLoadContext context, Assembly assembly, GeneratorRun generation)
        {
            _context = context;
            Assembly = assembly;
            Generation = generation;
        }

        public Assembly Assembly { get; }

        /// <summary>The generator run the assembly was compiled from (generated sources, diagnostics).</summary>
        public GeneratorRun Generation { get; }

        /// <summary>The class named <paramref name="className"/>: a full name, or a simple name that is unique in the assembly.</summary>
        public Type GetNetworkType(string className)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Type? exact = Assembly.GetType(className);
            if (exact is not null) return exact;
            Type[] matches = Assembly.GetTypes().Where(t => t.Name == className).ToArray();
            return matches.Length switch
            {
                1 => matches[0],
                0 => throw new ArgumentException($"No class '{className}' in the compiled networks."),
                _ => throw new ArgumentException($"Class name '{className}' is ambiguous: {string.Join(", ", matches.Select(t => t.FullName))}."),
            };
        }

        /// <summary>
        /// Constructs network <paramref name="className"/> from <paramref name="weights"/>. Exceptions from the
        /// constructor (e.g. InvalidDataException for bad weights) propagate unwrapped.
        /// </summary>
        public IFusedNetwork Create(string className, IWeightSource weights)
        {
            Type type = GetNetworkType(className);
            ConstructorInfo constructor = type.GetConstructor([typeof(IWeightSource)])
                ?? throw new ArgumentException($"{type.FullName} has no public constructor ({nameof(IWeightSource)} weights).");
            object instance = constructor.Invoke(BindingFlags.DoNotWrapExceptions, binder: null, [weights], culture: null);
            return instance as IFusedNetwork
                ?? throw new InvalidOperationException($"{type.FullName} does not implement {nameof(IFusedNetwork)}.");
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _context.Unload();
        }
    }
}
