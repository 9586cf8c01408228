using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;

namespace FusedNet.Generator.Analysis
{
    /// <summary>
    /// Builds one execution path over the layer graph: steps reading and writing virtual tensors. The fused path
    /// merges a layer into the step before it only when that step's result has no other reader (<see
    /// cref="LayerGraph.SoleReader"/>):
    /// <list type="bullet">
    /// <item>Conv2d/Linear + BatchNorm (folded into the weights) + activation (epilogue);</item>
    /// <item>then, for Conv2d, a residual Add (the other operand is read in the epilogue) + an activation after it;</item>
    /// <item>BatchNorm without a producer to fold into, Add and Mul each take a following activation;</item>
    /// <item>elementwise passes run in place when nothing else reads their input.</item>
    /// </list>
    /// A fused step is placed where its last layer is, so the residual operand is always computed before it.
    /// The unfused path runs every layer as its own step (in place where possible too).
    /// </summary>
    internal sealed class PathBuilder
    {
        private readonly string _name;
        private readonly bool _fuse;
        private readonly WinogradUse _winograd;
        private readonly LayerGraph _graph;
        private readonly Dictionary<int, int> _firstTensor;
        private readonly List<VirtualTensor> _tensors = new List<VirtualTensor>();
        private readonly Dictionary<int, VirtualTensor> _tensorOf = new Dictionary<int, VirtualTensor>();
        private readonly List<StepPlan> _steps = new List<StepPlan>();

        public PathBuilder(string name, bool fuse, LayerGraph graph, Dictionary<int, int> firstTensor, WinogradUse winograd = WinogradUse.WherePays)
        {
            _name = name;
            _fuse = fuse;
            _winograd = winograd;
            _graph = graph;
            _firstTensor = firstTensor;
        }

        public VirtualPath Build()
        {
            VirtualTensor input = NewTensor(_graph.Network.Input);
            _tensorOf[LayerSpec.NetworkInput] = input;
            var covered = new HashSet<int>();
            // Steps whose last covered layer is later than their first wait there (a fused residual Add needs its
            // other operand, which may be computed between the conv and the Add).
            var pending = new Dictionary<int, List<System.Action>>();
            for (int i = 0; i < _graph.Count; i++)
            {
                if (!_graph.IsSkipped(i) && !covered.Contains(i))
                {
                    List<int> chain = Chain(i).TakeWhile(c => c == i || !covered.Contains(c)).ToList(); // an Add an earlier chain took stays there
                    foreach (int c in chain) covered.Add(c);
                    int head = i;
                    int last = chain[chain.Count - 1];
                    if (!pending.TryGetValue(last, out List<System.Action>? list)) pending[last] = list = new List<System.Action>();
                    list.Add(() => AddLayerSteps(head, chain));
                }
                if (pending.TryGetValue(i, out List<System.Action>? ready))
                    foreach (System.Action emit in ready) emit();
            }
            VirtualTensor output = _tensorOf[_graph.Output];
            if (_fuse)
            {
                WriteCatOperandsInPlace(output);
                ScaleConvolutionInputs(output);
            }
            return new VirtualPath(_name, _steps.Select((step, id) => step with { Id = id }).ToList(), _tensors, input.Name, output.Name);
        }

