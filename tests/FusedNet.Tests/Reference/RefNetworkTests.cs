using System;
using System.Linq;

namespace FusedNet.Tests.Reference
{
    /// <summary>
    /// The reference checked from first principles: tiny layers on numbers worked out by hand, the declaration
    /// text, shape inference, tensor naming and PyTorch's validity rules.
    /// </summary>
    public class RefNetworkTests
    {
        // Hand-computed results are sums of a few small integers or exact binary fractions, so the double
        // reference must reproduce them to rounding: 1e-12.
        private const double Exact = 1e-12;

        private static readonly float[] OneToNine = [1, 2, 3, 4, 5, 6, 7, 8, 9];

        [Fact]
        public void Conv_IsCrossCorrelationWithZeroPadding()
        {
            // Kernel picks the right-hand neighbour. Cross-correlation gives x[i, j+1] (0 past the edge);
            // a flipped kernel (true convolution) would give x[i, j−1].
            var network = new RefNetwork(1, 3, 3, [new RefConv2d(1, 3) { Padding = 1 }]);
            var weights = new InMemoryWeights();
            weights.Add("0.weight", [0, 0, 0, 0, 0, 1, 0, 0, 0], 1, 1, 3, 3);
            weights.Add("0.bias", [0.5f], 1);

            double[] y = network.Run(weights, OneToNine);

            Assert.Equal([2.5, 3.5, 0.5, 5.5, 6.5, 0.5, 8.5, 9.5, 0.5], y);
        }

        [Fact]
        public void Conv_SumsTheWindowOfAllOnesKernel()
        {
            var network = new RefNetwork(1, 3, 3, [new RefConv2d(1, 3) { Padding = 1, Bias = false }]);
            var weights = new InMemoryWeights();
            weights.Add("0.weight", Enumerable.Repeat(1f, 9).ToArray(), 1, 1, 3, 3);

            double[] y = network.Run(weights, OneToNine);

            // Corner (0,0) = 1+2+4+5, edge (0,1) = 1+2+3+4+5+6, centre = 45.
            Assert.Equal([12, 21, 16, 27, 45, 33, 24, 39, 28], y);
        }

        [Fact]
        public void Conv_StrideDilationAndNonSquareKernel()
        {
            // 1x2 kernel [1, 10], dilation 2 → taps x[i, j] and x[i, j+2]; stride 2 on 3x5 input → 2x1 output.
            var network = new RefNetwork(1, 3, 5, [new RefConv2d(1, 1) { KernelWidth = 2, Stride = 2, Dilation = 2, Bias = false }]);
            var weights = new InMemoryWeights();
            weights.Add("0.weight", [1, 10], 1, 1, 1, 2);
            float[] input = Enumerable.Range(0, 15).Select(i => (float)i).ToArray(); // x[i, j] = 5i + j

            Assert.Equal(RefShape.Spatial(1, 2, 2), network.OutputShape);
            double[] y = network.Run(weights, input);

            // (oy, ox) reads row 2·oy, columns 2·ox and 2·ox + 2.
            Assert.Equal([0 + 10 * 2, 2 + 10 * 4, 10 + 10 * 12, 12 + 10 * 14], y);
        }

        [Fact]
        public void Conv_GroupsSeeOnlyTheirOwnInputChannels()
        {
            // 4 in, 2 out, 2 groups: out 0 reads in 0..1, out 1 reads in 2..3. 1x1 kernel on 1x1 input.
            var network = new RefNetwork(4, 1, 1, [new RefConv2d(2, 1) { Groups = 2 }]);
            var weights = new InMemoryWeights();
            weights.Add("0.weight", [1, 10, 100, 1000], 2, 2, 1, 1);
            weights.Add("0.bias", [0.25f, -0.25f], 2);

            double[] y = network.Run(weights, [1, 2, 3, 4]);

            Assert.Equal([1 + 20 + 0.25, 300 + 4000 - 0.25], y);
        }

        [Fact]
        public void Conv_OutputSizeFollowsPyTorchFormula()
        {
            // floor((in + 2p − d(k−1) − 1)/s) + 1
            Assert.Equal(9, RefConv2d.OutputSize(15, 3, 2, 2, 1));
            Assert.Equal(7, RefConv2d.OutputSize(13, 5, 2, 2, 1));
            Assert.Equal(13, RefConv2d.OutputSize(13, 3, 1, 2, 2));
            Assert.Equal(2, RefConv2d.OutputSize(2, 5, 1, 2, 1)); // kernel wider than the input, rescued by padding
            Assert.Equal(0, RefConv2d.OutputSize(2, 5, 1, 1, 1)); // ... and not without enough of it
            Assert.Equal(2, RefConv2d.OutputSize(5, 1, 3, 0, 1)); // stride larger than the kernel
        }

