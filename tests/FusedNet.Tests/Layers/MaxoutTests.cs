using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Modules;
using FusedNet.Tests.Generator;
using FusedNet.Tests.Harness;
using FusedNet.Tests.Reference;
using Microsoft.CodeAnalysis;

namespace FusedNet.Tests.Layers
{
    /// <summary>[4, 1, 2] → [2, 1, 2]: the smallest network whose answer tells the two channel conventions apart.</summary>
    [FusedNetwork(4, 1, 2)]
    [Maxout(2)]
    public partial class MaxoutPairsNet;

    /// <summary>A flat tensor: [6] → [2].</summary>
    [FusedNetwork(6, 1, 1)]
    [Flatten]
    [Maxout(3)]
    public partial class MaxoutFlatNet;

    /// <summary>
    /// Odd sizes (33 × 31), channel counts not multiples of 8/16 (36 → 9, 20 → 4), a Maxout after a padded 3x3 conv, after a
    /// stride-2 conv + BN, and after a Linear; large enough to split rows on 2 threads.
    /// </summary>
    [FusedNetwork(5, 33, 31)]
    [Conv2d(36, 3, Padding = 1)]
    [Maxout(4)]
    [ReLU]
    [Conv2d(20, 3, Stride = 2, Padding = 1)]
    [BatchNorm2d]
    [Maxout(5)]
    [Flatten]
    [Linear(30)]
    [Maxout(3)]
    public partial class MaxoutChainNet;

    /// <summary>The same layers as <see cref="MaxoutChainNet"/> with Winograd off (every convolution direct, whatever the planner would pick).</summary>
    [FusedNetwork(5, 33, 31, Winograd = false)]
    [Conv2d(36, 3, Padding = 1)]
    [Maxout(4)]
    [ReLU]
    [Conv2d(20, 3, Stride = 2, Padding = 1)]
    [BatchNorm2d]
    [Maxout(5)]
    [Flatten]
    [Linear(30)]
    [Maxout(3)]
    public partial class MaxoutChainDirectNet;

    /// <summary>The module front end: <c>Maxout(pieces)</c> as a sub-module.</summary>
    [FusedNetwork(6, 5, 3), FusedModule]
    public partial class MaxoutModuleNet : Module
    {
        readonly Conv2d conv = new(6, 12, 3, padding: 1);
        readonly Maxout maxout = new(3);

        public Tensor Forward(Tensor x) => F.Relu(maxout.Forward(conv.Forward(x)));
    }

    /// <summary>
    /// Maxout(pieces): output channel j = max of input channels j·pieces … j·pieces + pieces − 1 (PyTorch's usual
    /// x.view(N, C // k, k, H, W).max(2)). Checked against hand-computed values (which tell that convention from the strided
    /// one, j = max of channels j, j + C/k, …) and against the double reference (tolerance 1e-4·max(1, |ref|): the convs
    /// before it accumulate in float; the maxout itself is exact) on both paths, batch 1 and 3, 1 and 2 threads, Winograd on
    /// and off; no allocation per call; FN0044 from both front ends.
    /// </summary>
    public class MaxoutTests
    {
        private const double Tolerance = 1e-4;

        [Fact]
        public void ConsecutiveChannels_AreReduced_HandComputed()
        {
            // NCHW planes of 2 pixels: c0 = [1, -5], c1 = [3, -7], c2 = [-2, 8], c3 = [-4, 6].
            float[] input = [1, -5, 3, -7, -2, 8, -4, 6];
            // Consecutive groups {c0, c1}, {c2, c3}: [3, -5] and [-2, 8]. (The strided convention {c0, c2}, {c1, c3}
            // would give [1, 8] and [3, 6].)
            float[] expected = [3, -5, -2, 8];
            using var net = new MaxoutPairsNet(new InMemoryWeights());
            Assert.Equal(new TensorShape(2, 1, 2), MaxoutPairsNet.OutputShape);
            float[] fused = new float[4], unfused = new float[4];
            net.Forward(input, fused);
            net.ForwardUnfused(input, unfused);
            Assert.Equal(expected, fused);
            Assert.Equal(expected, unfused);
        }

        [Fact]
        public void FlatTensor_HandComputed_AndNaNPropagates()
        {
            using var net = new MaxoutFlatNet(new InMemoryWeights());
            Assert.Equal(TensorShape.Flat(2), MaxoutFlatNet.OutputShape);
            float[] output = new float[2];
            net.Forward([1, 9, 2, -1, -3, -2], output);
            Assert.Equal([9f, -1f], output);
            // torch.max propagates NaN; so does the kernel (MathF.Max), wherever the NaN sits in the group.
            net.ForwardUnfused([float.NaN, 9, 2, -1, -3, float.NaN], output);
            Assert.True(float.IsNaN(output[0]) && float.IsNaN(output[1]), $"got [{output[0]}, {output[1]}]");
        }

