using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using FusedNet.Tests.Harness;
using FusedNet.Tests.Reference;
using Xunit.Sdk;

namespace FusedNet.Tests.Networks
{
    /// <summary>
    /// The correctness sweep: every <see cref="SweepCatalog"/> network is generated, compiled (all in one
    /// compilation), built from seeded random weights and run on seeded random input through Forward and
    /// ForwardUnfused, one sample at a time and as a batch of 3, against the double-precision reference.
    /// </summary>
    [Collection(SweepCollection.Name)]
    public class NetworkSweepTests
    {
        /// <summary>
        /// DESIGN §4: |actual − ref| ≤ 1e-4·max(1, |ref|). Float32 accumulation over at most a few hundred
        /// products per output and a few layers stays around 1e-6 relative; BN folding in double adds nothing
        /// measurable. 1e-4 leaves ~50× margin (the fixtures' README measured libtorch itself at ≤ 2e-6).
        /// </summary>
        private const double Tolerance = 1e-4;

        private const int BatchSize = 3;

        private readonly SweepCompilation _compilation;

        public NetworkSweepTests(SweepCompilation compilation) => _compilation = compilation;

        public static TheoryData<string> CaseIds => new(SweepCatalog.Cases.Select(c => c.Id));

        [Theory]
        [MemberData(nameof(CaseIds))]
        public void MatchesReference(string id)
        {
            SweepCase sweepCase = SweepCatalog.Get(id);
            RefNetwork reference = sweepCase.Network;
            IFusedNetwork network = Create(_compilation, sweepCase, out InMemoryWeights weights);

            CheckMetadata(sweepCase, network);

            float[] input = SweepWeights.Input(reference, BatchSize, sweepCase.Seed);
            double[][] expected = reference.RunBatch(weights, input, BatchSize);

            var failures = new List<string>();
            foreach (ForwardPath path in ForwardPath.All)
            {
                for (int n = 0; n < BatchSize; n++)
                {
                    float[] single = NaNs(reference.OutputLength);
                    path.Single(network, input.AsSpan(n * reference.InputLength, reference.InputLength), single);
                    Compare(failures, $"{path.Name} (one sample)", n, expected[n], single);
                }

                float[] batch = NaNs(BatchSize * reference.OutputLength);
                path.Batch(network, input, batch, BatchSize);
                for (int n = 0; n < BatchSize; n++)
                    Compare(failures, $"{path.Name} (batch of {BatchSize})", n, expected[n], batch.AsSpan(n * reference.OutputLength, reference.OutputLength).ToArray());
            }

            if (failures.Count > 0)
                throw new XunitException($"{sweepCase.Id}: {failures.Count} path/sample combination(s) differ from the reference " +
                    $"(tolerance {Tolerance:0e0}·max(1, |ref|)).\n{string.Join("\n", failures)}\n\n{Describe(sweepCase)}");
        }

        [Theory]
        [MemberData(nameof(CaseIds))]
        public void AllocatesNothing(string id)
        {
            // DESIGN §6: Forward and ForwardUnfused allocate nothing, ever; checked per path, single and batch.
            SweepCase sweepCase = SweepCatalog.Get(id);
            IFusedNetwork network = Create(_compilation, sweepCase, out _);
            float[] input = SweepWeights.Input(sweepCase.Network, BatchSize, sweepCase.Seed);
            float[] output = new float[BatchSize * network.OutputLength];

            var allocations = new List<string>();
            foreach (ForwardPath path in ForwardPath.All)
            {
                long single = AllocatedBytes(() => path.Single(network, input.AsSpan(0, network.InputLength), output.AsSpan(0, network.OutputLength)));
                long batch = AllocatedBytes(() => path.Batch(network, input, output, BatchSize));
                if (single != 0) allocations.Add($"{path.Name} (one sample): {single} bytes in 20 calls");
                if (batch != 0) allocations.Add($"{path.Name} (batch of {BatchSize}): {batch} bytes in 20 calls");
            }
            if (allocations.Count > 0)
                throw new XunitException($"{sweepCase.Id} allocates:\n  {string.Join("\n  ", allocations)}\n\n{Describe(sweepCase)}");
        }

        /// <summary>The compiled network of <paramref name="sweepCase"/> over its seeded weights (<see cref="SweepWeights.Create"/>).</summary>
        internal static IFusedNetwork Create(SweepCompilation compilation, SweepCase sweepCase, out InMemoryWeights weights)
        {
            IReadOnlyList<string> errors = compilation.ErrorsOf(sweepCase.ClassName);
            if (errors.Count > 0)
                throw new XunitException($"{sweepCase.Id} does not compile:\n  {string.Join("\n  ", errors)}\n\n{Describe(sweepCase)}");
            if (compilation.Loaded.Assembly.GetType("FusedNet.Sweep." + sweepCase.ClassName)?.GetConstructor([typeof(IWeightSource)]) is null)
                throw new XunitException($"{sweepCase.Id}: the generator produced no network class (no constructor(IWeightSource)); " +
                    $"generator diagnostics: [{string.Join("; ", compilation.GeneratorDiagnosticsOf(sweepCase.ClassName))}]\n\n{Describe(sweepCase)}");

            weights = SweepWeights.Create(sweepCase.Network, sweepCase.Seed);
            return compilation.Loaded.Create("FusedNet.Sweep." + sweepCase.ClassName, weights);
        }

