using System;
using FusedNet.Generator.Emit;
using FusedNet.Generator.Model;
using Xunit;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// A pool or elementwise pass right after a step the threads shared is shared too from 1/8 of SplitThreshold (so each
    /// thread reads the rows it wrote), and the result stays bit-for-bit the one-thread result at the default threshold.
    /// </summary>
    public class SharedPassTests
    {
        /// <summary>conv 3×3 16 → 32 at 24×24 (2.65 M MACs: shared), max pool 2 (4,608 outputs: work 73,728, shared only after a shared step), ReLU.</summary>
        private static GraphNet ConvThenPool()
        {
            var g = new GraphNet(16, 24, 24) { Winograd = WinogradUse.Never };
            int conv = g.Conv(GraphNet.In, 32, 3, "conv", padding: 1);
            g.Act(g.MaxPool(conv, 2, 2), LayerKind.ReLU);
            return g;
        }

        [Fact]
        public void APoolAfterASharedConv_IsShared_AndGivesTheOneThreadResult()
        {
            using CompiledGraphs compiled = GraphCompiler.Compile("SharedPool", ConvThenPool());
            string source = NetworkEmitter.Emit(compiled.Plans["SharedPool"]);
            Assert.Contains("shared = workers is not null && (73728L >= _splitThreshold || shared && 73728L * 8 >= _splitThreshold);", source);

            (IFusedNetwork single, IWeightSource weights) = compiled.CreateRandom("SharedPool", seed: 11);
            GraphAssert.MatchesReference(single, weights, ConvThenPool(), inputSeed: 12, "SharedPool");
            float[] input = RandomWeights.RandomInput(single.InputLength, seed: 13);
            float[] fused = new float[single.OutputLength], unfused = new float[single.OutputLength];
            single.Forward(input, fused);
            single.ForwardUnfused(input, unfused);
            foreach (int threads in new[] { 2, 3 })
            {
                // The default SplitThreshold (500,000): the conv is shared, the pool by the rule, the ReLU pass after it too.
                IFusedNetwork parallel = compiled.Create("SharedPool", weights, new NetworkOptions { Threads = threads });
                try
                {
                    float[] output = new float[single.OutputLength];
                    for (int call = 0; call < 20; call++)
                    {
                        Array.Fill(output, float.NaN);
                        parallel.Forward(input, output);
                        Assert.True(output.AsSpan().SequenceEqual(fused), $"fused on {threads} threads, call {call}, differs from one thread");
                        Array.Fill(output, float.NaN);
                        parallel.ForwardUnfused(input, output);
                        Assert.True(output.AsSpan().SequenceEqual(unfused), $"unfused on {threads} threads, call {call}, differs from one thread");
                    }
                }
                finally
                {
                    parallel.StopThreads();
                }
            }
        }
    }
}
