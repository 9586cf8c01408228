using FusedNet;

namespace FusedNet.ColdStart;

// Copies of two declarations, so this project stands alone (no reference to an executable):
// "cifar" is bench/FusedNet.Bench/Networks/BenchNetworks.cs's CifarNet (the network ONNX Runtime also runs in
// the bench), "sample" is samples/CifarSample/CifarNet.cs.

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
public partial class BenchCifarNet;

[FusedNetwork(3, 32, 32)]
[Conv2d(32, 3, Padding = 1)]
[BatchNorm2d]
[ReLU]
[MaxPool2d(2)]
[Conv2d(64, 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2d(Epsilon = 1e-3f)]
[LeakyReLU(0.1f)]
[Dropout(0.2f)]
[GlobalAvgPool2d]
[Linear(10)]
public partial class SampleCifarNet;