        /// <summary>Lengths, shapes and the expected tensor list must agree with the reference (DESIGN §3, §5).</summary>
        private static void CheckMetadata(SweepCase sweepCase, IFusedNetwork network)
        {
            RefNetwork reference = sweepCase.Network;
            var problems = new List<string>();
            if (network.InputLength != reference.InputLength) problems.Add($"InputLength {network.InputLength}, expected {reference.InputLength}");
            if (network.OutputLength != reference.OutputLength) problems.Add($"OutputLength {network.OutputLength}, expected {reference.OutputLength}");
            if (network.OutputShape.ToString() != reference.OutputShape.ToString()) problems.Add($"OutputShape {network.OutputShape}, expected {reference.OutputShape}");
            if (network.InputShape.ToString() != reference.InputShape.ToString()) problems.Add($"InputShape {network.InputShape}, expected {reference.InputShape}");

            var expectedWeights = reference.ExpectedTensors.Select(t => t.ToString()).OrderBy(t => t, StringComparer.Ordinal).ToList();
            var actualWeights = network.ExpectedWeights.Select(w => $"{w.Name} {w.ShapeText}").OrderBy(t => t, StringComparer.Ordinal).ToList();
            if (!expectedWeights.SequenceEqual(actualWeights))
                problems.Add($"ExpectedWeights [{string.Join(", ", actualWeights)}], expected [{string.Join(", ", expectedWeights)}]");

            if (problems.Count > 0)
                throw new XunitException($"{sweepCase.Id} metadata differs from the reference:\n  {string.Join("\n  ", problems)}\n\n{Describe(sweepCase)}");
        }

        private static void Compare(List<string> failures, string path, int sample, double[] expected, float[] actual)
        {
            int bad = 0, first = -1;
            for (int i = 0; i < expected.Length; i++)
            {
                // Written as "not within" so NaN (an element never written) fails.
                if (!(Math.Abs(actual[i] - expected[i]) <= Tolerance * Math.Max(1.0, Math.Abs(expected[i]))))
                {
                    if (first < 0) first = i;
                    bad++;
                }
            }
            if (bad > 0)
                failures.Add($"  {path}, sample {sample}: {bad} of {expected.Length} elements differ; first at index {first}: " +
                    $"expected {expected[first]:R}, actual {actual[first]:R}");
        }

        /// <summary>
        /// Bytes allocated by 20 calls after a warm-up. A one-off runtime event charged to this thread (seen once
        /// with AVX2 disabled, likely the tiered JIT's background work) can land in any window, while an allocation
        /// in Forward repeats on every call: so measure up to three windows and report the smallest.
        /// </summary>
        private static long AllocatedBytes(Action call)
        {
            for (int i = 0; i < 5; i++) call(); // warm-up: JIT, lazy statics
            long least = long.MaxValue;
            for (int window = 0; window < 3 && least != 0; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 20; i++) call();
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            return least;
        }

        private static float[] NaNs(int length)
        {
            var values = new float[length];
            Array.Fill(values, float.NaN);
            return values;
        }

        /// <summary>The declaration and the reference's shapes, for failure messages.</summary>
        internal static string Describe(SweepCase sweepCase)
        {
            var text = new StringBuilder();
            text.Append("Declaration:\n").Append(sweepCase.Network.ToDeclaration(sweepCase.ClassName));
            text.Append("Shapes (reference):\n");
            foreach (RefLayerShape step in sweepCase.Network.Shapes)
                text.Append($"  {step.Index} '{step.Prefix}' {step.Layer.ToAttribute()}: {step.Input} -> {step.Output}\n");
            return text.ToString();
        }

        /// <summary>Forward and ForwardUnfused through IFusedNetwork.</summary>
        private sealed record ForwardPath(string Name, ForwardSingle Single, ForwardBatch Batch)
        {
            public static IReadOnlyList<ForwardPath> All { get; } =
            [
                new("Forward", (n, i, o) => n.Forward(i, o), (n, i, o, b) => n.Forward(i, o, b)),
                new("ForwardUnfused", (n, i, o) => n.ForwardUnfused(i, o), (n, i, o, b) => n.ForwardUnfused(i, o, b)),
            ];
        }

        private delegate void ForwardSingle(IFusedNetwork network, ReadOnlySpan<float> input, Span<float> output);

        private delegate void ForwardBatch(IFusedNetwork network, ReadOnlySpan<float> input, Span<float> output, int batchSize);
    }
}
