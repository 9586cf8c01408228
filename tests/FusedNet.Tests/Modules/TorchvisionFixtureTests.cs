using System;
using System.IO;
using FusedNet.Tests.Harness;
using FusedNet.Tests.Reference;

namespace FusedNet.Tests.Modules
{
    /// <summary>
    /// torchvision's MobileNetV2 (width 0.35, 10 classes, 96x96: tests/fixtures/torchvision/mobilenet_v2_10_035_96.*)
    /// written in the module form (samples/MobileNetV2), loading the state_dict file PyTorch tooling wrote, unchanged
    /// (F32 plus I64 num_batches_tracked, unpadded header, TorchSharp's tensor order), and matching the logits libtorch
    /// 2.10 computed for a batch of 2: fused, unfused, batched and one sample at a time. The network has 10 residual
    /// Adds (fused into the projection convs' epilogues on the fused path) and 17 depthwise convs.
    /// </summary>
    public sealed class TorchvisionFixtureTests : IClassFixture<TorchvisionFixtureTests.Compiled>
    {
        /// <summary>Compiled and loaded once for the class.</summary>
        public sealed class Compiled : IDisposable
        {
            public LoadedNetworks Loaded { get; } = GeneratorHarness.CompileAndLoad(SampleNetworkTests.MobileNetV2Small);
            public void Dispose() => Loaded.Dispose();
        }

        /// <summary>
        /// The project's tolerance for fused outputs against a reference, 1e-4·max(1, |expected|) (DESIGN §4). libtorch
        /// accumulates in float32 in another order (and its convolutions use other algorithms), so this is a comparison
        /// of two float32 implementations over 52 layers: the logits here are O(1), errors measured ~1e-5.
        /// </summary>
        private const double Tolerance = 1e-4;

        private const string Network = "mobilenet_v2_10_035_96";
        private readonly LoadedNetworks _loaded;

        public TorchvisionFixtureTests(Compiled compiled) => _loaded = compiled.Loaded;

        private static string FixturePath(string suffix) => Path.Combine(AppContext.BaseDirectory, "fixtures", "torchvision", Network + suffix);

        [Theory]
        [InlineData("fused")]
        [InlineData("unfused")]
        public void Matches_libtorch_batched_and_one_sample_at_a_time(string path)
        {
            IFusedNetwork net;
            using (SafetensorsFile weights = SafetensorsFile.Open(FixturePath(".safetensors")))
                net = _loaded.Create("MobileNetV2", weights);
            float[] input = FixtureNetworks.ReadFloats(FixturePath(".input.bin"));
            float[] expected = FixtureNetworks.ReadFloats(FixturePath(".expected.bin"));
            const int batch = 2;
            Assert.Equal(batch * 3 * 96 * 96, input.Length);
            Assert.Equal(batch * 10, expected.Length);
            Assert.Equal(10, net.OutputLength);

            var batched = Filled(expected.Length);
            if (path == "fused") net.Forward(input, batched, batch);
            else net.ForwardUnfused(input, batched, batch);
            AssertClose(expected, batched, $"{path} batch of {batch}");

            var single = Filled(expected.Length);
            for (int n = 0; n < batch; n++)
            {
                var sample = input.AsSpan(n * net.InputLength, net.InputLength);
                var logits = single.AsSpan(n * net.OutputLength, net.OutputLength);
                if (path == "fused") net.Forward(sample, logits);
                else net.ForwardUnfused(sample, logits);
            }
            AssertClose(expected, single, $"{path} one sample at a time");
        }

        [Fact]
        public void Forward_allocates_nothing()
        {
            IFusedNetwork net;
            using (SafetensorsFile weights = SafetensorsFile.Open(FixturePath(".safetensors")))
                net = _loaded.Create("MobileNetV2", weights);
            float[] input = FixtureNetworks.ReadFloats(FixturePath(".input.bin"));
            var output = new float[2 * net.OutputLength];
            net.Forward(input, output, 2);
            net.ForwardUnfused(input, output, 2);
            Assert.Equal(0, FusedNet.Tests.Harness.AllocationMeter.LeastBytes(() =>
            {
                for (int i = 0; i < 20; i++)
                {
                    net.Forward(input, output, 2);
                    net.ForwardUnfused(input, output, 2);
                }
            }));
        }

        private static float[] Filled(int length)
        {
            var values = new float[length];
            Array.Fill(values, float.NaN);
            return values;
        }

        private static void AssertClose(float[] expected, float[] actual, string what)
        {
            double worst = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                double error = Math.Abs((double)actual[i] - expected[i]);
                double allowed = Tolerance * Math.Max(1.0, Math.Abs(expected[i]));
                worst = Math.Max(worst, error);
                Assert.True(error <= allowed,
                    $"{what}: logit {i} is {actual[i]:R}, libtorch says {expected[i]:R} (error {error:E2} > {allowed:E2})");
            }
            Console.WriteLine($"{what}: worst error {worst:E2}");
        }
    }
}
