using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Onnx.Specs;

namespace FusedNet.Bench.Networks
{
    /// <summary>
    /// The bench networks in the order of the table (the benchmark parameter; BenchmarkDotNet sorts enums by value),
    /// then the torchvision networks declared as modules, when the module front end is compiled in (FUSEDNET_MODULES).
    /// </summary>
    public enum BenchNet
    {
        Tiny,
        Cifar,
        Mobile,
        Wide,
        /// <summary>A sequential depthwise-separable ImageNet network (MobileNet v1 layout), 3×224×224.</summary>
        DsNet,
#if FUSEDNET_RESNET18
        /// <summary>torchvision resnet18, 3×224×224 (module front end).</summary>
        ResNet18,
#endif
#if FUSEDNET_MODULES
        /// <summary>torchvision mobilenet_v2, width 1.0, 3×224×224 (module front end).</summary>
        MobileNetV2,
#endif
    }

    /// <summary>One benchmarked network: its generated class (through a factory and its static metadata) and its spec.</summary>
    internal sealed class BenchNetwork
    {
        private readonly Func<IWeightSource, NetworkOptions, IFusedNetwork> _create;

        public BenchNetwork(BenchNet id, NetworkSpec spec, IReadOnlyList<LayerInfo> layers,
            IReadOnlyList<WeightInfo> expectedWeights, Func<IWeightSource, NetworkOptions, IFusedNetwork> create)
        {
            Id = id;
            Key = id.ToString().ToLowerInvariant();
            Spec = spec;
            Layers = layers;
            ExpectedWeights = expectedWeights;
            _create = create;
            MultiplyAccumulates = layers.Sum(l => l.MultiplyAccumulates);
        }

        public BenchNet Id { get; }
        /// <summary>Lower-case name as in the table, used in messages.</summary>
        public string Key { get; }
        public NetworkSpec Spec { get; }
        public IReadOnlyList<LayerInfo> Layers { get; }
        public IReadOnlyList<WeightInfo> ExpectedWeights { get; }
        /// <summary>Sum over the generated layer list; GFLOP/s = 2 · this / time.</summary>
        public long MultiplyAccumulates { get; }

        /// <summary>Constructs the generated network (with <paramref name="threads"/> threads) and checks it is the network the spec describes.</summary>
        public IFusedNetwork Create(IWeightSource weights, int threads = 1, int spinMicroseconds = 50)
        {
            IFusedNetwork network = _create(weights, new NetworkOptions { Threads = threads, SpinMicroseconds = spinMicroseconds });
            Spec.VerifyAgainst(Key, network);
            return network;
        }
    }
}
