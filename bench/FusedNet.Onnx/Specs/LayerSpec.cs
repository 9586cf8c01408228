using System;
using System.Collections.Generic;

namespace FusedNet.Onnx.Specs
{
    /// <summary>
    /// One row of a network spec: a layer with all its hyperparameters, able to say its output shape, the
    /// PyTorch tensors it owns, its ONNX nodes and a plain scalar evaluation. Every kind keeps those four
    /// together so they cannot drift apart. The spec duplicates the attribute declaration on purpose (the
    /// generated LayerInfo does not carry every hyperparameter); <see cref="NetworkSpec.VerifyAgainst"/> checks
    /// the two against each other.
    /// </summary>
    /// <remarks>
    /// ONNX semantics relied on (opset 20): Conv pads are [top, left, bottom, right] and zero-filled; MaxPool pads
    /// with −∞; AveragePool with count_include_pad = 1 divides by the whole kernel area, which equals PyTorch's
    /// divisor (the window clipped to the padded input) because in floor mode every window lies inside the padded
    /// input; Clip takes min and max as (scalar) inputs since opset 11; BatchNormalization in inference mode uses
    /// the running statistics; Dropout without training_mode is the identity; Gemm transB = 1 multiplies by Wᵀ.
    /// </remarks>
    public abstract class LayerSpec
    {
        /// <summary>The generated <see cref="LayerInfo.Kind"/> this row must match, e.g. "Conv2d".</summary>
        public abstract string Kind { get; }

        /// <summary>Weight-name prefix override (the attribute's <c>Name = "features.3"</c>); null means the layer's index.</summary>
        public string? Name { get; private set; }

        /// <summary>A copy of this row with the weight-name prefix <paramref name="name"/> (null: the layer's index).</summary>
        public LayerSpec Named(string? name)
        {
            var copy = (LayerSpec)MemberwiseClone();
            copy.Name = name;
            return copy;
        }

        /// <summary>
        /// The rows this one reads, by index in the network's row list, in operand order; <see cref="NetworkInput"/> (−1)
        /// is the network input. Null (the default) means the previous row, so a chain needs no indices at all.
        /// </summary>
        public IReadOnlyList<int>? InputIndices { get; private set; }

        /// <summary>The index <see cref="InputIndices"/> uses for the network's input, as <see cref="LayerInfo.Inputs"/>.</summary>
        public const int NetworkInput = -1;

        /// <summary>A copy of this row reading the rows <paramref name="inputs"/> (−1: the network input) instead of the previous one.</summary>
        public LayerSpec From(params int[] inputs)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            if (inputs.Length == 0) throw new ArgumentException("A layer reads at least one input.", nameof(inputs));
            var copy = (LayerSpec)MemberwiseClone();
            copy.InputIndices = Array.AsReadOnly((int[])inputs.Clone());
            return copy;
        }

        /// <summary>How many inputs the row takes: 1 for every single-input layer; <see cref="MergeSpec"/> says otherwise.</summary>
        public virtual bool AcceptsInputCount(int count) => count == 1;

        /// <summary>The output shape for all of the row's inputs (operand order); single-input rows use <see cref="OutputShape(TensorShape)"/>.</summary>
        public virtual TensorShape OutputShape(IReadOnlyList<TensorShape> inputs) => OutputShape(Single(inputs));

        /// <summary>The ONNX nodes for all of the row's inputs; single-input rows use the single-input overload.</summary>
        public virtual string AppendOnnx(OnnxModelBuilder onnx, string prefix, IReadOnlyList<TensorShape> inputs,
            IReadOnlyList<string> inputNames, IWeightSource weights) =>
            AppendOnnx(onnx, prefix, Single(inputs), Single(inputNames), weights);

        /// <summary>The scalar evaluation for all of the row's inputs; single-input rows use the single-input overload.</summary>
        public virtual float[] Evaluate(IReadOnlyList<float[]> inputs, IReadOnlyList<TensorShape> inputShapes, string prefix, IWeightSource weights) =>
            Evaluate(Single(inputs), Single(inputShapes), prefix, weights);

        private T Single<T>(IReadOnlyList<T> inputs) =>
            inputs.Count == 1 ? inputs[0] : throw new InvalidOperationException($"{Kind} takes one input, got {inputs.Count}.");

