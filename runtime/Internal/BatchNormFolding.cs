using System;
using System.ComponentModel;

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
            ReadOnlySpan<float> variance, double epsilon)
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
            return (foldedWeight, foldedBias);
        }

        /// <summary>BN as y = x·scale + shift per channel, computed in double.</summary>
        public static (float[] Scale, float[] Shift) ScaleShift(ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
            ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, double epsilon)
        {
            var scale = new float[gamma.Length];
            var shift = new float[gamma.Length];
            for (int c = 0; c < gamma.Length; c++)
            {
                double s = gamma[c] / Math.Sqrt((double)variance[c] + epsilon);
                scale[c] = (float)s;
                shift[c] = (float)(beta[c] - mean[c] * s);
            }
            return (scale, shift);
        }
    }
}
