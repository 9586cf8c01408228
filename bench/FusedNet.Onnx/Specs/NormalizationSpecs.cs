using System;
using System.Collections.Generic;

namespace FusedNet.Onnx.Specs
{
    /// <summary>Shared by the per-sample normalisation rows: the scalar formula and constant initializers.</summary>
    internal static class NormalizationOnnx
    {
        /// <summary>(x − mean)/√(var + ε) over input[start, start + count), biased variance, in double.</summary>
        public static void Normalize(float[] input, double[] output, int start, int count, double epsilon)
        {
            double mean = 0, variance = 0;
            for (int i = start; i < start + count; i++) mean += input[i];
            mean /= count;
            for (int i = start; i < start + count; i++) variance += (input[i] - mean) * (input[i] - mean);
            variance /= count;
            for (int i = start; i < start + count; i++) output[i] = (input[i] - mean) / Math.Sqrt(variance + epsilon);
        }

        /// <summary>A constant initializer (γ = 1 or β = 0 of a layer without affine; ONNX's normalisations require both).</summary>
        public static string Constant(OnnxModelBuilder onnx, string name, long[] dims, float value)
        {
            long count = 1;
            foreach (long d in dims) count *= d;
            var values = new float[count];
            Array.Fill(values, value);
            onnx.AddInitializer(name, dims, values);
            return name;
        }

        /// <summary>γ and β (or 1 and 0) applied per channel to a (c, h, w)-ordered sample.</summary>
        public static float[] Affine(double[] normalized, TensorShape shape, float[]? gamma, float[]? beta)
        {
            int plane = shape.IsFlat ? 1 : shape.Height * shape.Width;
            var output = new float[normalized.Length];
            for (int c = 0; c < shape.Channels; c++)
                for (int i = c * plane; i < (c + 1) * plane; i++)
                    output[i] = (float)(gamma is null ? normalized[i] : normalized[i] * gamma[c] + beta![c]);
            return output;
        }
    }

    /// <summary>
    /// nn.LayerNorm over the whole sample → LayerNormalization (opset 17) with axis = 1: statistics over every dimension
    /// after the batch, biased variance, Scale and B of the sample's shape ([C, H, W] or [F], as PyTorch stores γ and β).
    /// </summary>
    public sealed class LayerNormSpec : LayerSpec
    {
        public LayerNormSpec(float epsilon = 1e-5f, bool elementwiseAffine = true)
        {
            Epsilon = epsilon;
            ElementwiseAffine = elementwiseAffine;
        }

        public float Epsilon { get; }
        public bool ElementwiseAffine { get; }
        public override string Kind => "LayerNorm";

        public override TensorShape OutputShape(TensorShape input) => input;

        private static int[] SampleShape(TensorShape input) => input.IsFlat ? new[] { input.Channels } : new[] { input.Channels, input.Height, input.Width };