        public abstract TensorShape OutputShape(TensorShape input);

        /// <summary>Tensors as (suffix after the "prefix." part, PyTorch shape).</summary>
        public virtual IEnumerable<(string Suffix, int[] Shape)> Weights(TensorShape input) => Array.Empty<(string, int[])>();

        /// <summary>
        /// Adds this layer's nodes and initializers; returns the name of the value it produces. Initializers carry
        /// the PyTorch tensor names (<paramref name="prefix"/>.weight, …); node and value names start with the prefix.
        /// </summary>
        public abstract string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights);

        /// <summary>The PyTorch formula computed naively in double precision: an arbiter when ORT and FusedNet disagree.</summary>
        public abstract float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights);

        protected static TensorShape RequireSpatial(TensorShape input, string kind) =>
            input.IsFlat ? throw new InvalidOperationException($"{kind} needs a [C, H, W] input, got {input}.") : input;

        protected static TensorShape RequireFlat(TensorShape input, string kind) =>
            input.IsFlat ? input : throw new InvalidOperationException($"{kind} needs a flat [F] input, got {input}.");

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

        /// <summary>floor((in + 2p − d(k−1) − 1) / s) + 1 (DESIGN §4), 0 when the window does not fit.</summary>
        protected static int WindowOutputSize(int size, int kernel, int stride, int padding, int dilation)
        {
            int numerator = size + 2 * padding - dilation * (kernel - 1) - 1;
            return numerator < 0 ? 0 : numerator / stride + 1;
        }
    }

    /// <summary>nn.Conv2d (zero padding; stride, dilation, groups, possibly non-square kernel) → ONNX Conv.</summary>
    public sealed class ConvSpec : LayerSpec
    {
        /// <param name="kernelWidth">0 means square (same as <paramref name="kernel"/>), as in the attribute.</param>
        public ConvSpec(int outChannels, int kernel, int stride = 1, int padding = 0, int groups = 1, bool bias = true,
            int kernelWidth = 0, int dilation = 1)
        {
            OutChannels = outChannels;
            KernelHeight = kernel;
            KernelWidth = kernelWidth == 0 ? kernel : kernelWidth;
            Stride = stride;
            Padding = padding;
            Groups = groups;
            Bias = bias;
            Dilation = dilation;
        }

        public int OutChannels { get; }
        public int KernelHeight { get; }
        public int KernelWidth { get; }
        public int Stride { get; }
        public int Padding { get; }
        public int Dilation { get; }
        public int Groups { get; }
        public bool Bias { get; }
        public override string Kind => "Conv2d";

        public override TensorShape OutputShape(TensorShape input)
        {
            RequireSpatial(input, Kind);
            if (input.Channels % Groups != 0 || OutChannels % Groups != 0)
                throw new InvalidOperationException($"Conv2d groups {Groups} must divide in {input.Channels} and out {OutChannels}.");
            int height = WindowOutputSize(input.Height, KernelHeight, Stride, Padding, Dilation);
            int width = WindowOutputSize(input.Width, KernelWidth, Stride, Padding, Dilation);
            if (height < 1 || width < 1) throw new InvalidOperationException($"Conv2d output {height}x{width} is empty for input {input}.");
            return new TensorShape(OutChannels, height, width);
        }

        private int[] WeightShape(TensorShape input) => new[] { OutChannels, input.Channels / Groups, KernelHeight, KernelWidth };

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
                OnnxAttribute.Ints("kernel_shape", KernelHeight, KernelWidth),
                OnnxAttribute.Ints("strides", Stride, Stride),
                OnnxAttribute.Ints("pads", Padding, Padding, Padding, Padding), // top, left, bottom, right
                OnnxAttribute.Ints("dilations", Dilation, Dilation));
            return output;
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights)
        {
            TensorShape outShape = OutputShape(inputShape);
            int inPerGroup = inputShape.Channels / Groups, outPerGroup = OutChannels / Groups;
            int kh = KernelHeight, kw = KernelWidth;
            float[] w = ReadTensor(weights, prefix + ".weight", OutChannels * inPerGroup * kh * kw);
            float[] b = Bias ? ReadTensor(weights, prefix + ".bias", OutChannels) : new float[OutChannels];
            int inH = inputShape.Height, inW = inputShape.Width;
            int outH = outShape.Height, outW = outShape.Width;
            var output = new float[outShape.Length];
            // Tap by tap over whole output rows (the same double sums as one pixel at a time, in another order): the
            // torchvision networks at 224×224 (1.8 G multiply-adds) then take seconds, not minutes.
            var sum = new double[outH * outW];
            for (int o = 0; o < OutChannels; o++)
            {
                int firstIn = o / outPerGroup * inPerGroup;
                Array.Fill(sum, (double)b[o]);
                for (int i = 0; i < inPerGroup; i++)
                for (int ky = 0; ky < kh; ky++)
                {
                    (int yStart, int yEnd) = ValidRange(ky * Dilation - Padding, inH, outH);
                    for (int kx = 0; kx < kw; kx++)
                    {
                        double weight = w[((o * inPerGroup + i) * kh + ky) * kw + kx];
                        int xOffset = kx * Dilation - Padding;
                        (int xStart, int xEnd) = ValidRange(xOffset, inW, outW);
                        for (int y = yStart; y < yEnd; y++)
                        {
                            int inRow = ((firstIn + i) * inH + y * Stride + ky * Dilation - Padding) * inW + xOffset, outRow = y * outW;
                            for (int x = xStart; x < xEnd; x++)
                                sum[outRow + x] += weight * input[inRow + x * Stride];
                        }
                    }
                }
                for (int j = 0; j < sum.Length; j++) output[o * sum.Length + j] = (float)sum[j];
            }
            return output;
        }

        /// <summary>The output positions p in [start, end) whose input position p·stride + offset lies in [0, inSize).</summary>
        private (int Start, int End) ValidRange(int offset, int inSize, int outSize)
        {
            int start = offset >= 0 ? 0 : (-offset + Stride - 1) / Stride;
            int last = inSize - 1 - offset;
            int end = last < 0 ? 0 : Math.Min(outSize, last / Stride + 1);
            return (start, Math.Max(start, end));
        }
    }

    /// <summary>
    /// nn.BatchNorm2d on [C, H, W] (or nn.BatchNorm1d on [F]) in eval mode → its own BatchNormalization node:
    /// ORT folds it (or not) itself, independently of FusedNet's folding.
    /// </summary>
    public sealed class BatchNormSpec : LayerSpec
    {
        /// <param name="flat">False: BatchNorm2d on [C, H, W]; true: BatchNorm1d on [F] (ONNX input [1, F]).</param>
        public BatchNormSpec(float epsilon = 1e-5f, bool flat = false)
        {
            Epsilon = epsilon;
            IsFlat = flat;
        }

        public float Epsilon { get; }
        public bool IsFlat { get; }
        public override string Kind => IsFlat ? "BatchNorm1d" : "BatchNorm2d";

        public override TensorShape OutputShape(TensorShape input) => IsFlat ? RequireFlat(input, Kind) : RequireSpatial(input, Kind);

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
            OutputShape(input);
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

    /// <summary>
    /// torchvision.transforms.Normalize(mean, std) on [C, H, W] → Sub then Div with [1, C, 1, 1] initializers:
    /// y = (x − mean[c]) / std[c]. With constants (the declaration's), no weights; <see cref="FromWeights"/> is the form
    /// that reads the tensors P.mean and P.std [C] (FusedNet's <c>[Normalize]</c>).
    /// </summary>
    public sealed class NormalizeSpec : LayerSpec
    {
        public NormalizeSpec(float[] mean, float[] std)
        {
            Mean = (float[])mean.Clone();
            Std = (float[])std.Clone();
        }

        private NormalizeSpec()
        {
        }

        /// <summary>The form whose mean and std are the weight source's P.mean and P.std.</summary>
        public static NormalizeSpec FromWeights() => new NormalizeSpec();

        /// <summary>The constant means; null when they are the tensor P.mean.</summary>
        public float[]? Mean { get; }
        /// <summary>The constant stds; null when they are the tensor P.std.</summary>
        public float[]? Std { get; }
        public override string Kind => "Normalize";

        public override TensorShape OutputShape(TensorShape input)
        {
            RequireSpatial(input, Kind);
            if (Mean is not null && Std is not null && (Mean.Length != input.Channels || Std.Length != input.Channels))
                throw new InvalidOperationException($"Normalize needs {input.Channels} means and stds, has {Mean.Length} and {Std.Length}.");
            return input;
        }

        public override IEnumerable<(string Suffix, int[] Shape)> Weights(TensorShape input)
        {
            if (Mean is not null) yield break;
            yield return ("mean", new[] { input.Channels });
            yield return ("std", new[] { input.Channels });
        }

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            OutputShape(input);
            long[] dims = { 1, input.Channels, 1, 1 };
            (float[] mean, float[] std) = Statistics(input, prefix, weights);
            onnx.AddInitializer(prefix + ".mean", dims, mean);
            onnx.AddInitializer(prefix + ".std", dims, std);
            onnx.AddNode("Sub", prefix + ".sub", new[] { inputName, prefix + ".mean" }, prefix + ".centred");
            onnx.AddNode("Div", prefix + ".div", new[] { prefix + ".centred", prefix + ".std" }, prefix + ".normalized");
            return prefix + ".normalized";
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights)
        {
            OutputShape(inputShape);
            (float[] mean, float[] std) = Statistics(inputShape, prefix, weights);
            int plane = inputShape.Height * inputShape.Width;
            var output = new float[input.Length];
            for (int c = 0; c < inputShape.Channels; c++)
            for (int i = 0; i < plane; i++)
                output[c * plane + i] = (float)((input[c * plane + i] - (double)mean[c]) / std[c]);
            return output;
        }

        /// <summary>The constants, or the tensors P.mean and P.std read from <paramref name="weights"/>.</summary>
        private (float[] Mean, float[] Std) Statistics(TensorShape input, string prefix, IWeightSource weights) =>
            Mean is not null && Std is not null
                ? (Mean, Std)
                : (ReadTensor(weights, prefix + ".mean", input.Channels), ReadTensor(weights, prefix + ".std", input.Channels));
    }

    /// <summary>
    /// An elementwise activation: PyTorch's formula (double) and the ONNX nodes computing it, side by side.
    /// Create one with the factory named after the FusedNet attribute.
    /// </summary>
    public sealed class ActivationSpec : LayerSpec
    {
        private readonly string _kind;
        private readonly Func<double, double> _formula;
        private readonly Func<OnnxModelBuilder, string, string, string> _appendNodes;

        private ActivationSpec(string kind, Func<double, double> formula, Func<OnnxModelBuilder, string, string, string> appendNodes)
        {
            _kind = kind;
            _formula = formula;
            _appendNodes = appendNodes;
        }

        public override string Kind => _kind;

        /// <summary>The attribute's argument, for the kinds that have one (LeakyReLU slope, ELU alpha); else NaN.</summary>
        public float Parameter { get; private init; } = float.NaN;

        /// <summary>GELU only: true for PyTorch's approximate='tanh'.</summary>
        public bool Approximate { get; private init; }

        public override TensorShape OutputShape(TensorShape input) => input;

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights) =>
            _appendNodes(onnx, prefix, inputName);

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights) =>
            Array.ConvertAll(input, v => (float)_formula(v));

        /// <summary>max(x, 0) → Relu.</summary>
        public static ActivationSpec Relu() => new("ReLU", x => Math.Max(x, 0.0), (onnx, p, x) => Node(onnx, "Relu", p, x));

        /// <summary>min(max(x, 0), 6) → Clip with min 0 and max 6 as scalar inputs (the opset ≥ 11 form).</summary>
        public static ActivationSpec Relu6() => new("ReLU6", Relu6Formula, (onnx, p, x) =>
        {
            onnx.AddInitializer(p + ".clip_min", Array.Empty<long>(), new[] { 0f });
            onnx.AddInitializer(p + ".clip_max", Array.Empty<long>(), new[] { 6f });
            onnx.AddNode("Clip", p, new[] { x, p + ".clip_min", p + ".clip_max" }, p + ".relu6");
            return p + ".relu6";
        });

        /// <summary>x ≥ 0 ? x : slope·x → LeakyRelu(alpha = slope).</summary>
        public static ActivationSpec LeakyRelu(float negativeSlope = 0.01f) =>
            new("LeakyReLU", x => x >= 0 ? x : negativeSlope * x, (onnx, p, x) => Node(onnx, "LeakyRelu", p, x, OnnxAttribute.Float("alpha", negativeSlope)))
            { Parameter = negativeSlope };

        /// <summary>x > 0 ? x : α(eˣ − 1) → Elu(alpha).</summary>
        public static ActivationSpec Elu(float alpha = 1f) =>
            new("ELU", x => x > 0 ? x : alpha * (Math.Exp(x) - 1.0), (onnx, p, x) => Node(onnx, "Elu", p, x, OnnxAttribute.Float("alpha", alpha)))
            { Parameter = alpha };

        /// <summary>1/(1 + e⁻ˣ) → Sigmoid.</summary>
        public static ActivationSpec Sigmoid() => new("Sigmoid", SigmoidFormula, (onnx, p, x) => Node(onnx, "Sigmoid", p, x));

        /// <summary>tanh x → Tanh.</summary>
        public static ActivationSpec Tanh() => new("Tanh", Math.Tanh, (onnx, p, x) => Node(onnx, "Tanh", p, x));

        /// <summary>x·sigmoid(x) → Sigmoid then Mul (ONNX has no SiLU/Swish before opset 24).</summary>
        public static ActivationSpec Silu() => new("SiLU", x => x * SigmoidFormula(x), (onnx, p, x) =>
        {
            onnx.AddNode("Sigmoid", p + ".sigmoid", new[] { x }, p + ".sigmoid");
            onnx.AddNode("Mul", p, new[] { x, p + ".sigmoid" }, p + ".silu");
            return p + ".silu";
        });

        /// <summary>x·Φ(x) (erf) or PyTorch's tanh form → Gelu (opset 20) with approximate "none" or "tanh".</summary>
        public static ActivationSpec Gelu(bool approximate = false) =>
            new("GELU", approximate ? GeluTanhFormula : GeluErfFormula,
                (onnx, p, x) => Node(onnx, "Gelu", p, x, OnnxAttribute.String("approximate", approximate ? "tanh" : "none")))
            { Approximate = approximate };

        /// <summary>x·relu6(x + 3)/6 → HardSwish (opset 14; its fixed α = 1/6, β = 0.5 are PyTorch's).</summary>
        public static ActivationSpec Hardswish() => new("Hardswish", x => x * Relu6Formula(x + 3.0) / 6.0, (onnx, p, x) => Node(onnx, "HardSwish", p, x));

        /// <summary>relu6(x + 3)/6 → HardSigmoid with alpha 1/6, beta 0.5 (ONNX's defaults are 0.2 and 0.5).</summary>
        public static ActivationSpec Hardsigmoid() => new("Hardsigmoid", x => Relu6Formula(x + 3.0) / 6.0,
            (onnx, p, x) => Node(onnx, "HardSigmoid", p, x, OnnxAttribute.Float("alpha", 1f / 6f), OnnxAttribute.Float("beta", 0.5f)));

        private static string Node(OnnxModelBuilder onnx, string opType, string prefix, string input, params OnnxAttribute[] attributes)
        {
            string output = prefix + "." + opType.ToLowerInvariant();
            onnx.AddNode(opType, prefix, new[] { input }, output, attributes);
            return output;
        }

        private static double Relu6Formula(double x) => Math.Min(Math.Max(x, 0.0), 6.0);

        private static double SigmoidFormula(double x) => 1.0 / (1.0 + Math.Exp(-x));

        private static double GeluErfFormula(double x) => 0.5 * x * (1.0 + Erf(x / Math.Sqrt(2.0)));

        private static double GeluTanhFormula(double x) => 0.5 * x * (1.0 + Math.Tanh(Math.Sqrt(2.0 / Math.PI) * (x + 0.044715 * x * x * x)));

        /// <summary>
        /// erf in double: 2/√π · e^(−x²) · Σ (2x²)ⁿ x / (1·3···(2n+1)), a series of positive terms (no cancellation)
        /// that converges for every x; from |x| = 6 on, erf is ±1 to double precision (erfc(6) ≈ 2e-17).
        /// </summary>
        private static double Erf(double x)
        {
            double a = Math.Abs(x);
            if (a >= 6.0) return Math.Sign(x);
            double term = a, sum = a, twoASquared = 2.0 * a * a;
            for (int n = 1; n < 400 && term > sum * 1e-17; n++)
            {
                term *= twoASquared / (2 * n + 1);
                sum += term;
            }
            double result = 2.0 / Math.Sqrt(Math.PI) * Math.Exp(-a * a) * sum;
            return x < 0 ? -result : result;
        }
    }

    /// <summary>nn.MaxPool2d / nn.AvgPool2d (square window, floor mode, count_include_pad) → MaxPool / AveragePool.</summary>
    public sealed class PoolSpec : LayerSpec
    {
        /// <param name="stride">0 means "same as the kernel", as in the attribute.</param>
        public PoolSpec(bool max, int kernel, int stride = 0, int padding = 0)
        {
            IsMax = max;
            Kernel = kernel;
            Stride = stride == 0 ? kernel : stride;
            Padding = padding;
        }

        public bool IsMax { get; }
        public int Kernel { get; }
        public int Stride { get; }
        public int Padding { get; }
        public override string Kind => IsMax ? "MaxPool2d" : "AvgPool2d";

        public override TensorShape OutputShape(TensorShape input)
        {
            RequireSpatial(input, Kind);
            if (Padding > Kernel / 2) throw new InvalidOperationException($"{Kind} padding {Padding} is more than half the kernel {Kernel}.");
            int height = WindowOutputSize(input.Height, Kernel, Stride, Padding, 1), width = WindowOutputSize(input.Width, Kernel, Stride, Padding, 1);
            if (height < 1 || width < 1) throw new InvalidOperationException($"{Kind} output {height}x{width} is empty for input {input}.");
            return new TensorShape(input.Channels, height, width);
        }

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            OutputShape(input);
            var attributes = new List<OnnxAttribute>
            {
                OnnxAttribute.Ints("kernel_shape", Kernel, Kernel),
                OnnxAttribute.Ints("strides", Stride, Stride),
                OnnxAttribute.Ints("pads", Padding, Padding, Padding, Padding),
                OnnxAttribute.Int("ceil_mode", 0),
            };
            // PyTorch's AvgPool2d default count_include_pad=True; ONNX's default is 0, so say it.
            if (!IsMax) attributes.Add(OnnxAttribute.Int("count_include_pad", 1));
            string output = prefix + (IsMax ? ".maxpool" : ".avgpool");
            onnx.AddNode(IsMax ? "MaxPool" : "AveragePool", prefix, new[] { inputName }, output, attributes.ToArray());
            return output;
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights)
        {
            TensorShape o = OutputShape(inputShape);
            int inH = inputShape.Height, inW = inputShape.Width;
            var output = new float[o.Length];
            for (int c = 0; c < o.Channels; c++)
            for (int y = 0; y < o.Height; y++)
            for (int x = 0; x < o.Width; x++)
            {
                int top = y * Stride - Padding, left = x * Stride - Padding;
                double max = double.NegativeInfinity, sum = 0;
                for (int iy = Math.Max(top, 0); iy < Math.Min(top + Kernel, inH); iy++)
                for (int ix = Math.Max(left, 0); ix < Math.Min(left + Kernel, inW); ix++)
                {
                    double v = input[(c * inH + iy) * inW + ix];
                    max = Math.Max(max, v);
                    sum += v;
                }
                // count_include_pad: the window clipped to the padded input (the whole kernel in floor mode).
                int paddedCount = (Math.Min(top + Kernel, inH + Padding) - top) * (Math.Min(left + Kernel, inW + Padding) - left);
                output[(c * o.Height + y) * o.Width + x] = (float)(IsMax ? max : sum / paddedCount);
            }
            return output;
        }
    }

    /// <summary>AdaptiveAvgPool2d(1) + flatten → GlobalAveragePool then Flatten(axis 1), giving [1, C].</summary>
    public sealed class GlobalAvgPoolSpec : LayerSpec
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

    /// <summary>nn.Flatten: [C, H, W] → [C·H·W] in (c, h, w) order, flat stays flat → Flatten(axis 1) on [1, …].</summary>
    public sealed class FlattenSpec : LayerSpec
    {
        public override string Kind => "Flatten";

        public override TensorShape OutputShape(TensorShape input) => TensorShape.Flat(input.Length);

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            onnx.AddNode("Flatten", prefix, new[] { inputName }, prefix + ".flatten", OnnxAttribute.Int("axis", 1));
            return prefix + ".flatten";
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights) => (float[])input.Clone();
    }

    /// <summary>
    /// Maxout(pieces) (PyTorch has no nn.Maxout; the usual <c>x.view(N, C // k, k, H, W).max(2)</c>) → Reshape to
    /// [N, C/k, k, H, W] (flat: [N, F/k, k]) then ReduceMax over axis 2 without keeping it: output channel j is the
    /// maximum of input channels j·k … j·k + k − 1.
    /// </summary>
    public sealed class MaxoutSpec : LayerSpec
    {
        public MaxoutSpec(int pieces) => Pieces = pieces;

        public int Pieces { get; }
        public override string Kind => "Maxout";

        public override TensorShape OutputShape(TensorShape input)
        {
            if (Pieces < 1 || input.Channels % Pieces != 0)
                throw new InvalidOperationException($"Maxout pieces {Pieces} must divide the input channels of {input}.");
            return input.IsFlat ? TensorShape.Flat(input.Channels / Pieces) : new TensorShape(input.Channels / Pieces, input.Height, input.Width);
        }

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            OutputShape(input);
            // Reshape's 0 copies the batch dimension.
            long[] shape = input.IsFlat
                ? new long[] { 0, input.Channels / Pieces, Pieces }
                : new long[] { 0, input.Channels / Pieces, Pieces, input.Height, input.Width };
            onnx.AddInt64Initializer(prefix + ".maxout_shape", new long[] { shape.Length }, shape);
            onnx.AddNode("Reshape", prefix + ".reshape", new[] { inputName, prefix + ".maxout_shape" }, prefix + ".groups");
            // Opset 18+: the axes are an input.
            onnx.AddInt64Initializer(prefix + ".maxout_axes", new long[] { 1 }, new long[] { 2 });
            onnx.AddNode("ReduceMax", prefix, new[] { prefix + ".groups", prefix + ".maxout_axes" }, prefix + ".maxout", OnnxAttribute.Int("keepdims", 0));
            return prefix + ".maxout";
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights)
        {
            TensorShape o = OutputShape(inputShape);
            int plane = inputShape.IsFlat ? 1 : inputShape.Height * inputShape.Width;
            var output = new float[o.Length];
            for (int j = 0; j < o.Channels; j++)
            for (int i = 0; i < plane; i++)
            {
                float max = input[j * Pieces * plane + i];
                for (int p = 1; p < Pieces; p++) max = MathF.Max(max, input[(j * Pieces + p) * plane + i]);
                output[j * plane + i] = max;
            }
            return output;
        }
    }

    /// <summary>nn.Dropout in eval mode → Dropout with no ratio or training_mode input (inference: the identity).</summary>
    public sealed class DropoutSpec : LayerSpec
    {
        public override string Kind => "Dropout";

        public override TensorShape OutputShape(TensorShape input) => input;

        public override string AppendOnnx(OnnxModelBuilder onnx, string prefix, TensorShape input, string inputName, IWeightSource weights)
        {
            onnx.AddNode("Dropout", prefix, new[] { inputName }, prefix + ".dropout");
            return prefix + ".dropout";
        }

        public override float[] Evaluate(float[] input, TensorShape inputShape, string prefix, IWeightSource weights) => (float[])input.Clone();
    }

    /// <summary>nn.Linear on a flat input → Gemm with transB = 1 (PyTorch stores W as [out, in]).</summary>
    public sealed class LinearSpec : LayerSpec
    {
        public LinearSpec(int outFeatures, bool bias = true)
        {
            OutFeatures = outFeatures;
            Bias = bias;
        }

        public int OutFeatures { get; }
        public bool Bias { get; }
        public override string Kind => "Linear";

        public override TensorShape OutputShape(TensorShape input)
        {
            RequireFlat(input, Kind);
            return TensorShape.Flat(OutFeatures);
        }

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
