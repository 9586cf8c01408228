using FusedNet.Onnx.Specs;

namespace FusedNet.Bench.Networks
{
    /// <summary>
    /// The bench networks row by row, mirroring the attribute declarations in BenchNetworks.cs (kept in the
    /// same order; BenchNetwork.Create verifies they match the generated classes).
    /// </summary>
    internal static class BenchSpecs
    {
        public static readonly NetworkSpec Tiny = new NetworkSpec(new TensorShape(1, 28, 28),
            new ConvSpec(8, 3, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
            new ConvSpec(16, 3, stride: 2, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
            new ConvSpec(32, 3, stride: 2, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
            new GlobalAvgPoolSpec(),
            new LinearSpec(10));

        public static readonly NetworkSpec Cifar = new NetworkSpec(new TensorShape(3, 32, 32),
            new ConvSpec(32, 3, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
            new ConvSpec(32, 3, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
            new PoolSpec(max: true, 2),
            new ConvSpec(64, 3, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
            new ConvSpec(64, 3, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
            new PoolSpec(max: true, 2),
            new ConvSpec(128, 3, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
            new GlobalAvgPoolSpec(),
            new LinearSpec(10));

        public static readonly NetworkSpec Mobile = new NetworkSpec(new TensorShape(32, 56, 56),
            new ConvSpec(32, 3, padding: 1, groups: 32), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(64, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(64, 3, stride: 2, padding: 1, groups: 64), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(128, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new GlobalAvgPoolSpec(),
            new LinearSpec(10));

        public static readonly NetworkSpec Wide = new NetworkSpec(new TensorShape(64, 56, 56),
            new ConvSpec(64, 3, padding: 1), new BatchNormSpec(), ActivationSpec.Relu(),
            new ConvSpec(64, 3, padding: 1), new BatchNormSpec(), ActivationSpec.Relu());

        /// <summary>dsnet: MobileNet v1 layout at 3×224×224 (BenchDeclarations.cs).</summary>
        public static readonly NetworkSpec DsNet = new NetworkSpec(new TensorShape(3, 224, 224),
            new ConvSpec(32, 3, stride: 2, padding: 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(32, 3, padding: 1, groups: 32), new BatchNormSpec(), ActivationSpec.Relu6(), new ConvSpec(64, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(64, 3, stride: 2, padding: 1, groups: 64), new BatchNormSpec(), ActivationSpec.Relu6(), new ConvSpec(128, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(128, 3, padding: 1, groups: 128), new BatchNormSpec(), ActivationSpec.Relu6(), new ConvSpec(128, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(128, 3, stride: 2, padding: 1, groups: 128), new BatchNormSpec(), ActivationSpec.Relu6(), new ConvSpec(256, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(256, 3, padding: 1, groups: 256), new BatchNormSpec(), ActivationSpec.Relu6(), new ConvSpec(256, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(256, 3, stride: 2, padding: 1, groups: 256), new BatchNormSpec(), ActivationSpec.Relu6(), new ConvSpec(512, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(512, 3, padding: 1, groups: 512), new BatchNormSpec(), ActivationSpec.Relu6(), new ConvSpec(512, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(512, 3, padding: 1, groups: 512), new BatchNormSpec(), ActivationSpec.Relu6(), new ConvSpec(512, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(512, 3, padding: 1, groups: 512), new BatchNormSpec(), ActivationSpec.Relu6(), new ConvSpec(512, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(512, 3, padding: 1, groups: 512), new BatchNormSpec(), ActivationSpec.Relu6(), new ConvSpec(512, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(512, 3, padding: 1, groups: 512), new BatchNormSpec(), ActivationSpec.Relu6(), new ConvSpec(512, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(512, 3, stride: 2, padding: 1, groups: 512), new BatchNormSpec(), ActivationSpec.Relu6(), new ConvSpec(1024, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new ConvSpec(1024, 3, padding: 1, groups: 1024), new BatchNormSpec(), ActivationSpec.Relu6(), new ConvSpec(1024, 1), new BatchNormSpec(), ActivationSpec.Relu6(),
            new GlobalAvgPoolSpec(),
            new LinearSpec(1000));

        /// <summary>torchvision resnet18 (graph rows with torchvision's tensor names; see TorchvisionSpecs).</summary>
        public static readonly NetworkSpec ResNet18 = TorchvisionSpecs.ResNet18();

        /// <summary>torchvision mobilenet_v2, width 1.0 (graph rows; see TorchvisionSpecs).</summary>
        public static readonly NetworkSpec MobileNetV2 = TorchvisionSpecs.MobileNetV2();
    }
}
