namespace FusedNet.Tests.Networks
{
    /// <summary>
    /// The test classes that run the sweep networks (<see cref="NetworkSweepTests"/> against the double reference,
    /// <see cref="OnnxOracle.OnnxSweepTests"/> against ONNX Runtime) share one <see cref="SweepCompilation"/>:
    /// compiling the networks is the expensive part, so it happens once per run. Tests of one collection run one
    /// after another; other collections keep running beside them.
    /// </summary>
    [CollectionDefinition(Name)]
    public sealed class SweepCollection : ICollectionFixture<SweepCompilation>
    {
        public const string Name = "Sweep networks";
    }
}
