using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using FusedNet.Tests.Reference;

namespace FusedNet.Tests.Graphs
{
    /// <summary>One node of a <see cref="GraphNet"/>: a layer, the nodes it reads (−1: the network input) and its reference math.</summary>
    internal sealed record GraphNode(int Index, LayerSpec Spec, RefLayer? Ref)
    {
        public LayerKind Kind => Spec.Kind;
        public string Name => Spec.Name;
        public IReadOnlyList<int> Inputs => Spec.Inputs.ToArray();
    }

    /// <summary>
    /// A network graph built in code. It is described once and gives both what the generator reads (a
    /// <see cref="NetworkSpec"/> with <see cref="LayerSpec.Inputs"/>) and an independent double-precision reference:
    /// shapes inferred by the reference's own rules (<see cref="RefLayer.OutputShape"/>), single-input layers
    /// computed by the <see cref="RefLayer"/> records (PyTorch eval semantics, DESIGN §4), and the graph-only
    /// operations (add, channel concat, broadcast multiply, adaptive average pool to 1×1) written here.
    /// </summary>
    internal sealed class GraphNet
    {
        public const int In = LayerSpec.NetworkInput;

        private readonly List<GraphNode> _nodes = new();
        private readonly List<RefShape> _shapes = new();

        public GraphNet(int channels, int height, int width)
        {
            C = channels;
            H = height;
            W = width;
        }

        public int C { get; }
        public int H { get; }
        public int W { get; }
        public IReadOnlyList<GraphNode> Nodes => _nodes;

        /// <summary>The node whose tensor is the network output; −1 (default) means the last node.</summary>
        public int Output { get; set; } = -1;
        public int ResolvedOutput => Output >= 0 ? Output : _nodes.Count - 1;

        public RefShape InputShape => RefShape.Spatial(C, H, W);
        public RefShape ShapeOf(int node) => node == In ? InputShape : _shapes[node];
        public RefShape OutputShape => ShapeOf(ResolvedOutput);

        /// <summary>A short description for failure messages: one line per node.</summary>
        public string Describe() =>
            $"input [{C}, {H}, {W}], output node {ResolvedOutput}\n" + string.Join("\n", _nodes.Select(n =>
                $"  {n.Index,3} {n.Kind,-18} {n.Name,-24} <- [{string.Join(", ", n.Inputs)}]  {_shapes[n.Index]}"));

        // ---- builders: each returns the new node's index ----

        public int Conv(int x, int outChannels, int kernel, string name, int stride = 1, int padding = 0, int groups = 1,
            bool bias = true, int dilation = 1) =>
            Node(LayerKind.Conv2d, name, new[] { x },
                new RefConv2d(outChannels, kernel) { Stride = stride, Padding = padding, Groups = groups, Bias = bias, Dilation = dilation, Name = name },
                s => s with { OutChannels = outChannels, KernelHeight = kernel, KernelWidth = kernel, Stride = stride, Padding = padding, Groups = groups, Bias = bias, Dilation = dilation });

        /// <param name="trackRunningStats">False: the batch's statistics (PyTorch track_running_stats=False; Calibration/TrainModeReference for batches).</param>
        public int BatchNorm(int x, string name, bool trackRunningStats = true) =>
            Node(LayerKind.BatchNorm2d, name, new[] { x }, new RefBatchNorm2d { Name = name, TrackRunningStats = trackRunningStats },
                s => s with { TrackRunningStats = trackRunningStats });

        public int BatchNorm1d(int x, string name, bool trackRunningStats = true) =>
            Node(LayerKind.BatchNorm1d, name, new[] { x }, new RefBatchNorm1d { Name = name, TrackRunningStats = trackRunningStats },
                s => s with { TrackRunningStats = trackRunningStats });

        public int Linear(int x, int outFeatures, string name, bool bias = true) =>
            Node(LayerKind.Linear, name, new[] { x }, new RefLinear(outFeatures) { Bias = bias, Name = name },
                s => s with { OutChannels = outFeatures, Bias = bias });