        /// <summary>
        /// Squeeze-excite without a pass of its own: a Mul (no activation after it) whose result only a convolution reads
        /// is dropped, and that convolution reads the Mul's input directly, multiplying each loaded value by its channel's
        /// scale (one multiply per broadcast input, beside R·J multiply-adds). Only for output-vector convolutions (their
        /// inner loop walks input channels one at a time); the convolution's padding border moves to the Mul's input.
        /// </summary>
        private void ScaleConvolutionInputs(VirtualTensor networkOutput)
        {
            for (int k = 0; k < _steps.Count; k++)
            {
                StepPlan mul = _steps[k];
                if (mul.Kind != StepKind.Mul || mul.Epilogue.Count > 0 || mul.Output == networkOutput.Name || mul.Output == mul.Input) continue;
                var writers = _steps.Where(s => s.Output == mul.Output).ToList();
                var readers = _steps.Where(s => s.Reads.Contains(mul.Output)).ToList();
                if (writers.Count != 1 || readers.Count != 1) continue;
                StepPlan conv = readers[0];
                if (conv.Kind != StepKind.Conv || conv.Algorithm != ConvAlgorithm.OutputVectors || conv.Input != mul.Output ||
                    conv.SecondInput == mul.Output || conv.InputScale is not null || conv.InputNormalization is not null)
                    continue;
                VirtualTensor x = _tensors.First(t => t.Name == mul.Input);
                if (conv.Padding > x.Border) x.Border = conv.Padding;
                int at = _steps.IndexOf(conv);
                _steps[at] = conv with
                {
                    Input = mul.Input,
                    InputScale = mul.SecondInput,
                    Title = MergeTitles(mul.Title, conv.Title),
                };
                _steps.RemoveAt(k);
                k--;
            }
        }

        /// <summary>"a  [layers 1 'x']" and "b + c  [layers 2 'y', 3 'z']" → "a + b + c  [layers 1 'x', 2 'y', 3 'z']".</summary>
        private static string MergeTitles(string first, string second)
        {
            const string Marker = "  [layers ";
            int a = first.IndexOf(Marker, System.StringComparison.Ordinal), b = second.IndexOf(Marker, System.StringComparison.Ordinal);
            if (a < 0 || b < 0) return first + " + " + second;
            string firstLayers = first.Substring(a + Marker.Length).TrimEnd(']');
            return first.Substring(0, a) + " + " + second.Substring(0, b) + Marker + firstLayers + ", " + second.Substring(b + Marker.Length);
        }

        /// <summary>
        /// Cat without copies where it is safe: a CatSlice whose operand tensor is written by exactly one convolution step
        /// and read by nothing but that slice is dropped, and the convolution writes straight into its channel slice of
        /// the Cat's tensor (StepPlan.ChannelOffset). Kernels store whole vectors, so the operand's channel count must be
        /// a multiple of 16 (then no store reaches the next slice at any width), unless it is the last slice (its excess
        /// lands in the channel padding). Other operands keep their copy step.
        /// </summary>
        private void WriteCatOperandsInPlace(VirtualTensor networkOutput)
        {
            for (int k = 0; k < _steps.Count; k++)
            {
                StepPlan slice = _steps[k];
                if (slice.Kind != StepKind.CatSlice || slice.Input == networkOutput.Name) continue;
                bool last = slice.ChannelOffset + slice.InputShape.Channels == slice.OutputShape.Channels;
                if (slice.InputShape.Channels % BufferPlan.ChannelAlignment != 0 && !last) continue;
                var writers = _steps.Where(s => s.Output == slice.Input).ToList();
                int readers = _steps.Count(s => s.Reads.Contains(slice.Input));
                if (writers.Count != 1 || writers[0].Kind != StepKind.Conv || readers != 1) continue;
                StepPlan producer = writers[0];
                VirtualTensor cat = _tensors.First(t => t.Name == slice.Output);
                cat.VectorChannels = true;
                int at = _steps.IndexOf(producer);
                _steps[at] = producer with
                {
                    Output = cat.Name, // OutputShape stays the conv's own: the kernel writes its channels at the offset
                    ChannelOffset = slice.ChannelOffset,
                    Title = producer.Title + $", written into channels {slice.ChannelOffset}..{slice.ChannelOffset + slice.InputShape.Channels - 1} of the Cat",
                };
                _steps.RemoveAt(k);
                k--;
            }
        }

