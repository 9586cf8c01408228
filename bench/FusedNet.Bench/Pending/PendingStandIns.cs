// TEMPORARY: stand-ins until the generator and RandomWeights land in main. Deleted at the end.
using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Bench.Specs;

namespace FusedNet.Bench.Networks
{
    internal static class BenchNetworks
    {
        public static readonly IReadOnlyList<BenchNetwork> All = new[]
        {
            Pending("tiny", BenchSpecs.Tiny), Pending("cifar", BenchSpecs.Cifar),
            Pending("mobile", BenchSpecs.Mobile), Pending("wide", BenchSpecs.Wide),
        };

        public static BenchNetwork Get(string key) => All.First(n => n.Key == key);

        private static BenchNetwork Pending(string key, NetworkSpec spec) =>
            new BenchNetwork(key, spec, Array.Empty<LayerInfo>(),
                spec.ExpectedWeights().Select(w => new WeightInfo(w.Name, RoleOf(w.Name), w.Name.Split('.')[0], w.Shape)).ToArray(),
                _ => throw new NotSupportedException("generator pending"));

        private static WeightRole RoleOf(string name) =>
            name.EndsWith(".running_var") ? WeightRole.BatchNormRunningVar : WeightRole.ConvWeight;
    }
}

namespace FusedNet
{
    internal sealed class PendingWeights : IWeightSource
    {
        public Dictionary<string, (float[] Values, int[] Shape)> Tensors { get; } = new();
        public IReadOnlyCollection<string> TensorNames => Tensors.Keys;
        public bool TryGetTensorInfo(string name, out TensorInfo info)
        {
            info = default;
            if (!Tensors.TryGetValue(name, out var t)) return false;
            info = new TensorInfo(TensorDataType.F32, t.Shape.Select(d => (long)d).ToArray(), "F32");
            return true;
        }
        public void ReadFloat32(string name, Span<float> destination) => Tensors[name].Values.CopyTo(destination);
    }

    internal static class RandomWeights
    {
        public static PendingWeights Create(IReadOnlyList<WeightInfo> expected, int seed)
        {
            var rng = new Random(seed);
            var w = new PendingWeights();
            foreach (var info in expected)
            {
                var v = new float[info.ElementCount];
                for (int i = 0; i < v.Length; i++)
                    v[i] = info.Role == WeightRole.BatchNormRunningVar ? 0.3f + (float)rng.NextDouble() : (float)(rng.NextDouble() * 2 - 1) * 0.5f;
                w.Tensors[info.Name] = (v, info.Shape.ToArray());
            }
            return w;
        }

        public static float[] RandomInput(int length, int seed)
        {
            var rng = new Random(seed);
            var v = new float[length];
            for (int i = 0; i < v.Length; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
            return v;
        }
    }
}