        public int Act(int x, LayerKind kind, float parameter = 0f, string? name = null)
        {
            RefLayer reference = kind switch
            {
                LayerKind.ReLU => new RefReLU(),
                LayerKind.ReLU6 => new RefReLU6(),
                LayerKind.Sigmoid => new RefSigmoid(),
                LayerKind.Tanh => new RefTanh(),
                LayerKind.SiLU => new RefSiLU(),
                LayerKind.Hardswish => new RefHardswish(),
                LayerKind.Hardsigmoid => new RefHardsigmoid(),
                LayerKind.LeakyReLU => new RefLeakyReLU(parameter),
                LayerKind.ELU => new RefELU(parameter),
                LayerKind.GELU => new RefGELU(),
                _ => throw new ArgumentException($"{kind} is not an activation"),
            };
            return Node(kind, name, new[] { x }, reference, s => s with { Parameter = parameter });
        }

        public int ReLU(int x) => Act(x, LayerKind.ReLU);

        public int Dropout(int x, float p, string? name = null) =>
            Node(LayerKind.Dropout, name, new[] { x }, new RefDropout(p), s => s with { Parameter = p });

        public int MaxPool(int x, int kernel, int stride, int padding = 0) =>
            Node(LayerKind.MaxPool2d, null, new[] { x }, new RefMaxPool2d(kernel) { Stride = stride, Padding = padding },
                s => s with { KernelHeight = kernel, KernelWidth = kernel, Stride = stride, Padding = padding });

        public int AvgPool(int x, int kernel, int stride, int padding = 0) =>
            Node(LayerKind.AvgPool2d, null, new[] { x }, new RefAvgPool2d(kernel) { Stride = stride, Padding = padding },
                s => s with { KernelHeight = kernel, KernelWidth = kernel, Stride = stride, Padding = padding });

        public int GlobalAvgPool(int x) => Node(LayerKind.GlobalAvgPool2d, null, new[] { x }, new RefGlobalAvgPool2d(), s => s);

        public int Flatten(int x) => Node(LayerKind.Flatten, null, new[] { x }, new RefFlatten(), s => s);

        public int Add(int a, int b) => Node(LayerKind.Add, null, new[] { a, b }, null, s => s);

        public int Cat(params int[] operands) => Node(LayerKind.Cat, null, operands, null, s => s);

        public int Mul(int x, int scale) => Node(LayerKind.Mul, null, new[] { x, scale }, null, s => s);

        public int AdaptiveAvgPool(int x) => Node(LayerKind.AdaptiveAvgPool2d, null, new[] { x }, null, s => s);

        /// <summary>Conv (no bias) + BatchNorm + optional activation, torchvision-style names "{conv}" and "{bn}".</summary>
        public int ConvBn(int x, int outChannels, int kernel, string convName, string bnName, int stride = 1, int padding = 0,
            int groups = 1, LayerKind? activation = LayerKind.ReLU)
        {
            int y = BatchNorm(Conv(x, outChannels, kernel, convName, stride, padding, groups, bias: false), bnName);
            return activation is { } kind ? Act(y, kind) : y;
        }

        private int Node(LayerKind kind, string? name, int[] inputs, RefLayer? reference, Func<LayerSpec, LayerSpec> configure)
        {
            int index = _nodes.Count;
            foreach (int input in inputs)
                if (input < In || input >= index) throw new ArgumentException($"node {index} reads {input}, which is not an earlier node");
            var spec = configure(new LayerSpec(index, name ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture), kind, null)
            {
                Inputs = inputs.ToEquatableArray(),
            });
            _nodes.Add(new GraphNode(index, spec, reference));
            _shapes.Add(InferShape(kind, inputs.Select(ShapeOf).ToList(), reference, index));
            return index;
        }

