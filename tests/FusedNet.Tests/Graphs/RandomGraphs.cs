using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Graphs
{
    /// <summary>The families of random graphs: each stresses one way tensors are shared, fused or reused.</summary>
    public enum GraphFamily
    {
        /// <summary>ResNet BasicBlocks: conv-bn-relu, conv-bn, + identity (or a 1×1 strided downsample + BN, built before or after the branch), relu.</summary>
        Residual,
        /// <summary>MobileNetV2 blocks: 1×1 expand, depthwise 3×3, 1×1 project + BN, + input without activation.</summary>
        InvertedResidual,
        /// <summary>2–4 branches of odd channel counts concatenated (unaligned channel offsets), then a conv.</summary>
        ConcatFanIn,
        /// <summary>AdaptiveAvgPool2d → 1×1 conv → ReLU → 1×1 conv → Hardsigmoid/Sigmoid → Mul with the block input.</summary>
        SqueezeExcite,
        /// <summary>A tensor read by three layers, one of them an activation that could run in place.</summary>
        ThreeReaders,
        /// <summary>x + x, alone and as the operand a conv would like to fuse.</summary>
        SelfAdd,
        /// <summary>The output is an intermediate tensor that later layers also read.</summary>
        IntermediateOutput,
        /// <summary>A random sequence of every block kind above.</summary>
        Mixed,
    }

    /// <summary>Seeded random graphs of every <see cref="GraphFamily"/>: small (channels 1–40, odd sizes down to 1×1, strides 2).</summary>
    internal sealed class RandomGraphs
    {
        private static readonly (int H, int W)[] Sizes = { (1, 1), (7, 5), (13, 11), (8, 8), (5, 9), (11, 13), (2, 3) };

        private static readonly LayerKind[] Activations =
        {
            LayerKind.ReLU, LayerKind.ReLU, LayerKind.ReLU6, LayerKind.SiLU, LayerKind.Hardswish, LayerKind.LeakyReLU,
            LayerKind.GELU, LayerKind.Tanh, LayerKind.ELU, LayerKind.Sigmoid,
        };

        private readonly Random _random;
        private readonly GraphNet _g;
        private readonly bool _compact;
        private int _block;

        private RandomGraphs(int seed, int channels, int height, int width, bool compact)
        {
            _random = new Random(seed);
            _g = new GraphNet(channels, height, width);
            _compact = compact;
        }

        /// <param name="family">What the blocks are.</param>
        /// <param name="seed">Any value; the same seed gives the same graph.</param>
        /// <param name="compact">
        /// Fewer blocks and at most 24 channels: for graphs that are compiled (each network's generated source is a few
        /// hundred kB and takes seconds to compile), while the plan checks use the full range (1–40 channels, 2–5 blocks).
        /// </param>
        public static GraphNet Create(GraphFamily family, int seed, bool compact = false)
        {
            var random = new Random(seed * 7919 + (int)family);
            (int h, int w) = Sizes[random.Next(Sizes.Length)];
            var builder = new RandomGraphs(seed * 31 + (int)family, random.Next(1, 6), h, w, compact);
            return builder.Build(family);
        }

        private GraphNet Build(GraphFamily family)
        {
            int x = Stem();
            int blocks = _compact ? (family == GraphFamily.Mixed ? 4 : 2)
                : family == GraphFamily.Mixed ? _random.Next(3, 6) : _random.Next(2, 4);
            for (int b = 0; b < blocks; b++)
            {
                GraphFamily kind = family == GraphFamily.Mixed ? (GraphFamily)_random.Next((int)GraphFamily.Mixed) : family;
                x = kind switch
                {
                    GraphFamily.Residual => Residual(x),
                    GraphFamily.InvertedResidual => InvertedResidual(x),
                    GraphFamily.ConcatFanIn => ConcatFanIn(x),
                    GraphFamily.SqueezeExcite => SqueezeExcite(x),
                    GraphFamily.ThreeReaders => ThreeReaders(x),
                    GraphFamily.SelfAdd => SelfAdd(x),
                    GraphFamily.IntermediateOutput => IntermediateOutput(x, last: b == blocks - 1),
                    _ => throw new ArgumentOutOfRangeException(nameof(family)),
                };
            }
            return _g;
        }

        private int Channels(int x) => _g.ShapeOf(x).Channels;
        private (int H, int W) Size(int x) => (_g.ShapeOf(x).Height, _g.ShapeOf(x).Width);
        private int RandomChannels() => _random.Next(1, _compact ? 25 : 41);
        private LayerKind RandomActivation() => Activations[_random.Next(Activations.Length)];
        private string P(string suffix) => $"b{_block}.{suffix}";
        private bool Coin() => _random.Next(2) == 0;

        private int Act(int x, LayerKind kind) =>
            _g.Act(x, kind, kind switch { LayerKind.LeakyReLU => 0.1f, LayerKind.ELU => 0.7f, _ => 0f });

        private int Stem()
        {
            int x = _g.Conv(GraphNet.In, RandomChannels(), 3, "stem.conv", padding: 1, bias: false);
            return Act(_g.BatchNorm(x, "stem.bn"), RandomActivation());
        }

        /// <summary>A stride that keeps at least one output pixel when the input is 1×1 (3×3 with padding 1 always does).</summary>
        private int RandomStride() => _random.Next(3) == 0 ? 2 : 1;

        private int Residual(int x)
        {
            _block++;
            int inChannels = Channels(x);
            int stride = RandomStride();
            bool downsample = stride != 1 || Coin();
            int outChannels = downsample ? RandomChannels() : inChannels;
            bool identityFirst = Coin();
            int identity = x;
            int Downsample() => _g.BatchNorm(_g.Conv(x, outChannels, 1, P("downsample.0"), stride, bias: false), P("downsample.1"));
            if (downsample && identityFirst) identity = Downsample();
            int branch = _g.ConvBn(x, outChannels, 3, P("conv1"), P("bn1"), stride, padding: 1, activation: RandomActivation());
            branch = _g.BatchNorm(_g.Conv(branch, outChannels, 3, P("conv2"), padding: 1, bias: Coin()), P("bn2"));
            if (downsample && !identityFirst) identity = Downsample();
            int sum = Coin() ? _g.Add(branch, identity) : _g.Add(identity, branch);
            return Coin() ? _g.ReLU(sum) : Act(sum, RandomActivation());
        }

        private int InvertedResidual(int x)
        {
            _block++;
            int inChannels = Channels(x);
            int stride = RandomStride();
            int outChannels = stride == 1 && Coin() ? inChannels : RandomChannels();
            int expansion = _random.Next(1, 5);
            int hidden = Math.Min(inChannels * expansion, 40);
            int y = x;
            int layer = 0;
            if (expansion != 1)
            {
                y = _g.ConvBn(y, hidden, 1, P($"conv.{layer}.0"), P($"conv.{layer}.1"), activation: LayerKind.ReLU6);
                layer++;
            }
            else hidden = inChannels;
            y = _g.ConvBn(y, hidden, 3, P($"conv.{layer}.0"), P($"conv.{layer}.1"), stride, padding: 1, groups: hidden, activation: LayerKind.ReLU6);
            layer++;
            y = _g.BatchNorm(_g.Conv(y, outChannels, 1, P($"conv.{layer}"), bias: false), P($"conv.{layer + 1}"));
            return stride == 1 && inChannels == outChannels ? (Coin() ? _g.Add(x, y) : _g.Add(y, x)) : y;
        }

        private int ConcatFanIn(int x)
        {
            _block++;
            int branches = _random.Next(2, 5);
            var outputs = new List<int>();
            for (int k = 0; k < branches; k++)
            {
                // Odd channel counts so the slices start at offsets that are not multiples of 8 or 16.
                int c = _random.Next(1, 20) | 1;
                outputs.Add(_random.Next(5) switch
                {
                    0 => _g.Conv(x, c, 1, P($"branch{k}")),
                    1 => _g.ConvBn(x, c, 3, P($"branch{k}.conv"), P($"branch{k}.bn"), padding: 1, activation: RandomActivation()),
                    2 => _g.MaxPool(x, 3, 1, 1),
                    3 => Act(x, RandomActivation()),
                    _ => x,
                });
            }
            int cat = _g.Cat(outputs.ToArray());
            int k2 = Coin() ? 1 : 3;
            return Act(_g.Conv(cat, RandomChannels(), k2, P("fuse"), RandomStride(), padding: k2 / 2), RandomActivation());
        }

        private int SqueezeExcite(int x)
        {
            _block++;
            int c = Channels(x);
            int squeeze = Math.Max(1, c / _random.Next(2, 5));
            int s = _g.AdaptiveAvgPool(x);
            s = _g.ReLU(_g.Conv(s, squeeze, 1, P("fc1")));
            s = _g.Conv(s, c, 1, P("fc2"));
            s = Coin() ? _g.Act(s, LayerKind.Hardsigmoid) : _g.Act(s, LayerKind.Sigmoid);
            int y = Coin() ? _g.Mul(x, s) : _g.Mul(x, s);
            // Sometimes the scaled tensor takes an activation (fused into the Mul) and feeds a conv.
            if (Coin()) y = Act(y, RandomActivation());
            return Coin() ? _g.Conv(y, RandomChannels(), 3, P("post"), padding: 1) : y;
        }

        private int ThreeReaders(int x)
        {
            _block++;
            int t = _g.BatchNorm(_g.Conv(x, RandomChannels(), 3, P("conv"), RandomStride(), padding: 1), P("bn"));
            int c = Channels(t);
            // Three readers of t in a random order: an activation (in place if the planner forgot the others),
            // a padded conv, and an Add of t with the activation or a MaxPool.
            var readers = new Func<int>[]
            {
                () => Act(t, RandomActivation()),
                () => _g.Conv(t, c, 3, P("reader.conv"), padding: 1),
                () => _g.MaxPool(t, 3, 1, 1),
            }.OrderBy(_ => _random.Next()).Select(f => f()).ToArray();
            int sum = _g.Add(readers[0], readers[1]);
            return Coin() ? _g.Add(sum, readers[2]) : _g.Cat(sum, readers[2]);
        }

        private int SelfAdd(int x)
        {
            _block++;
            int k = Coin() ? 1 : 3;
            int t = _g.BatchNorm(_g.Conv(x, RandomChannels(), k, P("conv"), padding: k / 2, bias: Coin()), P("bn"));
            if (Coin())
            {
                int doubled = _g.Add(t, t);
                return Coin() ? Act(doubled, RandomActivation()) : doubled;
            }
            // conv + conv: the Add reads the conv's output twice, so it must not be fused into the conv's epilogue.
            int conv = _g.Conv(t, Channels(t), 3, P("conv2"), padding: 1);
            return _g.ReLU(_g.Add(conv, conv));
        }

        private int IntermediateOutput(int x, bool last)
        {
            _block++;
            int t = _g.BatchNorm(_g.Conv(x, RandomChannels(), 3, P("conv"), padding: 1), P("bn"));
            if (last)
            {
                // The output is t, still read by an activation (which must not be fused into t's step or run in
                // place on it) and by a conv.
                _g.Output = t;
                int a = Act(t, RandomActivation());
                int b = _g.Conv(t, Channels(t), 1, P("after"));
                _g.Add(a, b);
                return t;
            }
            return Act(t, RandomActivation());
        }
    }
}
