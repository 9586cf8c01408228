using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Model;
using FusedNet.Tests.Graphs;
using FusedNet.Tests.Reference;

namespace FusedNet.Tests.Calibration
{
    /// <summary>
    /// PyTorch training-mode BatchNorm over a batch, in double, independent of the runtime: the graph is run node by node for
    /// all samples; a BatchNorm node takes per-channel mean and variance over (N, H, W) of its input, normalises with the
    /// BIASED variance (divide by n = N·H·W) and records the UNBIASED one (divide by n − 1) for running_var, as
    /// torch.nn.functional.batch_norm(training=True) does. Every other node is the eval-mode reference (GraphNet).
    /// </summary>
    internal static class TrainModeReference
    {
        public sealed record Result(double[][] Outputs, IReadOnlyDictionary<string, (double[] Mean, double[] UnbiasedVariance)> Statistics);

        /// <param name="batchStatisticsOnly">
        /// Eval mode instead: only BatchNorms without running statistics take the batch's statistics (PyTorch does so in eval
        /// mode too); the others use their running statistics. Statistics are reported for the batch-statistics ones.
        /// </param>
        public static Result Run(GraphNet g, IWeightSource weights, ReadOnlySpan<float> input, int batch, bool batchStatisticsOnly = false)
        {
            int inLength = g.InputShape.Length;
            var x = new double[batch][];
            for (int n = 0; n < batch; n++) x[n] = input.Slice(n * inLength, inLength).ToArray().Select(v => (double)v).ToArray();
            var values = new double[g.Nodes.Count][][];
            var statistics = new Dictionary<string, (double[], double[])>();
            double[] Value(int node, int n) => node == GraphNet.In ? x[n] : values[node][n];
            foreach (GraphNode node in g.Nodes)
            {
                IReadOnlyList<int> inputs = node.Inputs;
                RefShape inShape = g.ShapeOf(inputs[0]), outShape = g.ShapeOf(node.Index);
                if (node.Kind is LayerKind.BatchNorm2d or LayerKind.BatchNorm1d && (!batchStatisticsOnly || !((RefBatchNorm)node.Ref!).TrackRunningStats))
                {
                    (values[node.Index], statistics[node.Name]) = BatchNorm(Enumerable.Range(0, batch).Select(n => Value(inputs[0], n)).ToArray(),
                        inShape, ((RefBatchNorm)node.Ref!).Epsilon, Read(weights, node.Name + ".weight"), Read(weights, node.Name + ".bias"));
                    continue;
                }
                values[node.Index] = new double[batch][];
                for (int n = 0; n < batch; n++)
                {
                    values[node.Index][n] = node.Kind switch
                    {
                        LayerKind.Add => GraphRefMath.Add(Value(inputs[0], n), Value(inputs[1], n)),
                        LayerKind.Cat => GraphRefMath.Cat(inputs.Select(i => Value(i, n)).ToList()),
                        LayerKind.Mul => GraphRefMath.MulBroadcast(Value(inputs[0], n), Value(inputs[1], n), inShape),
                        LayerKind.AdaptiveAvgPool2d => GraphRefMath.AdaptiveAvgPool1(Value(inputs[0], n), inShape),
                        LayerKind.Conv2d => GraphRefMath.Conv((RefConv2d)node.Ref!, Value(inputs[0], n), inShape, outShape, new RefLayerWeights(weights, node.Name)),
                        _ => node.Ref!.Forward(Value(inputs[0], n), inShape, outShape, new RefLayerWeights(weights, node.Name)),
                    };
                }
            }
            return new Result(values[g.ResolvedOutput], statistics);
        }

        /// <summary>y = (x − mean)/√(biased var + ε)·γ + β per channel over (N, H, W); NCHW planes of H·W per channel.</summary>
        public static (double[][] Output, (double[] Mean, double[] Unbiased) Statistics) BatchNorm(double[][] x, RefShape shape, double epsilon, float[] gamma, float[] beta)
        {
            int channels = shape.Channels, plane = shape.Length / channels;
            long count = (long)x.Length * plane;
            var mean = new double[channels];
            var unbiased = new double[channels];
            var output = x.Select(s => new double[s.Length]).ToArray();
            for (int c = 0; c < channels; c++)
            {
                double sum = 0, squares = 0;
                foreach (double[] sample in x)
                    for (int i = 0; i < plane; i++) sum += sample[c * plane + i];
                mean[c] = sum / count;
                foreach (double[] sample in x)
                    for (int i = 0; i < plane; i++) squares += (sample[c * plane + i] - mean[c]) * (sample[c * plane + i] - mean[c]);
                double biased = squares / count;
                unbiased[c] = squares / (count - 1);
                for (int n = 0; n < x.Length; n++)
                    for (int i = 0; i < plane; i++)
                        output[n][c * plane + i] = (x[n][c * plane + i] - mean[c]) / Math.Sqrt(biased + epsilon) * gamma[c] + beta[c];
            }
            return (output, (mean, unbiased));
        }

        public static float[] Read(IWeightSource weights, string name)
        {
            weights.TryGetTensorInfo(name, out TensorInfo info);
            var values = new float[info.ElementCount];
            weights.ReadFloat32(name, values);
            return values;
        }
    }
}
