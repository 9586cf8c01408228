using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using FusedNet.Tests.Reference;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// Checks a compiled graph against its double reference.
    /// <para>
    /// Tolerance: |actual − ref| ≤ 1e-4·max(1, |ref|) per element, the project standard (DESIGN §4) for fused
    /// output against the double reference. float32 accumulation over a dot product of length n has a relative
    /// error around √n·2⁻²⁴ ≈ 1e-6 for the largest fan-ins here (≤ 2304 in ResNet-18, ≤ 360 in the random graphs),
    /// so 1e-4 leaves two orders of magnitude of margin; folding BN in double changes nothing measurable.
    /// Kaiming weights and BN keep activations of order 1 through the residual chains (the largest |ref| seen in
    /// the random graphs is reported by the failure message), so the bound is not loosened anywhere.
    /// </para>
    /// </summary>
    internal static class GraphAssert
    {
        public const double Tolerance = 1e-4;

        /// <summary>As below, for every graph of <paramref name="graphs"/> in order, with seeds <paramref name="seedBefore"/> + 1, + 2, ….</summary>
        public static void ThreadsMatchOneThreadBitForBit(CompiledGraphs compiled, IReadOnlyDictionary<string, GraphNet> graphs, int seedBefore)
        {
            int seed = seedBefore;
            foreach ((string name, GraphNet graph) in graphs)
                ThreadsMatchOneThreadBitForBit(compiled, name, graph, seed: ++seed);
        }

        /// <summary>
        /// <paramref name="name"/> of <paramref name="compiled"/> with seeded weights: against the reference (MatchesReference),
        /// then on 2, 3 and 4 threads (SplitThreshold 0: every splittable step split) bit-for-bit the one-thread result, fused and
        /// unfused for one sample and fused for a batch of 3. For thread splits that give each output to one thread, which
        /// computes it with the one-thread code.
        /// </summary>
        public static void ThreadsMatchOneThreadBitForBit(CompiledGraphs compiled, string name, GraphNet graph, int seed)
        {
            (IFusedNetwork single, IWeightSource weights) = compiled.CreateRandom(name, seed);
            MatchesReference(single, weights, graph, inputSeed: seed, name);
            float[] input = RandomWeights.RandomInput(3 * single.InputLength, seed: seed + 100);
            float[] fused = new float[3 * single.OutputLength], unfused = new float[fused.Length];
            single.Forward(input, fused, 3);
            single.ForwardUnfused(input, unfused, 3);
            foreach (int threads in new[] { 2, 3, 4 })
            {
                IFusedNetwork parallel = compiled.Create(name, weights, new NetworkOptions { Threads = threads, SplitThreshold = 0 });
                try
                {
                    float[] one = new float[single.OutputLength];
                    Array.Fill(one, float.NaN);
                    parallel.Forward(input.AsSpan(0, single.InputLength), one);
                    Assert.True(one.AsSpan().SequenceEqual(fused.AsSpan(0, single.OutputLength)), $"{name}: fused on {threads} threads differs from one thread");
                    Array.Fill(one, float.NaN);
                    parallel.ForwardUnfused(input.AsSpan(0, single.InputLength), one);
                    Assert.True(one.AsSpan().SequenceEqual(unfused.AsSpan(0, single.OutputLength)), $"{name}: unfused on {threads} threads differs from one thread");
                    float[] batch = new float[fused.Length];
                    parallel.Forward(input, batch, 3);
                    Assert.Equal(fused, batch);
                }
                finally
                {
                    parallel.StopThreads();
                }
            }
        }

        /// <summary>
        /// <paramref name="name"/> compiled from <paramref name="graph"/>, with seeded weights and two threads (SplitThreshold 0:
        /// every splittable step shared), allocates nothing per call, on the calling thread or its worker: fused and unfused,
        /// batch 1 and 3, after a warm-up; the least of three 30-call windows must be 0 bytes.
        /// </summary>
        public static void AllocatesNothingOnAnyThread(string name, GraphNet graph, int seed)
        {
            using CompiledGraphs compiled = GraphCompiler.Compile(name, graph);
            (_, IWeightSource weights) = compiled.CreateRandom(name, seed);
            IFusedNetwork parallel = compiled.Create(name, weights, new NetworkOptions { Threads = 2, SplitThreshold = 0 });
            try
            {
                AllocatesNothingOnAnyThread(parallel);
            }
            finally
            {
                parallel.StopThreads();
            }
        }

        /// <summary>As above, for <paramref name="parallel"/> itself (a network with threads).</summary>
        private static void AllocatesNothingOnAnyThread(IFusedNetwork parallel)
        {
            float[] one = RandomWeights.RandomInput(parallel.InputLength, seed: 4), three = RandomWeights.RandomInput(3 * parallel.InputLength, seed: 5);
            float[] outOne = new float[parallel.OutputLength], outThree = new float[3 * parallel.OutputLength];
            void Calls()
            {
                parallel.Forward(one, outOne);
                parallel.ForwardUnfused(one, outOne);
                parallel.Forward(three, outThree, 3);
                parallel.ForwardUnfused(three, outThree, 3);
            }
            for (int i = 0; i < 10; i++) Calls();
            Assert.Equal(0, Harness.AllocationMeter.LeastBytes(() => { for (int i = 0; i < 30; i++) Calls(); }));
            var workers = (FusedNet.Internal.ParallelWorkers)parallel.GetType()
                .GetField("_workers", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(parallel)!;
            long least = long.MaxValue;
            for (int window = 0; window < 3 && least != 0; window++)
            {
                long before = workers.WorkerAllocatedBytes;
                for (int i = 0; i < 30; i++) Calls();
                least = Math.Min(least, workers.WorkerAllocatedBytes - before);
            }
            Assert.Equal(0, least);
        }

        /// <summary>Fused and unfused (single sample) against the reference; fused and unfused batch of 3 against single runs.</summary>
        public static void MatchesReference(IFusedNetwork net, IWeightSource weights, GraphNet graph, int inputSeed, string label)
        {
            var failures = new List<string>();
            Assert.Equal(graph.InputShape.Length, net.InputLength);
            Assert.Equal(graph.OutputShape.Length, net.OutputLength);

            const int Batch = 3;
            float[] inputs = RandomWeights.RandomInput(net.InputLength * Batch, inputSeed);
            var fused = new float[net.OutputLength * Batch];
            var unfused = new float[net.OutputLength * Batch];
            // Output buffers start as NaN so a kernel that leaves an element unwritten cannot pass.
            fused.AsSpan().Fill(float.NaN);
            unfused.AsSpan().Fill(float.NaN);
            net.Forward(inputs, fused, Batch);
            net.ForwardUnfused(inputs, unfused, Batch);

            for (int n = 0; n < Batch; n++)
            {
                ReadOnlySpan<float> input = inputs.AsSpan(n * net.InputLength, net.InputLength);
                var single = new float[net.OutputLength];
                var singleUnfused = new float[net.OutputLength];
                single.AsSpan().Fill(float.NaN);
                singleUnfused.AsSpan().Fill(float.NaN);
                net.Forward(input, single);
                net.ForwardUnfused(input, singleUnfused);
                double[] expected = graph.Run(weights, input);
                Compare(failures, $"sample {n} fused", single, expected);
                Compare(failures, $"sample {n} unfused", singleUnfused, expected);
                // The batch path runs the same kernels on one sample at a time: bit-identical to single runs.
                if (!single.AsSpan().SequenceEqual(fused.AsSpan(n * net.OutputLength, net.OutputLength)))
                    failures.Add($"sample {n}: fused batch of {Batch} differs from the single-sample run");
                if (!singleUnfused.AsSpan().SequenceEqual(unfused.AsSpan(n * net.OutputLength, net.OutputLength)))
                    failures.Add($"sample {n}: unfused batch of {Batch} differs from the single-sample run");
            }
            Assert.True(failures.Count == 0, $"{label}: {failures.Count} failure(s) (tolerance {Tolerance:0e0}·max(1, |ref|)):\n" +
                string.Join("\n", failures.Take(20)) + "\n" + graph.Describe());
        }

        /// <param name="scaleFraction">
        /// 0 for the project bound. Otherwise an absolute allowance of <paramref name="scaleFraction"/>·max|ref| is added to
        /// every element: for deep networks with random weights, whose logits are large (ResNet-18: max |ref| ≈ 750) and a
        /// small logit is the difference of large terms, so its float32 error scales with the largest values, not its own.
        /// </param>
        public static void Compare(List<string> failures, string what, ReadOnlySpan<float> actual, double[] expected, double scaleFraction = 0)
        {
            double scale = scaleFraction * expected.Select(Math.Abs).DefaultIfEmpty(0).Max();
            if (actual.Length != expected.Length)
            {
                failures.Add($"{what}: {actual.Length} values, reference has {expected.Length}");
                return;
            }
            int bad = 0, worst = -1;
            double worstRatio = 0, maxRef = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
                double allowed = Tolerance * Math.Max(1.0, Math.Abs(expected[i])) + scale;
                double error = Math.Abs(actual[i] - expected[i]);
                if (!(error <= allowed)) bad++;
                double ratio = double.IsNaN(error) ? double.PositiveInfinity : error / allowed;
                if (ratio > worstRatio) (worstRatio, worst) = (ratio, i);
            }
            if (bad > 0)
                failures.Add($"{what}: {bad} of {expected.Length} outside tolerance (+{scale:0.###e0} absolute); worst at {worst}: {actual[worst]} vs {expected[worst]:R} " +
                    $"(error/allowed {worstRatio:0.00}, max |ref| {maxRef:0.###})");
        }

        /// <summary>The generated metadata describes the graph: kinds, names, inputs and shapes; weights match the reference's list.</summary>
        public static void MetadataMatches(CompiledGraphs compiled, string className, GraphNet graph)
        {
            IReadOnlyList<LayerInfo> layers = compiled.Layers(className);
            Assert.Equal(graph.Nodes.Count, layers.Count);
            foreach (GraphNode node in graph.Nodes)
            {
                LayerInfo info = layers[node.Index];
                Assert.Equal(node.Kind.ToString(), info.Kind);
                Assert.Equal(node.Name, info.Name);
                Assert.Equal(node.Inputs, info.Inputs);
                Assert.Equal(Describe(graph.ShapeOf(node.Index)), info.OutputShape.ToString());
                Assert.Equal(Describe(graph.ShapeOf(node.Inputs[0])), info.InputShape.ToString());
            }
            var expected = graph.ExpectedTensors.Select(t => $"{t.Name} {t.ShapeText}").ToList();
            var actual = compiled.ExpectedWeights(className).Select(w => $"{w.Name} [{string.Join(", ", w.Shape)}]").ToList();
            Assert.Equal(expected, actual);
        }

        private static string Describe(RefShape shape) => shape.ToString();

        /// <summary>DESIGN §6: no managed allocation per Forward/ForwardUnfused, single and batch (the project's ZeroAllocationTests recipe).</summary>
        public static void AllocatesNothing(IFusedNetwork net, int batch = 3)
        {
            float[] input = RandomWeights.RandomInput(net.InputLength * batch, seed: 7);
            float[] output = new float[net.OutputLength * batch];
            void RunAll()
            {
                net.Forward(input, output, batch);
                net.ForwardUnfused(input, output, batch);
                net.Forward(input.AsSpan(0, net.InputLength), output.AsSpan(0, net.OutputLength));
                net.ForwardUnfused(input.AsSpan(0, net.InputLength), output.AsSpan(0, net.OutputLength));
            }
            for (int i = 0; i < 3; i++) RunAll(); // tiered JIT, static constructors, first-call stubs
            // A one-off runtime event charged to this thread (the tiered JIT's work, seen under load) can land in any window,
            // while an allocation in Forward repeats on every call: the smallest of up to three windows.
            long allocated = long.MaxValue;
            for (int window = 0; window < 3 && allocated != 0; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 50; i++) RunAll();
                allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            Assert.True(allocated == 0, $"{net.GetType().Name}: {allocated} bytes allocated by 200 inferences");
        }
    }
}
