using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FusedNet.Internal;

namespace FusedNet
{
    /// <summary>How <see cref="BatchNormRecalibration.Recalibrate(IFusedNetwork, IWeightSource, IEnumerable{ReadOnlyMemory{float}}, BatchNormRecalibrationOptions?)"/> updates the running statistics.</summary>
    public sealed class BatchNormRecalibrationOptions
    {
        /// <summary>
        /// PyTorch's BatchNorm momentum: after each batch, running = (1 − momentum)·running + momentum·batch. Null (the
        /// default) is PyTorch's momentum=None: a cumulative average, factor 1/num_batches_tracked, so after the batches the
        /// running statistics are the plain mean of the per-batch statistics (what torch.optim.swa_utils.update_bn computes).
        /// Keras/TensorFlow's momentum m (running = m·running + (1 − m)·batch, e.g. 0.9 or 0.99) is PyTorch momentum 1 − m.
        /// </summary>
        public double? Momentum { get; init; }

        /// <summary>
        /// Start from running_mean = 0, running_var = 1 and num_batches_tracked = 0, as PyTorch's reset_running_stats()
        /// (default true: recalibration means recomputing the statistics from the data, and with the default cumulative
        /// momentum the old statistics would be overwritten by the first batch anyway). False continues from the source's
        /// running statistics and its num_batches_tracked (read when stored as a float tensor; an integer count cannot be
        /// read through <see cref="IWeightSource"/>, so a null momentum then throws).
        /// </summary>
        public bool ResetRunningStatistics { get; init; } = true;
    }

    /// <summary>
    /// Recomputes every BatchNorm's running_mean and running_var from calibration data, as PyTorch's training mode would,
    /// and returns the updated weights (rebuild the network from them, or save them with <see cref="SafetensorsFile.Save(string, IWeightSource, TensorDataType)"/>).
    /// </summary>
    public static class BatchNormRecalibration
    {
        /// <summary>
        /// Runs each batch through <paramref name="network"/> with every BatchNorm normalising with the batch's own statistics
        /// (biased variance, as PyTorch training mode), and updates each BatchNorm's running statistics from them: per channel
        /// the batch mean and the UNBIASED variance (n/(n − 1) times the biased one, n = N·H·W), combined by
        /// <see cref="BatchNormRecalibrationOptions.Momentum"/>. Returns a copy of every float tensor of
        /// <paramref name="weights"/> with new running_mean, running_var and (where the source has one) num_batches_tracked,
        /// stored as a 0-dim float. The network is not changed: build a new one from the result.
        /// </summary>
        /// <param name="network">A generated network built from <paramref name="weights"/> (its convolutions, γ and β are used).</param>
        /// <param name="weights">The weights the network was built from.</param>
        /// <param name="batches">Calibration batches: each N·<see cref="IFusedNetwork.InputLength"/> floats, NCHW (N ≥ 1, at least
        /// 2 values per channel at every BatchNorm). Runs one batch at a time; memory grows with the batch size (one scratch per sample).</param>
        /// <param name="options">Momentum and reset; null for the defaults (cumulative average from reset statistics).</param>
        /// <exception cref="ArgumentException">A batch's length is not a positive multiple of the input length, there are no batches, or a BatchNorm sees a single value per channel.</exception>
        /// <exception cref="InvalidDataException">A BatchNorm tensor is missing from <paramref name="weights"/>.</exception>
        public static InMemoryWeights Recalibrate(IFusedNetwork network, IWeightSource weights, IEnumerable<ReadOnlyMemory<float>> batches,
            BatchNormRecalibrationOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(weights);
            ArgumentNullException.ThrowIfNull(batches);
            options ??= new BatchNormRecalibrationOptions();
            if (options.Momentum is double m && !(m >= 0 && m <= 1))
                throw new ArgumentOutOfRangeException(nameof(options), $"Momentum must be in [0, 1] (PyTorch's convention), not {m}.");
            if (network is not IBatchNormCalibration calibration)
                throw new ArgumentException($"{network.GetType().Name} is not a FusedNet generated network.", nameof(network));

            var result = CopyFloatTensors(weights);
            var running = new Dictionary<string, RunningStatistics>(StringComparer.Ordinal);
            RunningStatistics Running(string prefix)
            {
                if (!running.TryGetValue(prefix, out RunningStatistics? r))
                {
                    r = RunningStatistics.Start(result, weights, prefix, options.ResetRunningStatistics, options.Momentum is null);
                    running.Add(prefix, r);
                }
                return r;
            }
            // One context for all batches: the generated pass keeps its per-sample scratch in it between batches.
            var context = new BatchNormCalibrationContext(prefix => (Read(result, prefix + ".weight"), Read(result, prefix + ".bias")));
            int batchCount = 0;
            foreach (ReadOnlyMemory<float> batch in batches)
            {
                if (batch.Length == 0 || batch.Length % network.InputLength != 0)
                    throw new ArgumentException($"Calibration batch {batchCount} has {batch.Length} floats: not a positive multiple of the input length {network.InputLength}.", nameof(batches));
                int batchSize = batch.Length / network.InputLength;
                var output = new float[(long)batchSize * network.OutputLength];
                calibration.RunCalibrationBatch(batch.Span, output, batchSize, context);
                // PyTorch's update, once per BatchNorm call of the batch, in execution order.
                foreach (BatchNormBatchStatistics s in context.TakeStatistics())
                    Running(s.Prefix).Update(s, options.Momentum);
                batchCount++;
            }
            if (batchCount == 0) throw new ArgumentException("No calibration batches.", nameof(batches));
            foreach (RunningStatistics r in running.Values) r.WriteTo(result);
            return result;
        }

