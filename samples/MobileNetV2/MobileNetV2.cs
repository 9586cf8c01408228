using System;
using FusedNet;
using FusedNet.Modules;

namespace MobileNetV2Sample;

// torchvision.models.mobilenet_v2 (torchvision/models/mobilenetv2.py) written as FusedNet modules: the same fields and
// forward, so a torchvision state_dict loads unchanged (features.0.0.weight, features.2.conv.1.1.running_var, classifier.1.bias).

/// <summary>Conv2d + BatchNorm2d + ReLU6 as a Sequential subclass, as torchvision's Conv2dNormActivation (children 0, 1, 2).</summary>
[FusedModule]
public partial class ConvBNReLU(int inPlanes, int outPlanes, int kernelSize = 3, int stride = 1, int groups = 1)
    : Sequential(
        new Conv2d(inPlanes, outPlanes, kernelSize, stride, (kernelSize - 1) / 2, groups: groups, bias: false),
        new BatchNorm2d(outPlanes),
        new ReLU6());

/// <summary>torchvision's InvertedResidual: expand (1x1), depthwise (3x3), project (1x1, linear), residual when the shape is kept.</summary>
[FusedModule]
public partial class InvertedResidual : Module
{
    readonly bool useResConnect;
    readonly Sequential conv;

    public InvertedResidual(int inp, int oup, int stride, int expandRatio)
    {
        int hiddenDim = (int)Math.Round((double)inp * expandRatio);
        useResConnect = stride == 1 && inp == oup;
        conv = expandRatio != 1
            ? new Sequential(
                new ConvBNReLU(inp, hiddenDim, kernelSize: 1),                       // pw
                new ConvBNReLU(hiddenDim, hiddenDim, stride: stride, groups: hiddenDim), // dw
                new Conv2d(hiddenDim, oup, 1, 1, 0, bias: false),                     // pw-linear
                new BatchNorm2d(oup))
            : new Sequential(
                new ConvBNReLU(hiddenDim, hiddenDim, stride: stride, groups: hiddenDim),
                new Conv2d(hiddenDim, oup, 1, 1, 0, bias: false),
                new BatchNorm2d(oup));
    }

    public Tensor Forward(Tensor x) => useResConnect ? x + conv.Forward(x) : conv.Forward(x);
}

/// <summary>
/// MobileNetV2 (torchvision.models.mobilenet_v2): input [3, 224, 224], <c>numClasses</c> logits, channels scaled by
/// <c>widthMult</c> and rounded to multiples of 8 as torchvision's _make_divisible.
/// </summary>
[FusedNetwork(3, 224, 224), FusedModule]
public partial class MobileNetV2(int numClasses = 1000, double widthMult = 1.0) : Module
{
    readonly Sequential features = new(
        new ConvBNReLU(3, C(32, widthMult), stride: 2),
        // t, c, n, s = 1, 16, 1, 1
        new InvertedResidual(C(32, widthMult), C(16, widthMult), 1, 1),
        // 6, 24, 2, 2
        new InvertedResidual(C(16, widthMult), C(24, widthMult), 2, 6),
        new InvertedResidual(C(24, widthMult), C(24, widthMult), 1, 6),
        // 6, 32, 3, 2
        new InvertedResidual(C(24, widthMult), C(32, widthMult), 2, 6),
        new InvertedResidual(C(32, widthMult), C(32, widthMult), 1, 6),
        new InvertedResidual(C(32, widthMult), C(32, widthMult), 1, 6),
        // 6, 64, 4, 2
        new InvertedResidual(C(32, widthMult), C(64, widthMult), 2, 6),
        new InvertedResidual(C(64, widthMult), C(64, widthMult), 1, 6),
        new InvertedResidual(C(64, widthMult), C(64, widthMult), 1, 6),
        new InvertedResidual(C(64, widthMult), C(64, widthMult), 1, 6),
        // 6, 96, 3, 1
        new InvertedResidual(C(64, widthMult), C(96, widthMult), 1, 6),
        new InvertedResidual(C(96, widthMult), C(96, widthMult), 1, 6),
        new InvertedResidual(C(96, widthMult), C(96, widthMult), 1, 6),
        // 6, 160, 3, 2
        new InvertedResidual(C(96, widthMult), C(160, widthMult), 2, 6),
        new InvertedResidual(C(160, widthMult), C(160, widthMult), 1, 6),
        new InvertedResidual(C(160, widthMult), C(160, widthMult), 1, 6),
        // 6, 320, 1, 1
        new InvertedResidual(C(160, widthMult), C(320, widthMult), 1, 6),
        new ConvBNReLU(C(320, widthMult), LastChannel(widthMult), kernelSize: 1));

    readonly Sequential classifier = new(new Dropout(0.2f), new Linear(LastChannel(widthMult), numClasses));

    public Tensor Forward(Tensor x)
    {
        x = features.Forward(x);
        x = F.AdaptiveAvgPool2d(x, 1);
        x = F.Flatten(x);
        x = classifier.Forward(x);
        return x;
    }

    /// <summary>Channels scaled by the width multiplier, rounded to a multiple of 8.</summary>
    static int C(int channels, double widthMult) => MakeDivisible(channels * widthMult, 8);

    static int LastChannel(double widthMult) => MakeDivisible(1280 * Math.Max(1.0, widthMult), 8);

    /// <summary>torchvision's _make_divisible: round to the nearest multiple of divisor, never down by more than 10%.</summary>
    static int MakeDivisible(double v, int divisor)
    {
        int newV = Math.Max(divisor, (int)(v + divisor / 2.0) / divisor * divisor);
        if (newV < 0.9 * v)
            newV += divisor;
        return newV;
    }
}
