using System;
using System.Collections.Generic;
using System.IO;
using FusedNet.Tests.Reference;
using FusedNet.Tests.Weights;

namespace FusedNet.Tests.EndToEnd
{
    /// <summary>
    /// End to end against PyTorch: each fixture's safetensors file (written by a third-party writer, F32/F16/BF16,
    /// unaligned, buffers after parameters, num_batches_tracked as I64) loads into the network compiled from
    /// its declaration, and both paths reproduce libtorch's outputs for the batch of 2, run as a batch and one
    /// sample at a time.
    /// </summary>
    public class LibtorchFixtureTests
    {
        /// <summary>
        /// DESIGN §4: |ours − libtorch| ≤ 1e-4·max(1, |libtorch|). libtorch itself agrees with a double
        /// reference to 1.9e-6 on these nets (fixture README), so this leaves about 50× for float32 rounding
        /// in a different summation order, BN folding and our activation approximations (≤ 3 ulp).
        /// </summary>
        private const double Tolerance = 1e-4;

        public static IEnumerable<object[]> Cases()
        {
            foreach (string network in Fixtures.NetworkNames)
                foreach (TensorDataType dataType in new[] { TensorDataType.F32, TensorDataType.F16, TensorDataType.BF16 })
                    yield return new object[] { network, dataType };
        }

        /// <summary>The fixture's network class (compiled into this assembly from FixtureDeclarations.cs) over <paramref name="weights"/>.</summary>
        internal static IFusedNetwork Create(string network, IWeightSource weights) => network switch
        {
            "seq_basic" => new SeqBasic(weights),
            "seq_acts" => new SeqActs(weights),
            "seq_groups" => new SeqGroups(weights),
            "seq_standalone_bn" => new SeqStandaloneBn(weights),
            _ => throw new ArgumentException(network),
        };

        private static float[] ReadFloats(string fileName) => FixtureNetworks.ReadFloats(Fixtures.PathOf(fileName));

        private static string DtypeSuffix(TensorDataType dataType) => dataType switch
        {
            TensorDataType.F16 => ".f16",
            TensorDataType.BF16 => ".bf16",
            _ => "",
        };

        [Theory]
        [MemberData(nameof(Cases))]
        public void BothPathsMatchLibtorch(string network, TensorDataType dataType)
        {
            IFusedNetwork net;
            using (SafetensorsFile file = SafetensorsFile.Open(Fixtures.PathOf(Fixtures.WeightFile(network, dataType))))
                net = Create(network, file); // the file is closed before inference: the network keeps no reference

            float[] input = ReadFloats($"{network}.input.bin");
            float[] expected = FixtureNetworks.ReadFloats(FixtureNetworks.ExpectedPath(network, DtypeSuffix(dataType)));
            const int batch = 2;
            Assert.Equal(batch * net.InputLength, input.Length);
            Assert.Equal(batch * net.OutputLength, expected.Length);

            foreach (bool fused in new[] { true, false })
            {
                string path = fused ? "Forward" : "ForwardUnfused";
                float[] batched = Filled(expected.Length);
                if (fused) net.Forward(input, batched, batch); else net.ForwardUnfused(input, batched, batch);
                AssertClose(expected, batched, $"{network} {dataType} {path} batch");

                float[] single = Filled(expected.Length);
                for (int n = 0; n < batch; n++)
                {
                    var x = input.AsSpan(n * net.InputLength, net.InputLength);
                    var y = single.AsSpan(n * net.OutputLength, net.OutputLength);
                    if (fused) net.Forward(x, y); else net.ForwardUnfused(x, y);
                }
                AssertClose(expected, single, $"{network} {dataType} {path} one sample at a time");
            }
        }

        /// <summary>NaN-filled outputs, so an element the network never writes fails the comparison.</summary>
        private static float[] Filled(int length)
        {
            var values = new float[length];
            Array.Fill(values, float.NaN);
            return values;
        }

        private static void AssertClose(float[] expected, float[] actual, string what)
        {
            for (int i = 0; i < expected.Length; i++)
            {
                double error = Math.Abs((double)actual[i] - expected[i]);
                double allowed = Tolerance * Math.Max(1.0, Math.Abs(expected[i]));
                Assert.True(error <= allowed,
                    $"{what}: element {i} is {actual[i]:R}, libtorch says {expected[i]:R} (error {error:E2} > {allowed:E2})");
            }
        }

        [Fact]
        public void TheNetworkDoesNotNeedTheWeightFileAfterConstruction()
        {
            string copy = Path.Combine(Path.GetTempPath(), $"fusednet-{Guid.NewGuid():N}.safetensors");
            File.Copy(Fixtures.PathOf("seq_basic.safetensors"), copy);
            SeqBasic net;
            using (SafetensorsFile file = SafetensorsFile.Open(copy)) net = new SeqBasic(file);
            File.Delete(copy);
            float[] input = ReadFloats("seq_basic.input.bin");
            float[] expected = ReadFloats("seq_basic.expected.bin");
            float[] output = Filled(SeqBasic.OutputLength);
            net.Forward(input.AsSpan(0, SeqBasic.InputLength), output);
            AssertClose(expected.AsSpan(0, SeqBasic.OutputLength).ToArray(), output, "seq_basic after the file was deleted");
        }
    }
}
