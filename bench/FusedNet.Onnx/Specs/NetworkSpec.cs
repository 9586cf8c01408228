using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
namespace FusedNet.Onnx.Specs
{
    /// <summary>
    /// A network described once as a table of <see cref="LayerSpec"/> rows. From it come the expected PyTorch
    /// tensors (prefix = the layer's Name, else its index, as nn.Sequential numbers children), the ONNX model
    /// and a scalar reference. <see cref="VerifyAgainst"/> proves it describes the same network as the
    /// generated FusedNet class, so the ONNX graph cannot silently drift from the declaration. Used by the
    /// benchmarks (bench/FusedNet.Bench/Networks/BenchSpecs.cs) and the test suite's ONNX Runtime oracle.
    /// </summary>
    public sealed class NetworkSpec
    {
        private readonly TensorShape[] _layerInputs;

        public NetworkSpec(TensorShape inputShape, params LayerSpec[] layers)
        {
            InputShape = inputShape;
            Layers = layers;
            _layerInputs = new TensorShape[layers.Length];
            TensorShape shape = inputShape;
            for (int i = 0; i < layers.Length; i++)
            {
                _layerInputs[i] = shape;
                shape = layers[i].OutputShape(shape);
            }
            OutputShape = shape;
        }

        public TensorShape InputShape { get; }
        public TensorShape OutputShape { get; }
        public IReadOnlyList<LayerSpec> Layers { get; }

        /// <summary>The input shape of layer <paramref name="index"/>.</summary>
        public TensorShape LayerInput(int index) => _layerInputs[index];

        /// <summary>Weight-name prefix of layer <paramref name="index"/>: its Name, else its 0-based index.</summary>
        public string Prefix(int index) => Layers[index].Name ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Every tensor the network reads, in layer order: (PyTorch name, shape).</summary>
        public IReadOnlyList<(string Name, int[] Shape)> ExpectedWeights()
        {
            var result = new List<(string, int[])>();
            for (int i = 0; i < Layers.Count; i++)
                foreach (var (suffix, shape) in Layers[i].Weights(_layerInputs[i]))
                    result.Add((Prefix(i) + "." + suffix, shape));
            return result;
        }

        /// <summary>The ONNX model (batch 1, input "input", output "output") with initializers copied from <paramref name="weights"/>.</summary>
        public byte[] ToOnnxModel(string graphName, IWeightSource weights)
        {
            var onnx = new OnnxModelBuilder(graphName);
            onnx.AddInput(OnnxInputName, LayerSpec.BatchDims(InputShape));
            string value = OnnxInputName;
            for (int i = 0; i < Layers.Count; i++)
                value = Layers[i].AppendOnnx(onnx, Prefix(i), _layerInputs[i], value, weights);
            // Give the last value the fixed output name through an Identity node (ORT removes it).
            onnx.AddNode("Identity", "output", new[] { value }, OnnxOutputName);
            onnx.AddOutput(OnnxOutputName, LayerSpec.BatchDims(OutputShape));
            return onnx.Build();
        }

        public const string OnnxInputName = "input";
        public const string OnnxOutputName = "output";

        /// <summary>Scalar, double-accumulated evaluation of one sample (slow; the bench's --check uses it as an arbiter).</summary>
        public float[] EvaluateReference(ReadOnlySpan<float> input, IWeightSource weights)
        {
            float[] values = input.ToArray();
            for (int i = 0; i < Layers.Count; i++)
                values = Layers[i].Evaluate(values, _layerInputs[i], Prefix(i), weights);
            return values;
        }

        /// <summary>
        /// Throws if the generated network is not the network this spec describes: same layer kinds,
        /// names and shapes, same tensor names and shapes in the same order. Shapes pin kernel, stride,
        /// padding, dilation and groups; BatchNorm epsilon and the activations' parameters (LeakyReLU slope, ELU alpha,
        /// GELU form) are what this cannot see: the output comparison against FusedNet catches those.
        /// </summary>
        public void VerifyAgainst(string key, IFusedNetwork network)
        {
            var problems = new List<string>();
            if (network.InputShape != InputShape) problems.Add($"input shape: spec {InputShape}, network {network.InputShape}");
            if (network.OutputShape != OutputShape) problems.Add($"output shape: spec {OutputShape}, network {network.OutputShape}");

            IReadOnlyList<LayerInfo> layers = network.Layers;
            if (layers.Count != Layers.Count) problems.Add($"layer count: spec {Layers.Count}, network {layers.Count}");
            for (int i = 0; i < Math.Min(layers.Count, Layers.Count); i++)
            {
                LayerInfo actual = layers[i];
                string expectedOut = Layers[i].OutputShape(_layerInputs[i]).ToString();
                if (actual.Kind != Layers[i].Kind || actual.Name != Prefix(i)
                    || actual.InputShape != _layerInputs[i] || actual.OutputShape.ToString() != expectedOut)
                    problems.Add($"layer {i}: spec {Prefix(i)} {Layers[i].Kind} {_layerInputs[i]} -> {expectedOut}, network {actual}");
            }

            string expectedTensors = string.Join("; ", ExpectedWeights().Select(w => $"{w.Name} [{string.Join(", ", w.Shape)}]"));
            string actualTensors = string.Join("; ", network.ExpectedWeights.Select(w => $"{w.Name} {w.ShapeText}"));
            if (expectedTensors != actualTensors)
                problems.Add($"tensors:\n  spec    {expectedTensors}\n  network {actualTensors}");

            if (problems.Count > 0)
            {
                var message = new StringBuilder($"Spec '{key}' does not describe the generated network {network.GetType().Name}:");
                foreach (string p in problems) message.Append("\n- ").Append(p);
                throw new InvalidOperationException(message.ToString());
            }
        }
    }
}
