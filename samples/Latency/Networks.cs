using System;
using System.Collections.Generic;
using FusedNet;
using FusedNet.Onnx.Specs;

namespace Latency
{
    // The bench's tiny, cifar and mobile networks (bench/FusedNet.Bench/Networks/BenchDeclarations.cs), declared here
    // with the product's own attributes so the sample stands on its own; the specs below describe the same layers for
    // the ONNX graph, and NetworkSpec.VerifyAgainst checks the two agree before anything is timed.

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

    /// <summary>A network the sample can time: its command-line key, a factory for the generated class and its ONNX spec.</summary>
    internal sealed record LatencyNetwork(string Key, Func<IWeightSource, IFusedNetwork> Create, IReadOnlyList<WeightInfo> ExpectedWeights, NetworkSpec Spec)
    {
        public static readonly IReadOnlyList<LatencyNetwork> All = new[]
        {
            new LatencyNetwork("tiny", w => new TinyNet(w), TinyNet.ExpectedWeights, new NetworkSpec(new TensorShape(1, 28, 28),
                new ConvSpec(8, 3, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
                new ConvSpec(16, 3, stride: 2, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
                new ConvSpec(32, 3, stride: 2, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
                new GlobalAvgPoolSpec(),
                new LinearSpec(10))),
            new LatencyNetwork("cifar", w => new CifarNet(w), CifarNet.ExpectedWeights, new NetworkSpec(new TensorShape(3, 32, 32),
                new ConvSpec(32, 3, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
                new ConvSpec(32, 3, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
                new PoolSpec(max: true, 2),
                new ConvSpec(64, 3, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
                new ConvSpec(64, 3, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
                new PoolSpec(max: true, 2),
                new ConvSpec(128, 3, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
                new GlobalAvgPoolSpec(),
                new LinearSpec(10))),
            new LatencyNetwork("mobile", w => new MobileNet(w), MobileNet.ExpectedWeights, new NetworkSpec(new TensorShape(32, 56, 56),
                new ConvSpec(32, 3, padding: 1, groups: 32), new BatchNormSpec(), ActivationSpec.Relu6(),
                new ConvSpec(64, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
                new ConvSpec(64, 3, stride: 2, padding: 1, groups: 64), new BatchNormSpec(), ActivationSpec.Relu6(),
                new ConvSpec(128, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
                new GlobalAvgPoolSpec(),
                new LinearSpec(10))),
        };

        /// <summary>The network a key names (case-insensitive), or null.</summary>
        public static LatencyNetwork? Find(string key)
        {
            foreach (LatencyNetwork network in All)
                if (string.Equals(network.Key, key, StringComparison.OrdinalIgnoreCase)) return network;
            return null;
        }
    }
}
