using System;
using System.Collections.Generic;
using FusedNet;
using FusedNet.Bench.Networks;
using FusedNet.Onnx.Specs;

namespace Latency
{
    // The bench's tiny, cifar and mobile networks: their declarations (bench/FusedNet.Bench/Networks/BenchDeclarations.cs)
    // and ONNX specs (BenchSpecs.cs) are linked into this project (Latency.csproj), so the sample times exactly the networks
    // the bench does; NetworkSpec.VerifyAgainst checks declaration and spec agree before anything is timed.

    /// <summary>A network the sample can time: its command-line key, a factory for the generated class and its ONNX spec.</summary>
    internal sealed record LatencyNetwork(string Key, Func<IWeightSource, IFusedNetwork> Create, IReadOnlyList<WeightInfo> ExpectedWeights, NetworkSpec Spec)
    {
        public static readonly IReadOnlyList<LatencyNetwork> All = new[]
        {
            new LatencyNetwork("tiny", w => new TinyNet(w), TinyNet.ExpectedWeights, BenchSpecs.Tiny),
            new LatencyNetwork("cifar", w => new CifarNet(w), CifarNet.ExpectedWeights, BenchSpecs.Cifar),
            new LatencyNetwork("mobile", w => new MobileNet(w), MobileNet.ExpectedWeights, BenchSpecs.Mobile),
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