        /// <summary>The reference's shape rules (PyTorch's), independent of the generator's ShapeInference.</summary>
        private static RefShape InferShape(LayerKind kind, List<RefShape> operands, RefLayer? reference, int index)
        {
            void Require(bool ok, string what)
            {
                if (!ok) throw new ArgumentException($"node {index} ({kind}): {what}: {string.Join(", ", operands)}");
            }
            switch (kind)
            {
                case LayerKind.Add:
                    Require(operands[0] == operands[1], "add needs equal shapes");
                    return operands[0];
                case LayerKind.Cat:
                    Require(operands.Count >= 2 && operands.All(o => !o.IsFlat && o.Height == operands[0].Height && o.Width == operands[0].Width),
                        "cat needs spatial tensors of one H x W");
                    return RefShape.Spatial(operands.Sum(o => o.Channels), operands[0].Height, operands[0].Width);
                case LayerKind.Mul:
                    Require(!operands[0].IsFlat && operands[1].Channels == operands[0].Channels && operands[1].Height == 1 && operands[1].Width == 1,
                        "mul needs x [C, H, W] and s [C, 1, 1]");
                    return operands[0];
                case LayerKind.AdaptiveAvgPool2d:
                    Require(!operands[0].IsFlat, "adaptive pool needs a spatial tensor");
                    return RefShape.Spatial(operands[0].Channels, 1, 1);
                default:
                    return reference!.OutputShape(operands[0]);
            }
        }

        /// <summary>What the generator reads: the layers with their inputs, in namespace <paramref name="ns"/>.</summary>
        public NetworkSpec ToSpec(string ns, string className) =>
            new NetworkSpec(ns, className, className, "public", C, H, W, _nodes.Select(n => n.Spec).ToEquatableArray(), null)
            {
                OutputLayer = Output,
                Source = "Forward method",
                Winograd = Winograd,
            };

        /// <summary>Where the planner may use Winograd convolutions (the generator's default: where it pays).</summary>
        public WinogradUse Winograd { get; set; } = WinogradUse.WherePays;

        /// <summary>Every tensor the network should read, as (name, PyTorch shape), in node order.</summary>
        public IReadOnlyList<RefTensor> ExpectedTensors =>
            _nodes.Where(n => n.Ref is not null).SelectMany(n => n.Ref!.Tensors(n.Name, ShapeOf(n.Inputs[0]))).ToList();

        // ---- the double-precision reference ----

        /// <summary>One sample through the graph in double precision; returns the output node's tensor (NCHW).</summary>
        public double[] Run(IWeightSource weights, ReadOnlySpan<float> input) => RunAll(weights, input)[ResolvedOutput];

