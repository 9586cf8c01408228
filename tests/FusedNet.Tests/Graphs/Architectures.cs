using System.Collections.Generic;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Graphs
{
    /// <summary>torchvision architectures as graphs, in torchvision's execution order and with its state_dict names.</summary>
    internal static class Architectures
    {
        /// <summary>
        /// torchvision.models.resnet18(): conv1 7×7/2 pad 3, bn1, relu, maxpool 3/2 pad 1, layer1..4 of two BasicBlocks
        /// (conv3x3-bn-relu, conv3x3-bn, + identity or downsample = 1×1/2 conv + BN, relu; BasicBlock.forward computes the
        /// downsample after the branch), adaptive avgpool, flatten, fc 1000.
        /// </summary>
        public static GraphNet ResNet18(int size = 224)
        {
            var g = new GraphNet(3, size, size);
            int x = g.ConvBn(GraphNet.In, 64, 7, "conv1", "bn1", stride: 2, padding: 3);
            x = g.MaxPool(x, 3, 2, 1);
            int inChannels = 64;
            int[] widths = { 64, 128, 256, 512 };
            for (int layer = 0; layer < 4; layer++)
                for (int block = 0; block < 2; block++)
                {
                    string p = $"layer{layer + 1}.{block}";
                    int stride = layer > 0 && block == 0 ? 2 : 1;
                    int outChannels = widths[layer];
                    int y = g.ConvBn(x, outChannels, 3, p + ".conv1", p + ".bn1", stride, 1);
                    y = g.ConvBn(y, outChannels, 3, p + ".conv2", p + ".bn2", 1, 1, activation: null);
                    int identity = stride != 1 || inChannels != outChannels
                        ? g.BatchNorm(g.Conv(x, outChannels, 1, p + ".downsample.0", stride, bias: false), p + ".downsample.1")
                        : x;
                    x = g.ReLU(g.Add(y, identity));
                    inChannels = outChannels;
                }
            x = g.AdaptiveAvgPool(x);
            x = g.Flatten(x);
            g.Linear(x, 1000, "fc");
            return g;
        }

        /// <summary>
        /// torchvision.models.mobilenet_v2() (width 1.0): features.0 conv3x3/2-bn-relu6 to 32; inverted residuals
        /// (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1), the residual
        /// added when stride 1 and channels equal; features.18 1×1 to 1280-bn-relu6; adaptive avgpool, flatten,
        /// classifier = Dropout(0.2), Linear(1280, 1000).
        /// </summary>
        public static GraphNet MobileNetV2(int size = 224)
        {
            var g = new GraphNet(3, size, size);
            int x = g.ConvBn(GraphNet.In, 32, 3, "features.0.0", "features.0.1", stride: 2, padding: 1, activation: LayerKind.ReLU6);
            int inChannels = 32;
            int feature = 1;
            (int T, int C, int N, int S)[] table = { (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1) };
            foreach ((int t, int c, int n, int s) in table)
                for (int i = 0; i < n; i++)
                {
                    int stride = i == 0 ? s : 1;
                    int hidden = inChannels * t;
                    string p = $"features.{feature}.conv";
                    int y = x, k = 0;
                    if (t != 1)
                    {
                        y = g.ConvBn(y, hidden, 1, $"{p}.{k}.0", $"{p}.{k}.1", activation: LayerKind.ReLU6);
                        k++;
                    }
                    y = g.ConvBn(y, hidden, 3, $"{p}.{k}.0", $"{p}.{k}.1", stride, 1, groups: hidden, activation: LayerKind.ReLU6);
                    k++;
                    y = g.BatchNorm(g.Conv(y, c, 1, $"{p}.{k}", bias: false), $"{p}.{k + 1}");
                    x = stride == 1 && inChannels == c ? g.Add(x, y) : y;
                    inChannels = c;
                    feature++;
                }
            x = g.ConvBn(x, 1280, 1, "features.18.0", "features.18.1", activation: LayerKind.ReLU6);
            x = g.AdaptiveAvgPool(x);
            x = g.Flatten(x);
            x = g.Dropout(x, 0.2f, "classifier.0");
            g.Linear(x, 1000, "classifier.1");
            return g;
        }
    }
}