        /// <summary>The layers one step covers, starting at <paramref name="head"/> (just the head when not fusing).</summary>
        private List<int> Chain(int head)
        {
            var chain = new List<int> { head };
            if (!_fuse) return chain;
            LayerKind kind = _graph.Kind(head);
            int last = head;
            bool Extend(System.Func<LayerKind, bool> accepts)
            {
                int reader = _graph.SoleReader(last);
                if (reader < 0 || !accepts(_graph.Kind(reader))) return false;
                chain.Add(reader);
                last = reader;
                return true;
            }

            if (FoldsIntoNextConv(head)) return chain; // no step of its own: the conv after it takes it (AddWeightedStep)
            switch (kind)
            {
                case LayerKind.Conv2d:
                case LayerKind.Linear:
                    LayerKind foldable = kind == LayerKind.Conv2d ? LayerKind.BatchNorm2d : LayerKind.BatchNorm1d;
                    // A BatchNorm without running statistics normalises with the batch's statistics: not foldable.
                    // InstanceNorm2d with running statistics is, in eval mode, a BatchNorm2d (γ = 1, β = 0 without affine).
                    if (!Extend(k => k == foldable && !_graph[_graph.SoleReader(last)].Layer.UsesBatchStatistics) && kind == LayerKind.Conv2d) Extend(k => k == LayerKind.InstanceNorm2d && RunsOnRunningStats(_graph[_graph.SoleReader(last)].Layer));
                    // Maxout right after a dense conv (and its BatchNorm): the maximum of each output's pieces is taken in the
                    // conv's epilogue (StepPlan.MaxoutPieces), then a following activation; no residual after it.
                    if (Extend(k => k == LayerKind.Maxout && FusesMaxout(_graph[head].Layer, _graph[_graph.SoleReader(last)].Layer)))
                    {
                        Extend(k => k.IsActivation());
                        break;
                    }
                    Extend(k => k.IsActivation());
                    // A residual Add in the conv's epilogue, when the other operand is another tensor.
                    if (kind == LayerKind.Conv2d && Extend(k => k == LayerKind.Add))
                    {
                        IReadOnlyList<int> operands = _graph.Operands(last);
                        int previous = chain[chain.Count - 2];
                        if (operands[0] == operands[1] || (operands[0] != previous && operands[1] != previous))
                            chain.RemoveAt(chain.Count - 1);
                        else
                            Extend(k => k.IsActivation());
                    }
                    break;
                case LayerKind.BatchNorm2d:
                case LayerKind.BatchNorm1d:
                case LayerKind.Normalize:
                case LayerKind.Add:
                case LayerKind.Mul:
                case LayerKind.Maxout: // the activation is applied to each maximum before its store
                case LayerKind.LayerNorm:
                case LayerKind.GroupNorm:
                case LayerKind.InstanceNorm2d:
                    // Normalisations apply the activation in their final scale-and-shift pass.
                    Extend(k => k.IsActivation());
                    break;
            }
            return chain;
        }

