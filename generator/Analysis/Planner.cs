using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;

namespace FusedNet.Generator.Analysis
{
    /// <summary>
    /// Stage 3: fusion and memory planning. Turns the shaped layer list into the weight list, the layer
    /// metadata and two step graphs over named buffers:
    /// <list type="bullet">
    /// <item>fused: Conv2d/Linear + following BatchNorm (folded) + following activation (epilogue) as one
    /// step; a BatchNorm with no Conv/Linear before it becomes a scale-and-shift pass that also takes a
    /// following activation; Dropout disappears;</item>
    /// <item>unfused: one step per layer (conv, then BN, then activation as separate passes, the
    /// elementwise ones in place), so users can check and measure what fusion buys.</item>
    /// </list>
    /// </summary>
    internal static class Planner
    {
        public static NetworkPlan Plan(ShapedNetwork network)
        {
            NetworkSpec spec = network.Spec;
            (List<WeightPlan> weights, Dictionary<int, int> firstTensorOfLayer) = PlanWeights(network);
            List<LayerPlan> layers = network.Layers.Select(DescribeLayer).ToList();

            // Dropout is the identity at inference: drop it before fusing, so Conv, Dropout, BN still folds.
            List<ShapedLayer> computeLayers = network.Layers.Where(l => l.Layer.Kind != LayerKind.Dropout).ToList();

            var buffers = new BufferSet();
            PathPlan fused = new PathBuilder("fused", fuse: true, buffers, firstTensorOfLayer).Build(network.Input, computeLayers);
            PathPlan unfused = new PathBuilder("unfused", fuse: false, buffers, firstTensorOfLayer).Build(network.Input, computeLayers);

            Shape output = network.Layers.Count > 0 ? network.Layers[network.Layers.Count - 1].Output : network.Input;
            return new NetworkPlan(spec.Namespace, spec.ClassName, spec.ClassIdentifier, spec.Accessibility, network.Input, output,
                layers.ToEquatableArray(), weights.ToEquatableArray(), buffers.ToPlans().ToEquatableArray(), fused, unfused);
        }

        /// <summary>The tensors of DESIGN §3 in layer order, and the index of each layer's first tensor.</summary>
        private static (List<WeightPlan>, Dictionary<int, int>) PlanWeights(ShapedNetwork network)
        {
            var weights = new List<WeightPlan>();
            var first = new Dictionary<int, int>();
            foreach (ShapedLayer shaped in network.Layers)
            {
                LayerSpec layer = shaped.Layer;
                string p = layer.Name;
                void Add(string suffix, string role, params int[] shape) =>
                    weights.Add(new WeightPlan(p + "." + suffix, role, p, shape.ToEquatableArray()));

                switch (layer.Kind)
                {
                    case LayerKind.Conv2d:
                        first[layer.Index] = weights.Count;
                        Add("weight", "ConvWeight", layer.OutChannels, shaped.Input.Channels / layer.Groups, layer.KernelHeight, layer.KernelWidth);
                        if (layer.Bias) Add("bias", "ConvBias", layer.OutChannels);
                        break;
                    case LayerKind.Linear:
                        first[layer.Index] = weights.Count;
                        Add("weight", "LinearWeight", layer.OutChannels, shaped.Input.Channels);
                        if (layer.Bias) Add("bias", "LinearBias", layer.OutChannels);
                        break;
                    case LayerKind.BatchNorm2d:
                    case LayerKind.BatchNorm1d:
                        first[layer.Index] = weights.Count;
                        int c = shaped.Input.Channels;
                        Add("weight", "BatchNormWeight", c);
                        Add("bias", "BatchNormBias", c);
                        Add("running_mean", "BatchNormRunningMean", c);
                        Add("running_var", "BatchNormRunningVar", c);
                        break;
                }
            }
            return (weights, first);
        }

        private static LayerPlan DescribeLayer(ShapedLayer shaped) =>
            new LayerPlan(shaped.Layer.Index, shaped.Layer.Name, shaped.Layer.Kind, Describe(shaped), shaped.Input,
                shaped.Output, shaped.ParameterCount, shaped.MultiplyAccumulates);

