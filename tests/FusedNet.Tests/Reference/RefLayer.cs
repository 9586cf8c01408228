using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace FusedNet.Tests.Reference
{
    /// <summary>
    /// One layer of a reference network, mirroring one FusedNet layer attribute (DESIGN §2) with the same
    /// arguments and defaults. Each record holds everything about its kind in one place: how it is declared,
    /// its shape rule, the tensors it reads and its math (plain double-precision loops, PyTorch eval semantics).
    /// </summary>
    public abstract record RefLayer
    {
        /// <summary>Weight-name prefix override (<c>Name = "features.3"</c>); null means the layer's index.</summary>
        public string? Name { get; init; }

        /// <summary>Attribute name without the suffix, e.g. "Conv2d".</summary>
        public abstract string Kind { get; }

        /// <summary>The attribute as a user writes it, e.g. <c>[Conv2d(8, 3, Padding = 1)]</c>.</summary>
        public string ToAttribute()
        {
            var arguments = new List<string>(DeclarationArguments());
            if (Name is not null) arguments.Add("Name = " + DeclarationText.String(Name));
            return arguments.Count == 0 ? $"[{Kind}]" : $"[{Kind}({string.Join(", ", arguments)})]";
        }

        /// <summary>Positional arguments, then non-default named ones (except Name), already formatted as C#.</summary>
        protected virtual IEnumerable<string> DeclarationArguments() => Array.Empty<string>();

        /// <summary>Output shape for <paramref name="input"/>; throws <see cref="InvalidOperationException"/> if PyTorch would reject it.</summary>
        public abstract RefShape OutputShape(RefShape input);

        /// <summary>The state_dict tensors this layer reads, under <paramref name="prefix"/>.</summary>
        public virtual IEnumerable<RefTensor> Tensors(string prefix, RefShape input) => Array.Empty<RefTensor>();

        /// <summary>Computes this layer's output for one sample.</summary>
        public abstract double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights);

        protected static void Require(bool condition, string message)
        {
            if (!condition) throw new InvalidOperationException(message);
        }

        protected static void RequireSpatial(RefShape input, string kind) =>
            Require(!input.IsFlat, $"{kind} needs a spatial [C, H, W] input, got {input}");

        protected static void RequireFlat(RefShape input, string kind) =>
            Require(input.IsFlat, $"{kind} needs a flat [features] input, got {input}");
    }

    /// <summary>Reads one layer's tensors by suffix, checking shape, widened to double.</summary>
    public sealed class RefLayerWeights
    {
        private readonly IWeightSource _source;

        public RefLayerWeights(IWeightSource source, string prefix)
        {
            _source = source;
            Prefix = prefix;
        }

        public string Prefix { get; }

        public double[] Read(string suffix, params int[] shape)
        {
            string name = Prefix + "." + suffix;
            string expectedShape = "[" + string.Join(", ", shape) + "]";
            if (!_source.TryGetTensorInfo(name, out TensorInfo info))
                throw new InvalidDataException($"Reference: tensor '{name}' {expectedShape} is missing.");
            bool sameShape = info.Shape.Count == shape.Length;
            for (int i = 0; sameShape && i < shape.Length; i++) sameShape = info.Shape[i] == shape[i];
            if (!sameShape)
                throw new InvalidDataException($"Reference: tensor '{name}' has shape {info.ShapeText}, expected {expectedShape}.");

            var values = new float[info.ElementCount];
            _source.ReadFloat32(name, values);
            return Array.ConvertAll(values, v => (double)v);
        }
    }

    /// <summary>nn.Conv2d: zero-padded cross-correlation with stride, dilation, groups and a possibly non-square kernel.</summary>
    public sealed record RefConv2d(int OutChannels, int KernelSize) : RefLayer
    {
        /// <summary>0 means square (same as KernelSize), as in the attribute.</summary>
        public int KernelWidth { get; init; }
        public int Stride { get; init; } = 1;
        public int Padding { get; init; }
        public int Dilation { get; init; } = 1;
        public int Groups { get; init; } = 1;
        public bool Bias { get; init; } = true;

        public override string Kind => "Conv2d";
        public int KernelHeight => KernelSize;
        public int EffectiveKernelWidth => KernelWidth == 0 ? KernelSize : KernelWidth;

        protected override IEnumerable<string> DeclarationArguments()
        {
            yield return DeclarationText.Int(OutChannels);
            yield return DeclarationText.Int(KernelSize);
            if (KernelWidth != 0) yield return "KernelWidth = " + DeclarationText.Int(KernelWidth);
            if (Stride != 1) yield return "Stride = " + DeclarationText.Int(Stride);
            if (Padding != 0) yield return "Padding = " + DeclarationText.Int(Padding);
            if (Dilation != 1) yield return "Dilation = " + DeclarationText.Int(Dilation);
            if (Groups != 1) yield return "Groups = " + DeclarationText.Int(Groups);
            if (!Bias) yield return "Bias = false";
        }

        public override RefShape OutputShape(RefShape input)
        {
            RequireSpatial(input, Kind);
            Require(OutChannels >= 1 && KernelSize >= 1 && EffectiveKernelWidth >= 1, "channels and kernel must be >= 1");
            Require(Stride >= 1 && Dilation >= 1 && Padding >= 0 && Groups >= 1, "stride, dilation, groups must be >= 1 and padding >= 0");
            Require(input.Channels % Groups == 0, $"in channels {input.Channels} not divisible by groups {Groups}");
            Require(OutChannels % Groups == 0, $"out channels {OutChannels} not divisible by groups {Groups}");
            int height = OutputSize(input.Height, KernelHeight, Stride, Padding, Dilation);
            int width = OutputSize(input.Width, EffectiveKernelWidth, Stride, Padding, Dilation);
            Require(height >= 1 && width >= 1, $"output {height}x{width} is empty for input {input}");
            return RefShape.Spatial(OutChannels, height, width);
        }

        /// <summary>floor((in + 2p − d(k−1) − 1) / s) + 1, computed so a negative numerator does not round toward zero.</summary>
        public static int OutputSize(int size, int kernel, int stride, int padding, int dilation)
        {
            int numerator = size + 2 * padding - dilation * (kernel - 1) - 1;
            return numerator < 0 ? 0 : numerator / stride + 1;
        }

        public override IEnumerable<RefTensor> Tensors(string prefix, RefShape input)
        {
            yield return new RefTensor(prefix + ".weight", [OutChannels, input.Channels / Groups, KernelHeight, EffectiveKernelWidth]);
            if (Bias) yield return new RefTensor(prefix + ".bias", [OutChannels]);
        }

        public override double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights)
        {
            int inPerGroup = input.Channels / Groups;
            int outPerGroup = OutChannels / Groups;
            int kh = KernelHeight, kw = EffectiveKernelWidth;
            double[] w = weights.Read("weight", OutChannels, inPerGroup, kh, kw);
            double[] b = Bias ? weights.Read("bias", OutChannels) : new double[OutChannels];

            var y = new double[output.Length];
            for (int oc = 0; oc < OutChannels; oc++)
            {
                int firstInChannel = oc / outPerGroup * inPerGroup;
                for (int oy = 0; oy < output.Height; oy++)
                for (int ox = 0; ox < output.Width; ox++)
                {
                    double sum = b[oc];
                    for (int ic = 0; ic < inPerGroup; ic++)
                    for (int ky = 0; ky < kh; ky++)
                    {
                        int iy = oy * Stride - Padding + ky * Dilation;
                        if (iy < 0 || iy >= input.Height) continue; // zero padding
                        for (int kx = 0; kx < kw; kx++)
                        {
                            int ix = ox * Stride - Padding + kx * Dilation;
                            if (ix < 0 || ix >= input.Width) continue;
                            double weight = w[((oc * inPerGroup + ic) * kh + ky) * kw + kx];
                            sum += weight * x[((firstInChannel + ic) * input.Height + iy) * input.Width + ix];
                        }
                    }
                    y[(oc * output.Height + oy) * output.Width + ox] = sum;
                }
            }
            return y;
        }
    }

    /// <summary>
    /// Shared by BatchNorm2d and BatchNorm1d: y = γ(x − μ)/√(σ² + ε) + β per channel, not folded. With running statistics μ and
    /// σ² are running_mean and running_var; without (<see cref="TrackRunningStats"/> false) they are the mean and BIASED
    /// variance of this one sample over H × W, which is PyTorch's eval-mode result for a batch of one (a batch of several
    /// needs all samples: Calibration/TrainModeReference).
    /// </summary>
    public abstract record RefBatchNorm : RefLayer
    {
        public float Epsilon { get; init; } = 1e-5f;

        /// <summary>PyTorch track_running_stats (default true).</summary>
        public bool TrackRunningStats { get; init; } = true;

        protected override IEnumerable<string> DeclarationArguments()
        {
            if (Epsilon != 1e-5f) yield return "Epsilon = " + DeclarationText.Float(Epsilon);
            if (!TrackRunningStats) yield return "TrackRunningStats = false";
        }

        public override IEnumerable<RefTensor> Tensors(string prefix, RefShape input)
        {
            yield return new RefTensor(prefix + ".weight", [input.Channels]);
            yield return new RefTensor(prefix + ".bias", [input.Channels]);
            if (!TrackRunningStats) yield break;
            yield return new RefTensor(prefix + ".running_mean", [input.Channels]);
            yield return new RefTensor(prefix + ".running_var", [input.Channels]);
        }

        public override double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights)
        {
            int channels = input.Channels;
            int plane = input.Height * input.Width;
            double[] gamma = weights.Read("weight", channels);
            double[] beta = weights.Read("bias", channels);
            double[] mean, variance;
            if (TrackRunningStats)
            {
                mean = weights.Read("running_mean", channels);
                variance = weights.Read("running_var", channels);
            }
            else
            {
                Require(plane > 1, "Expected more than 1 value per channel when training");
                mean = new double[channels];
                variance = new double[channels];
                for (int c = 0; c < channels; c++)
                {
                    for (int i = 0; i < plane; i++) mean[c] += x[c * plane + i];
                    mean[c] /= plane;
                    for (int i = 0; i < plane; i++) variance[c] += (x[c * plane + i] - mean[c]) * (x[c * plane + i] - mean[c]);
                    variance[c] /= plane; // biased
                }
            }
            var y = new double[x.Length];
            for (int c = 0; c < channels; c++)
            {
                double invStd = 1.0 / Math.Sqrt(variance[c] + Epsilon);
                for (int i = 0; i < plane; i++)
                    y[c * plane + i] = gamma[c] * (x[c * plane + i] - mean[c]) * invStd + beta[c];
            }
            return y;
        }
    }

    /// <summary>nn.BatchNorm2d in eval mode, on [C, H, W].</summary>
    public sealed record RefBatchNorm2d : RefBatchNorm
    {
        public override string Kind => "BatchNorm2d";

        public override RefShape OutputShape(RefShape input)
        {
            RequireSpatial(input, Kind);
            return input;
        }
    }

    /// <summary>
    /// torchvision.transforms.Normalize(mean, std) on [C, H, W]: y = (x − mean[c]) / std[c], constants in the declaration
    /// (no tensors). Computed as written, unfolded: the reference for the fold into the following conv.
    /// </summary>
    public sealed record RefNormalize(float[] Mean, float[] Std) : RefLayer
    {
        public override string Kind => "Normalize";

        protected override IEnumerable<string> DeclarationArguments()
        {
            yield return "new float[] { " + string.Join(", ", Array.ConvertAll(Mean, DeclarationText.Float)) + " }";
            yield return "new float[] { " + string.Join(", ", Array.ConvertAll(Std, DeclarationText.Float)) + " }";
        }

        public override RefShape OutputShape(RefShape input)
        {
            RequireSpatial(input, Kind);
            Require(Mean.Length == input.Channels && Std.Length == input.Channels, $"Normalize needs {input.Channels} means and stds");
            Require(Array.TrueForAll(Std, s => s > 0 && float.IsFinite(s)), "Normalize std must be positive and finite");
            return input;
        }

        public override double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights)
        {
            int plane = input.Height * input.Width;
            var y = new double[x.Length];
            for (int c = 0; c < input.Channels; c++)
            for (int i = 0; i < plane; i++)
                y[c * plane + i] = (x[c * plane + i] - Mean[c]) / Std[c];
            return y;
        }
    }

    /// <summary>
    /// <c>[Normalize]</c> without constants: y = (x − mean[c]) / std[c] with the tensors P.mean and P.std [C] of the weights (a
    /// PyTorch module's registered buffers). Computed as written, unfolded.
    /// </summary>
    public sealed record RefNormalizeTensors : RefLayer
    {
        public override string Kind => "Normalize";

        public override RefShape OutputShape(RefShape input)
        {
            RequireSpatial(input, Kind);
            return input;
        }

        public override IEnumerable<RefTensor> Tensors(string prefix, RefShape input)
        {
            yield return new RefTensor(prefix + ".mean", [input.Channels]);
            yield return new RefTensor(prefix + ".std", [input.Channels]);
        }

        public override double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights)
        {
            double[] mean = weights.Read("mean", input.Channels), std = weights.Read("std", input.Channels);
            Require(Array.TrueForAll(std, s => s > 0 && double.IsFinite(s)), "Normalize std must be positive and finite");
            int plane = input.Height * input.Width;
            var y = new double[x.Length];
            for (int c = 0; c < input.Channels; c++)
            for (int i = 0; i < plane; i++)
                y[c * plane + i] = (x[c * plane + i] - mean[c]) / std[c];
            return y;
        }
    }

    /// <summary>nn.BatchNorm1d in eval mode, on a flat [features] tensor.</summary>
    public sealed record RefBatchNorm1d : RefBatchNorm
    {
        public override string Kind => "BatchNorm1d";

        public override RefShape OutputShape(RefShape input)
        {
            RequireFlat(input, Kind);
            return input;
        }
    }

    /// <summary>An elementwise activation: any shape in, same shape out.</summary>
    public abstract record RefActivation : RefLayer
    {
        /// <summary>PyTorch's formula in double.</summary>
        public abstract double Apply(double x);

        public override RefShape OutputShape(RefShape input) => input;

        public override double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights) =>
            Array.ConvertAll(x, Apply);
    }

    public sealed record RefReLU : RefActivation
    {
        public override string Kind => "ReLU";
        public override double Apply(double x) => Math.Max(x, 0.0);
    }

    public sealed record RefReLU6 : RefActivation
    {
        public override string Kind => "ReLU6";
        public override double Apply(double x) => ReferenceMath.Relu6(x);
    }

    public sealed record RefSigmoid : RefActivation
    {
        public override string Kind => "Sigmoid";
        public override double Apply(double x) => ReferenceMath.Sigmoid(x);
    }

    public sealed record RefTanh : RefActivation
    {
        public override string Kind => "Tanh";
        public override double Apply(double x) => Math.Tanh(x);
    }

    public sealed record RefSiLU : RefActivation
    {
        public override string Kind => "SiLU";
        public override double Apply(double x) => x * ReferenceMath.Sigmoid(x);
    }

    /// <summary>x · relu6(x + 3) / 6.</summary>
    public sealed record RefHardswish : RefActivation
    {
        public override string Kind => "Hardswish";
        public override double Apply(double x) => x * ReferenceMath.Relu6(x + 3.0) / 6.0;
    }

    /// <summary>relu6(x + 3) / 6.</summary>
    public sealed record RefHardsigmoid : RefActivation
    {
        public override string Kind => "Hardsigmoid";
        public override double Apply(double x) => ReferenceMath.Relu6(x + 3.0) / 6.0;
    }

    public sealed record RefLeakyReLU(float NegativeSlope = 0.01f) : RefActivation
    {
        public override string Kind => "LeakyReLU";

        protected override IEnumerable<string> DeclarationArguments()
        {
            if (NegativeSlope != 0.01f) yield return DeclarationText.Float(NegativeSlope);
        }

        public override double Apply(double x) => x >= 0 ? x : NegativeSlope * x;
    }

    public sealed record RefELU(float Alpha = 1f) : RefActivation
    {
        public override string Kind => "ELU";

        protected override IEnumerable<string> DeclarationArguments()
        {
            if (Alpha != 1f) yield return DeclarationText.Float(Alpha);
        }

        public override double Apply(double x) => x > 0 ? x : Alpha * (Math.Exp(x) - 1.0);
    }

    public sealed record RefGELU : RefActivation
    {
        /// <summary>False: exact erf form; true: PyTorch's approximate='tanh'.</summary>
        public bool Approximate { get; init; }

        public override string Kind => "GELU";

        protected override IEnumerable<string> DeclarationArguments()
        {
            if (Approximate) yield return "Approximate = true";
        }

        public override double Apply(double x) => Approximate ? ReferenceMath.GeluTanh(x) : ReferenceMath.GeluErf(x);
    }

    /// <summary>nn.Dropout in eval mode: the identity.</summary>
    public sealed record RefDropout(float P = 0.5f) : RefLayer
    {
        public override string Kind => "Dropout";

        protected override IEnumerable<string> DeclarationArguments()
        {
            if (P != 0.5f) yield return DeclarationText.Float(P);
        }

        public override RefShape OutputShape(RefShape input)
        {
            Require(P >= 0f && P <= 1f, $"dropout probability {P} is outside [0, 1]");
            return input;
        }

        public override double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights) =>
            (double[])x.Clone();
    }

    /// <summary>Shared by MaxPool2d and AvgPool2d: square window, floor mode, padding at most half the kernel.</summary>
    public abstract record RefPool2d(int KernelSize) : RefLayer
    {
        /// <summary>0 means "same as KernelSize", as in the attribute.</summary>
        public int Stride { get; init; }
        public int Padding { get; init; }

        public int EffectiveStride => Stride == 0 ? KernelSize : Stride;

        protected override IEnumerable<string> DeclarationArguments()
        {
            yield return DeclarationText.Int(KernelSize);
            if (Stride != 0) yield return "Stride = " + DeclarationText.Int(Stride);
            if (Padding != 0) yield return "Padding = " + DeclarationText.Int(Padding);
        }

        public override RefShape OutputShape(RefShape input)
        {
            RequireSpatial(input, Kind);
            Require(KernelSize >= 1 && EffectiveStride >= 1 && Padding >= 0, "kernel and stride must be >= 1 and padding >= 0");
            Require(Padding <= KernelSize / 2, $"padding {Padding} is more than half the kernel {KernelSize}");
            int height = RefConv2d.OutputSize(input.Height, KernelSize, EffectiveStride, Padding, 1);
            int width = RefConv2d.OutputSize(input.Width, KernelSize, EffectiveStride, Padding, 1);
            Require(height >= 1 && width >= 1, $"output {height}x{width} is empty for input {input}");
            return RefShape.Spatial(input.Channels, height, width);
        }

        public override double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights)
        {
            var y = new double[output.Length];
            for (int c = 0; c < input.Channels; c++)
            for (int oy = 0; oy < output.Height; oy++)
            for (int ox = 0; ox < output.Width; ox++)
            {
                var window = new PoolWindow(oy * EffectiveStride - Padding, ox * EffectiveStride - Padding, KernelSize, Padding, input);
                y[(c * output.Height + oy) * output.Width + ox] = Reduce(x, c * input.Height * input.Width, input.Width, window);
            }
            return y;
        }

        /// <summary>Reduces one window of channel plane starting at <paramref name="planeStart"/>.</summary>
        protected abstract double Reduce(double[] x, int planeStart, int rowLength, PoolWindow window);

        /// <summary>
        /// A pooling window: its extent clipped to the zero-padded input (PyTorch's divisor for
        /// count_include_pad) and clipped to the real input (the elements that exist).
        /// </summary>
        protected readonly struct PoolWindow
        {
            public PoolWindow(int top, int left, int kernel, int padding, RefShape input)
            {
                int bottomInPadded = Math.Min(top + kernel, input.Height + padding);
                int rightInPadded = Math.Min(left + kernel, input.Width + padding);
                PaddedCount = (bottomInPadded - top) * (rightInPadded - left);
                Top = Math.Max(top, 0);
                Left = Math.Max(left, 0);
                Bottom = Math.Min(top + kernel, input.Height);
                Right = Math.Min(left + kernel, input.Width);
            }

            public int Top { get; }
            public int Left { get; }
            /// <summary>Exclusive.</summary>
            public int Bottom { get; }
            /// <summary>Exclusive.</summary>
            public int Right { get; }
            public int PaddedCount { get; }
        }
    }

    /// <summary>nn.MaxPool2d: padding is −∞, so padded positions never win.</summary>
    public sealed record RefMaxPool2d(int KernelSize) : RefPool2d(KernelSize)
    {
        public override string Kind => "MaxPool2d";

        protected override double Reduce(double[] x, int planeStart, int rowLength, PoolWindow window)
        {
            double max = double.NegativeInfinity;
            for (int iy = window.Top; iy < window.Bottom; iy++)
            for (int ix = window.Left; ix < window.Right; ix++)
                max = Math.Max(max, x[planeStart + iy * rowLength + ix]);
            return max;
        }
    }

    /// <summary>nn.AvgPool2d with count_include_pad=True: sum of real elements / window size clipped to the padded input.</summary>
    public sealed record RefAvgPool2d(int KernelSize) : RefPool2d(KernelSize)
    {
        public override string Kind => "AvgPool2d";

        protected override double Reduce(double[] x, int planeStart, int rowLength, PoolWindow window)
        {
            double sum = 0;
            for (int iy = window.Top; iy < window.Bottom; iy++)
            for (int ix = window.Left; ix < window.Right; ix++)
                sum += x[planeStart + iy * rowLength + ix];
            return sum / window.PaddedCount;
        }
    }

    /// <summary>nn.AdaptiveAvgPool2d(1) + flatten: mean of each channel plane, [C, H, W] → [C].</summary>
    public sealed record RefGlobalAvgPool2d : RefLayer
    {
        public override string Kind => "GlobalAvgPool2d";

        public override RefShape OutputShape(RefShape input)
        {
            RequireSpatial(input, Kind);
            return RefShape.Flat(input.Channels);
        }

        public override double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights)
        {
            int plane = input.Height * input.Width;
            var y = new double[input.Channels];
            for (int c = 0; c < input.Channels; c++)
            {
                double sum = 0;
                for (int i = 0; i < plane; i++) sum += x[c * plane + i];
                y[c] = sum / plane;
            }
            return y;
        }
    }

    /// <summary>nn.Flatten: [C, H, W] → [C·H·W] in (c, h, w) order, which is already the storage order; flat stays flat.</summary>
    public sealed record RefFlatten : RefLayer
    {
        public override string Kind => "Flatten";

        public override RefShape OutputShape(RefShape input) => RefShape.Flat(input.Length);

        public override double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights) =>
            (double[])x.Clone();
    }

    /// <summary>
    /// Maxout(pieces) (no nn.Maxout in PyTorch; the usual x.view(N, C // k, k, H, W).max(2)): output channel j is the
    /// maximum of input channels j·k … j·k + k − 1, on [C, H, W] or flat [F]. NaN propagates, as torch.max.
    /// </summary>
    public sealed record RefMaxout(int Pieces) : RefLayer
    {
        public override string Kind => "Maxout";

        protected override IEnumerable<string> DeclarationArguments()
        {
            yield return DeclarationText.Int(Pieces);
        }

        public override RefShape OutputShape(RefShape input)
        {
            Require(Pieces >= 1, "pieces must be >= 1");
            Require(input.Channels % Pieces == 0, $"pieces {Pieces} must divide the channels of {input}");
            return input.IsFlat ? RefShape.Flat(input.Channels / Pieces) : RefShape.Spatial(input.Channels / Pieces, input.Height, input.Width);
        }

        public override double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights)
        {
            int plane = input.Height * input.Width; // 1 for a flat tensor
            var y = new double[output.Length];
            for (int j = 0; j < output.Channels; j++)
            for (int i = 0; i < plane; i++)
            {
                double max = double.NegativeInfinity;
                for (int p = 0; p < Pieces; p++)
                {
                    double v = x[(j * Pieces + p) * plane + i];
                    max = double.IsNaN(v) || double.IsNaN(max) ? double.NaN : Math.Max(max, v);
                }
                y[j * plane + i] = max;
            }
            return y;
        }
    }

    /// <summary>nn.Linear on a flat tensor: y = W x + b, W [out, in].</summary>
    public sealed record RefLinear(int OutFeatures) : RefLayer
    {
        public bool Bias { get; init; } = true;

        public override string Kind => "Linear";

        protected override IEnumerable<string> DeclarationArguments()
        {
            yield return DeclarationText.Int(OutFeatures);
            if (!Bias) yield return "Bias = false";
        }

        public override RefShape OutputShape(RefShape input)
        {
            RequireFlat(input, Kind);
            Require(OutFeatures >= 1, "out features must be >= 1");
            return RefShape.Flat(OutFeatures);
        }

        public override IEnumerable<RefTensor> Tensors(string prefix, RefShape input)
        {
            yield return new RefTensor(prefix + ".weight", [OutFeatures, input.Channels]);
            if (Bias) yield return new RefTensor(prefix + ".bias", [OutFeatures]);
        }

        public override double[] Forward(double[] x, RefShape input, RefShape output, RefLayerWeights weights)
        {
            int inFeatures = input.Channels;
            double[] w = weights.Read("weight", OutFeatures, inFeatures);
            double[] b = Bias ? weights.Read("bias", OutFeatures) : new double[OutFeatures];
            var y = new double[OutFeatures];
            for (int o = 0; o < OutFeatures; o++)
            {
                double sum = b[o];
                for (int i = 0; i < inFeatures; i++) sum += w[o * inFeatures + i] * x[i];
                y[o] = sum;
            }
            return y;
        }
    }

    /// <summary>Formats C# literals for declarations: invariant culture, shortest round-trip floats with an f suffix.</summary>
    public static class DeclarationText
    {
        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

        public static string Float(float value)
        {
            if (!float.IsFinite(value)) throw new ArgumentException($"Cannot declare a non-finite float {value}.", nameof(value));
            return value.ToString("R", CultureInfo.InvariantCulture) + "f";
        }

        /// <summary>A regular string literal with quotes, backslashes and control characters escaped.</summary>
        public static string String(string value)
        {
            var text = new System.Text.StringBuilder("\"");
            foreach (char ch in value)
            {
                switch (ch)
                {
                    case '"': text.Append("\\\""); break;
                    case '\\': text.Append("\\\\"); break;
                    default:
                        if (char.IsControl(ch)) text.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                        else text.Append(ch);
                        break;
                }
            }
            return text.Append('"').ToString();
        }
    }
}
