using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Bench.Specs;

namespace FusedNet.Bench.Networks
{
    /// <summary>One benchmarked network: its generated class (through a factory and its static metadata) and its spec.</summary>
    internal sealed class BenchNetwork
    {
        private readonly Func<IWeightSource, IFusedNetwork> _create;

        public BenchNetwork(string key, NetworkSpec spec, IReadOnlyList<LayerInfo> layers,
            IReadOnlyList<WeightInfo> expectedWeights, Func<IWeightSource, IFusedNetwork> create)
        {
            Key = key;
            Spec = spec;
            Layers = layers;
            ExpectedWeights = expectedWeights;
            _create = create;
            MultiplyAccumulates = layers.Sum(l => l.MultiplyAccumulates);
        }

        /// <summary>The name used on the command line and in the benchmark's Network parameter.</summary>
        public string Key { get; }
        public NetworkSpec Spec { get; }
        public IReadOnlyList<LayerInfo> Layers { get; }
        public IReadOnlyList<WeightInfo> ExpectedWeights { get; }
        /// <summary>Sum over the generated layer list; GFLOP/s = 2 · this / time.</summary>
        public long MultiplyAccumulates { get; }

        /// <summary>Constructs the generated network and checks it is the network the spec describes.</summary>
        public IFusedNetwork Create(IWeightSource weights)
        {
            IFusedNetwork network = _create(weights);
            Spec.VerifyAgainst(Key, network);
            return network;
        }
    }
}
