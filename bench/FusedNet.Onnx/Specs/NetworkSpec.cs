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
    /// <remarks>
    /// A row reads the previous row unless it names its inputs (<see cref="LayerSpec.From"/>): then the rows form a
    /// graph in execution order, as a module's Forward generates it (<see cref="LayerInfo.Inputs"/>; −1 is the network
    /// input), and the network's output is the last row's. Rows may only read rows before them.
    /// </remarks>
    public sealed class NetworkSpec
    {
        private readonly int[][] _inputIndices;
        private readonly TensorShape[][] _inputShapes;
        private readonly TensorShape[] _outputShapes;

        public NetworkSpec(TensorShape inputShape, params LayerSpec[] layers)
        {
            InputShape = inputShape;
            Layers = layers;
            _inputIndices = new int[layers.Length][];
            _inputShapes = new TensorShape[layers.Length][];
            _outputShapes = new TensorShape[layers.Length];
            for (int i = 0; i < layers.Length; i++)
            {
                IReadOnlyList<int>? named = layers[i].InputIndices;
                IsGraph |= named is not null;
                int[] inputs = named is null ? new[] { i - 1 } : named.ToArray();
                foreach (int from in inputs)
                {
                    if (from < LayerSpec.NetworkInput || from >= i)
                        throw new ArgumentException($"Row {i} ({layers[i].Kind}) reads row {from}: a row may read only rows before it, or -1 (the network input).");
                }
                if (!layers[i].AcceptsInputCount(inputs.Length))
                    throw new ArgumentException($"Row {i} ({layers[i].Kind}) cannot take {inputs.Length} input(s).");
                _inputIndices[i] = inputs;
                _inputShapes[i] = Array.ConvertAll(inputs, from => from == LayerSpec.NetworkInput ? inputShape : _outputShapes[from]);
                try
                {
                    _outputShapes[i] = layers[i].OutputShape(_inputShapes[i]);
                }
                catch (InvalidOperationException e)
                {
                    throw new ArgumentException($"Row {i} ({Prefix(i)}, {layers[i].Kind}): {e.Message}", e);
                }
            }
            OutputShape = layers.Length == 0 ? inputShape : _outputShapes[^1];
        }

        public TensorShape InputShape { get; }
        public TensorShape OutputShape { get; }
        public IReadOnlyList<LayerSpec> Layers { get; }

        /// <summary>True when some row names its inputs: the rows form a graph rather than a chain.</summary>
        public bool IsGraph { get; }

        /// <summary>The (first) input shape of layer <paramref name="index"/>, as <see cref="LayerInfo.InputShape"/>.</summary>
        public TensorShape LayerInput(int index) => _inputShapes[index][0];

        /// <summary>The output shape of layer <paramref name="index"/>.</summary>
        public TensorShape LayerOutput(int index) => _outputShapes[index];

        /// <summary>The rows layer <paramref name="index"/> reads, in operand order (−1: the network input), as <see cref="LayerInfo.Inputs"/>.</summary>
        public IReadOnlyList<int> LayerInputIndices(int index) => _inputIndices[index];

        /// <summary>Weight-name prefix of layer <paramref name="index"/>: its Name, else its 0-based index.</summary>
        public string Prefix(int index) => Layers[index].Name ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Multiply-accumulates of one sample, counted from the rows (Conv2d and Linear; the rest is not counted).</summary>
        public long MultiplyAccumulates()
        {
            long total = 0;
            for (int i = 0; i < Layers.Count; i++)
            {
                TensorShape output = _outputShapes[i];
                switch (Layers[i])
                {
                    case ConvSpec c:
                        total += (long)output.Length * (LayerInput(i).Channels / c.Groups) * c.KernelHeight * c.KernelWidth;
                        break;
                    case LinearSpec:
                        total += (long)output.Channels * LayerInput(i).Length;
                        break;
                }
            }
            return total;
        }

        /// <summary>Every tensor the network reads, in layer order: (PyTorch name, shape).</summary>
        public IReadOnlyList<(string Name, int[] Shape)> ExpectedWeights()
        {
            var result = new List<(string, int[])>();
            for (int i = 0; i < Layers.Count; i++)
                foreach (var (suffix, shape) in Layers[i].Weights(LayerInput(i)))
                    result.Add((Prefix(i) + "." + suffix, shape));
            return result;
        }

        /// <summary>
        /// <see cref="ExpectedWeights"/> as the runtime's <see cref="WeightInfo"/> (with roles), e.g. for
        /// <see cref="RandomWeights.Create"/> without a generated network.
        /// </summary>
        public IReadOnlyList<WeightInfo> ExpectedWeightInfos()
        {
            var result = new List<WeightInfo>();
            for (int i = 0; i < Layers.Count; i++)
                foreach (var (suffix, shape) in Layers[i].Weights(LayerInput(i)))
                    result.Add(new WeightInfo(Prefix(i) + "." + suffix, RoleOf(Layers[i], suffix), Prefix(i), shape));
            return result;
        }

        private static WeightRole RoleOf(LayerSpec layer, string suffix) => (layer, suffix) switch
        {
            (ConvSpec, "weight") => WeightRole.ConvWeight,
            (ConvSpec, "bias") => WeightRole.ConvBias,
            (LinearSpec, "weight") => WeightRole.LinearWeight,
            (LinearSpec, "bias") => WeightRole.LinearBias,
            (BatchNormSpec, "weight") => WeightRole.BatchNormWeight,
            (BatchNormSpec, "bias") => WeightRole.BatchNormBias,
            (BatchNormSpec, "running_mean") => WeightRole.BatchNormRunningMean,
            (BatchNormSpec, "running_var") => WeightRole.BatchNormRunningVar,
            _ => throw new NotSupportedException($"No weight role for {layer.Kind} tensor '{suffix}'."),
        };

        /// <summary>The ONNX model (batch 1, input "input", output "output") with initializers copied from <paramref name="weights"/>.</summary>
        public byte[] ToOnnxModel(string graphName, IWeightSource weights)
        {
            var onnx = new OnnxModelBuilder(graphName);
            onnx.AddInput(OnnxInputName, LayerSpec.BatchDims(InputShape));
            var values = new string[Layers.Count];
            string ValueOf(int from) => from == LayerSpec.NetworkInput ? OnnxInputName : values[from];
            for (int i = 0; i < Layers.Count; i++)
                values[i] = Layers[i].AppendOnnx(onnx, Prefix(i), _inputShapes[i], Array.ConvertAll(_inputIndices[i], ValueOf), weights);
            // Give the last value the fixed output name through an Identity node (ORT removes it).
            onnx.AddNode("Identity", "output", new[] { Layers.Count == 0 ? OnnxInputName : values[^1] }, OnnxOutputName);
            onnx.AddOutput(OnnxOutputName, LayerSpec.BatchDims(OutputShape));
            return onnx.Build();
        }

        public const string OnnxInputName = "input";
        public const string OnnxOutputName = "output";

        /// <summary>Scalar, double-accumulated evaluation of one sample (slow; the bench's --check uses it as an arbiter).</summary>
        public float[] EvaluateReference(ReadOnlySpan<float> input, IWeightSource weights)
        {
            float[] networkInput = input.ToArray();
            if (Layers.Count == 0) return networkInput;
            // Each row's output is kept until its last reader has run (a graph's skip connections live on).
            var lastReader = new int[Layers.Count];
            for (int i = 0; i < Layers.Count; i++)
                foreach (int from in _inputIndices[i])
                    if (from >= 0) lastReader[from] = i;
            var outputs = new float[Layers.Count][];
            for (int i = 0; i < Layers.Count; i++)
            {
                float[][] operands = Array.ConvertAll(_inputIndices[i], from => from == LayerSpec.NetworkInput ? networkInput : outputs[from]);
                outputs[i] = Layers[i].Evaluate(operands, _inputShapes[i], Prefix(i), weights);
                foreach (int from in _inputIndices[i])
                    if (from >= 0 && lastReader[from] == i && from != Layers.Count - 1) outputs[from] = null!;
            }
            return outputs[^1];
        }

        /// <summary>
        /// Throws if the generated network is not the network this spec describes: same layer kinds,
        /// names and shapes, same edges (<see cref="LayerInfo.Inputs"/>), same tensor names and shapes in the same
        /// order. Shapes pin kernel, stride, padding, dilation and groups; BatchNorm epsilon and the activations'
        /// parameters (LeakyReLU slope, ELU alpha, GELU form) are what this cannot see: the output comparison
        /// against FusedNet catches those. In a graph spec, the name of a row without weights is compared only when
        /// the row is <see cref="LayerSpec.Named"/>: a module front end names such layers by its own convention
        /// ("layer1.0:relu"), which is not part of the network; weighted rows always are (their names are the tensors').
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
                string expectedOut = _outputShapes[i].ToString();
                bool checkName = !IsGraph || Layers[i].Name is not null || Layers[i].Weights(LayerInput(i)).Any();
                bool sameInputs = actual.Inputs.SequenceEqual(_inputIndices[i]);
                if (actual.Kind != Layers[i].Kind || (checkName && actual.Name != Prefix(i)) || !sameInputs
                    || actual.InputShape != LayerInput(i) || actual.OutputShape.ToString() != expectedOut)
                    problems.Add($"layer {i}: spec {Prefix(i)} {Layers[i].Kind} {LayerInput(i)} -> {expectedOut} reading [{string.Join(", ", _inputIndices[i])}], " +
                        $"network {actual} reading [{string.Join(", ", actual.Inputs)}]");
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
