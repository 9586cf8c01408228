using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using FusedNet.Tests.Reference;
using Xunit.Sdk;

namespace FusedNet.Tests.Networks
{
    /// <summary>
    /// NetworkOptions.Threads over the whole sweep (odd sizes, strides, padding, groups, channel counts not a multiple of
    /// 8 or 16, 1×1 spatial, residual and pooling steps): each network built with 2, 3 or 4 threads and SplitThreshold 0, so
    /// every step of two rows or more is split by rows between the threads (a batch is split by samples). Splitting does not
    /// change any output element's arithmetic, so every output must equal the one-thread output bit for bit, and match the
    /// double reference within the sweep's tolerance.
    /// </summary>
    [Collection(SweepCollection.Name)]
    public class ParallelSweepTests
    {
        private const double Tolerance = 1e-4; // as NetworkSweepTests: |actual − ref| ≤ 1e-4·max(1, |ref|)
        private const int BatchSize = 3;
        private readonly SweepCompilation _compilation;

        public ParallelSweepTests(SweepCompilation compilation) => _compilation = compilation;

        public static TheoryData<string> CaseIds => new(SweepCatalog.Cases.Select(c => c.Id));

        /// <summary>Threads for a case: 2, 3 and 4 in turn over the catalogue, so each count meets many shapes.</summary>
        private static int ThreadsFor(string id) => 2 + SweepCatalog.Cases.Select(c => c.Id).ToList().IndexOf(id) % 3;

        [Theory]
        [MemberData(nameof(CaseIds))]
        public void SplitRowsAndSamples_GiveTheOneThreadResultBitForBit(string id)
        {
            SweepCase sweepCase = SweepCatalog.Get(id);
            IFusedNetwork single = NetworkSweepTests.Create(_compilation, sweepCase, out InMemoryWeights weights);
            int threads = ThreadsFor(id);
            IFusedNetwork parallel = CreateWithOptions(_compilation, sweepCase, weights, new NetworkOptions { Threads = threads, SplitThreshold = 0 });
            try
            {
                Assert.Equal(threads, parallel.Threads);
                float[] input = SweepWeights.Input(sweepCase.Network, BatchSize, sweepCase.Seed);
                double[][] reference = sweepCase.Network.RunBatch(weights, input, BatchSize);
                int inLength = single.InputLength, outLength = single.OutputLength;
                var failures = new List<string>();
                foreach (bool fused in new[] { true, false })
                {
                    string path = fused ? "Forward" : "ForwardUnfused";
                    float[] expected = Run(single, fused, input, BatchSize);
                    // Batch of 3: split by samples (each thread its own scratch).
                    Check(failures, $"{path}, batch of {BatchSize} on {threads} threads", expected, Run(parallel, fused, input, BatchSize), reference, outLength);
                    // One sample at a time: its steps split by rows.
                    float[] oneByOne = new float[BatchSize * outLength];
                    for (int n = 0; n < BatchSize; n++)
                        Run(parallel, fused, input.AsSpan(n * inLength, inLength).ToArray(), 1).CopyTo(oneByOne, n * outLength);
                    Check(failures, $"{path}, one sample at a time on {threads} threads", expected, oneByOne, reference, outLength);
                }
                if (failures.Count > 0)
                    throw new XunitException($"{id} with {threads} threads:\n{string.Join("\n", failures)}\n\n{NetworkSweepTests.Describe(sweepCase)}");
            }
            finally
            {
                parallel.StopThreads();
            }
        }

        internal static IFusedNetwork CreateWithOptions(SweepCompilation compilation, SweepCase sweepCase, IWeightSource weights, NetworkOptions options)
        {
            Type type = compilation.Loaded.Assembly.GetType("FusedNet.Sweep." + sweepCase.ClassName)
                ?? throw new XunitException($"{sweepCase.Id}: no network class");
            ConstructorInfo constructor = type.GetConstructor([typeof(IWeightSource), typeof(NetworkOptions)])
                ?? throw new XunitException($"{sweepCase.Id}: no constructor (IWeightSource, NetworkOptions)");
            return (IFusedNetwork)constructor.Invoke([weights, options]);
        }

        private static float[] Run(IFusedNetwork network, bool fused, float[] input, int batchSize)
        {
            float[] output = new float[batchSize * network.OutputLength];
            Array.Fill(output, float.NaN);
            if (fused) network.Forward(input, output, batchSize);
            else network.ForwardUnfused(input, output, batchSize);
            return output;
        }

        private static void Check(List<string> failures, string what, float[] expected, float[] actual, double[][] reference, int outLength)
        {
            for (int i = 0; i < expected.Length; i++)
            {
                // Bit equality (NaN never equals: an element a thread skipped fails here).
                if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]) || float.IsNaN(actual[i]))
                {
                    failures.Add($"  {what}: element {i} is {actual[i]:R}, one thread gave {expected[i]:R}");
                    return;
                }
                double r = reference[i / outLength][i % outLength];
                if (!(Math.Abs(actual[i] - r) <= Tolerance * Math.Max(1.0, Math.Abs(r))))
                {
                    failures.Add($"  {what}: element {i} is {actual[i]:R}, the reference {r:R}");
                    return;
                }
            }
        }
    }
}
