using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Graphs
{
    /// <summary>Every random graph of <see cref="RandomGraphTests"/>, planned, emitted and compiled once in one compilation.</summary>
    public sealed class RandomGraphCompilation : IDisposable
    {
        public const int SeedsPerFamily = 1;
        public const int MixedSeeds = 1;

        private readonly Lazy<CompiledGraphs> _compiled;

        public RandomGraphCompilation()
        {
            foreach ((GraphFamily family, int seed) in Cases())
                Graphs[ClassName(family, seed)] = RandomGraphs.Create(family, seed, compact: true);
            _compiled = new Lazy<CompiledGraphs>(() =>
            {
                var watch = Stopwatch.StartNew();
                // A graph the planner fails on fails its own test only (PlanErrors), not the whole compilation.
                var plans = new Dictionary<string, NetworkPlan>();
                foreach ((string name, GraphNet graph) in Graphs)
                {
                    try
                    {
                        plans[name] = GraphCompiler.Plan(graph, name);
                    }
                    catch (Exception e)
                    {
                        PlanErrors[name] = e;
                    }
                }
                CompiledGraphs compiled = GraphCompiler.Compile(plans);
                CompileTime = watch.Elapsed;
                return compiled;
            });
        }

        internal Dictionary<string, GraphNet> Graphs { get; } = new();
        internal CompiledGraphs Compiled => _compiled.Value;

        /// <summary>Graphs the generator's planner threw on (they are left out of the compilation).</summary>
        internal Dictionary<string, Exception> PlanErrors { get; } = new();

        /// <summary>The compiled networks, after checking that <paramref name="name"/> was planned.</summary>
        internal CompiledGraphs CompiledFor(string name)
        {
            CompiledGraphs compiled = Compiled;
            if (PlanErrors.TryGetValue(name, out Exception? error))
                throw new Xunit.Sdk.XunitException($"The planner failed on {name}: {error}\n{Graphs[name].Describe()}");
            return compiled;
        }
        public TimeSpan CompileTime { get; private set; }

        public static IEnumerable<(GraphFamily Family, int Seed)> Cases()
        {
            foreach (GraphFamily family in Enum.GetValues<GraphFamily>())
                for (int seed = 1; seed <= (family == GraphFamily.Mixed ? MixedSeeds : SeedsPerFamily); seed++)
                    yield return (family, seed);
        }

        public static string ClassName(GraphFamily family, int seed) => $"{family}{seed}";

        public void Dispose()
        {
            if (_compiled.IsValueCreated) _compiled.Value.Dispose();
        }
    }

    /// <summary>
    /// Random graphs of every family (RandomGraphs) through the generator's graph stages: the fused and the unfused path
    /// match the double reference (GraphAssert.Tolerance), a batch of 3 equals three single runs, the metadata describes
    /// the graph, and a few allocate nothing per inference.
    /// </summary>
    public sealed class RandomGraphTests : IClassFixture<RandomGraphCompilation>
    {
        private readonly RandomGraphCompilation _fixture;

        public RandomGraphTests(RandomGraphCompilation fixture) => _fixture = fixture;

        public static TheoryData<GraphFamily, int> Cases()
        {
            var data = new TheoryData<GraphFamily, int>();
            foreach ((GraphFamily family, int seed) in RandomGraphCompilation.Cases()) data.Add(family, seed);
            return data;
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void MatchesReference(GraphFamily family, int seed)
        {
            string name = RandomGraphCompilation.ClassName(family, seed);
            GraphNet graph = _fixture.Graphs[name];
            GraphAssert.MetadataMatches(_fixture.CompiledFor(name), name, graph);
            (IFusedNetwork net, IWeightSource weights) = _fixture.CompiledFor(name).CreateRandom(name, seed);
            GraphAssert.MatchesReference(net, weights, graph, inputSeed: 100 + seed, name);
        }

        [Theory]
        [InlineData(GraphFamily.Residual, 1)]
        [InlineData(GraphFamily.ConcatFanIn, 1)]
        [InlineData(GraphFamily.SqueezeExcite, 1)]
        [InlineData(GraphFamily.Mixed, 1)]
        public void AllocatesNothing(GraphFamily family, int seed)
        {
            string name = RandomGraphCompilation.ClassName(family, seed);
            GraphAssert.AllocatesNothing(_fixture.CompiledFor(name).CreateRandom(name, seed).Network);
        }
    }
}