        [Fact]
        public void AvgPool_CountsPaddingInTheDivisor()
        {
            // AvgPool2d(2, Stride = 2, Padding = 1) on 3x3: every window holds 4 positions, padded or not.
            var network = new RefNetwork(1, 3, 3, [new RefAvgPool2d(2) { Stride = 2, Padding = 1 }]);

            double[] y = network.Run(new InMemoryWeights(), OneToNine);

            // (0,0) sees only x00 = 1; (0,1) sees 2, 3; (1,0) sees 4, 7; (1,1) sees 5, 6, 8, 9.
            Assert.Equal([1 / 4.0, 5 / 4.0, 11 / 4.0, 28 / 4.0], y);
        }

        [Fact]
        public void MaxPool_PadsWithMinusInfinity()
        {
            // All inputs negative: zero padding would win at the border, −∞ padding must not.
            var network = new RefNetwork(1, 3, 3, [new RefMaxPool2d(2) { Stride = 2, Padding = 1 }]);
            float[] negative = OneToNine.Select(v => -v).ToArray();

            double[] y = network.Run(new InMemoryWeights(), negative);

            Assert.Equal([-1, -2, -4, -5], y);
        }

        [Fact]
        public void Pools_DefaultStrideIsTheKernelAndFloorModeDropsTheRemainder()
        {
            // 5x5 with MaxPool2d(2): floor(5/2) = 2 windows per side; row/column 4 is never read.
            var network = new RefNetwork(1, 5, 5, [new RefMaxPool2d(2)]);
            float[] input = Enumerable.Range(0, 25).Select(i => (float)i).ToArray();

            double[] y = network.Run(new InMemoryWeights(), input);

            Assert.Equal([6, 8, 16, 18], y);
        }

        [Fact]
        public void BatchNorm_AppliesRunningStatisticsPerChannel()
        {
            // Channel 0: γ=2, β=0.5, μ=1, σ²=3.5, ε=0.5 → y = 2(x−1)/2 + 0.5 = x − 0.5.
            // Channel 1: γ=−1, β=0, μ=0, σ²=0.5, ε=0.5 → y = −x.
            var network = new RefNetwork(2, 1, 2, [new RefBatchNorm2d { Epsilon = 0.5f }]);
            var weights = new InMemoryWeights();
            weights.Add("0.weight", [2, -1], 2);
            weights.Add("0.bias", [0.5f, 0], 2);
            weights.Add("0.running_mean", [1, 0], 2);
            weights.Add("0.running_var", [3.5f, 0.5f], 2);

            double[] y = network.Run(weights, [3, 5, 7, -2]);

            Assert.Equal([2.5, 4.5, -7, 2], y);
        }

        [Fact]
        public void GlobalAvgPoolFlattenLinearAndBatchNorm1d()
        {
            var network = new RefNetwork(2, 2, 1,
            [
                new RefGlobalAvgPool2d(), new RefFlatten(), new RefLinear(2), new RefBatchNorm1d { Epsilon = 0.5f }, new RefDropout(0.3f),
            ]);
            var weights = new InMemoryWeights();
            weights.Add("2.weight", [1, 2, 3, 4], 2, 2);
            weights.Add("2.bias", [0.5f, -0.5f], 2);
            weights.Add("3.weight", [1, 1], 2);
            weights.Add("3.bias", [0, 1], 2);
            weights.Add("3.running_mean", [0, 0], 2);
            weights.Add("3.running_var", [0.5f, 0.5f], 2);

            double[] y = network.Run(weights, [1, 3, 10, 20]);

            // means [2, 15]; linear [2 + 30 + 0.5, 6 + 60 − 0.5] = [32.5, 65.5]; BN: x/1 + β.
            Assert.Equal(RefShape.Flat(2), network.OutputShape);
            Assert.Equal([32.5, 66.5], y);
        }