        private void AddLayerSteps(int head, List<int> chain)
        {
            ShapedLayer layer = _graph[head];
            IReadOnlyList<int> operands = _graph.Operands(head);
            VirtualTensor input = _tensorOf[operands[0]];
            switch (layer.Layer.Kind)
            {
                case LayerKind.Conv2d:
                case LayerKind.Linear:
                    AddWeightedStep(head, chain, input);
                    break;
                case LayerKind.BatchNorm2d when layer.Layer.UsesBatchStatistics:
                case LayerKind.BatchNorm1d when layer.Layer.UsesBatchStatistics:
                    // Statistics over (N, H, W) of the batch given to Forward (StepPlan.NormOverBatch); batch 1: over H x W,
                    // which is what an InstanceNorm2d with γ and β computes.
                    AddElementwise(head, chain, StepKind.Normalize, input, null, step => step with
                    {
                        NormGroups = layer.Input.Channels,
                        NormEpsilon = layer.Layer.Epsilon,
                        NormOverBatch = true,
                        WeightTensor = _firstTensor[head],
                        BiasTensor = _firstTensor[head] + 1,
                    });
                    break;
                case LayerKind.BatchNorm2d:
                case LayerKind.BatchNorm1d:
                    if (FoldsIntoNextConv(head))
                    {
                        _tensorOf[head] = input; // the conv reading it folds it and reads its input (AddWeightedStep)
                        break;
                    }
                    AddElementwise(head, chain, StepKind.ScaleShift, input, null, step => step with
                    {
                        BatchNormFirstTensor = _firstTensor[head],
                        BatchNormEpsilon = layer.Layer.Epsilon,
                    });
                    break;
                case LayerKind.InstanceNorm2d when RunsOnRunningStats(layer.Layer):
                    // Eval mode with running statistics: a per-channel scale-and-shift, as BatchNorm2d.
                    AddElementwise(head, chain, StepKind.ScaleShift, input, null, step => step with
                    {
                        BatchNormFirstTensor = _firstTensor[head],
                        BatchNormEpsilon = layer.Layer.Epsilon,
                    });
                    break;
                case LayerKind.LayerNorm:
                case LayerKind.GroupNorm:
                case LayerKind.InstanceNorm2d:
                    AddElementwise(head, chain, StepKind.Normalize, input, null, step => step with
                    {
                        // Statistics groups: LayerNorm one (the whole sample), GroupNorm its groups, InstanceNorm2d each channel.
                        NormGroups = layer.Layer.Kind switch
                        {
                            LayerKind.LayerNorm => 1,
                            LayerKind.GroupNorm => layer.Layer.Groups,
                            _ => layer.Input.Channels,
                        },
                        NormPerElementAffine = layer.Layer.Kind == LayerKind.LayerNorm && !layer.Input.IsFlat,
                        NormEpsilon = layer.Layer.Epsilon,
                        WeightTensor = layer.Layer.Affine ? _firstTensor[head] : -1,
                        BiasTensor = layer.Layer.Affine ? _firstTensor[head] + 1 : -1,
                    });
                    break;
                case LayerKind.Normalize:
                    if (FoldsIntoNextConv(head))
                    {
                        _tensorOf[head] = input;
                        break;
                    }
                    AddElementwise(head, chain, StepKind.ScaleShift, input, null, step => step with { Normalization = NormalizationOf(head) });
                    break;
                case LayerKind.Add:
                    AddElementwise(head, chain, StepKind.Add, input, _tensorOf[operands[1]], step => step);
                    break;
                case LayerKind.Mul:
                    AddElementwise(head, chain, StepKind.Mul, input, _tensorOf[operands[1]], step => step);
                    break;
                case LayerKind.Cat:
                    AddCat(head);
                    break;
                case LayerKind.MaxPool2d:
                case LayerKind.AvgPool2d:
                    AddNewTensorStep(head, input, layer.Layer.Kind == LayerKind.MaxPool2d ? StepKind.MaxPool : StepKind.AvgPool);
                    break;
                case LayerKind.GlobalAvgPool2d:
                case LayerKind.AdaptiveAvgPool2d:
                    AddNewTensorStep(head, input, StepKind.GlobalAvgPool);
                    break;
                case LayerKind.Maxout:
                    AddMaxout(head, chain, input);
                    break;
                case LayerKind.Flatten:
                    if (layer.Input.IsFlat) _tensorOf[head] = input; // a no-op on a flat tensor
                    else AddNewTensorStep(head, input, StepKind.Flatten);
                    break;
                default:
                    if (!layer.Layer.Kind.IsActivation())
                        throw new System.InvalidOperationException($"Planner: layer kind {layer.Layer.Kind} has no step (layer {head}).");
                    AddElementwise(head, chain, StepKind.Activation, input, null, step => step);
                    break;
            }
        }

