using System;

namespace FusedNet.Tests.Reference
{
    /// <summary>The reference's scalar math against values computed elsewhere (CPython's math.erf, closed forms).</summary>
    public class ReferenceMathTests
    {
        // erf values from CPython's math.erf (within an ulp or so of the true value); the reference claims a
        // few 1e-16 absolute, so 5e-16 allows a couple of rounding steps on either side.
        [Theory]
        [InlineData(0.0, 0.0)]
        [InlineData(0.1, 0.1124629160182849)]
        [InlineData(0.5, 0.5204998778130465)]
        [InlineData(1.0, 0.8427007929497149)]
        [InlineData(1.5, 0.9661051464753108)]
        [InlineData(2.0, 0.9953222650189527)]
        [InlineData(3.0, 0.9999779095030014)]
        [InlineData(4.0, 0.9999999845827421)]
        [InlineData(5.0, 0.9999999999984626)]
        [InlineData(-0.7, -0.6778011938374184)]
        [InlineData(2.5, 0.999593047982555)]
        [InlineData(7.5, 1.0)]
        [InlineData(-30.0, -1.0)]
        public void Erf_MatchesKnownValues(double x, double expected)
        {
            Assert.Equal(expected, ReferenceMath.Erf(x), 5e-16);
        }

        [Fact]
        public void Erf_IsOddAndMonotonic()
        {
            double previous = -1.0;
            for (double x = -6.5; x <= 6.5; x += 0.01)
            {
                double value = ReferenceMath.Erf(x);
                Assert.Equal(-value, ReferenceMath.Erf(-x));
                Assert.True(value >= previous, $"erf not monotonic at {x}");
                previous = value;
            }
        }

        // Activation values are closed forms evaluated in CPython; 1e-15 is a few ulps at these magnitudes.
        [Theory]
        [InlineData("ReLU", -2.0, 0.0)]
        [InlineData("ReLU", 2.5, 2.5)]
        [InlineData("ReLU6", 7.0, 6.0)]
        [InlineData("ReLU6", 3.0, 3.0)]
        [InlineData("Sigmoid", 0.0, 0.5)]
        [InlineData("Sigmoid", 1.0, 0.7310585786300049)]
        [InlineData("Tanh", 0.0, 0.0)]
        [InlineData("SiLU", 1.0, 0.7310585786300049)]
        [InlineData("Hardswish", -4.0, 0.0)]
        [InlineData("Hardswish", 1.0, 4.0 / 6.0)]
        [InlineData("Hardswish", 4.0, 4.0)]
        [InlineData("Hardsigmoid", 1.0, 4.0 / 6.0)]
        [InlineData("Hardsigmoid", -3.5, 0.0)]
        [InlineData("Hardsigmoid", 3.5, 1.0)]
        [InlineData("LeakyReLU(0.25)", -2.0, -0.5)]
        [InlineData("LeakyReLU(0.25)", 2.0, 2.0)]
        [InlineData("LeakyReLU", -2.0, -0.02)]
        [InlineData("ELU(0.5)", -1.0, -0.31606027941427883)]
        [InlineData("ELU", 1.5, 1.5)]
        [InlineData("GELU", 1.0, 0.8413447460685429)]
        [InlineData("GELU", -3.0, -0.00404969409489031)]
        [InlineData("GELU(tanh)", 1.0, 0.8411919906082768)]
        public void Activations_FollowPyTorchFormulas(string activation, double x, double expected)
        {
            RefActivation layer = activation switch
            {
                "ReLU" => new RefReLU(),
                "ReLU6" => new RefReLU6(),
                "Sigmoid" => new RefSigmoid(),
                "Tanh" => new RefTanh(),
                "SiLU" => new RefSiLU(),
                "Hardswish" => new RefHardswish(),
                "Hardsigmoid" => new RefHardsigmoid(),
                "LeakyReLU(0.25)" => new RefLeakyReLU(0.25f),
                "LeakyReLU" => new RefLeakyReLU(),
                "ELU(0.5)" => new RefELU(0.5f),
                "ELU" => new RefELU(),
                "GELU" => new RefGELU(),
                "GELU(tanh)" => new RefGELU { Approximate = true },
                _ => throw new ArgumentException(activation),
            };
            // LeakyReLU's default slope is the float 0.01f, not the double 0.01.
            double tolerance = activation == "LeakyReLU" ? 1e-9 : 1e-15;
            Assert.Equal(expected, layer.Apply(x), tolerance);
        }
    }
}
