using FusedNet;

namespace CifarSample;

// The network of DESIGN §1: a small CIFAR-10 classifier declared with attributes. The generator turns it
// into fused Vector256/Vector512 kernels at build time; nothing here is written by hand but this list.
[FusedNetwork(3, 32, 32)]                   // one input sample: channels, height, width (NCHW)
[Conv2d(32, 3, Padding = 1)]                // 0  -> [32, 32, 32]
[BatchNorm2d]                               // 1  folded into conv 0
[ReLU]                                      // 2  applied in conv 0's epilogue
[MaxPool2d(2)]                              // 3  -> [32, 16, 16]
[Conv2d(64, 3, Stride = 2, Padding = 1, Bias = false)] // 4 -> [64, 8, 8]
[BatchNorm2d(Epsilon = 1e-3f)]              // 5
[LeakyReLU(0.1f)]                           // 6
[Dropout(0.2f)]                             // 7  identity at inference
[GlobalAvgPool2d]                           // 8  -> [64]
[Linear(10)]                                // 9  -> [10] logits
public partial class CifarNet;
