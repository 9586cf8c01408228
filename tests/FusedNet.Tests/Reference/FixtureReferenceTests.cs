using System;
using System.Linq;

namespace FusedNet.Tests.Reference
{
    /// <summary>
    /// The reference against libtorch 2.10: the four fixture networks, each with F32, F16 and BF16 weights,
    /// read through SafetensorsFile. If these pass, the reference is a sound judge for the generated code.
    /// </summary>
    public class FixtureReferenceTests
    {
        /// <summary>
        /// DESIGN §4's 1e-4·max(1, |ref|), with libtorch as "ref". The double reference and libtorch's float32
        /// agree within about 2e-6 (measured: at most 1.4e-6 over the 12 variants), so this cannot hide a
        /// wrong formula, which would be off by orders of magnitude more.
        /// </summary>
        private const double Tolerance = 1e-4;

        [Theory]
        [MemberData(nameof(FixtureNetworks.Variants), MemberType = typeof(FixtureNetworks))]
        public void Reference_MatchesLibtorch(string name, string dtypeSuffix)
        {
            RefNetwork network = FixtureNetworks.Get(name);
            using SafetensorsFile weights = SafetensorsFile.Open(FixtureNetworks.WeightsPath(name, dtypeSuffix));
            float[] input = FixtureNetworks.ReadFloats(FixtureNetworks.InputPath(name));
            float[] libtorch = FixtureNetworks.ReadFloats(FixtureNetworks.ExpectedPath(name, dtypeSuffix));
            Assert.Equal(FixtureNetworks.BatchSize * network.OutputLength, libtorch.Length);

            double[][] reference = network.RunBatch(weights, input, FixtureNetworks.BatchSize);

            for (int n = 0; n < FixtureNetworks.BatchSize; n++)
            for (int i = 0; i < network.OutputLength; i++)
            {
                double expected = libtorch[n * network.OutputLength + i];
                double actual = reference[n][i];
                Assert.True(Math.Abs(actual - expected) <= Tolerance * Math.Max(1.0, Math.Abs(expected)),
                    $"{name}{dtypeSuffix} sample {n} index {i}: libtorch {expected:R}, reference {actual:R}");
            }
        }

        /// <summary>DESIGN §3 naming, checked against real state_dicts: same names and shapes, num_batches_tracked aside.</summary>
        [Theory]
        [MemberData(nameof(FixtureNetworks.Variants), MemberType = typeof(FixtureNetworks))]
        public void ExpectedTensors_AreTheStateDictKeys(string name, string dtypeSuffix)
        {
            RefNetwork network = FixtureNetworks.Get(name);
            using SafetensorsFile weights = SafetensorsFile.Open(FixtureNetworks.WeightsPath(name, dtypeSuffix));

            var inFile = weights.TensorNames
                .Where(t => !t.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
                .Select(t => weights.TryGetTensorInfo(t, out TensorInfo info) ? $"{t} {info.ShapeText}" : t)
                .OrderBy(t => t, StringComparer.Ordinal);
            var expected = network.ExpectedTensors.Select(t => t.ToString()).OrderBy(t => t, StringComparer.Ordinal);

            Assert.Equal(expected, inFile);
        }
    }
}
