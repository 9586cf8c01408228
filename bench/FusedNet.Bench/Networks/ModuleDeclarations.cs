// The two torchvision networks of the bench (resnet18, mobilenetv2), declared in the module front end (issue 8:
// PyTorch-style module classes whose Forward the generator reads). Compiled only when that front end exists
// (FusedNet.Bench.csproj: FusedNetModules, which defines FUSEDNET_MODULES); the specs they are checked against are
// FusedNet.Onnx.Specs.TorchvisionSpecs. Layer order matters to that check: in a BasicBlock the main path runs first,
// then the shortcut, then the residual add, and `a + b` lists a before b, exactly as the spec rows.
// ResNet-18 has its own switch (FUSEDNET_RESNET18; MSBuild -p:FusedNetResNet18=false leaves it out): with the module
// front end alone (helper/modules 09dd71d) the generator stopped on it with FN9999 (a residual Add of two conv + BN
// outputs, as in layer2.0); main 1fae6a3 (PathBuilder double-claim fix) compiles it.
#if FUSEDNET_MODULES
using FusedNet.Modules;

namespace FusedNet.Bench.Networks
{
#if FUSEDNET_RESNET18
    /// <summary>torchvision's BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + identity), identity downsampled when the shape changes.</summary>
    [FusedModule]
    public partial class BasicBlock(int inplanes, int planes, int stride = 1) : Module
    {
        readonly Conv2d conv1 = new(inplanes, planes, 3, stride: stride, padding: 1, bias: false);
        readonly BatchNorm2d bn1 = new(planes);
        readonly Conv2d conv2 = new(planes, planes, 3, padding: 1, bias: false);
        readonly BatchNorm2d bn2 = new(planes);
        readonly Sequential? downsample = stride != 1 || inplanes != planes
            ? new(new Conv2d(inplanes, planes, 1, stride: stride, bias: false), new BatchNorm2d(planes))
            : null;

        public Tensor Forward(Tensor x)
        {
            // torchvision's order: the main path, then the shortcut, then the sum (TorchvisionSpecs.ResNet18's rows).
            Tensor y = F.Relu(bn1.Forward(conv1.Forward(x)));
            y = bn2.Forward(conv2.Forward(y));
            Tensor identity = downsample is null ? x : downsample.Forward(x);
            return F.Relu(y + identity);
        }
    }

    /// <summary>resnet18 — torchvision.models.resnet18(): 3×224×224 → 1000 logits, about 1.8 G multiply-adds.</summary>
    [FusedNetwork(3, 224, 224)]
    [FusedModule]
    public partial class ResNet18 : Module
    {
        readonly Conv2d conv1 = new(3, 64, 7, stride: 2, padding: 3, bias: false);
        readonly BatchNorm2d bn1 = new(64);
        readonly ReLU relu = new();
        readonly MaxPool2d maxpool = new(3, 2, 1);
        readonly Sequential layer1 = new(new BasicBlock(64, 64), new BasicBlock(64, 64));
        readonly Sequential layer2 = new(new BasicBlock(64, 128, 2), new BasicBlock(128, 128));
        readonly Sequential layer3 = new(new BasicBlock(128, 256, 2), new BasicBlock(256, 256));
        readonly Sequential layer4 = new(new BasicBlock(256, 512, 2), new BasicBlock(512, 512));
        readonly AdaptiveAvgPool2d avgpool = new(1);
        readonly Linear fc = new(512, 1000);

        public Tensor Forward(Tensor x)
        {
            x = maxpool.Forward(relu.Forward(bn1.Forward(conv1.Forward(x))));
            x = layer4.Forward(layer3.Forward(layer2.Forward(layer1.Forward(x))));
            return fc.Forward(F.Flatten(avgpool.Forward(x)));
        }
    }

#endif

    /// <summary>
    /// torchvision's InvertedResidual: [expand 1×1 conv-BN-ReLU6 when t ≠ 1], depthwise 3×3 conv-BN-ReLU6, projection
    /// 1×1 conv + BN, and x + that when the stride is 1 and the channels stay. Children of <c>conv</c> as torchvision
    /// numbers them (conv.0.0, conv.1.1, conv.2, conv.3).
    /// </summary>
    [FusedModule]
    public partial class InvertedResidual : Module
    {
        readonly bool residual;
        readonly Sequential conv;

        public InvertedResidual(int inp, int oup, int stride, int t)
        {
            int hidden = inp * t;
            residual = stride == 1 && inp == oup;
            Sequential depthwise = new(new Conv2d(hidden, hidden, 3, stride: stride, padding: 1, groups: hidden, bias: false),
                new BatchNorm2d(hidden), new ReLU6());
            conv = t == 1
                ? new Sequential(depthwise, new Conv2d(hidden, oup, 1, bias: false), new BatchNorm2d(oup))
                : new Sequential(new Sequential(new Conv2d(inp, hidden, 1, bias: false), new BatchNorm2d(hidden), new ReLU6()),
                    depthwise, new Conv2d(hidden, oup, 1, bias: false), new BatchNorm2d(oup));
        }

        public Tensor Forward(Tensor x) => residual ? x + conv.Forward(x) : conv.Forward(x);
    }

    /// <summary>mobilenetv2 — torchvision.models.mobilenet_v2() (width 1.0): 3×224×224 → 1000 logits, about 0.3 G multiply-adds.</summary>
    [FusedNetwork(3, 224, 224)]
    [FusedModule]
    public partial class MobileNetV2 : Module
    {
        // features.0, the 17 blocks of torchvision's table (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2)
        // (6,96,3,1) (6,160,3,2) (6,320,1,1), features.18.
        readonly Sequential features = new(
            new Sequential(new Conv2d(3, 32, 3, stride: 2, padding: 1, bias: false), new BatchNorm2d(32), new ReLU6()),
            new InvertedResidual(32, 16, 1, 1),
            new InvertedResidual(16, 24, 2, 6), new InvertedResidual(24, 24, 1, 6),
            new InvertedResidual(24, 32, 2, 6), new InvertedResidual(32, 32, 1, 6), new InvertedResidual(32, 32, 1, 6),
            new InvertedResidual(32, 64, 2, 6), new InvertedResidual(64, 64, 1, 6), new InvertedResidual(64, 64, 1, 6), new InvertedResidual(64, 64, 1, 6),
            new InvertedResidual(64, 96, 1, 6), new InvertedResidual(96, 96, 1, 6), new InvertedResidual(96, 96, 1, 6),
            new InvertedResidual(96, 160, 2, 6), new InvertedResidual(160, 160, 1, 6), new InvertedResidual(160, 160, 1, 6),
            new InvertedResidual(160, 320, 1, 6),
            new Sequential(new Conv2d(320, 1280, 1, bias: false), new BatchNorm2d(1280), new ReLU6()));
        readonly Sequential classifier = new(new Dropout(0.2f), new Linear(1280, 1000));

        public Tensor Forward(Tensor x) => classifier.Forward(F.Flatten(F.AdaptiveAvgPool2d(features.Forward(x), 1)));
    }
}
#endif