        /// <summary>Conv2d or Linear, with what <see cref="Chain"/> fused after it.</summary>
        private void AddWeightedStep(int head, List<int> chain, VirtualTensor input)
        {
            ShapedLayer main = _graph[head];
            LayerSpec l = main.Layer;
            int batchNorm = -1;
            float epsilon = 0;
            int maxoutPieces = 0;
            Shape outputShape = main.Output;
            var epilogue = new List<EpilogueOp>();
            VirtualTensor? residual = null;
            int previous = head;
            foreach (int index in chain.Skip(1))
            {
                LayerSpec covered = _graph[index].Layer;
                if (covered.Kind is LayerKind.BatchNorm2d or LayerKind.BatchNorm1d or LayerKind.InstanceNorm2d)
                {
                    batchNorm = _firstTensor[index];
                    epsilon = covered.Epsilon;
                }
                else if (covered.Kind == LayerKind.Maxout)
                {
                    maxoutPieces = covered.Pieces;
                    outputShape = _graph[index].Output; // the conv's step writes the maxima
                }
                else if (covered.Kind == LayerKind.Add)
                {
                    IReadOnlyList<int> operands = _graph.Operands(index);
                    residual = _tensorOf[operands[0] == previous ? operands[1] : operands[0]];
                    epilogue.Add(EpilogueOp.AddResidual);
                }
                else
                {
                    epilogue.Add(EpilogueOp.Activate(ToActivation(covered)));
                }
                previous = index;
            }

            VirtualTensor output = NewTensor(outputShape);
            int weightTensor = _firstTensor[l.Index];
            // A normalisation folded into this conv (FoldsIntoNextConv): its input is the conv's input.
            int before = l.Kind == LayerKind.Conv2d ? _graph.Operands(head)[0] : -1;
            NormalizationPlan? inputNormalization = before >= 0 && FoldsIntoNextConv(before) ? NormalizationOf(before) : null;
            if (inputNormalization is not null && l.Padding > 0)
                input.BorderFillLayer = before; // the border holds the raw values that normalise to 0 (BufferPlan.BorderFillLayer)
            var step = new StepPlan(0, l.Kind == LayerKind.Conv2d ? StepKind.Conv : StepKind.Linear,
                Title(inputNormalization is null ? chain : new[] { before }.Concat(chain).ToList()),
                input.Name, output.Name, main.Input, outputShape)
            {
                MultiplyAccumulates = main.MultiplyAccumulates,
                MaxoutPieces = maxoutPieces,
                Epilogue = epilogue.ToEquatableArray(),
                SecondInput = residual?.Name,
                MainLayer = l.Index,
                WeightTensor = weightTensor,
                BiasTensor = l.Bias ? weightTensor + 1 : -1,
                BatchNormFirstTensor = batchNorm,
                BatchNormEpsilon = epsilon,
                InputNormalization = inputNormalization,
            };
            if (l.Kind == LayerKind.Conv2d)
            {
                if (l.Padding > input.Border) input.Border = l.Padding;
                step = ChooseConvAlgorithm(step with
                {
                    KernelHeight = l.KernelHeight,
                    KernelWidth = l.KernelWidth,
                    Stride = l.Stride,
                    Padding = l.Padding,
                    Dilation = l.Dilation,
                    Groups = l.Groups,
                });
            }
            else
            {
                step = step with { HasVector512 = l.OutChannels > 8 };
            }
            AddStep(step, chain[chain.Count - 1], output);
        }

        private StepPlan ChooseConvAlgorithm(StepPlan step)
        {
            int inPerGroup = step.InputShape.Channels / step.Groups;
            int outPerGroup = step.OutputShape.Channels / step.Groups;
            // Maxout in the epilogue: only the output-vector kernel interleaves the pieces (FusesMaxout: groups 1).
            if (step.MaxoutPieces > 1)
                return step with { Algorithm = ConvAlgorithm.OutputVectors, HasVector512 = outPerGroup > 8 };
            if (UseWinograd(step, _winograd))
                return step with { Algorithm = ConvAlgorithm.Winograd, HasVector512 = outPerGroup > 8 };
            if (step.Groups == 1)
                return step with { Algorithm = ConvAlgorithm.OutputVectors, HasVector512 = outPerGroup > 8 };
            if (inPerGroup == 1 && outPerGroup == 1)
                return step with { Algorithm = ConvAlgorithm.Depthwise, HasVector512 = step.OutputShape.Channels > 8 };
            if (outPerGroup % 8 == 0)
                return step with { Algorithm = ConvAlgorithm.OutputVectors, HasVector512 = outPerGroup % 16 == 0 };
            return step with { Algorithm = ConvAlgorithm.GroupedScalar, HasVector512 = false };
        }