        /// <summary>PyTorch-style text of a layer, e.g. "Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))".</summary>
        public static string Describe(ShapedLayer shaped)
        {
            LayerSpec l = shaped.Layer;
            switch (l.Kind)
            {
                case LayerKind.Conv2d:
                    string text = $"Conv2d({shaped.Input.Channels}, {l.OutChannels}, kernel_size=({l.KernelHeight}, {l.KernelWidth}), stride=({l.Stride}, {l.Stride})";
                    if (l.Padding != 0) text += $", padding=({l.Padding}, {l.Padding})";
                    if (l.Dilation != 1) text += $", dilation=({l.Dilation}, {l.Dilation})";
                    if (l.Groups != 1) text += $", groups={l.Groups}";
                    if (!l.Bias) text += ", bias=False";
                    return text + ")";
                case LayerKind.BatchNorm2d:
                case LayerKind.BatchNorm1d:
                    return $"{l.Kind}({shaped.Input.Channels}, eps={Float(l.Epsilon)})";
                case LayerKind.Linear:
                    return $"Linear(in_features={shaped.Input.Channels}, out_features={l.OutChannels}, bias={(l.Bias ? "True" : "False")})";
                case LayerKind.MaxPool2d:
                case LayerKind.AvgPool2d:
                    return $"{l.Kind}(kernel_size={l.KernelHeight}, stride={l.Stride}, padding={l.Padding})";
                case LayerKind.LeakyReLU:
                    return $"LeakyReLU(negative_slope={Float(l.Parameter)})";
                case LayerKind.ELU:
                    return $"ELU(alpha={Float(l.Parameter)})";
                case LayerKind.Dropout:
                    return $"Dropout(p={Float(l.Parameter)})";
                case LayerKind.GELU:
                    return l.Approximate ? "GELU(approximate='tanh')" : "GELU(approximate='none')";
                case LayerKind.GlobalAvgPool2d:
                    return "AdaptiveAvgPool2d(output_size=1) + Flatten";
                default:
                    return l.Kind + "()";
            }
        }

        private static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>Buffers of both paths; a buffer's zero border is the largest padding any reader needs.</summary>
        private sealed class BufferSet
        {
            private readonly List<(string Name, Shape Shape)> _buffers = new List<(string, Shape)>();
            private readonly Dictionary<string, int> _borders = new Dictionary<string, int>();

            public string Create(string pathName, Shape shape)
            {
                string name = $"{pathName}{_buffers.Count(b => b.Name.StartsWith(pathName, System.StringComparison.Ordinal))}";
                _buffers.Add((name, shape));
                _borders[name] = 0;
                return name;
            }

            private readonly HashSet<string> _vectorChannels = new HashSet<string>();

            public void RequireBorder(string name, int border)
            {
                if (border > _borders[name]) _borders[name] = border;
            }

            /// <summary>Some step loads or stores whole vectors of this buffer's channels.</summary>
            public void RequireVectorChannels(string name) => _vectorChannels.Add(name);

            public IEnumerable<BufferPlan> ToPlans() =>
                _buffers.Select(b => new BufferPlan(b.Name, b.Shape, _borders[b.Name], _vectorChannels.Contains(b.Name)));
        }

        /// <summary>Builds one path's steps by walking the layers, fusing where allowed.</summary>
        private sealed class PathBuilder
        {
            private readonly string _name;
            private readonly bool _fuse;
            private readonly BufferSet _buffers;
            private readonly Dictionary<int, int> _firstTensor;
            private readonly List<StepPlan> _steps = new List<StepPlan>();

            public PathBuilder(string name, bool fuse, BufferSet buffers, Dictionary<int, int> firstTensor)
            {
                _name = name;
                _fuse = fuse;
                _buffers = buffers;
                _firstTensor = firstTensor;
            }

            public PathPlan Build(Shape input, List<ShapedLayer> layers)
            {
                string inputBuffer = _buffers.Create(_name, input);
                string current = inputBuffer;
                int i = 0;
                while (i < layers.Count)
                {
                    ShapedLayer layer = layers[i];
                    int next = i + 1;
                    switch (layer.Layer.Kind)
                    {
                        case LayerKind.Conv2d:
                        case LayerKind.Linear:
                            current = AddWeightedStep(layers, i, current, out next);
                            break;
                        case LayerKind.BatchNorm2d:
                        case LayerKind.BatchNorm1d:
                            ActivationPlan? bnActivation = null;
                            var covered = new List<ShapedLayer> { layer };
                            if (_fuse && next < layers.Count && layers[next].Layer.Kind.IsActivation())
                            {
                                bnActivation = ToActivation(layers[next].Layer);
                                covered.Add(layers[next]);
                                next++;
                            }
                            AddStep(new StepPlan(0, StepKind.ScaleShift, Title(covered), current, current, layer.Input, layer.Output)
                            {
                                Activation = bnActivation,
                                MainLayer = layer.Layer.Index,
                                BatchNormFirstTensor = _firstTensor[layer.Layer.Index],
                                BatchNormEpsilon = layer.Layer.Epsilon,
                                HasVector512 = layer.Input.Channels > 8,
                            });
                            break;
                        case LayerKind.MaxPool2d:
                        case LayerKind.AvgPool2d:
                            current = AddNewBufferStep(layer, current, layer.Layer.Kind == LayerKind.MaxPool2d ? StepKind.MaxPool : StepKind.AvgPool);
                            break;
                        case LayerKind.GlobalAvgPool2d:
                            current = AddNewBufferStep(layer, current, StepKind.GlobalAvgPool);
                            break;
                        case LayerKind.Flatten:
                            if (!layer.Input.IsFlat) current = AddNewBufferStep(layer, current, StepKind.Flatten);
                            break;
                        default:
                            // A standalone activation runs in place.
                            AddStep(new StepPlan(0, StepKind.Activation, Title(new List<ShapedLayer> { layer }), current, current, layer.Input, layer.Output)
                            {
                                Activation = ToActivation(layer.Layer),
                                MainLayer = layer.Layer.Index,
                                HasVector512 = layer.Input.Channels > 8,
                            });
                            break;
                    }
                    i = next;
                }
                return new PathPlan(_name, inputBuffer, _steps.ToEquatableArray(), current);
            }

