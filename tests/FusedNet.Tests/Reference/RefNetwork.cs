using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace FusedNet.Tests.Reference
{
    /// <summary>One layer after shape inference: its position, weight-name prefix and shapes.</summary>
    public sealed record RefLayerShape(int Index, string Prefix, RefLayer Layer, RefShape Input, RefShape Output);

    /// <summary>
    /// A network described independently of the generator: the input shape of one sample and the layers in
    /// order. It renders itself as the FusedNet declaration a user would write, infers shapes, lists the
    /// expected state_dict tensors (DESIGN §3) and runs one sample in double precision with PyTorch's
    /// eval-mode semantics (BatchNorm is applied from its statistics, never folded).
    /// </summary>
    public sealed class RefNetwork
    {
        private IReadOnlyList<RefLayerShape>? _shapes;

        public RefNetwork(int channels, int height, int width, IReadOnlyList<RefLayer> layers)
        {
            C = channels;
            H = height;
            W = width;
            Layers = layers;
        }

        public int C { get; }
        public int H { get; }
        public int W { get; }
        public IReadOnlyList<RefLayer> Layers { get; }

        public RefShape InputShape => RefShape.Spatial(C, H, W);
        public RefShape OutputShape => Layers.Count == 0 ? InputShape : Shapes[^1].Output;
        public int InputLength => InputShape.Length;
        public int OutputLength => OutputShape.Length;

        /// <summary>Per-layer shapes; throws <see cref="ArgumentException"/> naming the layer if PyTorch would reject the network.</summary>
        public IReadOnlyList<RefLayerShape> Shapes => _shapes ??= InferShapes();

        /// <summary>Weight-name prefix of layer <paramref name="index"/>: its Name override, else its 0-based index.</summary>
        public string PrefixOf(int index) => Layers[index].Name ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Every tensor the network reads, in layer order (weight before bias, then BN statistics).</summary>
        public IReadOnlyList<RefTensor> ExpectedTensors
        {
            get
            {
                var tensors = Shapes.SelectMany(s => s.Layer.Tensors(s.Prefix, s.Input)).ToList();
                string? duplicate = tensors.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1)?.Key;
                if (duplicate is not null)
                    throw new ArgumentException($"Reference: two layers both read tensor '{duplicate}'; Name overrides must be unique.");
                return tensors;
            }
        }

        /// <summary>The declaration exactly as a user writes it (DESIGN §1), one attribute per line, ending with the class.</summary>
        public string ToDeclaration(string className)
        {
            var text = new StringBuilder();
            text.Append("[FusedNetwork(").Append(C).Append(", ").Append(H).Append(", ").Append(W).Append(")]\n");
            foreach (RefLayer layer in Layers) text.Append(layer.ToAttribute()).Append('\n');
            text.Append("public partial class ").Append(className).Append(";\n");
            return text.ToString();
        }

        /// <summary>Output of one sample (NCHW without N).</summary>
        public double[] Run(IWeightSource weights, ReadOnlySpan<float> input)
        {
            IReadOnlyList<double[]> outputs = RunLayers(weights, input);
            return outputs.Count == 0 ? ToDouble(input) : outputs[^1];
        }

        /// <summary>Outputs of <paramref name="batchSize"/> contiguous samples, one array per sample.</summary>
        public double[][] RunBatch(IWeightSource weights, ReadOnlySpan<float> input, int batchSize)
        {
            if (input.Length != batchSize * InputLength)
                throw new ArgumentException($"Reference: batch input has {input.Length} floats, expected {batchSize}·{InputLength} = {batchSize * InputLength}.");
            var outputs = new double[batchSize][];
            for (int n = 0; n < batchSize; n++) outputs[n] = Run(weights, input.Slice(n * InputLength, InputLength));
            return outputs;
        }

        /// <summary>The output of every layer for one sample, to find where two implementations part ways.</summary>
        public IReadOnlyList<double[]> RunLayers(IWeightSource weights, ReadOnlySpan<float> input)
        {
            if (input.Length != InputLength)
                throw new ArgumentException($"Reference: input has {input.Length} floats, expected {InputLength} for {InputShape}.");
            var outputs = new List<double[]>(Layers.Count);
            double[] x = ToDouble(input);
            foreach (RefLayerShape step in Shapes)
            {
                x = step.Layer.Forward(x, step.Input, step.Output, new RefLayerWeights(weights, step.Prefix));
                outputs.Add(x);
            }
            return outputs;
        }

        public override string ToString() => ToDeclaration("Net");

        private IReadOnlyList<RefLayerShape> InferShapes()
        {
            var shapes = new List<RefLayerShape>(Layers.Count);
            RefShape current = InputShape;
            if (C < 1 || H < 1 || W < 1) throw new ArgumentException($"Reference: input shape {current} must be positive.");
            for (int i = 0; i < Layers.Count; i++)
            {
                RefShape output;
                try
                {
                    output = Layers[i].OutputShape(current);
                }
                catch (InvalidOperationException e)
                {
                    throw new ArgumentException($"Reference: layer {i} {Layers[i].ToAttribute()} on input {current}: {e.Message}", e);
                }
                shapes.Add(new RefLayerShape(i, PrefixOf(i), Layers[i], current, output));
                current = output;
            }
            return shapes;
        }

        private static double[] ToDouble(ReadOnlySpan<float> values)
        {
            var result = new double[values.Length];
            for (int i = 0; i < values.Length; i++) result[i] = values[i];
            return result;
        }
    }
}
