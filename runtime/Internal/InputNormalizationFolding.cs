using System;
using System.ComponentModel;
using System.Globalization;
using System.IO;

namespace FusedNet.Internal
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// Folds a per-channel normalisation y = x·s[c] + t[c] that comes BEFORE a convolution into it, in double precision:
    /// W'[o,c,kh,kw] = W[o,c,kh,kw]·s[c], b'[o] = b[o] + Σ_{c,kh,kw} W[o,c,kh,kw]·t[c]. The normalisation is a
    /// Normalize (s = 1/std, t = −mean/std; mean and std the declaration's constants or the tensors P.mean and P.std, both
    /// forms through the same functions) or an eval-mode BatchNorm2d (s = γ/√(σ² + ε), t = β − μ·s).
    /// <para>
    /// PyTorch pads the convolution's input with zeros AFTER the normalisation, so on a padded convolution the fold is
    /// exact only if the padding of the raw input holds the value that normalises to 0: x0[c] = −t[c]/s[c] (Normalize:
    /// mean[c]; BatchNorm: μ − β·√(σ² + ε)/γ). <see cref="FillBorder"/> writes it into the border of the convolution's
    /// input buffer once, at construction. A BatchNorm channel with γ = 0 (s = 0) has no such value: <see
    /// cref="BatchNormBorderFill"/> reports it and the generated network then runs Forward on the unfused path.
    /// </para>
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class InputNormalizationFolding
    {
        /// <summary>
        /// The smallest |s| for which the border fill is used: below it the fill x0 = −t/s grows past 1e15·|t| and the
        /// folded weights W·s shrink towards float's denormals, so W'·x0 would no longer reproduce −W·t to float precision.
        /// </summary>
        public const double MinimumScale = 1e-15;

        /// <summary>Normalize(mean, std) as s = 1/std, t = −mean/std per channel, in double (constants or the loaded tensors).</summary>
        public static (double[] Scale, double[] Shift) NormalizeScaleShift(ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
        {
            if (mean.Length != std.Length) throw new ArgumentException("mean and std differ in length");
            var scale = new double[mean.Length];
            var shift = new double[mean.Length];
            for (int c = 0; c < mean.Length; c++)
            {
                scale[c] = 1.0 / std[c];
                shift[c] = -mean[c] / (double)std[c];
            }
            return (scale, shift);
        }

        /// <summary>
        /// An eval-mode BatchNorm as s = γ/√(σ² + ε), t = β − μ·s per channel, in double. A BatchNorm whose s or t overflows
        /// float is rejected with the same <see cref="InvalidDataException"/> as the BatchNorm pass (<see cref="BatchNormFolding.ScaleShift"/>):
        /// the fused and unfused paths accept the same weights.
        /// </summary>
        public static (double[] Scale, double[] Shift) BatchNormScaleShift(ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
            ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, double epsilon, string networkName, string batchNormName)
        {
            _ = BatchNormFolding.ScaleShift(gamma, beta, mean, variance, epsilon, networkName, batchNormName);
            var scale = new double[gamma.Length];
            var shift = new double[gamma.Length];
            for (int c = 0; c < gamma.Length; c++)
            {
                scale[c] = gamma[c] / Math.Sqrt((double)variance[c] + epsilon);
                shift[c] = beta[c] - mean[c] * scale[c];
            }
            return (scale, shift);
        }

        /// <summary>
        /// Normalize as a pass: y = x·scale + shift in float (scale = 1/std, shift = −mean/std, computed in double). The mean
        /// and std are the declaration's constants or the tensors P.mean and P.std. Throws <see cref="InvalidDataException"/>
        /// naming the layer when scale or shift overflows float (a std below ~3e-39, or a mean ~1e38 times the std): the pass
        /// would compute ∞ − ∞ = NaN where PyTorch's (x − mean)/std is finite.
        /// </summary>
        public static (float[] Scale, float[] Shift) NormalizePass(ReadOnlySpan<float> mean, ReadOnlySpan<float> std, string networkName,
            string normalizationName)
        {
            (double[] scale, double[] shift) = NormalizeScaleShift(mean, std);
            var s = new float[scale.Length];
            var t = new float[scale.Length];
            for (int c = 0; c < s.Length; c++)
            {
                s[c] = (float)scale[c];
                t[c] = (float)shift[c];
                if (!float.IsFinite(s[c]) || !float.IsFinite(t[c]))
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"{networkName}: Normalize '{normalizationName}' channel {c}: mean = {mean[c]:R}, std = {std[c]:R} give 1/std = {scale[c]:R} " +
                        $"and -mean/std = {shift[c]:R}, which must be finite floats"));
            }
            return (s, t);
        }

        /// <summary>
        /// Folds the normalisation (<paramref name="scale"/>, <paramref name="shift"/>, one per input channel) into a
        /// convolution's <paramref name="weight"/> [out, in/groups, kh, kw] and <paramref name="bias"/> [out], in double:
        /// W'[o,c,…] = W[o,c,…]·s[c], b'[o] = b[o] + Σ W[o,c,…]·t[c] (c is the input channel of group o / (out/groups)).
        /// Returns new arrays. Throws <see cref="InvalidDataException"/> naming the layer when a folded value overflows float.
        /// </summary>
        public static (float[] Weight, float[] Bias) FoldBeforeConv(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
            int outChannels, int groups, int kernelArea, double[] scale, double[] shift, string networkName, string normalizationName)
        {
            int inChannels = scale.Length;
            if (groups <= 0 || outChannels % groups != 0 || inChannels % groups != 0)
                throw new ArgumentException("channels are not divisible by groups");
            int inPerGroup = inChannels / groups, outPerGroup = outChannels / groups;
            if (weight.Length != outChannels * inPerGroup * kernelArea || bias.Length != outChannels)
                throw new ArgumentException("weight or bias length does not match the convolution");
            var foldedWeight = new float[weight.Length];
            var foldedBias = new float[outChannels];
            for (int o = 0; o < outChannels; o++)
            {
                int firstInput = o / outPerGroup * inPerGroup;
                double sum = bias[o];
                for (int i = 0; i < inPerGroup; i++)
                {
                    double s = scale[firstInput + i], t = shift[firstInput + i];
                    int at = (o * inPerGroup + i) * kernelArea;
                    for (int k = 0; k < kernelArea; k++)
                    {
                        double w = weight[at + k];
                        foldedWeight[at + k] = (float)(w * s);
                        sum += w * t;
                    }
                }
                foldedBias[o] = (float)sum;
            }
            for (int i = 0; i < foldedWeight.Length; i++)
                if (!float.IsFinite(foldedWeight[i]))
                    throw Overflow(networkName, normalizationName, $"folded weight[{i}] = {Format(foldedWeight[i])}");
            for (int o = 0; o < outChannels; o++)
                if (!float.IsFinite(foldedBias[o]))
                    throw Overflow(networkName, normalizationName, $"folded bias[{o}] = {Format(foldedBias[o])}");
            return (foldedWeight, foldedBias);
        }

        /// <summary>
        /// The border fill of a BatchNorm folded before a padded convolution: x0[c] = μ − β·√(σ² + ε)/γ, the raw value the
        /// BatchNorm maps to 0. <paramref name="problem"/> is null when every channel has one; otherwise it names the first
        /// channel without one (γ = 0, |s| below <see cref="MinimumScale"/>, or x0 beyond float), and the network must not
        /// run the folded convolution (the generated Forward then runs the unfused path's steps).
        /// </summary>
        public static float[] BatchNormBorderFill(ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> mean,
            ReadOnlySpan<float> variance, double epsilon, string networkName, string batchNormName, out string? problem)
        {
            (double[] scale, double[] shift) = BatchNormScaleShift(gamma, beta, mean, variance, epsilon, networkName, batchNormName);
            var fill = new float[gamma.Length];
            problem = null;
            int bad = 0;
            for (int c = 0; c < fill.Length; c++)
            {
                float x0 = Math.Abs(scale[c]) >= MinimumScale ? (float)(-shift[c] / scale[c]) : float.NaN;
                if (float.IsFinite(x0))
                {
                    fill[c] = x0;
                    continue;
                }
                bad++;
                problem ??= string.Create(CultureInfo.InvariantCulture,
                    $"{networkName}: BatchNorm '{batchNormName}' before a padded convolution cannot be folded exactly: channel {c} has " +
                    $"γ = weight = {gamma[c]:R} (scale γ/√(σ² + ε) = {scale[c]:R}), so no input value normalises to the zero padding PyTorch adds after it");
            }
            if (bad > 1) problem += string.Create(CultureInfo.InvariantCulture, $" ({bad} such channels in all)");
            return fill;
        }

        /// <summary>
        /// Writes <paramref name="fill"/>[c] into channel c of every border pixel of an NHWC buffer
        /// [height + 2·border][width + 2·border][channelStride]; the interior and the channel padding are not touched.
        /// </summary>
        public static void FillBorder(Span<float> buffer, ReadOnlySpan<float> fill, int height, int width, int border, int channelStride)
        {
            int paddedHeight = height + 2 * border, paddedWidth = width + 2 * border;
            if (fill.Length > channelStride || buffer.Length < paddedHeight * paddedWidth * channelStride)
                throw new ArgumentException("the buffer does not have the stated layout");
            for (int y = 0; y < paddedHeight; y++)
            {
                bool borderRow = y < border || y >= border + height;
                for (int x = 0; x < paddedWidth; x++)
                {
                    if (!borderRow && x >= border && x < border + width) continue;
                    fill.CopyTo(buffer.Slice((y * paddedWidth + x) * channelStride, fill.Length));
                }
            }
        }

        private static InvalidDataException Overflow(string networkName, string normalizationName, string detail) =>
            new InvalidDataException($"{networkName}: folding the normalisation '{normalizationName}' into the convolution after it " +
                $"overflows float: {detail}; the folded values must be finite floats");

        private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}
