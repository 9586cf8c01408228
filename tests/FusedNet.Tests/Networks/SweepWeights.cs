using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Tests.Reference;

namespace FusedNet.Tests.Networks
{
    /// <summary>Seeded weights and inputs for a sweep network, described by the reference (not by the generated metadata).</summary>
    public static class SweepWeights
    {
        /// <summary>
        /// <see cref="RandomWeights.Create"/> over the reference's tensor list, then about one BatchNorm in three
        /// gets γ·2.5 and β + 1 (as the libtorch fixtures do) so the clamps of ReLU6, Hardswish and Hardsigmoid
        /// are really reached.
        /// </summary>
        public static InMemoryWeights Create(RefNetwork network, int seed)
        {
            InMemoryWeights weights = RandomWeights.Create(WeightInfos(network), seed);
            var random = new Random(seed);
            foreach (RefLayerShape step in network.Shapes.Where(s => s.Layer is RefBatchNorm))
            {
                if (random.Next(3) != 0) continue;
                int channels = step.Input.Channels;
                float[] gamma = weights.GetValues(step.Prefix + ".weight").ToArray();
                float[] beta = weights.GetValues(step.Prefix + ".bias").ToArray();
                for (int c = 0; c < channels; c++)
                {
                    gamma[c] *= 2.5f;
                    beta[c] += 1f;
                }
                weights.Set(step.Prefix + ".weight", gamma, channels);
                weights.Set(step.Prefix + ".bias", beta, channels);
            }
            RandomizeNormalizations(network, weights, seed);
            RandomizeNormalizeStatistics(network, weights, seed);
            return weights;
        }

        /// <summary>
        /// A Normalize reading P.mean and P.std starts as the identity (mean 0, std 1), which would leave it untested: give it
        /// means in [−1, 1] and stds in [0.2, 2] (an image's statistics are of that order). A stream of its own.
        /// </summary>
        private static void RandomizeNormalizeStatistics(RefNetwork network, InMemoryWeights weights, int seed)
        {
            var random = new Random(unchecked(seed * 37 + 7654321));
            foreach (RefLayerShape step in network.Shapes.Where(s => s.Layer is RefNormalizeTensors))
            {
                int channels = step.Input.Channels;
                var mean = new float[channels];
                var std = new float[channels];
                for (int c = 0; c < channels; c++)
                {
                    mean[c] = (float)(random.NextDouble() * 2 - 1);
                    std[c] = (float)(0.2 + random.NextDouble() * 1.8);
                }
                weights.Set(step.Prefix + ".mean", mean, channels);
                weights.Set(step.Prefix + ".std", std, channels);
            }
        }

        /// <summary>
        /// LayerNorm, GroupNorm and InstanceNorm2d start at PyTorch's γ = 1, β = 0 (running mean 0, variance 1), which
        /// would leave their affine untested: give them γ in ±[0.5, 1.5], β in [−0.5, 0.5] (and BatchNorm-like running
        /// statistics). A stream of its own, so the other layers' weights do not change.
        /// </summary>
        private static void RandomizeNormalizations(RefNetwork network, InMemoryWeights weights, int seed)
        {
            var random = new Random(unchecked(seed * 31 + 1234567));
            float Uniform(float low, float high) => low + (float)random.NextDouble() * (high - low);
            foreach (RefLayerShape step in network.Shapes.Where(s => s.Layer is RefLayerNorm or RefGroupNorm or RefInstanceNorm2d))
                foreach (RefTensor tensor in step.Layer.Tensors(step.Prefix, step.Input))
                {
                    var values = new float[tensor.ElementCount];
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = tensor.Name.EndsWith(".weight", StringComparison.Ordinal) ? Uniform(0.5f, 1.5f) * (random.Next(5) == 0 ? -1 : 1)
                            : tensor.Name.EndsWith(".running_var", StringComparison.Ordinal) ? Uniform(0.3f, 2f)
                            : Uniform(-0.5f, 0.5f);
                    }
                    weights.Set(tensor.Name, values, tensor.Shape);
                }
        }

        /// <summary>Standard-normal input for <paramref name="samples"/> samples.</summary>
        public static float[] Input(RefNetwork network, int samples, int seed) =>
            RandomWeights.RandomInput(samples * network.InputLength, seed);

        /// <summary>The reference's tensors as the runtime's WeightInfo, with the role each layer kind gives them.</summary>
        public static IReadOnlyList<WeightInfo> WeightInfos(RefNetwork network)
        {
            var infos = new List<WeightInfo>();
            foreach (RefLayerShape step in network.Shapes)
            foreach (RefTensor tensor in step.Layer.Tensors(step.Prefix, step.Input))
            {
                string suffix = tensor.Name.Substring(step.Prefix.Length + 1);
                infos.Add(new WeightInfo(tensor.Name, RoleOf(step.Layer, suffix), step.Prefix, tensor.Shape));
            }
            return infos;
        }

        private static WeightRole RoleOf(RefLayer layer, string suffix) => (layer, suffix) switch
        {
            (RefConv2d, "weight") => WeightRole.ConvWeight,
            (RefConv2d, "bias") => WeightRole.ConvBias,
            (RefLinear, "weight") => WeightRole.LinearWeight,
            (RefLinear, "bias") => WeightRole.LinearBias,
            (RefBatchNorm, "weight") => WeightRole.BatchNormWeight,
            (RefBatchNorm, "bias") => WeightRole.BatchNormBias,
            (RefBatchNorm, "running_mean") => WeightRole.BatchNormRunningMean,
            (RefBatchNorm, "running_var") => WeightRole.BatchNormRunningVar,
            (RefLayerNorm or RefGroupNorm or RefInstanceNorm2d, "weight") => WeightRole.NormWeight,
            (RefLayerNorm or RefGroupNorm or RefInstanceNorm2d, "bias") => WeightRole.NormBias,
            (RefInstanceNorm2d, "running_mean") => WeightRole.NormRunningMean,
            (RefInstanceNorm2d, "running_var") => WeightRole.NormRunningVar,
            (RefNormalizeTensors, "mean") => WeightRole.NormalizeMean,
            (RefNormalizeTensors, "std") => WeightRole.NormalizeStd,
            _ => throw new ArgumentException($"No weight role for {layer.Kind} tensor '{suffix}'."),
        };
    }
}
