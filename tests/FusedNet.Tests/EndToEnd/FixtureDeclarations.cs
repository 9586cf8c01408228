using FusedNet;

// The four libtorch fixture networks, declared exactly as tests/fixtures/README.md gives them. The
// generator compiles them into this test assembly at build time.
namespace FusedNet.Tests.EndToEnd
{
    [FusedNetwork(3, 16, 16)]
    [Conv2d(8, 3, Padding = 1)] [BatchNorm2d] [ReLU]                                 // 0 1 2      -> [8,16,16]
    [Conv2d(16, 3, Stride = 2, Padding = 1, Bias = false)] [BatchNorm2d] [ReLU6]     // 3 4 5      -> [16,8,8]
    [MaxPool2d(2)]                                                                   // 6          -> [16,4,4]
    [Conv2d(16, 1)] [BatchNorm2d] [LeakyReLU(0.1f)]                                  // 7 8 9      -> [16,4,4]
    [GlobalAvgPool2d] [Flatten] [Linear(10)]                                         // 10 11 12
    public partial class SeqBasic;

    [FusedNetwork(4, 12, 12)]
    [Conv2d(8, 3, Padding = 1)] [BatchNorm2d] [Sigmoid]                  // 0 1 2
    [Conv2d(8, 3, Padding = 1)] [BatchNorm2d] [Tanh]                     // 3 4 5
    [Conv2d(8, 3, Padding = 1)] [BatchNorm2d] [SiLU]                     // 6 7 8
    [Conv2d(8, 3, Padding = 1)] [BatchNorm2d] [GELU]                     // 9 10 11   (erf form)
    [Conv2d(8, 3, Padding = 1)] [BatchNorm2d] [Hardswish]                // 12 13 14
    [Conv2d(8, 3, Padding = 1)] [BatchNorm2d] [Hardsigmoid]              // 15 16 17
    [Conv2d(8, 3, Padding = 1)] [BatchNorm2d] [ELU(0.7f)]                // 18 19 20
    [Conv2d(8, 3, Padding = 1)] [BatchNorm2d] [GELU(Approximate = true)] // 21 22 23
    [Flatten]                                                            // 24        -> [1152]
    [Linear(6)] [BatchNorm1d] [ReLU]                                     // 25 26 27
    [Linear(3)]                                                          // 28
    public partial class SeqActs;

    [FusedNetwork(8, 15, 13)]
    [Conv2d(8, 3, Padding = 1, Groups = 8)] [BatchNorm2d] [ReLU]                   // 0 1 2  depthwise
    [Conv2d(12, 3, KernelWidth = 5, Stride = 2, Padding = 2)] [BatchNorm2d] [ReLU] // 3 4 5  kernel 3x5
    [Conv2d(12, 3, Padding = 2, Dilation = 2, Groups = 3)] [BatchNorm2d] [ReLU]    // 6 7 8
    [AvgPool2d(3, Stride = 2, Padding = 1)]                                        // 9      count_include_pad
    [Dropout(0.3f)] [Flatten] [Linear(5)]                                          // 10 11 12
    public partial class SeqGroups;

    [FusedNetwork(2, 9, 9)]
    [BatchNorm2d]                   // 0  a pass in ForwardUnfused; Forward folds it into the conv after it
    [Conv2d(4, 2, Stride = 2)]      // 1  -> [4,4,4]
    [Sigmoid] [Flatten]             // 2 3 -> [64]
    [Linear(4, Bias = false)]       // 4
    public partial class SeqStandaloneBn;
}
