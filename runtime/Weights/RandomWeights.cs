using System;
using System.Collections.Generic;

namespace FusedNet
{
    /// <summary>How <see cref="RandomWeights"/> draws Conv2d and Linear weights.</summary>
    public enum WeightInitialization
    {
        /// <summary>He et al.: U(±√(6 / fan_in)), the ReLU gain. Keeps activations' scale through ReLU layers.</summary>
        KaimingUniform,
        /// <summary>Glorot and Bengio: U(±√(6 / (fan_in + fan_out))).</summary>
        XavierUniform,
    }

    /// <summary>
    /// Seeded random weights for samples, tests and benchmarks. The same seed gives bit-identical weights on
    /// every platform and .NET version. Each tensor draws from its own stream, derived from the seed and the
    /// tensor's name, so adding or removing a layer does not change the other layers' weights.
    /// </summary>
    public static class RandomWeights
    {
        /// <summary>Probability that a BatchNorm γ is negated, so folding is exercised with negative scales.</summary>
        private const float NegativeGammaProbability = 0.2f;

        /// <summary>
        /// Creates every tensor of <paramref name="expected"/>:
        /// Conv/Linear weights by <paramref name="init"/>; biases U(±1/√fan_in) with the fan_in of the same
        /// layer's weight; BatchNorm γ with |γ| in [0.5, 1.5] (about 1 in 5 negative), β and running_mean in
        /// [−0.5, 0.5], running_var in [0.3, 2.0]. Non-trivial statistics make BatchNorm folding really tested.
        /// LayerNorm, GroupNorm and InstanceNorm2d get PyTorch's initialisation: γ = 1, β = 0, running mean 0, variance 1.
        /// A Normalize reading its statistics from the weights gets mean 0 and std 1: the identity.
        /// </summary>
        /// <param name="expected">The tensors to create, usually a network's static <c>ExpectedWeights</c>.</param>
        /// <param name="seed">Any value; the same seed gives bit-identical weights everywhere.</param>
        /// <param name="init">How Conv2d and Linear weights are drawn; default Kaiming (He) uniform.</param>
        /// <returns>Weights a network can be constructed from.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="expected"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="init"/> is not a defined value.</exception>
        public static InMemoryWeights Create(IReadOnlyList<WeightInfo> expected, int seed,
            WeightInitialization init = WeightInitialization.KaimingUniform)
        {
            ArgumentNullException.ThrowIfNull(expected);
            if (init is not (WeightInitialization.KaimingUniform or WeightInitialization.XavierUniform))
                throw new ArgumentOutOfRangeException(nameof(init), init, "Unknown weight initialisation.");

            Dictionary<string, WeightInfo> weightOfLayer = FindLayerWeights(expected);
            var weights = new InMemoryWeights();
            foreach (WeightInfo info in expected)
            {
                var rng = new SplitMix64(StreamSeed(seed, info.Name));
                var values = new float[info.ElementCount];
                Fill(values, info, weightOfLayer, init, ref rng);
                weights.Add(info.Name, values, ToArray(info.Shape));
            }
            return weights;
        }

        /// <summary>
        /// <paramref name="length"/> standard-normal values (Box–Muller over SplitMix64), for inputs of samples,
        /// tests and benchmarks. Computed in double and rounded to float; Math.Log/Cos/Sqrt are the only
        /// operations not fixed by IEEE 754, so a different libm could at worst change a last bit.
        /// </summary>
        /// <param name="length">Number of floats, e.g. a network's <c>InputLength</c>.</param>
        /// <param name="seed">Any value; the same seed gives the same values.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
        public static float[] RandomInput(int length, int seed)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            var rng = new SplitMix64(StreamSeed(seed, "input"));
            var values = new float[length];
            for (int i = 0; i < length; i += 2)
            {
                // Box–Muller turns two uniforms into two independent standard normals.
                double radius = Math.Sqrt(-2.0 * Math.Log(rng.NextUnitDoubleExcludingZero()));
                double angle = 2.0 * Math.PI * rng.NextUnitDoubleExcludingZero();
                values[i] = (float)(radius * Math.Cos(angle));
                if (i + 1 < length)
                    values[i + 1] = (float)(radius * Math.Sin(angle));
            }
            return values;
        }