        /// <summary>
        /// Whether Winograd F(4x4, 3x3) computes <paramref name="step"/>. It can compute a dense (groups 1) 3x3 convolution
        /// with stride 1, dilation 1 and padding 0 or 1. Where it pays (<see cref="WinogradUse.WherePays"/>, the default):
        /// <list type="bullet">
        /// <item>at least <see cref="WinogradMinChannels"/> input and output channels: the 36 products have an inner
        /// dimension of the input channels and vectors of output channels; with fewer, the tile transforms (whose cost grows
        /// with the channels, not with channel pairs) are no longer small next to them;</item>
        /// <item>an output of at least 4x4 (one whole tile): smaller maps compute mostly discarded tile outputs;</item>
        /// <item>transformed weights U (36·in·out floats, 4x the direct kernel's) that fit L2 (<see cref="WinogradL2Bytes"/>),
        /// or at least <see cref="WinogradMinPixels"/> output pixels. Each call streams all of U once per pass, and a
        /// large U comes from L3 or memory: streaming 144·in·out bytes costs about as much as 9·in·out multiply-adds, while
        /// direct does 9·H·W·in·out of them. Measured on Zen 5 (V512, one conv3x3 + BN + ReLU alone, µs, direct → Winograd):
        /// 64→64 at 56x56 1212 → 421, 128→128 at 28x28 1194 → 389, 256→256 at 14x14 1184 → 531 (in ResNet-18, where its
        /// 9.4 MB of U come from L3 or memory, about 1230 → 820), 64→64 at 7x7 21.9 → 10.3 (U 0.6 MB), but 512→512 at 7x7
        /// 1508 → 1800 (U 37.7 MB for 49 pixels: slower, so direct). 256→256 at 7x7 (U 9.4 MB, 49 pixels) measured
        /// 296 → 201 alone, with U hot in L3, which a whole network does not give it: direct, to be safe.</item>
        /// </list>
        /// </summary>
        internal static bool UseWinograd(StepPlan step, WinogradUse use)
        {
            if (use == WinogradUse.Never) return false;
            bool eligible = step.Groups == 1 && step.KernelHeight == 3 && step.KernelWidth == 3 && step.Stride == 1 &&
                step.Dilation == 1 && step.Padding is 0 or 1;
            if (!eligible || use == WinogradUse.Always) return eligible;
            int inChannels = step.InputShape.Channels, outChannels = step.OutputShape.Channels;
            int height = step.OutputShape.Height, width = step.OutputShape.Width;
            long transformedWeightBytes = 36L * inChannels * outChannels * 4;
            return inChannels >= WinogradMinChannels && outChannels >= WinogradMinChannels && height >= 4 && width >= 4 &&
                (transformedWeightBytes <= WinogradL2Bytes || (long)height * width >= WinogradMinPixels);
        }

        /// <summary>Fewest input and output channels for which the planner picks Winograd (see <see cref="UseWinograd"/>).</summary>
        internal const int WinogradMinChannels = 16;

        /// <summary>Transformed weights up to this size count as L2-resident (1 MiB: Zen 4/5; see <see cref="UseWinograd"/>).</summary>
        internal const long WinogradL2Bytes = 1L << 20;

        /// <summary>Output pixels from which Winograd pays even with transformed weights beyond L2 (see <see cref="UseWinograd"/>).</summary>
        internal const int WinogradMinPixels = 100;

