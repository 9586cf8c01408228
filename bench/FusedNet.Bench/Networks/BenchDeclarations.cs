// The four benchmark networks of issue 3 (1 thread, batch 1), declarations only: this file is also compiled
// into bench/FusedNet.ColdStart (linked), so the cold-start process runs exactly the network the bench times.
namespace FusedNet.Bench.Networks
{
    /// <summary>tiny — 1×28×28: 3×(Conv3×3 + BN + ReLU: 8 s1, 16 s2, 32 s2, all p1), GAP, Linear 10. About 1.0 MFLOP.</summary>
    [FusedNetwork(1, 28, 28)]
    [Conv2d(8, 3, Padding = 1)]
    [BatchNorm2d]
    [ReLU]
    [Conv2d(16, 3, Stride = 2, Padding = 1)]
    [BatchNorm2d]
    [ReLU]
    [Conv2d(32, 3, Stride = 2, Padding = 1)]
    [BatchNorm2d]
    [ReLU]
    [GlobalAvgPool2d]
    [Linear(10)]
    public partial class TinyNet;

    /// <summary>cifar — 3×32×32: 2×(Conv3×3 32), MaxPool2, 2×(Conv3×3 64), MaxPool2, Conv3×3 128 (each p1 + BN + ReLU), GAP, Linear 10. About 58 MFLOP.</summary>
    [FusedNetwork(3, 32, 32)]
    [Conv2d(32, 3, Padding = 1)]
    [BatchNorm2d]
    [ReLU]
    [Conv2d(32, 3, Padding = 1)]
    [BatchNorm2d]
    [ReLU]
    [MaxPool2d(2)]
    [Conv2d(64, 3, Padding = 1)]
    [BatchNorm2d]
    [ReLU]
    [Conv2d(64, 3, Padding = 1)]
    [BatchNorm2d]
    [ReLU]
    [MaxPool2d(2)]
    [Conv2d(128, 3, Padding = 1)]
    [BatchNorm2d]
    [ReLU]
    [GlobalAvgPool2d]
    [Linear(10)]
    public partial class CifarNet;

    /// <summary>mobile — 32×56×56: dw3×3 32, pw 64, dw3×3 64 s2, pw 128 (each + BN + ReLU6), GAP, Linear 10. About 28 MFLOP.</summary>
    [FusedNetwork(32, 56, 56)]
    [Conv2d(32, 3, Padding = 1, Groups = 32)]
    [BatchNorm2d]
    [ReLU6]
    [Conv2d(64, 1)]
    [BatchNorm2d]
    [ReLU6]
    [Conv2d(64, 3, Stride = 2, Padding = 1, Groups = 64)]
    [BatchNorm2d]
    [ReLU6]
    [Conv2d(128, 1)]
    [BatchNorm2d]
    [ReLU6]
    [GlobalAvgPool2d]
    [Linear(10)]
    public partial class MobileNet;

    /// <summary>wide — 64×56×56: 2×(Conv3×3 64 p1 + BN + ReLU). About 462 MFLOP; output 64×56×56.</summary>
    [FusedNetwork(64, 56, 56)]
    [Conv2d(64, 3, Padding = 1)]
    [BatchNorm2d]
    [ReLU]
    [Conv2d(64, 3, Padding = 1)]
    [BatchNorm2d]
    [ReLU]
    public partial class WideNet;

    /// <summary>
    /// dsnet — 3×224×224, a plain sequential depthwise-separable ImageNet network (MobileNet v1 layout, width 1.0): Conv3×3 32 s2,
    /// then 13 × (depthwise 3×3 + BN + ReLU6, pointwise 1×1 + BN + ReLU6) to 1024 channels at 7×7, GAP, Linear 1000. About 1.14 GFLOP.
    /// </summary>
    [FusedNetwork(3, 224, 224)]
    [Conv2d(32, 3, Stride = 2, Padding = 1)] [BatchNorm2d] [ReLU6]
    [Conv2d(32, 3, Padding = 1, Groups = 32)] [BatchNorm2d] [ReLU6] [Conv2d(64, 1)] [BatchNorm2d] [ReLU6]
    [Conv2d(64, 3, Stride = 2, Padding = 1, Groups = 64)] [BatchNorm2d] [ReLU6] [Conv2d(128, 1)] [BatchNorm2d] [ReLU6]
    [Conv2d(128, 3, Padding = 1, Groups = 128)] [BatchNorm2d] [ReLU6] [Conv2d(128, 1)] [BatchNorm2d] [ReLU6]
    [Conv2d(128, 3, Stride = 2, Padding = 1, Groups = 128)] [BatchNorm2d] [ReLU6] [Conv2d(256, 1)] [BatchNorm2d] [ReLU6]
    [Conv2d(256, 3, Padding = 1, Groups = 256)] [BatchNorm2d] [ReLU6] [Conv2d(256, 1)] [BatchNorm2d] [ReLU6]
    [Conv2d(256, 3, Stride = 2, Padding = 1, Groups = 256)] [BatchNorm2d] [ReLU6] [Conv2d(512, 1)] [BatchNorm2d] [ReLU6]
    [Conv2d(512, 3, Padding = 1, Groups = 512)] [BatchNorm2d] [ReLU6] [Conv2d(512, 1)] [BatchNorm2d] [ReLU6]
    [Conv2d(512, 3, Padding = 1, Groups = 512)] [BatchNorm2d] [ReLU6] [Conv2d(512, 1)] [BatchNorm2d] [ReLU6]
    [Conv2d(512, 3, Padding = 1, Groups = 512)] [BatchNorm2d] [ReLU6] [Conv2d(512, 1)] [BatchNorm2d] [ReLU6]
    [Conv2d(512, 3, Padding = 1, Groups = 512)] [BatchNorm2d] [ReLU6] [Conv2d(512, 1)] [BatchNorm2d] [ReLU6]
    [Conv2d(512, 3, Padding = 1, Groups = 512)] [BatchNorm2d] [ReLU6] [Conv2d(512, 1)] [BatchNorm2d] [ReLU6]
    [Conv2d(512, 3, Stride = 2, Padding = 1, Groups = 512)] [BatchNorm2d] [ReLU6] [Conv2d(1024, 1)] [BatchNorm2d] [ReLU6]
    [Conv2d(1024, 3, Padding = 1, Groups = 1024)] [BatchNorm2d] [ReLU6] [Conv2d(1024, 1)] [BatchNorm2d] [ReLU6]
    [GlobalAvgPool2d]
    [Linear(1000)]
    public partial class DsNet;
}
