using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using FusedNet.Tests.Reference;
using Microsoft.CodeAnalysis;

namespace FusedNet.Tests.Harness
{
    /// <summary>
    /// The harness itself, driven by a stand-in generator that adds one hand-written network, so these tests
    /// do not depend on the real generator's state.
    /// </summary>
    public class GeneratorHarnessTests
    {
        [Fact]
        public void RunGenerator_ReturnsSourcesAndDiagnostics()
        {
            GeneratorRun run = GeneratorHarness.RunGenerator("namespace User; public class Empty { }", new StandInGenerator());

            GeneratedSource source = Assert.Single(run.GeneratedSources);
            Assert.Equal("Doubler.g.cs", source.HintName);
            Assert.Contains("class Doubler", source.Text);
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("TEST001", diagnostic.Id);
            Assert.Empty(run.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
            Assert.Equal(2, run.Compilation.SyntaxTrees.Count());
        }

        [Fact]
        public void RealGenerator_CompilesAndLoadsADeclaredNetwork()
        {
            RefNetwork reference = FixtureNetworks.SeqStandaloneBn;
            string source = "using FusedNet;\nnamespace User;\n" + reference.ToDeclaration("Small");

            using LoadedNetworks loaded = GeneratorHarness.CompileAndLoad(source);

            Assert.Single(loaded.Generation.GeneratedSources);
            Assert.Empty(loaded.Generation.GeneratorDiagnostics);
            IFusedNetwork network = loaded.Create("User.Small", ZeroWeights(reference));
            Assert.Equal(reference.OutputLength, network.OutputLength);
            var output = new float[network.OutputLength];
            network.Forward(new float[network.InputLength], output);
            Assert.All(output, value => Assert.Equal(0f, value)); // the last Linear has zero weights and no bias
        }

        /// <summary>Valid weights that are all zero (running_var 1).</summary>
        private static InMemoryWeights ZeroWeights(RefNetwork reference)
        {

            var weights = new InMemoryWeights();
            foreach (RefTensor tensor in reference.ExpectedTensors)
            {
                var values = new float[tensor.ElementCount];
                if (tensor.Name.EndsWith("running_var", StringComparison.Ordinal)) Array.Fill(values, 1f);
                weights.Add(tensor.Name, values, tensor.Shape);
            }
            return weights;
        }

        [Fact]
        public void CompileAndLoad_CreatesNetworksThatCastToIFusedNetwork()
        {
            using LoadedNetworks loaded = GeneratorHarness.CompileAndLoad("namespace User; public class Empty { }", new StandInGenerator());

            IFusedNetwork network = loaded.Create("Doubler", new InMemoryWeights());
            var output = new float[3];
            network.Forward([1f, -2f, 3.5f], output);

            Assert.Equal([2f, -4f, 7f], output);
            Assert.Same(typeof(IFusedNetwork).Assembly, network.GetType().GetInterfaces().Single().Assembly);
        }

        [Fact]
        public void CompileAndLoad_PropagatesConstructorExceptionsUnwrapped()
        {
            using LoadedNetworks loaded = GeneratorHarness.CompileAndLoad("namespace User; public class Empty { }", new StandInGenerator());
            var weights = new InMemoryWeights();
            weights.Add("fail", [0f], 1);

            var error = Assert.Throws<InvalidDataException>(() => loaded.Create("Generated.Doubler", weights));
            Assert.Equal("asked to fail", error.Message);
            Assert.Throws<ArgumentException>(() => loaded.Create("Missing", weights));
        }

        [Fact]
        public void CompileAndLoad_ListsEveryErrorWithItsLine()
        {
            const string Broken = "namespace User;\npublic class A { int X() => \"text\"; }\npublic class B { void Y() { undefinedCall(); } }\n";

            var error = Assert.Throws<InvalidOperationException>(() => GeneratorHarness.CompileAndLoad(Broken, new StandInGenerator()));

            Assert.Contains("2 error(s)", error.Message);
            Assert.Contains("CS0029", error.Message);
            Assert.Contains("CS0103", error.Message);
            Assert.Contains("| public class B { void Y() { undefinedCall(); } }", error.Message);
        }

        [Fact]
        public void Dispose_UnloadsTheAssembly()
        {
            WeakReference context = LoadUseAndDispose();
            for (int i = 0; i < 20 && context.IsAlive; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
            Assert.False(context.IsAlive, "the collectible context was not unloaded");
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static WeakReference LoadUseAndDispose()
        {
            using LoadedNetworks loaded = GeneratorHarness.CompileAndLoad("namespace User; public class Empty { }", new StandInGenerator());
            IFusedNetwork network = loaded.Create("Doubler", new InMemoryWeights());
            network.Forward([1f, 2f, 3f], new float[3]);
            return new WeakReference(System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(loaded.Assembly));
        }

        /// <summary>Adds a 3-float "network" that doubles its input, and reports one info diagnostic.</summary>
        private sealed class StandInGenerator : IIncrementalGenerator
        {
#pragma warning disable RS2008 // release tracking is for shipped analyzers, not a test's stand-in
            private static readonly DiagnosticDescriptor Info = new("TEST001", "stand-in", "stand-in generator ran", "Test", DiagnosticSeverity.Info, true);
#pragma warning restore RS2008

            public void Initialize(IncrementalGeneratorInitializationContext context)
            {
                context.RegisterPostInitializationOutput(post => post.AddSource("Doubler.g.cs", DoublerSource));
                context.RegisterSourceOutput(context.CompilationProvider, (output, _) => output.ReportDiagnostic(Diagnostic.Create(Info, Location.None)));
            }

            private const string DoublerSource = """
                using System;
                using System.Collections.Generic;
                using FusedNet;
                namespace Generated;
                public sealed class Doubler : IFusedNetwork
                {
                    public Doubler(IWeightSource weights)
                    {
                        if (weights.TryGetTensorInfo("fail", out _)) throw new System.IO.InvalidDataException("asked to fail");
                    }
                    public int InputLength => 3;
                    public int OutputLength => 3;
                    public TensorShape InputShape => TensorShape.Flat(3);
                    public TensorShape OutputShape => TensorShape.Flat(3);
                    public IReadOnlyList<LayerInfo> Layers => Array.Empty<LayerInfo>();
                    public IReadOnlyList<WeightInfo> ExpectedWeights => Array.Empty<WeightInfo>();
                    public VectorWidth VectorWidth => VectorWidth.Vector128;
                    public long ScratchBytes => 0;
                    public long WeightBytes => 0;
                    public int Threads => 1;
                    public void StopThreads() { }
                    public IReadOnlyList<string> Steps(bool fused) => new[] { "double" };
                    public void ProfileForward(ReadOnlySpan<float> input, Span<float> output, Span<long> stepTicks, bool fused) => Forward(input, output, 1);
                    public void Forward(ReadOnlySpan<float> input, Span<float> output) => Forward(input, output, 1);
                    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batchSize)
                    {
                        for (int i = 0; i < 3 * batchSize; i++) output[i] = 2 * input[i];
                    }
                    public void ForwardUnfused(ReadOnlySpan<float> input, Span<float> output) => Forward(input, output, 1);
                    public void ForwardUnfused(ReadOnlySpan<float> input, Span<float> output, int batchSize) => Forward(input, output, batchSize);
                }
                """;
        }
    }
}