        [Fact]
        public void Metadata_NamesTheLayer_AndItsShapes()
        {
            LayerInfo layer = MaxoutChainNet.Layers[1];
            Assert.Equal("Maxout", layer.Kind);
            Assert.Equal(new TensorShape(36, 33, 31), layer.InputShape);
            Assert.Equal(new TensorShape(9, 33, 31), layer.OutputShape);
            Assert.Equal(0, layer.ParameterCount);
            Assert.Equal(TensorShape.Flat(10), MaxoutChainNet.OutputShape);
            Assert.Contains(MaxoutChainNet.Steps(true), s => s.Contains("Maxout(pieces=4)", StringComparison.Ordinal));
        }

        private static readonly RefNetwork ChainReference = new(5, 33, 31,
        [
            new RefConv2d(36, 3) { Padding = 1 }, new RefMaxout(4), new RefReLU(),
            new RefConv2d(20, 3) { Stride = 2, Padding = 1 }, new RefBatchNorm2d(), new RefMaxout(5),
            new RefFlatten(), new RefLinear(30), new RefMaxout(3),
        ]);

        public static IEnumerable<object[]> Runs() =>
            from winograd in new[] { true, false }
            from threads in new[] { 1, 2 }
            from batch in new[] { 1, 3 }
            select new object[] { winograd, threads, batch };

        [Theory]
        [MemberData(nameof(Runs))]
        public void Chain_MatchesTheReference_OnBothPaths(bool winograd, int threads, int batch)
        {
            InMemoryWeights weights = FusedNet.Tests.Networks.SweepWeights.Create(ChainReference, seed: 4401);
            float[] input = RandomWeights.RandomInput(batch * ChainReference.InputLength, seed: 4402);
            double[][] expected = ChainReference.RunBatch(weights, input, batch);
            // SplitThreshold 0: every splittable step (the Maxout passes too) really runs on both threads.
            var options = new NetworkOptions { Threads = threads, SplitThreshold = 0 };
            IFusedNetwork net = winograd ? new MaxoutChainNet(weights, options) : new MaxoutChainDirectNet(weights, options);
            using var owner = (IDisposable)net;
            foreach (bool fused in new[] { true, false })
            {
                float[] output = new float[batch * net.OutputLength];
                Array.Fill(output, float.NaN);
                if (fused) net.Forward(input, output, batch);
                else net.ForwardUnfused(input, output, batch);
                for (int n = 0; n < batch; n++)
                for (int i = 0; i < net.OutputLength; i++)
                {
                    double e = expected[n][i], a = output[n * net.OutputLength + i];
                    Assert.True(Math.Abs(a - e) <= Tolerance * Math.Max(1, Math.Abs(e)),
                        $"{(fused ? "Forward" : "ForwardUnfused")} sample {n} [{i}]: {a} vs reference {e}");
                }
            }
        }

        [Fact]
        public void ModuleFrontEnd_MatchesTheReference()
        {
            var reference = new RefNetwork(6, 5, 3, [new RefConv2d(12, 3) { Padding = 1, Name = "conv" }, new RefMaxout(3), new RefReLU()]);
            InMemoryWeights weights = RandomWeights.Create(MaxoutModuleNet.ExpectedWeights, seed: 4403);
            Assert.Equal(["conv.weight", "conv.bias"], MaxoutModuleNet.ExpectedWeights.Select(w => w.Name));
            float[] input = RandomWeights.RandomInput(3 * reference.InputLength, seed: 4404);
            double[][] expected = reference.RunBatch(weights, input, 3);
            using var net = new MaxoutModuleNet(weights);
            Assert.Equal(new TensorShape(4, 5, 3), MaxoutModuleNet.OutputShape);
            float[] output = new float[3 * MaxoutModuleNet.OutputLength];
            foreach (bool fused in new[] { true, false })
            {
                if (fused) net.Forward(input, output, 3);
                else net.ForwardUnfused(input, output, 3);
                for (int n = 0; n < 3; n++)
                for (int i = 0; i < MaxoutModuleNet.OutputLength; i++)
                    Assert.True(Math.Abs(output[n * MaxoutModuleNet.OutputLength + i] - expected[n][i]) <= Tolerance * Math.Max(1, Math.Abs(expected[n][i])));
            }
        }