        /// <summary>
        /// A per-element pass (scale-and-shift, activation, Add, Mul) plus the activation fused after it. It runs in
        /// place when this step is the only reader of its input (and the input is not the tensor Add also reads).
        /// </summary>
        private void AddElementwise(int head, List<int> chain, StepKind kind, VirtualTensor input, VirtualTensor? second,
            System.Func<StepPlan, StepPlan> configure)
        {
            ShapedLayer layer = _graph[head];
            var epilogue = new List<EpilogueOp>();
            foreach (int index in chain)
                if (_graph[index].Layer.Kind.IsActivation()) epilogue.Add(EpilogueOp.Activate(ToActivation(_graph[index].Layer)));
            int first = _graph.Operands(head)[0];
            bool inPlace = _graph.SoleReader(first) == head && second != input && layer.Input == layer.Output;
            VirtualTensor output = inPlace ? input : NewTensor(layer.Output);
            var step = new StepPlan(0, kind, Title(chain), input.Name, output.Name, layer.Input, layer.Output)
            {
                Epilogue = epilogue.ToEquatableArray(),
                SecondInput = second?.Name,
                MainLayer = layer.Layer.Index,
                HasVector512 = layer.Input.Channels > 8,
            };
            AddStep(configure(step), chain[chain.Count - 1], output);
        }

        /// <summary>Maxout into a new tensor (fewer channels, so never in place), with the activation <see cref="Chain"/> fused after it.</summary>
        private void AddMaxout(int head, List<int> chain, VirtualTensor input)
        {
            ShapedLayer layer = _graph[head];
            VirtualTensor output = NewTensor(layer.Output);
            var epilogue = chain.Skip(1).Select(index => EpilogueOp.Activate(ToActivation(_graph[index].Layer))).ToList();
            AddStep(new StepPlan(0, StepKind.Maxout, Title(chain), input.Name, output.Name, layer.Input, layer.Output)
            {
                MainLayer = layer.Layer.Index,
                Epilogue = epilogue.ToEquatableArray(),
            }, chain[chain.Count - 1], output);
        }

        /// <summary>Cat: one copy step per operand into its channel slice of a new tensor.</summary>
        private void AddCat(int head)
        {
            ShapedLayer layer = _graph[head];
            VirtualTensor output = NewTensor(layer.Output);
            int offset = 0;
            IReadOnlyList<int> operands = _graph.Operands(head);
            for (int k = 0; k < operands.Count; k++)
            {
                VirtualTensor source = _tensorOf[operands[k]];
                var step = new StepPlan(0, StepKind.CatSlice, $"{Title(new List<int> { head })}: operand {k} into channels {offset}..{offset + source.Shape.Channels - 1}",
                    source.Name, output.Name, source.Shape, layer.Output)
                {
                    MainLayer = layer.Layer.Index,
                    ChannelOffset = offset,
                };
                AddStep(step, head, output);
                offset += source.Shape.Channels;
            }
        }

        private void AddNewTensorStep(int head, VirtualTensor input, StepKind kind)
        {
            ShapedLayer layer = _graph[head];
            VirtualTensor output = NewTensor(layer.Output);
            AddStep(new StepPlan(0, kind, Title(new List<int> { head }), input.Name, output.Name, layer.Input, layer.Output)
            {
                MainLayer = layer.Layer.Index,
                KernelHeight = layer.Layer.KernelHeight,
                KernelWidth = layer.Layer.KernelWidth,
                Stride = layer.Layer.Stride,
                Padding = layer.Layer.Padding,
                HasVector512 = layer.Input.Channels > 8 && kind is not (StepKind.Flatten or StepKind.Maxout),
            }, head, output);
        }

        private void AddStep(StepPlan step, int producedLayer, VirtualTensor output)
        {
            // Which sides of the step move whole vectors of channels (the rest go one channel at a time).
            bool scalarRead = step.Kind is StepKind.Flatten or StepKind.CatSlice or StepKind.Maxout ||
                (step.Kind == StepKind.Conv && step.Algorithm is not (ConvAlgorithm.Depthwise or ConvAlgorithm.Winograd));
            bool scalarWrite = step.Kind is StepKind.CatSlice or StepKind.Maxout || (step.Kind == StepKind.Conv && step.Algorithm == ConvAlgorithm.GroupedScalar);
            VirtualTensor input = _tensors.First(t => t.Name == step.Input);
            if (!scalarRead) input.VectorChannels = true;
            if (!scalarWrite) output.VectorChannels = true;
            if (step.SecondInput is not null) _tensors.First(t => t.Name == step.SecondInput).VectorChannels = true;
            _tensorOf[producedLayer] = output;
            _steps.Add(step with { Id = _steps.Count });
        }