        /// <summary>Every node's tensor for one sample (index −1 is not included: see <paramref name="input"/>).</summary>
        public double[][] RunAll(IWeightSource weights, ReadOnlySpan<float> input)
        {
            if (input.Length != InputShape.Length) throw new ArgumentException($"input has {input.Length} floats, expected {InputShape.Length}");
            var x = new double[input.Length];
            for (int i = 0; i < x.Length; i++) x[i] = input[i];
            var values = new double[_nodes.Count][];
            double[] Value(int node) => node == In ? x : values[node];
            foreach (GraphNode node in _nodes)
            {
                IReadOnlyList<int> inputs = node.Inputs;
                RefShape inShape = ShapeOf(inputs[0]);
                RefShape outShape = _shapes[node.Index];
                values[node.Index] = node.Kind switch
                {
                    LayerKind.Add => GraphRefMath.Add(Value(inputs[0]), Value(inputs[1])),
                    LayerKind.Cat => GraphRefMath.Cat(inputs.Select(Value).ToList()),
                    LayerKind.Mul => GraphRefMath.MulBroadcast(Value(inputs[0]), Value(inputs[1]), inShape),
                    LayerKind.AdaptiveAvgPool2d => GraphRefMath.AdaptiveAvgPool1(Value(inputs[0]), inShape),
                    LayerKind.Conv2d => GraphRefMath.Conv((RefConv2d)node.Ref!, Value(inputs[0]), inShape, outShape,
                        new RefLayerWeights(weights, node.Name)),
                    _ => node.Ref!.Forward(Value(inputs[0]), inShape, outShape, new RefLayerWeights(weights, node.Name)),
                };
            }
            return values;
        }
    }

    /// <summary>The graph-only operations in double precision, plus a faster (loop-reordered) Conv2d with RefConv2d's semantics.</summary>
    internal static class GraphRefMath
    {
        public static double[] Add(double[] a, double[] b)
        {
            var y = new double[a.Length];
            for (int i = 0; i < y.Length; i++) y[i] = a[i] + b[i];
            return y;
        }

        /// <summary>torch.cat(dim=1) of [C_k, H, W] tensors: NCHW planes one after another.</summary>
        public static double[] Cat(IReadOnlyList<double[]> operands) => operands.SelectMany(o => o).ToArray();

        /// <summary>x [C, H, W] * s [C, 1, 1]: each channel plane scaled by its s.</summary>
        public static double[] MulBroadcast(double[] x, double[] s, RefShape shape)
        {
            int plane = shape.Height * shape.Width;
            var y = new double[x.Length];
            for (int c = 0; c < shape.Channels; c++)
                for (int i = 0; i < plane; i++) y[c * plane + i] = x[c * plane + i] * s[c];
            return y;
        }

        /// <summary>nn.AdaptiveAvgPool2d(1): the mean of each plane, shape [C, 1, 1].</summary>
        public static double[] AdaptiveAvgPool1(double[] x, RefShape shape)
        {
            int plane = shape.Height * shape.Width;
            var y = new double[shape.Channels];
            for (int c = 0; c < shape.Channels; c++)
            {
                double sum = 0;
                for (int i = 0; i < plane; i++) sum += x[c * plane + i];
                y[c] = sum / plane;
            }
            return y;
        }

        /// <summary>
        /// RefConv2d's math (zero-padded cross-correlation with stride, dilation and groups, DESIGN §4) with the loops in
        /// the order (oc, ic, ky, kx, oy, ox), so the inner loop runs along a row; output channels in parallel. Checked
        /// against <see cref="RefConv2d.Forward"/> by GraphReferenceTests. Needed to keep ResNet-18 at 224×224 (1.8 GMAC)
        /// at a few seconds.
        /// </summary>
        public static double[] Conv(RefConv2d conv, double[] x, RefShape input, RefShape output, RefLayerWeights weights)
        {
            int groups = conv.Groups, stride = conv.Stride, padding = conv.Padding, dilation = conv.Dilation;
            int outChannels = conv.OutChannels;
            int inPerGroup = input.Channels / groups, outPerGroup = outChannels / groups;
            int kh = conv.KernelHeight, kw = conv.EffectiveKernelWidth;
            double[] w = weights.Read("weight", outChannels, inPerGroup, kh, kw);
            double[] b = conv.Bias ? weights.Read("bias", outChannels) : new double[outChannels];
            int inH = input.Height, inW = input.Width, outH = output.Height, outW = output.Width;
            var y = new double[output.Length];
            System.Threading.Tasks.Parallel.For(0, outChannels, oc =>
            {
                Span<double> plane = y.AsSpan(oc * outH * outW, outH * outW);
                plane.Fill(b[oc]);
                int firstIn = oc / outPerGroup * inPerGroup;
                for (int ic = 0; ic < inPerGroup; ic++)
                {
                    ReadOnlySpan<double> inPlane = x.AsSpan((firstIn + ic) * inH * inW, inH * inW);
                    for (int ky = 0; ky < kh; ky++)
                    for (int kx = 0; kx < kw; kx++)
                    {
                        double weight = w[((oc * inPerGroup + ic) * kh + ky) * kw + kx];
                        // ox range whose ix = ox·stride − padding + kx·dilation lies inside [0, inW).
                        int offset = kx * dilation - padding;
                        int oxFirst = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
                        int oxEnd = Math.Min(outW, inW - 1 - offset < 0 ? 0 : (inW - 1 - offset) / stride + 1);
                        for (int oy = 0; oy < outH; oy++)
                        {
                            int iy = oy * stride - padding + ky * dilation;
                            if (iy < 0 || iy >= inH) continue;
                            ReadOnlySpan<double> row = inPlane.Slice(iy * inW, inW);
                            Span<double> outRow = plane.Slice(oy * outW, outW);
                            for (int ox = oxFirst; ox < oxEnd; ox++) outRow[ox] += weight * row[ox * stride + offset];
                        }
                    }
                }
            });
            return y;
        }
    }
}
