using System;
using System.Collections.Generic;
using System.Linq;

namespace FusedNet.Tests.Reference
{
    /// <summary>
    /// The per-sample normalisations, written from PyTorch's formula: for every group of values, mean = Σx/n and the
    /// biased variance var = Σ(x − mean)²/n (n, not n − 1), y = (x − mean)/√(var + ε), then γ and β. A sample is stored
    /// (c, h, w), so channel c's values are x[c·H·W .. (c+1)·H·W).
    /// </summary>
    public static class RefNormalizationMath
    {
        /// <summary>Normalises x[start, start + count) (then the caller applies γ, β) in double.</summary>
        public static void Normalize(double[] x, double[] y, int start, int count, double epsilon)
        {
            double mean = 0;
            for (int i = start; i < start + count; i++) mean += x[i];
            mean /= count;
            double variance = 0;
            for (int i = start; i < start + count; i++) variance += (x[i] - mean) * (x[i] - mean);
            variance /= count; // biased, as PyTorch normalises
            double inverse = 1.0 / Math.Sqrt(variance + epsilon);
            for (int i = start; i < start + count; i++) y[i] = (x[i] - mean) * inverse;
        }
    }

    /// <summary>nn.LayerNorm over the whole sample ([C, H, W] or [F]); γ and β of the sample's shape.</summary>
    public sealed record RefLayerNorm : RefLayer
    {
        /// <summary>The declared normalized_shape, or null for [LayerNorm] (the input's shape).</summary>
        public int[]? NormalizedShape { get; init; }
        public float Epsilon { get; init; } = 1e-5f;
        public bool ElementwiseAffine { get; init; } = true;

        public override string Kind => "LayerNorm";

        protected override IEnumerable<string> DeclarationArguments()
        {
            if (NormalizedShape is not null)
                foreach (int d in NormalizedShape) yield return DeclarationText.Int(d);
            if (Epsilon != 1e-5f) yield return "Epsilon = " + DeclarationText.Float(Epsilon);
            if (!ElementwiseAffine) yield return "ElementwiseAffine = false";
        }

        private static int[] ShapeOf(RefShape input) => input.IsFlat ? [input.Channels] : [input.Channels, input.Height, input.Width];

        public override RefShape OutputShape(RefShape input)
        {
            Require(Epsilon > 0, "eps must be positive");
            Require(NormalizedShape is null || NormalizedShape.SequenceEqual(ShapeOf(input)),
                $"normalized_shape [{string.Join(", ", NormalizedShape ?? [])}] is not the input's {input}");
            return input;
        }

        public override IEnumerable<RefTensor> Tensors(string prefix, RefShape input)
        {
            if (!ElementwiseAffine) yield break;
            yield return new RefTensor(prefix + ".weight", ShapeOf(input));
            yield return new RefTensor(prefix + ".bias", ShapeOf(input));
        }

        public override double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights)
        {
            var y = new double[x.Length];
            RefNormalizationMath.Normalize(x, y, 0, x.Length, Epsilon);
            if (!ElementwiseAffine) return y;
            double[] gamma = weights.Read("weight", ShapeOf(input)), beta = weights.Read("bias", ShapeOf(input));
            for (int i = 0; i < y.Length; i++) y[i] = y[i] * gamma[i] + beta[i];
            return y;
        }
    }

    /// <summary>nn.GroupNorm(NumGroups, C): statistics over each group of C/G channels × H × W; γ and β per channel.</summary>
    public sealed record RefGroupNorm(int NumGroups) : RefLayer
    {
        public float Epsilon { get; init; } = 1e-5f;
        public bool Affine { get; init; } = true;

        public override string Kind => "GroupNorm";

        protected override IEnumerable<string> DeclarationArguments()
        {
            yield return DeclarationText.Int(NumGroups);
            if (Epsilon != 1e-5f) yield return "Epsilon = " + DeclarationText.Float(Epsilon);
            if (!Affine) yield return "Affine = false";
        }

        public override RefShape OutputShape(RefShape input)
        {
            Require(Epsilon > 0, "eps must be positive");
            Require(NumGroups >= 1 && input.Channels % NumGroups == 0, $"num_groups {NumGroups} must divide the channels {input.Channels}");
            return input;
        }

        public override IEnumerable<RefTensor> Tensors(string prefix, RefShape input)
        {
            if (!Affine) yield break;
            yield return new RefTensor(prefix + ".weight", [input.Channels]);
            yield return new RefTensor(prefix + ".bias", [input.Channels]);
        }

        public override double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights)
        {
            int plane = input.Height * input.Width, perGroup = input.Channels / NumGroups;
            var y = new double[x.Length];
            for (int g = 0; g < NumGroups; g++)
                RefNormalizationMath.Normalize(x, y, g * perGroup * plane, perGroup * plane, Epsilon);
            if (!Affine) return y;
            double[] gamma = weights.Read("weight", input.Channels), beta = weights.Read("bias", input.Channels);
            for (int c = 0; c < input.Channels; c++)
                for (int i = c * plane; i < (c + 1) * plane; i++) y[i] = y[i] * gamma[c] + beta[c];
            return y;
        }
    }

    /// <summary>
    /// nn.InstanceNorm2d in eval mode: per channel over H × W, or with TrackRunningStats (γ(x − μ)/√(σ² + ε) + β with
    /// the running statistics, γ = 1 and β = 0 without affine).
    /// </summary>
    public sealed record RefInstanceNorm2d : RefLayer
    {
        public float Epsilon { get; init; } = 1e-5f;
        public bool Affine { get; init; }
        public bool TrackRunningStats { get; init; }

        public override string Kind => "InstanceNorm2d";

        protected override IEnumerable<string> DeclarationArguments()
        {
            if (Epsilon != 1e-5f) yield return "Epsilon = " + DeclarationText.Float(Epsilon);
            if (Affine) yield return "Affine = true";
            if (TrackRunningStats) yield return "TrackRunningStats = true";
        }

        public override RefShape OutputShape(RefShape input)
        {
            RequireSpatial(input, Kind);
            Require(Epsilon > 0, "eps must be positive");
            Require(TrackRunningStats || input.Height * input.Width > 1, "Expected more than 1 spatial element");
            return input;
        }

        public override IEnumerable<RefTensor> Tensors(string prefix, RefShape input)
        {
            if (Affine)
            {
                yield return new RefTensor(prefix + ".weight", [input.Channels]);
                yield return new RefTensor(prefix + ".bias", [input.Channels]);
            }
            if (TrackRunningStats)
            {
                yield return new RefTensor(prefix + ".running_mean", [input.Channels]);
                yield return new RefTensor(prefix + ".running_var", [input.Channels]);
            }
        }

        public override double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights)
        {
            int channels = input.Channels, plane = input.Height * input.Width;
            var y = new double[x.Length];
            if (TrackRunningStats)
            {
                double[] mean = weights.Read("running_mean", channels), variance = weights.Read("running_var", channels);
                for (int c = 0; c < channels; c++)
                    for (int i = c * plane; i < (c + 1) * plane; i++) y[i] = (x[i] - mean[c]) / Math.Sqrt(variance[c] + Epsilon);
            }
            else
            {
                for (int c = 0; c < channels; c++) RefNormalizationMath.Normalize(x, y, c * plane, plane, Epsilon);
            }
            if (!Affine) return y;
            double[] gamma = weights.Read("weight", channels), beta = weights.Read("bias", channels);
            for (int c = 0; c < channels; c++)
                for (int i = c * plane; i < (c + 1) * plane; i++) y[i] = y[i] * gamma[c] + beta[c];
            return y;
        }
    }
}