        private VirtualTensor NewTensor(Shape shape)
        {
            var tensor = new VirtualTensor($"{_name}Tensor{_tensors.Count}", shape);
            _tensors.Add(tensor);
            return tensor;
        }

        /// <summary>
        /// Whether the conv's or Linear's epilogue takes the Maxout after it: a dense conv (groups 1, computed by output
        /// vectors: the pieces of an output are interleaved in its packed weights so one register block holds them) or a
        /// Linear, and 2–4 pieces (the block's vectors; more would not leave registers for pixels).
        /// </summary>
        private static bool FusesMaxout(LayerSpec conv, LayerSpec maxout) => conv.Groups == 1 && maxout.Pieces is >= 2 and <= MaxFusedMaxoutPieces;

        /// <summary>The most Maxout pieces a conv's epilogue takes (one register block holds that many vectors).</summary>
        public const int MaxFusedMaxoutPieces = 4;

        /// <summary>An InstanceNorm2d that eval mode computes from its running statistics (track_running_stats = True).</summary>
        private static bool RunsOnRunningStats(LayerSpec layer) => layer.Kind == LayerKind.InstanceNorm2d && layer.TrackRunningStats;
        /// <summary>
        /// Whether the normalisation <paramref name="index"/> (a Normalize, or a BatchNorm2d that is a step of its own: not
        /// folded into a conv before it) is folded into the convolution after it, in the fused path: that convolution
        /// must be its only reader, and it the only reader of its input, so the input buffer can carry the border fill
        /// values the folded convolution needs (a tensor another layer reads must keep its zero border). Everything else
        /// keeps the normalisation as a scale-and-shift pass.
        /// </summary>
        private bool FoldsIntoNextConv(int index)
        {
            if (!_fuse || index < 0) return false;
            LayerKind kind = _graph.Kind(index);
            if (kind is not (LayerKind.Normalize or LayerKind.BatchNorm2d) || _graph[index].Input.IsFlat) return false;
            if (_graph[index].Layer.UsesBatchStatistics) return false; // its scale and shift are known only per batch
            int conv = _graph.SoleReader(index);
            if (conv < 0 || _graph.Kind(conv) != LayerKind.Conv2d) return false;
            // A BatchNorm2d right after a conv is folded into that conv's weights (Chain) instead.
            int source = _graph.Operands(index)[0];
            if (kind == LayerKind.BatchNorm2d && source >= 0 && _graph.Kind(source) == LayerKind.Conv2d && _graph.SoleReader(source) == index)
                return false;
            return _graph.SoleReader(source) == index;
        }

        /// <summary>The normalisation of layer <paramref name="index"/> (Normalize constants or tensors, BatchNorm2d tensors).</summary>
        private NormalizationPlan NormalizationOf(int index)
        {
            LayerSpec l = _graph[index].Layer;
            if (l.Kind != LayerKind.Normalize)
                return new NormalizationPlan(index, l.Name, _firstTensor[index], l.Epsilon, EquatableArray<float>.Empty, EquatableArray<float>.Empty);
            var normalize = new NormalizationPlan(index, l.Name, -1, 0f, l.Mean, l.Std);
            return l.NormalizeReadsTensors ? normalize with { NormalizeFirstTensor = _firstTensor[index] } : normalize;
        }

        private static ActivationPlan ToActivation(LayerSpec layer) =>
            new ActivationPlan(layer.Kind, layer.Parameter, layer.Approximate);

        private string Title(List<int> chain) =>
            string.Join(" + ", chain.Select(c => Planner.Describe(_graph[c]))) + "  [layers " +
            string.Join(", ", chain.Select(c => $"{c} '{_graph[c].Layer.Name}'")) + "]";
    }
}