            /// <summary>Conv2d or Linear, plus (when fusing) a following BatchNorm and a following activation.</summary>
            private string AddWeightedStep(List<ShapedLayer> layers, int index, string input, out int next)
            {
                ShapedLayer main = layers[index];
                LayerSpec l = main.Layer;
                var covered = new List<ShapedLayer> { main };
                next = index + 1;
                int batchNorm = -1;
                float epsilon = 0;
                ActivationPlan? activation = null;
                LayerKind foldable = l.Kind == LayerKind.Conv2d ? LayerKind.BatchNorm2d : LayerKind.BatchNorm1d;
                if (_fuse && next < layers.Count && layers[next].Layer.Kind == foldable)
                {
                    batchNorm = _firstTensor[layers[next].Layer.Index];
                    epsilon = layers[next].Layer.Epsilon;
                    covered.Add(layers[next]);
                    next++;
                }
                if (_fuse && next < layers.Count && layers[next].Layer.Kind.IsActivation())
                {
                    activation = ToActivation(layers[next].Layer);
                    covered.Add(layers[next]);
                    next++;
                }

                string output = _buffers.Create(_name, main.Output);
                int weightTensor = _firstTensor[l.Index];
                var step = new StepPlan(0, l.Kind == LayerKind.Conv2d ? StepKind.Conv : StepKind.Linear, Title(covered),
                    input, output, main.Input, main.Output)
                {
                    MultiplyAccumulates = main.MultiplyAccumulates,
                    Activation = activation,
                    MainLayer = l.Index,
                    WeightTensor = weightTensor,
                    BiasTensor = l.Bias ? weightTensor + 1 : -1,
                    BatchNormFirstTensor = batchNorm,
                    BatchNormEpsilon = epsilon,
                };
                if (l.Kind == LayerKind.Conv2d)
                {
                    _buffers.RequireBorder(input, l.Padding);
                    step = step with
                    {
                        KernelHeight = l.KernelHeight,
                        KernelWidth = l.KernelWidth,
                        Stride = l.Stride,
                        Padding = l.Padding,
                        Dilation = l.Dilation,
                        Groups = l.Groups,
                    };
                    step = ChooseConvAlgorithm(step);
                }
                else
                {
                    step = step with { HasVector512 = l.OutChannels > 8 };
                }
                AddStep(step);
                return output;
            }

            private static StepPlan ChooseConvAlgorithm(StepPlan step)
            {
                int inPerGroup = step.InputShape.Channels / step.Groups;
                int outPerGroup = step.OutputShape.Channels / step.Groups;
                if (step.Groups == 1)
                    return step with { Algorithm = ConvAlgorithm.OutputVectors, HasVector512 = outPerGroup > 8 };
                if (inPerGroup == 1 && outPerGroup == 1)
                    return step with { Algorithm = ConvAlgorithm.Depthwise, HasVector512 = step.OutputShape.Channels > 8 };
                if (outPerGroup % 8 == 0)
                    return step with { Algorithm = ConvAlgorithm.OutputVectors, HasVector512 = outPerGroup % 16 == 0 };
                return step with { Algorithm = ConvAlgorithm.GroupedScalar, HasVector512 = false };
            }

            private string AddNewBufferStep(ShapedLayer layer, string input, StepKind kind)
            {
                string output = _buffers.Create(_name, layer.Output);
                AddStep(new StepPlan(0, kind, Title(new List<ShapedLayer> { layer }), input, output, layer.Input, layer.Output)
                {
                    MainLayer = layer.Layer.Index,
                    KernelHeight = layer.Layer.KernelHeight,
                    KernelWidth = layer.Layer.KernelWidth,
                    Stride = layer.Layer.Stride,
                    Padding = layer.Layer.Padding,
                    HasVector512 = layer.Input.Channels > 8 && kind != StepKind.Flatten,
                });
                return output;
            }

            private void AddStep(StepPlan step)
            {
                // Which side of the step moves whole vectors of channels (the rest go one channel at a time).
                bool scalarRead = step.Kind == StepKind.Flatten ||
                    (step.Kind == StepKind.Conv && step.Algorithm != ConvAlgorithm.Depthwise);
                bool scalarWrite = step.Kind == StepKind.Conv && step.Algorithm == ConvAlgorithm.GroupedScalar;
                if (!scalarRead) _buffers.RequireVectorChannels(step.Input);
                if (!scalarWrite) _buffers.RequireVectorChannels(step.Output);
                _steps.Add(step with { Id = _steps.Count });
            }

            private static ActivationPlan ToActivation(LayerSpec layer) =>
                new ActivationPlan(layer.Kind, layer.Parameter, layer.Approximate);

            private static string Title(List<ShapedLayer> covered) =>
                string.Join(" + ", covered.Select(c => Describe(c))) + "  [layers " +
                string.Join(", ", covered.Select(c => $"{c.Layer.Index} '{c.Layer.Name}'")) + "]";
        }
    }
}
