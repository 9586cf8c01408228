using System;
using System.Collections.Generic;
using FusedNet.Onnx;
using FusedNet.Onnx.Specs;
using FusedNet.Tests.Reference;
using Microsoft.ML.OnnxRuntime;

namespace FusedNet.Tests.OnnxOracle
{
    /// <summary>
    /// ONNX Runtime as an independent oracle (docs/testing.md): a <see cref="RefNetwork"/> becomes the bench's
    /// <see cref="NetworkSpec"/> (bench/FusedNet.Onnx: the same ONNX writer and layer rows the benchmarks use),
    /// its ONNX graph is built from the same weights, and ORT computes the outputs.
    /// </summary>
    /// <remarks>
    /// The session runs with <see cref="GraphOptimizationLevel.ORT_DISABLE_ALL"/> and one thread: the oracle
    /// should execute the graph as written, one ONNX kernel per node, not ORT's rewrite of it (BN folded into
    /// Conv in float, activations fused, NCHWc layout). Then a disagreement with FusedNet is about semantics,
    /// and the graph the test built is the graph that ran. The benchmarks' --check (run by CI) compares the
    /// bench networks with every optimisation on.
    /// </remarks>
    public static class OnnxRuntimeOracle
    {
        /// <summary>The RefLayer record as the equivalent spec row (with its Name override, if any).</summary>
        public static LayerSpec ToSpec(RefLayer layer)
        {
            LayerSpec spec = layer switch
            {
                RefConv2d c => new ConvSpec(c.OutChannels, c.KernelSize, c.Stride, c.Padding, c.Groups, c.Bias, c.KernelWidth, c.Dilation),
                RefBatchNorm2d bn => new BatchNormSpec(bn.Epsilon),
                RefBatchNorm1d bn => new BatchNormSpec(bn.Epsilon, flat: true),
                RefLinear l => new LinearSpec(l.OutFeatures, l.Bias),
                RefMaxPool2d p => new PoolSpec(max: true, p.KernelSize, p.Stride, p.Padding),
                RefAvgPool2d p => new PoolSpec(max: false, p.KernelSize, p.Stride, p.Padding),
                RefGlobalAvgPool2d => new GlobalAvgPoolSpec(),
                RefFlatten => new FlattenSpec(),
                RefMaxout m => new MaxoutSpec(m.Pieces),
                RefNormalize n => new NormalizeSpec(n.Mean, n.Std),
                RefNormalizeTensors => NormalizeSpec.FromWeights(),
                RefDropout => new DropoutSpec(),
                RefReLU => ActivationSpec.Relu(),
                RefReLU6 => ActivationSpec.Relu6(),
                RefLeakyReLU a => ActivationSpec.LeakyRelu(a.NegativeSlope),
                RefELU a => ActivationSpec.Elu(a.Alpha),
                RefSigmoid => ActivationSpec.Sigmoid(),
                RefTanh => ActivationSpec.Tanh(),
                RefSiLU => ActivationSpec.Silu(),
                RefGELU g => ActivationSpec.Gelu(g.Approximate),
                RefHardswish => ActivationSpec.Hardswish(),
                RefHardsigmoid => ActivationSpec.Hardsigmoid(),
                RefLayerNorm n => new LayerNormSpec(n.Epsilon, n.ElementwiseAffine),
                RefGroupNorm n => new GroupNormSpec(n.NumGroups, n.Epsilon, n.Affine),
                RefInstanceNorm2d n => new InstanceNormSpec(n.Epsilon, n.Affine, n.TrackRunningStats),
                _ => throw new NotSupportedException($"No ONNX spec row for {layer.ToAttribute()}: add one to bench/FusedNet.Onnx/Specs/LayerSpec.cs and map it here."),
            };
            return spec.Named(layer.Name);
        }

        public static NetworkSpec ToSpec(RefNetwork network)
        {
            var rows = new LayerSpec[network.Layers.Count];
            for (int i = 0; i < rows.Length; i++) rows[i] = ToSpec(network.Layers[i]);
            var spec = new NetworkSpec(new TensorShape(network.C, network.H, network.W), rows);
            if (spec.OutputShape.ToString() != network.OutputShape.ToString())
                throw new InvalidOperationException($"The ONNX spec's output {spec.OutputShape} differs from the reference's {network.OutputShape}.");
            return spec;
        }

        /// <summary>ORT's outputs for <paramref name="samples"/> contiguous samples of <paramref name="input"/>, one array per sample.</summary>
        public static float[][] Run(RefNetwork network, IWeightSource weights, ReadOnlySpan<float> input, int samples, string graphName)
        {
            NetworkSpec spec = ToSpec(network);
            byte[] model = spec.ToOnnxModel(graphName, weights);
            using var session = new OrtNetworkSession(model,
                NetworkSpec.OnnxInputName, LayerSpec.BatchDims(spec.InputShape),
                NetworkSpec.OnnxOutputName, LayerSpec.BatchDims(spec.OutputShape),
                GraphOptimizationLevel.ORT_DISABLE_ALL);
            int inputLength = spec.InputShape.Length;
            if (input.Length != samples * inputLength)
                throw new ArgumentException($"Input holds {input.Length} floats, expected {samples}·{inputLength}.");
            var outputs = new float[samples][];
            for (int n = 0; n < samples; n++)
            {
                input.Slice(n * inputLength, inputLength).CopyTo(session.Input);
                session.Run();
                outputs[n] = session.Output.ToArray();
            }
            return outputs;
        }

        /// <summary>
        /// Checks |actual − expected| ≤ tolerance·max(1, |expected|) element by element; NaN fails. Adds one line
        /// per failing comparison to <paramref name="failures"/> and returns the largest error in that measure.
        /// </summary>
        public static double Compare(List<string> failures, string what, ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance)
        {
            if (expected.Length != actual.Length)
            {
                failures.Add($"  {what}: {actual.Length} values, expected {expected.Length}");
                return double.PositiveInfinity;
            }
            double worst = 0;
            int bad = 0, first = -1;
            for (int i = 0; i < expected.Length; i++)
            {
                double error = Math.Abs(actual[i] - expected[i]) / Math.Max(1.0, Math.Abs(expected[i]));
                if (!(error <= tolerance))
                {
                    if (first < 0) first = i;
                    bad++;
                    error = double.IsNaN(error) ? double.PositiveInfinity : error;
                }
                worst = Math.Max(worst, error);
            }
            if (bad > 0)
                failures.Add($"  {what}: {bad} of {expected.Length} elements differ; first at index {first}: " +
                    $"expected {expected[first]:R}, actual {actual[first]:R}");
            return worst;
        }

        public static double[] ToDouble(ReadOnlySpan<float> values)
        {
            var result = new double[values.Length];
            for (int i = 0; i < values.Length; i++) result[i] = values[i];
            return result;
        }
    }
}
