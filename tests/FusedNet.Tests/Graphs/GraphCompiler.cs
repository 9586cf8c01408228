using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using FusedNet.Generator;
using FusedNet.Generator.Emit;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// Runs the generator's stages 2–4 on graphs built in code (no front end): Analyze (shape inference, fusion,
    /// buffer planning), then NetworkEmitter.Emit, then compiles the emitted files plus one empty
    /// <c>public partial class</c> per network in memory (the generator is not run again) and loads the assembly
    /// into a collectible context. Many networks go into one compilation: compiling is the slow part.
    /// </summary>
    internal static class GraphCompiler
    {
        public const string Namespace = "FusedNet.GraphTests";

        /// <summary>The plan of <paramref name="graph"/>, or an exception listing the generator's diagnostics.</summary>
        public static NetworkPlan Plan(GraphNet graph, string className = "Net")
        {
            var analysis = FusedNetworkGenerator.Analyze(new Result<NetworkSpec>(graph.ToSpec(Namespace, className), EquatableArray<DiagnosticInfo>.Empty));
            if (analysis.Plan is null)
                throw new InvalidOperationException($"The generator rejected {className}:\n  " +
                    string.Join("\n  ", analysis.Diagnostics.Select(d => d.ToDiagnostic().ToString())) + "\n" + graph.Describe());
            return analysis.Plan;
        }

        /// <summary>Plans, emits, compiles and loads every graph; class names are the dictionary keys.</summary>
        public static CompiledGraphs Compile(IReadOnlyDictionary<string, GraphNet> graphs) =>
            Compile(graphs.ToDictionary(g => g.Key, g => Plan(g.Value, g.Key)));

        /// <summary>Emits, compiles and loads already planned networks; class names are the dictionary keys.</summary>
        public static CompiledGraphs Compile(IReadOnlyDictionary<string, NetworkPlan> plans)
        {
            // One syntax tree per network, as the generator adds one file each (the emitted kernels live in a file-local class).
            var compilation = GeneratorHarness.CreateCompilation("");
            var parseOptions = (CSharpParseOptions)compilation.SyntaxTrees[0].Options;
            foreach ((string name, NetworkPlan plan) in plans)
            {
                string source = NetworkEmitter.Emit(plan) + "\nnamespace " + Namespace + " { public partial class " + name + " { } }\n";
                compilation = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, parseOptions, path: name + ".FusedNet.g.cs"));
            }
            using var image = new MemoryStream();
            var emit = compilation.Emit(image);
            var errors = emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (!emit.Success || errors.Count > 0)
                throw new InvalidOperationException(GeneratorHarness.DescribeErrors(errors, plans.Count));
            image.Position = 0;
            var context = new CollectibleContext(compilation.AssemblyName ?? "FusedNet.Graphs");
            return new CompiledGraphs(context, context.LoadFromStream(image), plans);
        }

        public static CompiledGraphs Compile(string className, GraphNet graph) =>
            Compile(new Dictionary<string, GraphNet> { [className] = graph });

        /// <summary>Resolves FusedNet.Runtime to the copy the tests use, so IFusedNetwork casts work.</summary>
        private sealed class CollectibleContext : AssemblyLoadContext
        {
            public CollectibleContext(string name) : base(name, isCollectible: true) { }

            protected override Assembly? Load(AssemblyName assemblyName) => null;
        }
    }

    /// <summary>Networks compiled by <see cref="GraphCompiler"/>; unloads on Dispose.</summary>
    internal sealed class CompiledGraphs : IDisposable
    {
        private readonly AssemblyLoadContext _context;

        public CompiledGraphs(AssemblyLoadContext context, Assembly assembly, IReadOnlyDictionary<string, NetworkPlan> plans)
        {
            _context = context;
            Assembly = assembly;
            Plans = plans;
        }

        public Assembly Assembly { get; }
        public IReadOnlyDictionary<string, NetworkPlan> Plans { get; }

        public Type TypeOf(string className) =>
            Assembly.GetType(GraphCompiler.Namespace + "." + className) ?? throw new ArgumentException($"no network {className}");

        /// <summary>The generated static ExpectedWeights (read without weights).</summary>
        public IReadOnlyList<WeightInfo> ExpectedWeights(string className) =>
            (IReadOnlyList<WeightInfo>)TypeOf(className).GetProperty("ExpectedWeights", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

        /// <summary>The generated static Layers metadata.</summary>
        public IReadOnlyList<LayerInfo> Layers(string className) =>
            (IReadOnlyList<LayerInfo>)TypeOf(className).GetProperty("Layers", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

        public IFusedNetwork Create(string className, IWeightSource weights)
        {
            ConstructorInfo constructor = TypeOf(className).GetConstructor(new[] { typeof(IWeightSource) })
                ?? throw new InvalidOperationException($"{className} has no (IWeightSource) constructor");
            return (IFusedNetwork)constructor.Invoke(BindingFlags.DoNotWrapExceptions, null, new object[] { weights }, null);
        }

        /// <summary>A network of <paramref name="className"/> built with run options (threads).</summary>
        public IFusedNetwork Create(string className, IWeightSource weights, NetworkOptions options)
        {
            ConstructorInfo constructor = TypeOf(className).GetConstructor(new[] { typeof(IWeightSource), typeof(NetworkOptions) })
                ?? throw new InvalidOperationException($"{className} has no (IWeightSource, NetworkOptions) constructor");
            return (IFusedNetwork)constructor.Invoke(BindingFlags.DoNotWrapExceptions, null, new object[] { weights, options }, null);
        }

        /// <summary>A network of <paramref name="className"/> with seeded random weights (RandomWeights: Kaiming, non-trivial BN).</summary>
        public (IFusedNetwork Network, IWeightSource Weights) CreateRandom(string className, int seed)
        {
            var weights = RandomWeights.Create(ExpectedWeights(className), seed);
            return (Create(className, weights), weights);
        }

        public void Dispose() => _context.Unload();
    }
}