        private static void Fill(float[] values, WeightInfo info, Dictionary<string, WeightInfo> weightOfLayer,
            WeightInitialization init, ref SplitMix64 rng)
        {
            switch (info.Role)
            {
                case WeightRole.ConvWeight:
                case WeightRole.LinearWeight:
                    FillUniform(values, WeightBound(info.Shape, init), ref rng);
                    break;
                case WeightRole.ConvBias:
                case WeightRole.LinearBias:
                    int fanIn = weightOfLayer.TryGetValue(info.LayerName, out WeightInfo? weight)
                        ? FanIn(weight.Shape)
                        : info.ElementCount; // A bias without a weight is not a real layer; any sane scale will do.
                    FillUniform(values, fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0.0, ref rng);
                    break;
                case WeightRole.BatchNormWeight:
                    for (int i = 0; i < values.Length; i++)
                    {
                        float magnitude = rng.NextUniform(0.5f, 1.5f);
                        values[i] = rng.NextUnitSingle() < NegativeGammaProbability ? -magnitude : magnitude;
                    }
                    break;
                case WeightRole.BatchNormBias:
                case WeightRole.BatchNormRunningMean:
                    for (int i = 0; i < values.Length; i++)
                        values[i] = rng.NextUniform(-0.5f, 0.5f);
                    break;
                case WeightRole.BatchNormRunningVar:
                    for (int i = 0; i < values.Length; i++)
                        values[i] = rng.NextUniform(0.3f, 2.0f);
                    break;
                case WeightRole.NormWeight:
                case WeightRole.NormRunningVar:
                    // PyTorch's initialisation of LayerNorm/GroupNorm/InstanceNorm2d: γ = 1, running variance 1.
                    Array.Fill(values, 1f);
                    break;
                case WeightRole.NormBias:
                case WeightRole.NormRunningMean:
                case WeightRole.NormalizeMean:
                    // β = 0, running mean 0, Normalize mean 0 (the array is already zeroed).
                    break;
                case WeightRole.NormalizeStd:
                    // With mean 0, the identity normalisation: a seeded network computes what it would without it.
                    Array.Fill(values, 1f);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(info), info.Role, $"Tensor '{info.Name}' has an unknown role.");
            }
        }

        private static void FillUniform(float[] values, double bound, ref SplitMix64 rng)
        {
            float limit = (float)bound;
            for (int i = 0; i < values.Length; i++)
                values[i] = rng.NextUniform(-limit, limit);
        }

        private static double WeightBound(IReadOnlyList<int> shape, WeightInitialization init)
        {
            double fanIn = FanIn(shape);
            double fanOut = FanOut(shape);
            double denominator = init == WeightInitialization.KaimingUniform ? fanIn : fanIn + fanOut;
            return denominator > 0 ? Math.Sqrt(6.0 / denominator) : 0.0;
        }

        /// <summary>PyTorch's fan_in: input channels (per group) times the receptive field, shape[1]·∏shape[2..].</summary>
        private static int FanIn(IReadOnlyList<int> shape) =>
            shape.Count >= 2 ? shape[1] * ReceptiveField(shape) : shape.Count == 1 ? shape[0] : 1;

        /// <summary>PyTorch's fan_out: shape[0]·∏shape[2..].</summary>
        private static int FanOut(IReadOnlyList<int> shape) =>
            shape.Count >= 2 ? shape[0] * ReceptiveField(shape) : shape.Count == 1 ? shape[0] : 1;

        private static int ReceptiveField(IReadOnlyList<int> shape)
        {
            int size = 1;
            for (int i = 2; i < shape.Count; i++)
                size *= shape[i];
            return size;
        }

        /// <summary>Conv/Linear weight of each layer, by layer name, for the biases' fan_in.</summary>
        private static Dictionary<string, WeightInfo> FindLayerWeights(IReadOnlyList<WeightInfo> expected)
        {
            var result = new Dictionary<string, WeightInfo>(StringComparer.Ordinal);
            foreach (WeightInfo info in expected)
            {
                if (info.Role is WeightRole.ConvWeight or WeightRole.LinearWeight)
                    result.TryAdd(info.LayerName, info);
            }
            return result;
        }

        /// <summary>
        /// A seed for one tensor's stream: the user's seed mixed with an FNV-1a hash of the name
        /// (string.GetHashCode is randomised per process, so it cannot be used).
        /// </summary>
        private static ulong StreamSeed(int seed, string name)
        {
            ulong hash = 0xCBF29CE484222325UL;
            foreach (char c in name)
            {
                hash ^= c;
                hash *= 0x100000001B3UL;
            }
            return SplitMix64.Mix(hash ^ SplitMix64.Mix((ulong)(uint)seed));
        }

        private static int[] ToArray(IReadOnlyList<int> shape)
        {
            var result = new int[shape.Count];
            for (int i = 0; i < result.Length; i++)
                result[i] = shape[i];
            return result;
        }
    }
}
