using System;
using System.Collections.Generic;
using FusedNet.Bench.Onnx;

namespace FusedNet.Bench.Specs
{
    /// <summary>
    /// One row of a bench network's spec: a layer with all its hyperparameters, able to say its output
    /// shape, the PyTorch tensors it owns, its ONNX nodes and a plain scalar evaluation. Every kind keeps
    /// those four together so they cannot drift apart. The spec duplicates the attribute declaration on
    /// purpose (the generated LayerInfo does not carry every hyperparameter); NetworkSpec checks the two
    /// against each other.
    /// </summary>
    internal abstract class LayerSpec
    {
        /// <summary>The generated <see cref="LayerInfo.Kind"/> this row must match, e.g. "Conv2d".</summary>
        public abstract string Kind { get; }

        public abstract TensorShape OutputShape(TensorShape input);

        /// <summary>Tensors as (suffix after the "prefix." part, PyTorch shape).</summary>
        public virtual IEnumerable<(string Suffix, int[] Shape)> Weights(TensorShape input) => Array.Empty<(string, int[])>();

        /// <summary>Adds this layer's nodes and initializers; returns the name of the value it produces.</summary>
        public abstract string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights);

        /// <summary>The PyTorch formula computed naively in double precision: an arbiter when ORT and FusedNet disagree.</summary>
        public abstract float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights);

        protected static TensorShape RequireSpatial(TensorShape input, string kind) =>
            input.IsFlat ? throw new InvalidOperationException($"{kind} needs a [C, H, W] input, got {input}.") : input;

        protected static float[] ReadTensor(IWeightSource weights, string name, int count)
        {
            var values = new float[count];
            weights.ReadFloat32(name, values);
            return values;
        }

        protected static long[] OnnxDims(int[] shape) => Array.ConvertAll(shape, d => (long)d);

        /// <summary>Copies a weight tensor from the source into the ONNX graph under its PyTorch name.</summary>
        protected static void AddWeight(OnnxModelBuilder onnx, IWeightSource weights, string name, int[] shape)
        {
            int count = 1;
            foreach (int d in shape) count *= d;
            onnx.AddInitializer(name, OnnxDims(shape), ReadTensor(weights, name, count));
        }

        /// <summary>Batch 1 NCHW (or [1, F]) dims of a sample shape, as the ONNX graph sees it.</summary>
        public static long[] BatchDims(TensorShape shape) =>
            shape.IsFlat ? new long[] { 1, shape.Channels } : new long[] { 1, shape.Channels, shape.Height, shape.Width };
    }

    /// <summary>nn.Conv2d (square kernel, zero padding, no dilation) → ONNX Conv.</summary>
    internal sealed class ConvSpec : LayerSpec
    {
        public ConvSpec(int outChannels, int kernel, int stride = 1, int padding = 0, int groups = 1, bool bias = true)
        {
            OutChannels = outChannels;
            Kernel = kernel;
            Stride = stride;
            Padding = padding;
            Groups = groups;
            Bias = bias;
        }

        public int OutChannels { get; }
        public int Kernel { get; }
        public int Stride { get; }
        public int Padding { get; }
        public int Groups { get; }
        public bool Bias { get; }
        public override string Kind => "Conv2d";

        public override TensorShape OutputShape(TensorShape input)
        {
            RequireSpatial(input, Kind);
            if (input.Channels % Groups != 0 || OutChannels % Groups != 0)
                throw new InvalidOperationException($"Conv2d groups {Groups} must divide in {input.Channels} and out {OutChannels}.");
            return new TensorShape(OutChannels, OutSize(input.Height), OutSize(input.Width));
        }

        private int OutSize(int size) => (size + 2 * Padding - Kernel) / Stride + 1;

        private int[] WeightShape(TensorShape input) => new[] { OutChannels, input.Channels / Groups, Kernel, Kernel };

        public override IEnumerable<(string Suffix, int[] Shape)> Weights(TensorShape input)
        {
            yield return ("weight", WeightShape(input));
            if (Bias) yield return ("bias", new[] { OutChannels });
        }

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            AddWeight(onnx, weights, prefix + ".weight", WeightShape(input));
            var inputs = new List<string> { inputName, prefix + ".weight" };
            if (Bias)
            {
                AddWeight(onnx, weights, prefix + ".bias", new[] { OutChannels });
                inputs.Add(prefix + ".bias");
            }
            string output = prefix + ".conv";
            onnx.AddNode("Conv", prefix, inputs.ToArray(), output,
                OnnxAttribute.Int("group", Groups),
                OnnxAttribute.Ints("kernel_shape", Kernel, Kernel),
                OnnxAttribute.Ints("strides", Stride, Stride),
                OnnxAttribute.Ints("pads", Padding, Padding, Padding, Padding),
                OnnxAttribute.Ints("dilations", 1, 1));
            return output;
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights)
        {
            TensorShape outShape = OutputShape(inputShape);
            int inPerGroup = inputShape.Channels / Groups, outPerGroup = OutChannels / Groups;
            float[] w = ReadTensor(weights, prefix + ".weight", OutChannels * inPerGroup * Kernel * Kernel);
            float[] b = Bias ? ReadTensor(weights, prefix + ".bias", OutChannels) : new float[OutChannels];
            int inH = inputShape.Height, inW = inputShape.Width;
            var output = new float[outShape.Length];
            for (int o = 0; o < OutChannels; o++)
            {
                int firstIn = o / outPerGroup * inPerGroup;
                for (int y = 0; y < outShape.Height; y++)
                for (int x = 0; x < outShape.Width; x++)
                {
                    double sum = b[o];
                    for (int i = 0; i < inPerGroup; i++)
                    for (int ky = 0; ky < Kernel; ky++)
                    for (int kx = 0; kx < Kernel; kx++)
                    {
                        int iy = y * Stride - Padding + ky, ix = x * Stride - Padding + kx;
                        if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
                        sum += (double)w[((o * inPerGroup + i) * Kernel + ky) * Kernel + kx]
                             * input[((firstIn + i) * inH + iy) * inW + ix];
                    }
                    output[(o * outShape.Height + y) * outShape.Width + x] = (float)sum;
                }
            }
            return output;
        }
    }

    /// <summary>nn.BatchNorm2d in eval mode → its own ONNX BatchNormalization node (ORT folds it, as we do).</summary>
    internal sealed class BatchNormSpec : LayerSpec
    {
        public BatchNormSpec(float epsilon = 1e-5f) => Epsilon = epsilon;

        public float Epsilon { get; }
        public override string Kind => "BatchNorm2d";

        public override TensorShape OutputShape(TensorShape input) => RequireSpatial(input, Kind);

        public override IEnumerable<(string Suffix, int[] Shape)> Weights(TensorShape input)
        {
            int[] c = { input.Channels };
            yield return ("weight", c);
            yield return ("bias", c);
            yield return ("running_mean", c);
            yield return ("running_var", c);
        }

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            var names = new List<string> { inputName };
            foreach (var (suffix, shape) in Weights(input))
            {
                AddWeight(onnx, weights, prefix + "." + suffix, shape);
                names.Add(prefix + "." + suffix); // ONNX order: X, scale, B, input_mean, input_var
            }
            string output = prefix + ".bn";
            onnx.AddNode("BatchNormalization", prefix, names.ToArray(), output, OnnxAttribute.Float("epsilon", Epsilon));
            return output;
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights)
        {
            int c = inputShape.Channels, plane = inputShape.Height * inputShape.Width;
            float[] gamma = ReadTensor(weights, prefix + ".weight", c), beta = ReadTensor(weights, prefix + ".bias", c);
            float[] mean = ReadTensor(weights, prefix + ".running_mean", c), variance = ReadTensor(weights, prefix + ".running_var", c);
            var output = new float[input.Length];
            for (int ch = 0; ch < c; ch++)
            {
                double scale = gamma[ch] / Math.Sqrt(variance[ch] + (double)Epsilon);
                for (int i = 0; i < plane; i++)
                    output[ch * plane + i] = (float)((input[ch * plane + i] - (double)mean[ch]) * scale + beta[ch]);
            }
            return output;
        }
    }

    /// <summary>nn.ReLU → Relu.</summary>
    internal sealed class ReluSpec : LayerSpec
    {
        public override string Kind => "ReLU";
        public override TensorShape OutputShape(TensorShape input) => input;

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            string output = prefix + ".relu";
            onnx.AddNode("Relu", prefix, new[] { inputName }, output);
            return output;
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights) =>
            Array.ConvertAll(input, v => Math.Max(v, 0f));
    }

    /// <summary>nn.ReLU6 → Clip with min 0 and max 6 given as scalar inputs (opset ≥ 11 form).</summary>
    internal sealed class Relu6Spec : LayerSpec
    {
        public override string Kind => "ReLU6";
        public override TensorShape OutputShape(TensorShape input) => input;

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            onnx.AddInitializer(prefix + ".clip_min", Array.Empty<long>(), new[] { 0f });
            onnx.AddInitializer(prefix + ".clip_max", Array.Empty<long>(), new[] { 6f });
            string output = prefix + ".relu6";
            onnx.AddNode("Clip", prefix, new[] { inputName, prefix + ".clip_min", prefix + ".clip_max" }, output);
            return output;
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights) =>
            Array.ConvertAll(input, v => Math.Min(Math.Max(v, 0f), 6f));
    }

    /// <summary>nn.MaxPool2d(k) with stride k and no padding → MaxPool.</summary>
    internal sealed class MaxPoolSpec : LayerSpec
    {
        public MaxPoolSpec(int kernel) => Kernel = kernel;

        public int Kernel { get; }
        public override string Kind => "MaxPool2d";

        public override TensorShape OutputShape(TensorShape input)
        {
            RequireSpatial(input, Kind);
            return new TensorShape(input.Channels, input.Height / Kernel, input.Width / Kernel);
        }

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            string output = prefix + ".maxpool";
            onnx.AddNode("MaxPool", prefix, new[] { inputName }, output,
                OnnxAttribute.Ints("kernel_shape", Kernel, Kernel),
                OnnxAttribute.Ints("strides", Kernel, Kernel),
                OnnxAttribute.Ints("pads", 0, 0, 0, 0));
            return output;
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights)
        {
            TensorShape o = OutputShape(inputShape);
            var output = new float[o.Length];
            for (int c = 0; c < o.Channels; c++)
            for (int y = 0; y < o.Height; y++)
            for (int x = 0; x < o.Width; x++)
            {
                float max = float.NegativeInfinity;
                for (int ky = 0; ky < Kernel; ky++)
                for (int kx = 0; kx < Kernel; kx++)
                    max = Math.Max(max, input[(c * inputShape.Height + y * Kernel + ky) * inputShape.Width + x * Kernel + kx]);
                output[(c * o.Height + y) * o.Width + x] = max;
            }
            return output;
        }
    }

    /// <summary>AdaptiveAvgPool2d(1) + flatten → GlobalAveragePool then Flatten(axis 1), giving [1, C].</summary>
    internal sealed class GlobalAvgPoolSpec : LayerSpec
    {
        public override string Kind => "GlobalAvgPool2d";

        public override TensorShape OutputShape(TensorShape input) => TensorShape.Flat(RequireSpatial(input, Kind).Channels);

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            onnx.AddNode("GlobalAveragePool", prefix, new[] { inputName }, prefix + ".gap");
            onnx.AddNode("Flatten", prefix + ".flatten", new[] { prefix + ".gap" }, prefix + ".flat", OnnxAttribute.Int("axis", 1));
            return prefix + ".flat";
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

    /// <summary>nn.Linear on a flat input → Gemm with transB = 1 (PyTorch stores W as [out, in]).</summary>
    internal sealed class LinearSpec : LayerSpec
    {
        public LinearSpec(int outFeatures, bool bias = true)
        {
            OutFeatures = outFeatures;
            Bias = bias;
        }

        public int OutFeatures { get; }
        public bool Bias { get; }
        public override string Kind => "Linear";

        public override TensorShape OutputShape(TensorShape input) =>
            input.IsFlat ? TensorShape.Flat(OutFeatures) : throw new InvalidOperationException($"Linear needs a flat input in this spec, got {input}.");

        public override IEnumerable<(string Suffix, int[] Shape)> Weights(TensorShape input)
        {
            yield return ("weight", new[] { OutFeatures, input.Channels });
            if (Bias) yield return ("bias", new[] { OutFeatures });
        }

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            OutputShape(input);
            var inputs = new List<string> { inputName };
            foreach (var (suffix, shape) in Weights(input))
            {
                AddWeight(onnx, weights, prefix + "." + suffix, shape);
                inputs.Add(prefix + "." + suffix);
            }
            string output = prefix + ".gemm";
            onnx.AddNode("Gemm", prefix, inputs.ToArray(), output, OnnxAttribute.Int("transB", 1));
            return output;
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights)
        {
            int inFeatures = inputShape.Channels;
            float[] w = ReadTensor(weights, prefix + ".weight", OutFeatures * inFeatures);
            float[] b = Bias ? ReadTensor(weights, prefix + ".bias", OutFeatures) : new float[OutFeatures];
            var output = new float[OutFeatures];
            for (int o = 0; o < OutFeatures; o++)
            {
                double sum = b[o];
                for (int i = 0; i < inFeatures; i++) sum += (double)w[o * inFeatures + i] * input[i];
                output[o] = (float)sum;
            }
            return output;
        }
    }
}
