using System;
using System.Collections.Generic;
using System.Linq;

namespace FusedNet.Onnx.Specs
{
    /// <summary>
    /// A row that reads two or more tensors (the graph-only kinds of a module's Forward: Add, Cat, Mul). Its inputs
    /// are named with <see cref="LayerSpec.From"/>; the single-input members throw.
    /// </summary>
    public abstract class MergeSpec : LayerSpec
    {
        public override bool AcceptsInputCount(int count) => count == 2;

        public abstract override TensorShape OutputShape(IReadOnlyList<TensorShape> inputs);

        public abstract override string AppendOnnx(OnnxModelBuilder onnx, string prefix, IReadOnlyList<TensorShape> inputs,
            IReadOnlyList<string> inputNames, IWeightSource weights);

        public abstract override float[] Evaluate(IReadOnlyList<float[]> inputs, IReadOnlyList<TensorShape> inputShapes, string prefix, IWeightSource weights);

        public sealed override TensorShape OutputShape(TensorShape input) => throw SingleInput();

        public sealed override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights) =>
            throw SingleInput();

        public sealed override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights) => throw SingleInput();

        private InvalidOperationException SingleInput() =>
            new($"{Kind} reads several tensors: give the row its inputs with From(a, b, ...).");

        protected void RequireCount(IReadOnlyList<TensorShape> inputs)
        {
            if (!AcceptsInputCount(inputs.Count))
                throw new InvalidOperationException($"{Kind} cannot take {inputs.Count} input(s).");
        }
    }

    /// <summary>`a + b` of two tensors of the same shape (a residual connection) → ONNX Add.</summary>
    public sealed class AddSpec : MergeSpec
    {
        public override string Kind => "Add";

        public override TensorShape OutputShape(IReadOnlyList<TensorShape> inputs)
        {
            RequireCount(inputs);
            if (inputs[0] != inputs[1]) throw new InvalidOperationException($"Add needs two tensors of the same shape, got {inputs[0]} and {inputs[1]}.");
            return inputs[0];
        }

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, IReadOnlyList<TensorShape> inputs,
            IReadOnlyList<string> inputNames, IWeightSource weights)
        {
            OutputShape(inputs);
            string output = prefix + ".add";
            onnx.AddAddNode(prefix, inputNames[0], inputNames[1], output);
            return output;
        }

        public override float[] Evaluate(IReadOnlyList<float[]> inputs, IReadOnlyList<TensorShape> inputShapes, string prefix, IWeightSource weights)
        {
            OutputShape(inputShapes);
            float[] a = inputs[0], b = inputs[1];
            var output = new float[a.Length];
            for (int i = 0; i < a.Length; i++) output[i] = (float)((double)a[i] + b[i]);
            return output;
        }
    }

    /// <summary>`Tensor.Cat(a, b, ...)` along channels (same H × W; generated kind "Cat") → ONNX Concat(axis = 1).</summary>
    public sealed class ConcatSpec : MergeSpec
    {
        public override string Kind => "Cat";

        public override bool AcceptsInputCount(int count) => count >= 2;

        public override TensorShape OutputShape(IReadOnlyList<TensorShape> inputs)
        {
            RequireCount(inputs);
            TensorShape first = RequireSpatial(inputs[0], Kind);
            int channels = 0;
            foreach (TensorShape s in inputs)
            {
                if (s.IsFlat || s.Height != first.Height || s.Width != first.Width)
                    throw new InvalidOperationException($"Cat needs [C, H, W] inputs of the same H x W, got {string.Join(", ", inputs)}.");
                channels += s.Channels;
            }
            return new TensorShape(channels, first.Height, first.Width);
        }

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, IReadOnlyList<TensorShape> inputs,
            IReadOnlyList<string> inputNames, IWeightSource weights)
        {
            OutputShape(inputs);
            string output = prefix + ".concat";
            onnx.AddConcatNode(prefix, inputNames, output);
            return output;
        }

        /// <summary>In C, H, W order, concatenating along channels is concatenating the arrays.</summary>
        public override float[] Evaluate(IReadOnlyList<float[]> inputs, IReadOnlyList<TensorShape> inputShapes, string prefix, IWeightSource weights)
        {
            OutputShape(inputShapes);
            return inputs.SelectMany(a => a).ToArray();
        }
    }

    /// <summary>
    /// `x * s`: x [C, H, W] times a per-channel scale s of shape [C, 1, 1] or [C] broadcast over H × W (a squeeze-excite
    /// scale), or of x's own shape (elementwise) → ONNX Mul; a flat [C] scale is first reshaped to [1, C, 1, 1].
    /// </summary>
    public sealed class MulSpec : MergeSpec
    {
        public override string Kind => "Mul";

        public override TensorShape OutputShape(IReadOnlyList<TensorShape> inputs)
        {
            RequireCount(inputs);
            TensorShape x = inputs[0], s = inputs[1];
            bool perChannel = s.Channels == x.Channels && s.Height == 1 && s.Width == 1;
            if (x == s || (!x.IsFlat && perChannel)) return x;
            throw new InvalidOperationException($"Mul needs a scale of shape [C, 1, 1] or [C] for {x} (or the same shape), got {s}.");
        }

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, IReadOnlyList<TensorShape> inputs,
            IReadOnlyList<string> inputNames, IWeightSource weights)
        {
            OutputShape(inputs);
            string scale = inputNames[1];
            if (inputs[1].IsFlat && !inputs[0].IsFlat)
            {
                // [1, C] would broadcast against the last axis (W): make it [1, C, 1, 1] first.
                onnx.AddInt64Initializer(prefix + ".scale_shape", new long[] { 4 }, new long[] { 1, inputs[1].Channels, 1, 1 });
                onnx.AddNode("Reshape", prefix + ".reshape", new[] { scale, prefix + ".scale_shape" }, prefix + ".scale");
                scale = prefix + ".scale";
            }
            string output = prefix + ".mul";
            onnx.AddMulNode(prefix, inputNames[0], scale, output);
            return output;
        }

        public override float[] Evaluate(IReadOnlyList<float[]> inputs, IReadOnlyList<TensorShape> inputShapes, string prefix, IWeightSource weights)
        {
            TensorShape shape = OutputShape(inputShapes);
            float[] x = inputs[0], s = inputs[1];
            var output = new float[x.Length];
            if (inputShapes[0] == inputShapes[1])
            {
                for (int i = 0; i < x.Length; i++) output[i] = (float)((double)x[i] * s[i]);
                return output;
            }
            int plane = shape.Height * shape.Width;
            for (int c = 0; c < shape.Channels; c++)
            for (int i = 0; i < plane; i++)
                output[c * plane + i] = (float)((double)x[c * plane + i] * s[c]);
            return output;
        }
    }

    /// <summary>
    /// `nn.AdaptiveAvgPool2d(1)`: the mean over H × W keeping the shape [C, 1, 1] (a Flatten usually follows) →
    /// ONNX GlobalAveragePool alone (its [1, C, 1, 1] is exactly that). Unlike <see cref="GlobalAvgPoolSpec"/> it does not flatten.
    /// </summary>
    public sealed class AdaptiveAvgPoolSpec : LayerSpec
    {
        public override string Kind => "AdaptiveAvgPool2d";

        public override TensorShape OutputShape(TensorShape input) => new TensorShape(RequireSpatial(input, Kind).Channels, 1, 1);

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            OutputShape(input);
            onnx.AddNode("GlobalAveragePool", prefix, new[] { inputName }, prefix + ".gap");
            return prefix + ".gap";
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights)
        {
            int plane = inputShape.Height * inputShape.Width;
            var output = new float[inputShape.Channels];
            for (int c = 0; c < output.Length; c++)
            {
                double sum = 0;
                for (int i = 0; i < plane; i++) sum += input[c * plane + i];
                output[c] = (float)(sum / plane);
            }
            return output;
        }
    }
}
