using System;
using System.Collections.Generic;
using System.IO;

namespace FusedNet.Tests.Reference
{
    /// <summary>
    /// A small in-memory <see cref="IWeightSource"/> for the test suite (F32 only), with a seeded random
    /// initialiser for a <see cref="RefNetwork"/>.
    /// </summary>
    /// <remarks>
    /// Private to the tests so the reference and the sweep do not depend on the runtime's weight code they
    /// help to check. The initialiser follows the fixtures' recipe: conv/linear weights U(±gain·√(3/fan_in)),
    /// biases U(±0.3), BatchNorm γ with |γ| in [0.5, 1.5] (1 in 5 negative), β and running_mean in [−0.5, 0.5],
    /// running_var in [0.3, 2.0]; about 1 BN layer in 3 gets γ·2.5 and β+1 so activation clamps are hit.
    /// </remarks>
    public sealed class TestWeights : IWeightSource
    {
        private readonly Dictionary<string, (int[] Shape, float[] Values)> _tensors = new(StringComparer.Ordinal);
        private readonly List<string> _names = new();

        public IReadOnlyCollection<string> TensorNames => _names;

        public void Add(string name, int[] shape, float[] values)
        {
            int count = 1;
            foreach (int d in shape) count *= d;
            if (count != values.Length)
                throw new ArgumentException($"Tensor '{name}': shape [{string.Join(", ", shape)}] holds {count} values, got {values.Length}.");
            if (!_tensors.ContainsKey(name)) _names.Add(name);
            _tensors[name] = (shape, values);
        }

        public bool TryGetTensorInfo(string name, out TensorInfo info)
        {
            if (_tensors.TryGetValue(name, out var tensor))
            {
                info = new TensorInfo(TensorDataType.F32, Array.ConvertAll(tensor.Shape, d => (long)d), "F32");
                return true;
            }
            info = default;
            return false;
        }

        public void ReadFloat32(string name, Span<float> destination)
        {
            if (!_tensors.TryGetValue(name, out var tensor))
                throw new InvalidDataException($"Tensor '{name}' is missing.");
            if (destination.Length != tensor.Values.Length)
                throw new InvalidDataException($"Tensor '{name}' has {tensor.Values.Length} elements, destination holds {destination.Length}.");
            tensor.Values.CopyTo(destination);
        }

        /// <summary>Seeded random weights for every tensor <paramref name="network"/> expects.</summary>
        public static TestWeights Random(RefNetwork network, int seed, double gain = 1.2)
        {
            var random = new Random(seed);
            var weights = new TestWeights();
            foreach (RefLayerShape step in network.Shapes)
            {
                switch (step.Layer)
                {
                    case RefConv2d or RefLinear:
                        foreach (RefTensor tensor in step.Layer.Tensors(step.Prefix, step.Input))
                        {
                            bool isBias = tensor.Name.EndsWith(".bias", StringComparison.Ordinal);
                            int fanIn = tensor.ElementCount / tensor.Shape[0];
                            double bound = isBias ? 0.3 : gain * Math.Sqrt(3.0 / fanIn);
                            weights.Add(tensor.Name, tensor.Shape, Uniform(random, tensor.ElementCount, -bound, bound));
                        }
                        break;
                    case RefBatchNorm:
                        AddBatchNorm(weights, random, step.Prefix, step.Input.Channels);
                        break;
                }
            }
            return weights;
        }

        /// <summary>Seeded standard-normal floats, e.g. network inputs.</summary>
        public static float[] Normal(int seed, int count)
        {
            var random = new Random(seed);
            var values = new float[count];
            for (int i = 0; i < count; i++)
            {
                // Box–Muller; 1 − NextDouble() is in (0, 1], so the log is finite.
                double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble()));
                values[i] = (float)(radius * Math.Cos(2.0 * Math.PI * random.NextDouble()));
            }
            return values;
        }

        private static void AddBatchNorm(TestWeights weights, Random random, string prefix, int channels)
        {
            bool amplified = random.Next(3) == 0;
            var gamma = new float[channels];
            for (int c = 0; c < channels; c++)
            {
                double magnitude = 0.5 + random.NextDouble();
                if (amplified) magnitude *= 2.5;
                gamma[c] = (float)(random.Next(5) == 0 ? -magnitude : magnitude);
            }
            float[] beta = Uniform(random, channels, -0.5, 0.5);
            if (amplified) for (int c = 0; c < channels; c++) beta[c] += 1f;
            weights.Add(prefix + ".weight", [channels], gamma);
            weights.Add(prefix + ".bias", [channels], beta);
            weights.Add(prefix + ".running_mean", [channels], Uniform(random, channels, -0.5, 0.5));
            weights.Add(prefix + ".running_var", [channels], Uniform(random, channels, 0.3, 2.0));
        }

        private static float[] Uniform(Random random, int count, double low, double high)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = (float)(low + (high - low) * random.NextDouble());
            return values;
        }
    }
}
