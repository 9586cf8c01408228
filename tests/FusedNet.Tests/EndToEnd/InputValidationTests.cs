using System;
using System.IO;
using System.Linq;

namespace FusedNet.Tests.EndToEnd
{
    /// <summary>DESIGN §6: wrong lengths and bad weights fail loudly, naming what was expected and what was found.</summary>
    public class InputValidationTests
    {
        private static readonly SeqBasic Net = new(RandomWeights.Create(SeqBasic.ExpectedWeights, 5));

        [Theory]
        [InlineData(767, 10, 1, "input length must be 768 (1 x [3, 16, 16]), but is 767")]
        [InlineData(769, 10, 1, "input length must be 768 (1 x [3, 16, 16]), but is 769")]
        [InlineData(768, 9, 1, "output length must be 10 (1 x [10]), but is 9")]
        [InlineData(768, 20, 2, "input length must be 1536 (2 x [3, 16, 16]), but is 768")]
        [InlineData(1536, 10, 2, "output length must be 20 (2 x [10]), but is 10")]
        public void WrongLengths_ThrowArgumentExceptionNamingBoth(int inputLength, int outputLength, int batch, string message)
        {
            var input = new float[inputLength];
            var output = new float[outputLength];
            foreach (bool fused in new[] { true, false })
            {
                var error = Assert.ThrowsAny<ArgumentException>(() =>
                {
                    if (fused) Net.Forward(input, output, batch); else Net.ForwardUnfused(input, output, batch);
                });
                Assert.Contains("SeqBasic: " + message, error.Message);
            }
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-3)]
        public void NonPositiveBatch_Throws(int batch)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => Net.Forward(new float[768], new float[10], batch));
            Assert.Contains("batchSize must be at least 1", error.Message);
        }

        [Fact]
        public void OutputIsUntouchedWhenTheLengthCheckFails()
        {
            var output = Enumerable.Repeat(42f, 10).ToArray();
            Assert.ThrowsAny<ArgumentException>(() => Net.Forward(new float[100], output));
            Assert.All(output, v => Assert.Equal(42f, v));
        }

        [Fact]
        public void MissingTensors_AreAllListedAtOnce()
        {
            InMemoryWeights weights = RandomWeights.Create(SeqBasic.ExpectedWeights, 5);
            weights.Remove("0.weight");
            weights.Remove("4.running_var");
            weights.Remove("12.bias");
            var error = Assert.Throws<InvalidDataException>(() => new SeqBasic(weights));
            Assert.StartsWith("SeqBasic", error.Message);
            Assert.Contains("0.weight", error.Message);
            Assert.Contains("4.running_var", error.Message);
            Assert.Contains("12.bias", error.Message);
        }

        [Fact]
        public void WrongShape_NamesTensorExpectedAndActual()
        {
            InMemoryWeights weights = RandomWeights.Create(SeqBasic.ExpectedWeights, 5);
            weights.Set("3.weight", new float[16 * 8 * 3 * 5], 16, 8, 3, 5);
            var error = Assert.Throws<InvalidDataException>(() => new SeqBasic(weights));
            Assert.Contains("3.weight", error.Message);
            Assert.Contains("[16, 8, 3, 3]", error.Message);
            Assert.Contains("[16, 8, 3, 5]", error.Message);
        }

        [Fact]
        public void NegativeRunningVariance_IsRejected()
        {
            InMemoryWeights weights = RandomWeights.Create(SeqBasic.ExpectedWeights, 5);
            float[] variance = weights.GetValues("8.running_var").ToArray();
            variance[3] = -0.25f;
            weights.Set("8.running_var", variance, 16);
            var error = Assert.Throws<InvalidDataException>(() => new SeqBasic(weights));
            Assert.Contains("8.running_var", error.Message);
        }

        [Fact]
        public void NonFiniteWeight_IsRejected()
        {
            InMemoryWeights weights = RandomWeights.Create(SeqBasic.ExpectedWeights, 5);
            float[] values = weights.GetValues("7.weight").ToArray();
            values[10] = float.NaN;
            weights.Set("7.weight", values, 16, 16, 1, 1);
            var error = Assert.Throws<InvalidDataException>(() => new SeqBasic(weights));
            Assert.Contains("7.weight", error.Message);
        }

        [Fact]
        public void NullSource_ThrowsArgumentNull() => Assert.Throws<ArgumentNullException>(() => new SeqBasic(null!));

        [Fact]
        public void ShapesAndMetadata_AreAvailableWithoutWeights()
        {
            Assert.Equal(new TensorShape(3, 16, 16), SeqBasic.InputShape);
            Assert.Equal(TensorShape.Flat(10), SeqBasic.OutputShape);
            Assert.Equal(13, SeqBasic.Layers.Count);
            Assert.Equal("Conv2d", SeqBasic.Layers[3].Kind);
            Assert.Equal(new TensorShape(16, 8, 8), SeqBasic.Layers[3].OutputShape);
            Assert.Equal(16L * 8 * 8 * 8 * 9, SeqBasic.Layers[3].MultiplyAccumulates);
            Assert.Equal(16L * 8 * 9, SeqBasic.Layers[3].ParameterCount); // Bias = false
            Assert.DoesNotContain(SeqBasic.ExpectedWeights, w => w.Name == "3.bias");
            Assert.Equal(new[] { 10, 16 }, SeqBasic.ExpectedWeights.Single(w => w.Name == "12.weight").Shape);
        }
    }
}