        /// <summary>As above, with each batch a float array.</summary>
        public static InMemoryWeights Recalibrate(IFusedNetwork network, IWeightSource weights, IEnumerable<float[]> batches,
            BatchNormRecalibrationOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(batches);
            return Recalibrate(network, weights, batches.Select(b => (ReadOnlyMemory<float>)b), options);
        }

        private static InMemoryWeights CopyFloatTensors(IWeightSource source)
        {
            var copy = new InMemoryWeights();
            foreach (string name in source.TensorNames)
            {
                if (!source.TryGetTensorInfo(name, out TensorInfo info) || !info.IsFloatingPoint) continue; // e.g. an I64 num_batches_tracked: rewritten below
                var values = new float[info.ElementCount];
                source.ReadFloat32(name, values);
                copy.Add(name, values, info.Shape.Select(d => (int)d).ToArray());
            }
            return copy;
        }

        private static float[] Read(InMemoryWeights weights, string name)
        {
            if (!weights.TryGetTensorInfo(name, out _))
                throw new InvalidDataException($"BatchNorm recalibration: the weights have no float tensor '{name}'.");
            return weights.GetValues(name).ToArray();
        }

        /// <summary>One BatchNorm's running statistics during recalibration, in double.</summary>
        private sealed class RunningStatistics
        {
            private readonly string _prefix;
            private readonly double[] _mean, _variance;
            private long _batches;
            private readonly bool _hasCount;

            private RunningStatistics(string prefix, double[] mean, double[] variance, long batches, bool hasCount)
            {
                _prefix = prefix;
                _mean = mean;
                _variance = variance;
                _batches = batches;
                _hasCount = hasCount;
            }

            public static RunningStatistics Start(InMemoryWeights copy, IWeightSource source, string prefix, bool reset, bool cumulative)
            {
                float[] mean = Read(copy, prefix + ".running_mean"), variance = Read(copy, prefix + ".running_var");
                string countName = prefix + ".num_batches_tracked";
                bool hasCount = source.TryGetTensorInfo(countName, out TensorInfo countInfo);
                long batches = 0;
                if (!reset && hasCount)
                {
                    if (countInfo.IsFloatingPoint && countInfo.ElementCount == 1)
                    {
                        var value = new float[1];
                        source.ReadFloat32(countName, value);
                        batches = (long)value[0];
                    }
                    else if (cumulative)
                    {
                        throw new InvalidDataException(
                            $"BatchNorm recalibration: '{countName}' is {countInfo.DataTypeName}, which cannot be read as float; a cumulative average " +
                            "(Momentum = null) continuing from the stored statistics needs it. Reset the statistics or give a momentum.");
                    }
                }
                if (reset)
                {
                    Array.Fill(mean, 0f);
                    Array.Fill(variance, 1f);
                }
                return new RunningStatistics(prefix, Array.ConvertAll(mean, v => (double)v), Array.ConvertAll(variance, v => (double)v), batches, hasCount);
            }

            /// <summary>PyTorch: num_batches_tracked += 1; factor = momentum ?? 1/num_batches_tracked; running = (1 − f)·running + f·batch.</summary>
            public void Update(BatchNormBatchStatistics batch, double? momentum)
            {
                _batches++;
                double factor = momentum ?? 1.0 / _batches;
                for (int c = 0; c < _mean.Length; c++)
                {
                    _mean[c] = (1 - factor) * _mean[c] + factor * batch.Mean[c];
                    _variance[c] = (1 - factor) * _variance[c] + factor * batch.UnbiasedVariance[c];
                }
            }

            public void WriteTo(InMemoryWeights weights)
            {
                int channels = _mean.Length;
                weights.Set(_prefix + ".running_mean", Array.ConvertAll(_mean, v => (float)v), channels);
                weights.Set(_prefix + ".running_var", Array.ConvertAll(_variance, v => (float)v), channels);
                if (_hasCount) weights.Set(_prefix + ".num_batches_tracked", new float[] { _batches });
            }
        }
    }
}
