using System;
using System.Linq;
using FusedNet.Tests.Generator;
using FusedNet.Tests.Harness;

namespace FusedNet.Tests.EndToEnd
{
    /// <summary>IFusedNetwork.Steps and ProfileForward: per-step timings that compute the same output as Forward, allocation-free.</summary>
    public sealed class ProfileForwardTests : IClassFixture<ProfileForwardTests.Compiled>
    {
        public sealed class Compiled : IDisposable
        {
            public LoadedNetworks Loaded { get; } = GeneratorHarness.CompileAndLoad(GeneratedBaselineTests.ModuleNetwork);
            public void Dispose() => Loaded.Dispose();
        }

        private readonly IFusedNetwork _net;

        public ProfileForwardTests(Compiled compiled)
        {
            var type = compiled.Loaded.GetNetworkType("TinyGraph");
            var expected = (System.Collections.Generic.IReadOnlyList<WeightInfo>)type.GetProperty("ExpectedWeights")!.GetValue(null)!;
            _net = compiled.Loaded.Create("TinyGraph", RandomWeights.Create(expected, seed: 4));
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Profile_computes_what_Forward_computes_and_times_every_step(bool fused)
        {
            float[] input = RandomWeights.RandomInput(_net.InputLength, seed: 9);
            var expected = new float[_net.OutputLength];
            if (fused) _net.Forward(input, expected); else _net.ForwardUnfused(input, expected);
            var steps = _net.Steps(fused);
            var ticks = new long[steps.Count];
            var output = new float[_net.OutputLength];

            _net.ProfileForward(input, output, ticks, fused);

            Assert.Equal(expected, output);
            Assert.All(ticks, t => Assert.True(t >= 0));
            Assert.True(ticks.Sum() > 0);
            Assert.All(steps, title => Assert.Contains("[layers ", title));
        }

        [Fact]
        public void Fused_path_has_fewer_steps_and_names_the_fused_residual()
        {
            Assert.True(_net.Steps(true).Count < _net.Steps(false).Count);
            // The block's conv + BN + residual add + ReLU is one fused step.
            Assert.Contains(_net.Steps(true), s => s.Contains("+ add + ReLU()", StringComparison.Ordinal));
            Assert.DoesNotContain(_net.Steps(false), s => s.Contains(" + ", StringComparison.Ordinal) && s.StartsWith("Conv2d", StringComparison.Ordinal));
        }

        [Fact]
        public void Wrong_tick_count_is_an_ArgumentException_naming_the_count()
        {
            float[] input = new float[_net.InputLength];
            var output = new float[_net.OutputLength];
            var ex = Assert.Throws<ArgumentException>(() => _net.ProfileForward(input, output, new long[1], true));
            Assert.Contains($"stepTicks must have {_net.Steps(true).Count} entries", ex.Message);
        }

        [Fact]
        public void Profiling_allocates_nothing()
        {
            float[] input = RandomWeights.RandomInput(_net.InputLength, seed: 2);
            var output = new float[_net.OutputLength];
            var ticks = new long[_net.Steps(true).Count];
            _net.ProfileForward(input, output, ticks, true);
            Assert.Equal(0, FusedNet.Tests.Harness.AllocationMeter.LeastBytes(() =>
            {
                for (int i = 0; i < 100; i++) _net.ProfileForward(input, output, ticks, true);
            }));
        }
    }
}
