using System;
using System.Collections.Generic;
using System.ComponentModel;

namespace FusedNet.Internal
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API (use <see cref="FusedNet.BatchNormRecalibration"/>).
    /// Implemented by every generated network: runs one calibration batch as PyTorch's training mode would, every
    /// BatchNorm normalising with the statistics of the batch at its input (so later BatchNorms see batch-normalised
    /// inputs) and reporting them to a <see cref="BatchNormCalibrationContext"/>.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IBatchNormCalibration
    {
        /// <summary>
        /// Runs <paramref name="batchSize"/> NCHW samples layer by layer through the unfused path (one scratch per sample,
        /// allocated per call): every step for every sample, then the next step. Writes the training-mode outputs.
        /// </summary>
        void RunCalibrationBatch(ReadOnlySpan<float> input, Span<float> output, int batchSize, BatchNormCalibrationContext context);
    }

    /// <summary>
    /// Infrastructure for generated code; not part of the supported API. What a calibration batch needs at each BatchNorm:
    /// the affine parameters (γ, β by the layer's weight-name prefix) and somewhere to put the batch statistics.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class BatchNormCalibrationContext
    {
        private readonly Func<string, (float[] Gamma, float[] Beta)> _affine;
        private readonly List<BatchNormBatchStatistics> _statistics = new();

        /// <summary>A context that reads γ and β of a BatchNorm by its weight-name prefix (e.g. "layer1.0.bn1").</summary>
        public BatchNormCalibrationContext(Func<string, (float[] Gamma, float[] Beta)> affine)
        {
            ArgumentNullException.ThrowIfNull(affine);
            _affine = affine;
        }

        /// <summary>The statistics of each BatchNorm the last batch ran through, in execution order.</summary>
        public IReadOnlyList<BatchNormBatchStatistics> Statistics => _statistics;

        /// <summary>
        /// One BatchNorm of a calibration batch: per-channel mean and M2 over all samples and pixels (n = N·H·W, in double,
        /// two passes: the mean first, then the squared deviations from it), then y = (x − mean)/√(biased var + ε)·γ + β
        /// (biased var = M2/n, as PyTorch normalises in training mode) into the output buffers' interiors; the channel
        /// padding of the output is set to 0 (what the scale-and-shift kernel writes there). Records the batch mean and the
        /// UNBIASED variance M2/(n − 1), which is what PyTorch folds into running_var.
        /// </summary>
        /// <param name="prefix">The BatchNorm's weight-name prefix (its tensors are prefix.weight, prefix.bias, …).</param>
        /// <param name="epsilon">ε of the layer.</param>
        /// <param name="inputs">The BatchNorm's input buffer of each sample (NHWC, border, channel stride).</param>
        /// <param name="outputs">Its output buffer of each sample (may be the input buffers: in place).</param>
        /// <param name="channels">C.</param><param name="height">H (1 for a flat tensor).</param><param name="width">W (1 for a flat tensor).</param>
        /// <param name="inputBorder">Zero border of the input buffers.</param><param name="inputStride">Channel stride of the input buffers.</param>
        /// <param name="outputBorder">Zero border of the output buffers.</param><param name="outputStride">Channel stride of the output buffers.</param>
        /// <param name="recordStatistics">
        /// False for a BatchNorm without running statistics (track_running_stats=False): it normalises the same way (in both
        /// modes), but has no running statistics to recalibrate.
        /// </param>
        public void BatchNorm(string prefix, float epsilon, AlignedBuffer[] inputs, AlignedBuffer[] outputs, int channels, int height, int width,
            int inputBorder, int inputStride, int outputBorder, int outputStride, bool recordStatistics = true)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            ArgumentNullException.ThrowIfNull(outputs);
            long n = (long)inputs.Length * height * width;
            if (n < 2)
            {
                throw new ArgumentException(
                    $"BatchNorm '{prefix}': a calibration batch gives it {n} value per channel ({inputs.Length} sample(s) of {height}×{width}); " +
                    "batch statistics need at least 2 (PyTorch raises 'Expected more than 1 value per channel when training'). Use larger batches.");
            }
            (float[] gamma, float[] beta) = _affine(prefix);
            var mean = new double[channels];
            var m2 = new double[channels];
            foreach (AlignedBuffer buffer in inputs)
            {
                Span<float> span = buffer.Span;
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                    {
                        Span<float> pixel = span.Slice(Offset(y, x, width, inputBorder, inputStride), channels);
                        for (int c = 0; c < channels; c++) mean[c] += pixel[c];
                    }
            }
            for (int c = 0; c < channels; c++) mean[c] /= n;
            foreach (AlignedBuffer buffer in inputs)
            {
                Span<float> span = buffer.Span;
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                    {
                        Span<float> pixel = span.Slice(Offset(y, x, width, inputBorder, inputStride), channels);
                        for (int c = 0; c < channels; c++)
                        {
                            double d = pixel[c] - mean[c];
                            m2[c] += d * d;
                        }
                    }
            }

            var scale = new double[channels];
            var shift = new double[channels];
            var unbiased = new double[channels];
            for (int c = 0; c < channels; c++)
            {
                double biased = m2[c] / n;
                unbiased[c] = m2[c] / (n - 1);
                scale[c] = gamma[c] / Math.Sqrt(biased + epsilon);
                shift[c] = beta[c] - mean[c] * scale[c];
            }

            // Normalise sample by sample; the input is read before the output is written at each pixel, so in place is safe.
            var values = new float[channels];
            for (int s = 0; s < inputs.Length; s++)
            {
                Span<float> source = inputs[s].Span, target = outputs[s].Span;
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                    {
                        int from = Offset(y, x, width, inputBorder, inputStride);
                        int to = Offset(y, x, width, outputBorder, outputStride);
                        for (int c = 0; c < channels; c++) values[c] = (float)(source[from + c] * scale[c] + shift[c]);
                        values.AsSpan().CopyTo(target.Slice(to, channels));
                        target.Slice(to + channels, outputStride - channels).Clear();
                    }
            }
            if (recordStatistics) _statistics.Add(new BatchNormBatchStatistics(prefix, mean, unbiased, n));
        }

        /// <summary>Offset of interior pixel (y, x) in an NHWC buffer with a zero border.</summary>
        private static int Offset(int y, int x, int width, int border, int stride) => ((y + border) * (width + 2 * border) + x + border) * stride;

        /// <summary>The statistics recorded since the last call, in execution order; clears them (one call per batch).</summary>
        internal List<BatchNormBatchStatistics> TakeStatistics()
        {
            var taken = new List<BatchNormBatchStatistics>(_statistics);
            _statistics.Clear();
            return taken;
        }

        /// <summary>
        /// Per-sample scratch the generated calibration pass keeps between batches of one recalibration (its own private type,
        /// so an object here); allocated again when a batch is larger.
        /// </summary>
        public object? ScratchCache { get; set; }
    }

    /// <summary>Infrastructure; not part of the supported API. One BatchNorm's statistics over one calibration batch.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class BatchNormBatchStatistics
    {
        internal BatchNormBatchStatistics(string prefix, double[] mean, double[] unbiasedVariance, long count)
        {
            Prefix = prefix;
            Mean = mean;
            UnbiasedVariance = unbiasedVariance;
            Count = count;
        }

        /// <summary>The BatchNorm's weight-name prefix.</summary>
        public string Prefix { get; }
        /// <summary>Per-channel mean over the batch's N·H·W values.</summary>
        public IReadOnlyList<double> Mean { get; }
        /// <summary>Per-channel variance with Bessel's correction (divided by n − 1), as PyTorch's running_var update uses.</summary>
        public IReadOnlyList<double> UnbiasedVariance { get; }
        /// <summary>n = N·H·W values per channel.</summary>
        public long Count { get; }
    }
}
