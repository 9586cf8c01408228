using System;
using System.ComponentModel;

namespace FusedNet.Internal
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API. A BatchNorm without running statistics (PyTorch <c>track_running_stats=False</c>) in a batch of
    /// several samples. The generated kernels merge every sample's per-channel mean and M2 = Σ (x − mean)² into the batch's
    /// (in double); this turns them into what the normalising kernel reads.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class BatchStatistics
    {
        /// <summary>
        /// Per channel c: var = M2[c] / <paramref name="count"/> (biased, as PyTorch normalises), scale = γ[c]/√(var + ε), and
        /// the normalisation written as y = (x − centre)·scale + offset with centre = mean in float and
        /// offset = β − (mean − centre)·scale: subtracting a centre near the values first keeps a large mean from costing
        /// precision (x·scale and mean·scale would nearly cancel). Computed in double, stored in float.
        /// </summary>
        /// <param name="mean">The batch's mean per channel.</param>
        /// <param name="m2">The batch's Σ (x − mean)² per channel.</param>
        /// <param name="count">Values per channel: N·H·W.</param>
        /// <param name="epsilon">ε added to the variance.</param>
        /// <param name="gamma">γ per channel (at least <paramref name="channels"/>).</param>
        /// <param name="beta">β per channel.</param>
        /// <param name="values">[centre][scale][offset], each of values.Length / 3 floats (C rounded up; the padding is left at 0).</param>
        /// <param name="channels">C.</param>
        public static void Finish(ReadOnlySpan<double> mean, ReadOnlySpan<double> m2, long count, float epsilon,
            ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> values, int channels)
        {
            int stride = values.Length / 3;
            if (count < 2 || channels > stride || mean.Length < channels || m2.Length < channels || gamma.Length < channels || beta.Length < channels)
                throw new ArgumentException($"BatchStatistics.Finish: {channels} channel(s) of {count} value(s) each do not fit the arrays given.");
            Span<float> centre = values.Slice(0, stride), scale = values.Slice(stride, stride), offset = values.Slice(2 * stride, stride);
            for (int c = 0; c < channels; c++)
            {
                double variance = m2[c] / count;
                double s = gamma[c] / Math.Sqrt(variance + epsilon);
                float middle = (float)mean[c];
                centre[c] = middle;
                scale[c] = (float)s;
                offset[c] = (float)(beta[c] - (mean[c] - middle) * s);
            }
        }
    }
}
