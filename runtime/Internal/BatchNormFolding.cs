using System;
using System.ComponentModel;
using System.Globalization;
using System.IO;

namespace FusedNet.Internal
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// Folds an eval-mode BatchNorm into the preceding Conv2d/Linear, in double precision (DESIGN §4):
    /// s = γ/√(σ² + ε); W'[o,…] = W[o,…]·s[o]; b'[o] = (b[o] − μ[o])·s[o] + β[o].
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class BatchNormFolding
    {
        /// <summary>
        /// Folds BN (gamma, beta, mean, var, eps) into <paramref name="weight"/> laid out [out, …] and
        /// <paramref name="bias"/> (null = no bias). Returns new arrays; the inputs are not changed.
        /// </summary>
        public static (float[] Weight, float[] Bias) Fold(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
            bool hasBias, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> mean,
            ReadOnlySpan<float> variance, double epsilon, string networkName, string batchNormName)
        {
            int outChannels = gamma.Length;
            if (outChannels == 0 || weight.Length % outChannels != 0)
                throw new ArgumentException("weight length is not a multiple of the BatchNorm channel count");
            int perChannel = weight.Length / outChannels;
            var foldedWeight = new float[weight.Length];
            var foldedBias = new float[outChannels];
            for (int o = 0; o < outChannels; o++)
            {
                double scale = gamma[o] / Math.Sqrt((double)variance[o] + epsilon);
                for (int i = 0; i < perChannel; i++)
                    foldedWeight[o * perChannel + i] = (float)(weight[o * perChannel + i] * scale);
                double b = hasBias ? bias[o] : 0.0;
                foldedBias[o] = (float)((b - mean[o]) * scale + beta[o]);
            }
            CheckFinite(foldedWeight, perChannel, "folded weight", foldedBias, "folded bias", gamma, variance, epsilon, networkName, batchNormName);
            return (foldedWeight, foldedBias);
        }

        /// <summary>BN as y = x·scale + shift per channel, computed in double.</summary>
        public static (float[] Scale, float[] Shift) ScaleShift(ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
            ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, double epsilon, string networkName, string batchNormName)
        {
            var scale = new float[gamma.Length];
            var shift = new float[gamma.Length];
            for (int c = 0; c < gamma.Length; c++)
            {
                double s = gamma[c] / Math.Sqrt((double)variance[c] + epsilon);
                scale[c] = (float)s;
                shift[c] = (float)(beta[c] - mean[c] * s);
            }
            CheckFinite(scale, 1, "scale", shift, "shift", gamma, variance, epsilon, networkName, batchNormName);
            return (scale, shift);
        }

        /// <summary>
        /// Finite inputs can still fold to ±Infinity in float (γ = 3e36 with σ² = 0 gives s ≈ 1e39), and the network
        /// would then compute ±Inf/NaN silently. Rejects the first channel whose folded values are not finite.
        /// <paramref name="values"/> is laid out [channel, <paramref name="perChannel"/>]; <paramref name="offsets"/>
        /// holds one value per channel.
        /// </summary>
        private static void CheckFinite(float[] values, int perChannel, string valuesName, float[] offsets, string offsetsName,
            ReadOnlySpan<float> gamma, ReadOnlySpan<float> variance, double epsilon, string networkName, string batchNormName)
        {
            int firstBad = -1, badChannels = 0;
            string detail = "";
            for (int c = 0; c < offsets.Length; c++)
            {
                string? problem = FirstNonFinite(values.AsSpan(c * perChannel, perChannel), valuesName)
                    ?? FirstNonFinite(offsets.AsSpan(c, 1), offsetsName);
                if (problem is null) continue;
                badChannels++;
                if (firstBad >= 0) continue;
                firstBad = c;
                detail = problem;
            }
            if (firstBad < 0) return;

            double scale = gamma[firstBad] / Math.Sqrt((double)variance[firstBad] + epsilon);
            string inputs = string.Create(CultureInfo.InvariantCulture,
                $"γ = weight = {gamma[firstBad]:R}, σ² = running_var = {variance[firstBad]:R}, ε = {epsilon:R}, scale γ/√(σ² + ε) = {scale:R}");
            string count = badChannels > 1 ? $" ({badChannels} channels overflow in all)" : "";
            throw new InvalidDataException(
                $"{networkName}: folding BatchNorm '{batchNormName}' overflows float at channel {firstBad}: {detail} ({inputs}); " +
                $"the folded values must be finite floats (at most {Format(float.MaxValue)} in magnitude){count}");
        }

        private static string? FirstNonFinite(ReadOnlySpan<float> values, string name)
        {
            for (int i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i]))
                    return values.Length == 1 ? $"{name} = {Format(values[i])}" : $"{name}[{i}] = {Format(values[i])}";
            return null;
        }

        private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}