        /// <summary>
        /// Where the Maxout runs: after a dense conv or a Linear (2–4 pieces) in its epilogue, one step (the kernel's register
        /// block holds an output vector's pieces, interleaved by the packing); with 5 pieces a pass of its own; the unfused path
        /// keeps every Maxout as a pass. Chain_MatchesTheReference checks the values of all three.
        /// </summary>
        [Fact]
        public void Maxout_AfterADenseConv_RunsInTheConvEpilogue_ElseAsAPass()
        {
            IReadOnlyList<string> fused = MaxoutChainNet.Steps(true), unfused = MaxoutChainNet.Steps(false);
            Assert.StartsWith("Conv2d(5, 36, kernel_size=(3, 3)", fused[0]);
            Assert.Contains("+ Maxout(pieces=4) + ReLU()", fused[0]);
            Assert.DoesNotContain(fused, s => s.StartsWith("Maxout(pieces=4)", StringComparison.Ordinal));
            Assert.Contains(fused, s => s.StartsWith("Maxout(pieces=5)", StringComparison.Ordinal));
            Assert.Contains(fused, s => s.StartsWith("Linear(in_features=", StringComparison.Ordinal) && s.Contains("+ Maxout(pieces=3)"));
            Assert.DoesNotContain(fused, s => s.StartsWith("Maxout(pieces=3)", StringComparison.Ordinal));
            Assert.Contains(unfused, s => s.StartsWith("Maxout(pieces=4)", StringComparison.Ordinal));
            Assert.Single(fused, s => s.Contains("Maxout(pieces=4)"));
        }

        [Fact]
        public void Forward_AllocatesNothing()
        {
            InMemoryWeights weights = RandomWeights.Create(MaxoutChainNet.ExpectedWeights, seed: 4405);
            using var net = new MaxoutChainNet(weights, new NetworkOptions { Threads = 2, SplitThreshold = 0 });
            float[] one = RandomWeights.RandomInput(MaxoutChainNet.InputLength, 1), three = RandomWeights.RandomInput(3 * MaxoutChainNet.InputLength, 2);
            float[] outOne = new float[MaxoutChainNet.OutputLength], outThree = new float[3 * MaxoutChainNet.OutputLength];
            void Calls()
            {
                net.Forward(one, outOne);
                net.ForwardUnfused(one, outOne);
                net.Forward(three, outThree, 3);
                net.ForwardUnfused(three, outThree, 3);
            }
            for (int i = 0; i < 5; i++) Calls();
            Assert.Equal(0, AllocationMeter.LeastBytes(() =>
            {
                for (int i = 0; i < 20; i++) Calls();
            }));
        }

        [Fact]
        public void FN0044_PiecesNotDividingTheChannels_Attribute()
        {
            string source = DiagnosticTests.Net("FusedNetwork(3, 5, 5)", "Conv2d(8, 3)", "Maxout(3)");
            GeneratorAssert.SingleError(GeneratorHarness.RunGenerator(source), source, "FN0044", "Maxout(3)",
                "Layer 1 '1' (Maxout): pieces = 3 must divide the input channels (8, input shape [8, 3, 3])");
        }

        [Fact]
        public void FN0044_OnAFlatTensor_NamesFeatures()
        {
            string source = DiagnosticTests.Net("FusedNetwork(3, 2, 2)", "Flatten", "Maxout(5)");
            GeneratorAssert.SingleError(GeneratorHarness.RunGenerator(source), source, "FN0044", "Maxout(5)",
                "Layer 1 '1' (Maxout): pieces = 5 must divide the input features (12, input shape [12])");
        }

        [Fact]
        public void FN0005_PiecesZero()
        {
            string source = DiagnosticTests.Net("FusedNetwork(3, 2, 2)", "Maxout(0)");
            GeneratorAssert.SingleError(GeneratorHarness.RunGenerator(source), source, "FN0005", "Maxout(0)",
                "Layer 0 '0' (Maxout): pieces must be positive, but is 0");
        }

        [Fact]
        public void FN0044_ModuleFrontEnd()
        {
            string source = FusedNet.Tests.Modules.ModuleSpecs.Usings + """
                namespace User
                {
                    [FusedNetwork(8, 4, 4), FusedModule]
                    public partial class Net : Module
                    {
                        readonly Maxout maxout = new(3);
                        public Tensor Forward(Tensor x) => maxout.Forward(x);
                    }
                }
                """;
            GeneratorRun run = GeneratorHarness.RunGenerator(source);
            GeneratorAssert.NoGeneratorException(run);
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("FN0044", diagnostic.Id);
            Assert.Equal("Layer 0 'maxout' (Maxout): pieces = 3 must divide the input channels (8, input shape [8, 4, 4])",
                diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Empty(run.GeneratedSources);
        }
    }
}
