using FusedNet.Samples;

namespace MobileNetV2Sample;

/// <summary>
/// The module-form sample of MobileNetV2 (MobileNetV2.cs: torchvision's architecture written as PyTorch-style modules): random or
/// loaded weights, fused vs unfused logits and timings (samples/Shared/ModuleSampleRunner.cs).
/// </summary>
internal static class Program
{
    private static int Main(string[] args) => ModuleSampleRunner.RunSample(args,
        new SampleNetwork("MobileNetV2", MobileNetV2.ExpectedWeights, weights => new MobileNetV2(weights), MobileNetV2.MultiplyAccumulates));
}
