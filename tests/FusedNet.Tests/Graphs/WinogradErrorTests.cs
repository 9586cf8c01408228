using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Model;
using Xunit.Abstractions;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// How far F(4x4, 3x3) rounds from the double reference at ResNet-18's shapes and magnitudes, next to the direct kernel.
    /// Each network is one ResNet basic block (conv3x3-BN-ReLU, conv3x3-BN, + identity, ReLU) with seeded Kaiming weights and
    /// non-trivial BN (RandomWeights), at 56x56x64, 28x28x128, 14x14x256 and 7x7x512, once with every 3x3 conv Winograd and
    /// once all direct (WinogradUse.Never).
    /// <para>
    /// Measured (max over the block's outputs of |out − ref| / max(1, |ref|), Zen 5, max |ref| 10–14; the test prints
    /// them): V512 and V256 (bit-identical: lanes are independent) Winograd 4.1e-5..6.2e-5 (fused and unfused) against
    /// direct 6.2e-6..9.8e-6; V128 (DOTNET_EnableAVX2=0) Winograd 3.8e-5..8.3e-5 against direct 6.2e-6..9.5e-6. That is
    /// 6–9x the direct kernel's rounding, in line with the published error analyses of F(4x4, 3x3) in float32. It comes
    /// from the transforms: Bᵀ and Aᵀ scale values by up to ~10 and ~18 before the products cancel them, so each
    /// rounding in V, in the sums of M (inner dimension = input channels, up to 512) and in the output transform is
    /// relative to values larger than the result. That is within the project's 1e-4·max(1, |ref|) with a margin of
    /// ~1.6x (V512/V256) and ~1.2x (V128) at the worst shape, so the project tolerance is asserted as is for every
    /// ResNet-18 shape and no shape needs the direct fallback for accuracy (the margin is thin: a future change that
    /// adds rounding to these kernels will show here first). Users who need the direct kernels' rounding set
    /// [FusedNetwork(..., Winograd = false)].
    /// </para>
    /// </summary>
    public class WinogradErrorTests
    {
        private readonly ITestOutputHelper _output;

        public WinogradErrorTests(ITestOutputHelper output) => _output = output;

        private static GraphNet Block(int channels, int size, WinogradUse use)
        {
            var g = new GraphNet(channels, size, size) { Winograd = use };
            int y = g.ConvBn(GraphNet.In, channels, 3, "conv1", "bn1", padding: 1);
            y = g.ConvBn(y, channels, 3, "conv2", "bn2", padding: 1, activation: null);
            g.ReLU(g.Add(y, GraphNet.In));
            return g;
        }

        [Fact]
        public void Error_on_ResNet_shapes_is_within_the_project_tolerance()
        {
            var shapes = new[] { (64, 56), (128, 28), (256, 14), (512, 7) };
            var graphs = new Dictionary<string, GraphNet>();
            foreach ((int c, int s) in shapes)
            {
                graphs[$"WinoErr_{c}_{s}"] = Block(c, s, WinogradUse.Always);
                graphs[$"DirectErr_{c}_{s}"] = Block(c, s, WinogradUse.Never);
            }
            using CompiledGraphs compiled = GraphCompiler.Compile(graphs);
            var failures = new List<string>();
            foreach ((int c, int s) in shapes)
            {
                string wino = $"WinoErr_{c}_{s}", direct = $"DirectErr_{c}_{s}";
                Assert.All(compiled.Plans[wino].Fused.Steps.Where(st => st.Kind == StepKind.Conv), st => Assert.Equal(ConvAlgorithm.Winograd, st.Algorithm));
                Assert.All(compiled.Plans[direct].Fused.Steps.Where(st => st.Kind == StepKind.Conv), st => Assert.Equal(ConvAlgorithm.OutputVectors, st.Algorithm));
                (IFusedNetwork net, IWeightSource weights) = compiled.CreateRandom(wino, seed: c);
                IFusedNetwork directNet = compiled.Create(direct, weights);
                float[] input = RandomWeights.RandomInput(net.InputLength, seed: s);
                double[] expected = graphs[wino].Run(weights, input);
                double Error(IFusedNetwork n, bool fused)
                {
                    var actual = new float[n.OutputLength];
                    if (fused) n.Forward(input, actual); else n.ForwardUnfused(input, actual);
                    double worst = 0;
                    for (int i = 0; i < actual.Length; i++) worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]) / Math.Max(1, Math.Abs(expected[i])));
                    return worst;
                }
                double wf = Error(net, true), wu = Error(net, false), df = Error(directNet, true);
                _output.WriteLine($"{c} channels {s}x{s}: max |err|/max(1,|ref|) Winograd fused {wf:0.0e0}, unfused {wu:0.0e0}; direct fused {df:0.0e0}; max |ref| {expected.Max(Math.Abs):0.00}");
                if (!(wf <= GraphAssert.Tolerance) || !(wu <= GraphAssert.Tolerance))
                    failures.Add($"{c} channels {s}x{s}: Winograd error {Math.Max(wf, wu):0.0e0} exceeds {GraphAssert.Tolerance:0e0}");
            }
            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }
    }
}