        [Fact]
        public void Flatten_KeepsChannelMajorOrder()
        {
            var network = new RefNetwork(2, 1, 2, [new RefFlatten(), new RefLinear(1) { Bias = false }]);
            var weights = new InMemoryWeights();
            weights.Add("1.weight", [1, 10, 100, 1000], 1, 4);

            Assert.Equal([4321.0], network.Run(weights, [1, 2, 3, 4]));
        }

        [Fact]
        public void RunBatch_RunsSamplesIndependently()
        {
            var network = new RefNetwork(1, 1, 2, [new RefFlatten(), new RefLinear(1)]);
            var weights = new InMemoryWeights();
            weights.Add("1.weight", [1, -1], 1, 2);
            weights.Add("1.bias", [0.5f], 1);

            double[][] y = network.RunBatch(weights, [5, 2, 1, 4], 2);

            Assert.Equal([3.5], y[0]);
            Assert.Equal([-2.5], y[1]);
        }

        [Fact]
        public void FixtureShapes_MatchTheFixtureReadme()
        {
            Assert.Equal(RefShape.Flat(10), FixtureNetworks.SeqBasic.OutputShape);
            Assert.Equal(RefShape.Spatial(16, 4, 4), FixtureNetworks.SeqBasic.Shapes[6].Output);
            Assert.Equal(RefShape.Flat(1152), FixtureNetworks.SeqActs.Shapes[24].Output);
            Assert.Equal(RefShape.Spatial(12, 9, 7), FixtureNetworks.SeqGroups.Shapes[3].Output);
            Assert.Equal(RefShape.Spatial(12, 5, 4), FixtureNetworks.SeqGroups.Shapes[9].Output);
            Assert.Equal(RefShape.Flat(64), FixtureNetworks.SeqStandaloneBn.Shapes[3].Output);
        }

        [Fact]
        public void ExpectedTensors_NumberEveryLayerAndHonourNameOverrides()
        {
            Assert.Equal(
                "0.weight [8, 3, 3, 3]|0.bias [8]|1.weight [8]|1.bias [8]|1.running_mean [8]|1.running_var [8]|" +
                "3.weight [16, 8, 3, 3]|4.weight [16]|4.bias [16]|4.running_mean [16]|4.running_var [16]|" +
                "7.weight [16, 16, 1, 1]|7.bias [16]|8.weight [16]|8.bias [16]|8.running_mean [16]|8.running_var [16]|" +
                "12.weight [10, 16]|12.bias [10]",
                string.Join("|", FixtureNetworks.SeqBasic.ExpectedTensors));

            var named = new RefNetwork(4, 5, 5,
            [
                new RefConv2d(6, 3) { Groups = 2, Name = "features.conv" }, new RefReLU(), new RefBatchNorm2d(),
                new RefFlatten(), new RefLinear(3) { Bias = false, Name = "head" },
            ]);
            Assert.Equal(
                "features.conv.weight [6, 2, 3, 3]|features.conv.bias [6]|2.weight [6]|2.bias [6]|2.running_mean [6]|2.running_var [6]|head.weight [3, 54]",
                string.Join("|", named.ExpectedTensors));
        }

        [Fact]
        public void ToDeclaration_WritesWhatAUserWrites()
        {
            var network = new RefNetwork(3, 32, 32,
            [
                new RefConv2d(32, 3) { Padding = 1 },
                new RefBatchNorm2d(),
                new RefReLU(),
                new RefMaxPool2d(2),
                new RefConv2d(64, 3) { KernelWidth = 5, Stride = 2, Padding = 1, Dilation = 2, Groups = 4, Bias = false },
                new RefBatchNorm2d { Epsilon = 1e-3f },
                new RefLeakyReLU(0.1f),
                new RefDropout(0.2f),
                new RefAvgPool2d(3) { Stride = 2, Padding = 1, Name = "pool" },
                new RefELU(), new RefELU(0.7f), new RefLeakyReLU(), new RefGELU { Approximate = true }, new RefGELU(),
                new RefGlobalAvgPool2d(),
                new RefFlatten { Name = "a \"quoted\" \\ name" },
                new RefLinear(10) { Name = "classifier.1" },
                new RefBatchNorm1d(),
            ]);

            string expected =
                "[FusedNetwork(3, 32, 32)]\n" +
                "[Conv2d(32, 3, Padding = 1)]\n" +
                "[BatchNorm2d]\n" +
                "[ReLU]\n" +
                "[MaxPool2d(2)]\n" +
                "[Conv2d(64, 3, KernelWidth = 5, Stride = 2, Padding = 1, Dilation = 2, Groups = 4, Bias = false)]\n" +
                "[BatchNorm2d(Epsilon = 0.001f)]\n" +
                "[LeakyReLU(0.1f)]\n" +
                "[Dropout(0.2f)]\n" +
                "[AvgPool2d(3, Stride = 2, Padding = 1, Name = \"pool\")]\n" +
                "[ELU]\n" +
                "[ELU(0.7f)]\n" +
                "[LeakyReLU]\n" +
                "[GELU(Approximate = true)]\n" +
                "[GELU]\n" +
                "[GlobalAvgPool2d]\n" +
                "[Flatten(Name = \"a \\\"quoted\\\" \\\\ name\")]\n" +
                "[Linear(10, Name = \"classifier.1\")]\n" +
                "[BatchNorm1d]\n" +
                "public partial class CifarNet;\n";
            Assert.Equal(expected, network.ToDeclaration("CifarNet"));
        }

