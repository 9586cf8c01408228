using FusedNet;
using FusedNet.Modules;

namespace ResNet18Sample;

// torchvision.models.resnet18 (torchvision/models/resnet.py) written as FusedNet modules: the same fields, the same
// forward, so a state_dict saved from torchvision loads unchanged (conv1.weight, layer2.0.downsample.0.weight, fc.bias).
// The generator reads this description at build time; the generated Forward(ReadOnlySpan<float>, Span<float>) runs it.

/// <summary>torchvision's BasicBlock: two 3x3 convolutions and a residual connection (downsampled when the shape changes).</summary>
[FusedModule]
public partial class BasicBlock(int inplanes, int planes, int stride = 1) : Module
{
    public const int Expansion = 1;

    readonly Conv2d conv1 = new(inplanes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false);
    readonly BatchNorm2d bn1 = new(planes);
    readonly ReLU relu = new();
    readonly Conv2d conv2 = new(planes, planes, kernelSize: 3, padding: 1, bias: false);
    readonly BatchNorm2d bn2 = new(planes);
    readonly Sequential? downsample = stride != 1 || inplanes != planes * Expansion
        ? new(new Conv2d(inplanes, planes * Expansion, kernelSize: 1, stride: stride, bias: false), new BatchNorm2d(planes * Expansion))
        : null;

    public Tensor Forward(Tensor x)
    {
        Tensor identity = x;

        Tensor @out = conv1.Forward(x);
        @out = bn1.Forward(@out);
        @out = relu.Forward(@out);

        @out = conv2.Forward(@out);
        @out = bn2.Forward(@out);

        if (downsample is not null)
            identity = downsample.Forward(x);

        @out += identity;
        @out = relu.Forward(@out);
        return @out;
    }
}

/// <summary>ResNet-18 (torchvision.models.resnet18): input [3, 224, 224], <c>numClasses</c> logits.</summary>
[FusedNetwork(3, 224, 224), FusedModule]
public partial class ResNet18(int numClasses = 1000) : Module
{
    readonly Conv2d conv1 = new(3, 64, kernelSize: 7, stride: 2, padding: 3, bias: false);
    readonly BatchNorm2d bn1 = new(64);
    readonly ReLU relu = new();
    readonly MaxPool2d maxpool = new(kernelSize: 3, stride: 2, padding: 1);
    // torchvision's _make_layer(block, planes, blocks=2, stride), written out.
    readonly Sequential layer1 = new(new BasicBlock(64, 64), new BasicBlock(64, 64));
    readonly Sequential layer2 = new(new BasicBlock(64, 128, stride: 2), new BasicBlock(128, 128));
    readonly Sequential layer3 = new(new BasicBlock(128, 256, stride: 2), new BasicBlock(256, 256));
    readonly Sequential layer4 = new(new BasicBlock(256, 512, stride: 2), new BasicBlock(512, 512));
    readonly AdaptiveAvgPool2d avgpool = new(1);
    readonly Linear fc = new(512 * BasicBlock.Expansion, numClasses);

    public Tensor Forward(Tensor x)
    {
        x = conv1.Forward(x);
        x = bn1.Forward(x);
        x = relu.Forward(x);
        x = maxpool.Forward(x);

        x = layer1.Forward(x);
        x = layer2.Forward(x);
        x = layer3.Forward(x);
        x = layer4.Forward(x);

        x = avgpool.Forward(x);
        x = F.Flatten(x);
        x = fc.Forward(x);
        return x;
    }
}