        public override IEnumerable<(string Suffix, int[] Shape)> Weights(TensorShape input)
        {
            if (!ElementwiseAffine) yield break;
            yield return ("weight", SampleShape(input));
            yield return ("bias", SampleShape(input));
        }

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            long[] dims = OnnxDims(SampleShape(input));
            string scale, bias;
            if (ElementwiseAffine)
            {
                AddWeight(onnx, weights, scale = prefix + ".weight", SampleShape(input));
                AddWeight(onnx, weights, bias = prefix + ".bias", SampleShape(input));
            }
            else
            {
                scale = NormalizationOnnx.Constant(onnx, prefix + ".ones", dims, 1f);
                bias = NormalizationOnnx.Constant(onnx, prefix + ".zeros", dims, 0f);
            }
            onnx.AddNode("LayerNormalization", prefix, new[] { inputName, scale, bias }, prefix + ".ln",
                OnnxAttribute.Int("axis", 1), OnnxAttribute.Float("epsilon", Epsilon));
            return prefix + ".ln";
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights)
        {
            var normalized = new double[input.Length];
            NormalizationOnnx.Normalize(input, normalized, 0, input.Length, Epsilon);
            var output = new float[input.Length];
            float[]? gamma = ElementwiseAffine ? ReadTensor(weights, prefix + ".weight", input.Length) : null;
            float[]? beta = ElementwiseAffine ? ReadTensor(weights, prefix + ".bias", input.Length) : null;
            for (int i = 0; i < output.Length; i++)
                output[i] = (float)(gamma is null ? normalized[i] : normalized[i] * gamma[i] + beta![i]);
            return output;
        }
    }

    /// <summary>
    /// nn.GroupNorm → Reshape to [1, G, C/G·H·W], InstanceNormalization with scale 1 and bias 0 (statistics per group),
    /// Reshape back, then Mul γ and Add β per channel. ONNX's GroupNormalization is not used: before opset 21 its scale
    /// and bias are per group, not per channel as PyTorch's.
    /// </summary>
    public sealed class GroupNormSpec : LayerSpec
    {
        public GroupNormSpec(int numGroups, float epsilon = 1e-5f, bool affine = true)
        {
            NumGroups = numGroups;
            Epsilon = epsilon;
            Affine = affine;
        }

        public int NumGroups { get; }
        public float Epsilon { get; }
        public bool Affine { get; }
        public override string Kind => "GroupNorm";

        public override TensorShape OutputShape(TensorShape input) =>
            input.Channels % NumGroups == 0 ? input : throw new InvalidOperationException($"GroupNorm: {NumGroups} groups do not divide {input}.");

        public override IEnumerable<(string Suffix, int[] Shape)> Weights(TensorShape input)
        {
            if (!Affine) yield break;
            yield return ("weight", new[] { input.Channels });
            yield return ("bias", new[] { input.Channels });
        }

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            OutputShape(input);
            onnx.AddInt64Initializer(prefix + ".group_shape", new long[] { 3 }, new long[] { 1, NumGroups, -1 });
            long[] back = BatchDims(input);
            onnx.AddInt64Initializer(prefix + ".sample_shape", new long[] { back.Length }, back);
            onnx.AddNode("Reshape", prefix + ".to_groups", new[] { inputName, prefix + ".group_shape" }, prefix + ".grouped");
            string ones = NormalizationOnnx.Constant(onnx, prefix + ".group_ones", new long[] { NumGroups }, 1f);
            string zeros = NormalizationOnnx.Constant(onnx, prefix + ".group_zeros", new long[] { NumGroups }, 0f);
            onnx.AddNode("InstanceNormalization", prefix + ".norm", new[] { prefix + ".grouped", ones, zeros }, prefix + ".normalized",
                OnnxAttribute.Float("epsilon", Epsilon));
            onnx.AddNode("Reshape", prefix + ".to_sample", new[] { prefix + ".normalized", prefix + ".sample_shape" }, prefix + ".gn");
            if (!Affine) return prefix + ".gn";
            // γ and β broadcast per channel: [C, 1, 1] against [1, C, H, W], [C] against [1, C].
            long[] channelDims = input.IsFlat ? new long[] { input.Channels } : new long[] { input.Channels, 1, 1 };
            onnx.AddInitializer(prefix + ".weight", channelDims, ReadTensor(weights, prefix + ".weight", input.Channels));
            onnx.AddInitializer(prefix + ".bias", channelDims, ReadTensor(weights, prefix + ".bias", input.Channels));
            onnx.AddMulNode(prefix + ".scale", prefix + ".gn", prefix + ".weight", prefix + ".scaled");
            onnx.AddAddNode(prefix + ".shift", prefix + ".scaled", prefix + ".bias", prefix + ".affine");
            return prefix + ".affine";
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights)
        {
            int perGroup = input.Length / NumGroups;
            var normalized = new double[input.Length];
            for (int g = 0; g < NumGroups; g++) NormalizationOnnx.Normalize(input, normalized, g * perGroup, perGroup, Epsilon);
            return NormalizationOnnx.Affine(normalized, inputShape,
                Affine ? ReadTensor(weights, prefix + ".weight", inputShape.Channels) : null,
                Affine ? ReadTensor(weights, prefix + ".bias", inputShape.Channels) : null);
        }
    }

    /// <summary>
    /// nn.InstanceNorm2d in eval mode → InstanceNormalization (statistics per sample and channel), or, with
    /// track_running_stats, BatchNormalization with the running statistics (γ = 1, β = 0 without affine).
    /// </summary>
    public sealed class InstanceNormSpec : LayerSpec
    {
        public InstanceNormSpec(float epsilon = 1e-5f, bool affine = false, bool trackRunningStats = false)
        {
            Epsilon = epsilon;
            Affine = affine;
            TrackRunningStats = trackRunningStats;
        }

        public float Epsilon { get; }
        public bool Affine { get; }
        public bool TrackRunningStats { get; }
        public override string Kind => "InstanceNorm2d";

        public override TensorShape OutputShape(TensorShape input) => RequireSpatial(input, Kind);

        public override IEnumerable<(string Suffix, int[] Shape)> Weights(TensorShape input)
        {
            int[] c = { input.Channels };
            if (Affine)
            {
                yield return ("weight", c);
                yield return ("bias", c);
            }
            if (TrackRunningStats)
            {
                yield return ("running_mean", c);
                yield return ("running_var", c);
            }
        }

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            RequireSpatial(input, Kind);
            int[] c = { input.Channels };
            string scale, bias;
            if (Affine)
            {
                AddWeight(onnx, weights, scale = prefix + ".weight", c);
                AddWeight(onnx, weights, bias = prefix + ".bias", c);
            }
            else
            {
                scale = NormalizationOnnx.Constant(onnx, prefix + ".ones", OnnxDims(c), 1f);
                bias = NormalizationOnnx.Constant(onnx, prefix + ".zeros", OnnxDims(c), 0f);
            }
            if (!TrackRunningStats)
            {
                onnx.AddNode("InstanceNormalization", prefix, new[] { inputName, scale, bias }, prefix + ".in", OnnxAttribute.Float("epsilon", Epsilon));
                return prefix + ".in";
            }
            AddWeight(onnx, weights, prefix + ".running_mean", c);
            AddWeight(onnx, weights, prefix + ".running_var", c);
            onnx.AddNode("BatchNormalization", prefix, new[] { inputName, scale, bias, prefix + ".running_mean", prefix + ".running_var" },
                prefix + ".in", OnnxAttribute.Float("epsilon", Epsilon));
            return prefix + ".in";
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights)
        {
            int channels = inputShape.Channels, plane = inputShape.Height * inputShape.Width;
            var normalized = new double[input.Length];
            if (TrackRunningStats)
            {
                float[] mean = ReadTensor(weights, prefix + ".running_mean", channels), variance = ReadTensor(weights, prefix + ".running_var", channels);
                for (int ch = 0; ch < channels; ch++)
                    for (int i = ch * plane; i < (ch + 1) * plane; i++) normalized[i] = (input[i] - (double)mean[ch]) / Math.Sqrt(variance[ch] + (double)Epsilon);
            }
            else
            {
                for (int ch = 0; ch < channels; ch++) NormalizationOnnx.Normalize(input, normalized, ch * plane, plane, Epsilon);
            }
            return NormalizationOnnx.Affine(normalized, inputShape,
                Affine ? ReadTensor(weights, prefix + ".weight", channels) : null,
                Affine ? ReadTensor(weights, prefix + ".bias", channels) : null);
        }
    }
}