        [Fact]
        public void DeclarationText_FloatsAreInvariantAndRoundTrip()
        {
            var previous = System.Globalization.CultureInfo.CurrentCulture;
            try
            {
                System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
                Assert.Equal("0.1f", DeclarationText.Float(0.1f));
                Assert.Equal("1E-05f", DeclarationText.Float(1e-5f));
                Assert.Equal("-2.5f", DeclarationText.Float(-2.5f));
                Assert.Equal(0.30000001f, float.Parse(DeclarationText.Float(0.30000001f).TrimEnd('f'), System.Globalization.CultureInfo.InvariantCulture));
            }
            finally
            {
                System.Globalization.CultureInfo.CurrentCulture = previous;
            }
        }

        [Theory]
        [InlineData("groups", "divisible by groups")]
        [InlineData("out-groups", "divisible by groups")]
        [InlineData("empty-conv", "empty")]
        [InlineData("pool-padding", "more than half the kernel")]
        [InlineData("linear-on-spatial", "flat")]
        [InlineData("bn1d-on-spatial", "flat")]
        [InlineData("bn2d-on-flat", "spatial")]
        [InlineData("pool-on-flat", "spatial")]
        public void InvalidNetworks_AreRejectedNamingTheLayer(string kind, string reason)
        {
            RefLayer bad = kind switch
            {
                "groups" => new RefConv2d(4, 3) { Groups = 4 },             // 6 input channels, 4 groups
                "out-groups" => new RefConv2d(5, 3) { Groups = 2 },         // 5 outputs, 2 groups
                "empty-conv" => new RefConv2d(4, 9),                        // 9x9 kernel on 5x5, no padding
                "pool-padding" => new RefMaxPool2d(3) { Padding = 2 },
                "linear-on-spatial" => new RefLinear(3),
                "bn1d-on-spatial" => new RefBatchNorm1d(),
                "bn2d-on-flat" => new RefBatchNorm2d(),
                "pool-on-flat" => new RefAvgPool2d(2),
                _ => throw new ArgumentException(kind),
            };
            bool needsFlat = kind is "bn2d-on-flat" or "pool-on-flat";
            var network = new RefNetwork(6, 5, 5, needsFlat ? [new RefReLU(), new RefFlatten(), bad] : [new RefReLU(), bad]);

            var error = Assert.Throws<ArgumentException>(() => network.Shapes);
            Assert.Contains($"layer {(needsFlat ? 2 : 1)} [{bad.Kind}", error.Message);
            Assert.Contains(reason, error.Message);
        }

        [Fact]
        public void MissingOrMisshapedWeights_AreNamed()
        {
            var network = new RefNetwork(1, 3, 3, [new RefConv2d(2, 3)]);
            var weights = new InMemoryWeights();
            weights.Add("0.weight", new float[12], 2, 1, 3, 2);

            var wrongShape = Assert.Throws<System.IO.InvalidDataException>(() => network.Run(weights, OneToNine));
            Assert.Contains("'0.weight' has shape [2, 1, 3, 2], expected [2, 1, 3, 3]", wrongShape.Message);

            weights.Set("0.weight", new float[18], 2, 1, 3, 3);
            var missing = Assert.Throws<System.IO.InvalidDataException>(() => network.Run(weights, OneToNine));
            Assert.Contains("'0.bias' [2] is missing", missing.Message);
        }
    }
}
