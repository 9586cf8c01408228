using FusedNet.Samples;

namespace ResNet18Sample;

/// <summary>
/// The module-form sample of ResNet18 (ResNet18.cs: torchvision's architecture written as PyTorch-style modules): random or
/// loaded weights, fused vs unfused logits and timings (samples/Shared/ModuleSampleRunner.cs).
/// </summary>
internal static class Program
{
    private static int Main(string[] args) => ModuleSampleRunner.RunSample(args,
        new SampleNetwork("ResNet18", ResNet18.ExpectedWeights, weights => new ResNet18(weights), ResNet18.MultiplyAccumulates));
}
