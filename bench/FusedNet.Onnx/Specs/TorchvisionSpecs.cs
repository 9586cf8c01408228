using System;
using System.Collections.Generic;

namespace FusedNet.Onnx.Specs
{
    /// <summary>
    /// torchvision's ResNet-18 and MobileNetV2 as graph specs: torchvision's module layout and state_dict names
    /// (tests/fixtures/torchvision/*.manifest.tsv), rows in the order a module-style FusedNet declaration of the same
    /// network executes them (bench/FusedNet.Bench/Networks/ModuleDeclarations.cs): in a ResNet block the main path
    /// first, then the shortcut (downsample), then the residual Add (main, identity); in MobileNetV2's x + conv(x), x is
    /// the first operand.
    /// </summary>
    public static class TorchvisionSpecs
    {
        /// <summary>
        /// torchvision.models.resnet18(num_classes): conv1 7×7/2 pad 3 (no bias), bn1, relu, maxpool 3/2 pad 1,
        /// layer1..layer4 of two BasicBlocks each (64, 128, 256, 512 channels; the first block of layer2..4 has stride 2
        /// and a downsample = 1×1/2 conv + BN on the shortcut), avgpool (AdaptiveAvgPool2d(1)), flatten, fc.
        /// </summary>
        /// <param name="shortcutFirst">
        /// Row order inside a block with a downsample: false (default) = main path first, then the shortcut's conv and BN,
        /// as torchvision's forward, samples/ResNet18 and the bench's declaration write it; true = the shortcut first, as a
        /// Forward that computes <c>identity</c> before <c>y</c>. Same network, same tensors, different execution order,
        /// which the generated Layers reflect.
        /// </param>
        public static NetworkSpec ResNet18(int inputSize = 224, int classes = 1000, bool shortcutFirst = false)
        {
            var g = new GraphRows();
            g.Add(new ConvSpec(64, 7, stride: 2, padding: 3, bias: false).Named("conv1"));
            g.Add(new BatchNormSpec().Named("bn1"));
            g.Add(ActivationSpec.Relu());
            int x = g.Add(new PoolSpec(max: true, 3, stride: 2, padding: 1));
            int inplanes = 64;
            int[] planes = { 64, 128, 256, 512 };
            for (int stage = 0; stage < 4; stage++)
            {
                for (int block = 0; block < 2; block++)
                {
                    int stride = stage > 0 && block == 0 ? 2 : 1;
                    x = BasicBlock(g, x, $"layer{stage + 1}.{block}", inplanes, planes[stage], stride, shortcutFirst);
                    inplanes = planes[stage];
                }
            }
            g.Add(new AdaptiveAvgPoolSpec());
            g.Add(new FlattenSpec());
            g.Add(new LinearSpec(classes).Named("fc"));
            return new NetworkSpec(new TensorShape(3, inputSize, inputSize), g.ToArray());
        }

        /// <summary>
        /// torchvision's BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + identity), identity = x or
        /// downsample.1(downsample.0(x)) when the stride or the channel count changes; the Add reads (main, identity).
        /// Returns the row of the block's output.
        /// </summary>
        private static int BasicBlock(GraphRows g, int x, string prefix, int inplanes, int planes, int stride, bool shortcutFirst)
        {
            bool downsample = stride != 1 || inplanes != planes;
            int identity = x;
            int Shortcut()
            {
                g.Add(new ConvSpec(planes, 1, stride: stride, bias: false).Named(prefix + ".downsample.0"), x);
                return g.Add(new BatchNormSpec().Named(prefix + ".downsample.1"));
            }
            if (downsample && shortcutFirst) identity = Shortcut();
            g.Add(new ConvSpec(planes, 3, stride: stride, padding: 1, bias: false).Named(prefix + ".conv1"), x);
            g.Add(new BatchNormSpec().Named(prefix + ".bn1"));
            g.Add(ActivationSpec.Relu());
            g.Add(new ConvSpec(planes, 3, padding: 1, bias: false).Named(prefix + ".conv2"));
            int main = g.Add(new BatchNormSpec().Named(prefix + ".bn2"));
            if (downsample && !shortcutFirst) identity = Shortcut();
            g.Add(new AddSpec(), main, identity);
            return g.Add(ActivationSpec.Relu());
        }

        /// <summary>torchvision's inverted-residual table: expansion t, output channels c, repeats n, first stride s.</summary>
        private static readonly (int T, int C, int N, int S)[] InvertedResidualSetting =
        {
            (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
        };

        /// <summary>
        /// torchvision.models.mobilenet_v2(num_classes, width_mult): features.0 = 3×3/2 conv + BN + ReLU6, features.1..17 =
        /// InvertedResidual blocks (expand 1×1 conv-BN-ReLU6 when t ≠ 1, depthwise 3×3 conv-BN-ReLU6, projection 1×1 conv + BN;
        /// x + that when stride 1 and in = out), features.18 = 1×1 conv to 1280 + BN + ReLU6, adaptive average pool, flatten,
        /// classifier.0 Dropout(0.2), classifier.1 Linear. Channels are torchvision's _make_divisible(c · width, 8).
        /// </summary>
        public static NetworkSpec MobileNetV2(int inputSize = 224, int classes = 1000, double widthMult = 1.0)
        {
            var g = new GraphRows();
            int inputChannels = MakeDivisible(32 * widthMult);
            int lastChannels = MakeDivisible(1280 * Math.Max(1.0, widthMult));
            g.Add(new ConvSpec(inputChannels, 3, stride: 2, padding: 1, bias: false).Named("features.0.0"));
            g.Add(new BatchNormSpec().Named("features.0.1"));
            int x = g.Add(ActivationSpec.Relu6());
            int feature = 1;
            foreach (var (t, c, n, s) in InvertedResidualSetting)
            {
                int outChannels = MakeDivisible(c * widthMult);
                for (int i = 0; i < n; i++)
                {
                    x = InvertedResidual(g, x, $"features.{feature}.conv", inputChannels, outChannels, i == 0 ? s : 1, t);
                    inputChannels = outChannels;
                    feature++;
                }
            }
            g.Add(new ConvSpec(lastChannels, 1, bias: false).Named($"features.{feature}.0"), x);
            g.Add(new BatchNormSpec().Named($"features.{feature}.1"));
            g.Add(ActivationSpec.Relu6());
            g.Add(new AdaptiveAvgPoolSpec());
            g.Add(new FlattenSpec());
            g.Add(new DropoutSpec());
            g.Add(new LinearSpec(classes).Named("classifier.1"));
            return new NetworkSpec(new TensorShape(3, inputSize, inputSize), g.ToArray());
        }

        /// <summary>
        /// torchvision's InvertedResidual; <paramref name="conv"/> is "features.N.conv". With t ≠ 1: conv.0 = expand
        /// (conv.0.0, conv.0.1), conv.1 = depthwise (conv.1.0, conv.1.1), conv.2 = projection, conv.3 = its BN; with t = 1
        /// the depthwise is conv.0 and the projection conv.1, conv.2. Returns the row of the block's output.
        /// </summary>
        private static int InvertedResidual(GraphRows g, int x, string conv, int inChannels, int outChannels, int stride, int expandRatio)
        {
            int hidden = (int)Math.Round((double)inChannels * expandRatio);
            int part = 0;
            g.SetNextInput(x);
            if (expandRatio != 1)
            {
                g.Add(new ConvSpec(hidden, 1, bias: false).Named($"{conv}.{part}.0"));
                g.Add(new BatchNormSpec().Named($"{conv}.{part}.1"));
                g.Add(ActivationSpec.Relu6());
                part++;
            }
            g.Add(new ConvSpec(hidden, 3, stride: stride, padding: 1, groups: hidden, bias: false).Named($"{conv}.{part}.0"));
            g.Add(new BatchNormSpec().Named($"{conv}.{part}.1"));
            g.Add(ActivationSpec.Relu6());
            part++;
            g.Add(new ConvSpec(outChannels, 1, bias: false).Named($"{conv}.{part}"));
            int projected = g.Add(new BatchNormSpec().Named($"{conv}.{part + 1}"));
            return stride == 1 && inChannels == outChannels ? g.Add(new AddSpec(), x, projected) : projected;
        }

        /// <summary>torchvision's _make_divisible(v, 8): round to a multiple of 8, never down by more than 10%.</summary>
        public static int MakeDivisible(double value, int divisor = 8)
        {
            int rounded = Math.Max(divisor, (int)(value + divisor / 2.0) / divisor * divisor);
            if (rounded < 0.9 * value) rounded += divisor;
            return rounded;
        }

        /// <summary>Collects rows with explicit inputs; a row added without inputs reads the row added before it.</summary>
        private sealed class GraphRows
        {
            private readonly List<LayerSpec> _rows = new();
            private int? _nextInput;

            /// <summary>Adds <paramref name="row"/> reading <paramref name="inputs"/> (none: the previous row); returns its index.</summary>
            public int Add(LayerSpec row, params int[] inputs)
            {
                int[] from = inputs.Length > 0 ? inputs : new[] { _nextInput ?? _rows.Count - 1 };
                _nextInput = null;
                _rows.Add(row.From(from));
                return _rows.Count - 1;
            }

            /// <summary>Makes the next row added without inputs read <paramref name="row"/> instead of the previous one.</summary>
            public void SetNextInput(int row) => _nextInput = row;

            public LayerSpec[] ToArray() => _rows.ToArray();
        }
    }
}
