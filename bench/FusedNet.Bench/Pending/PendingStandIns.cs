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
            Pending(BenchNet.Tiny, BenchSpecs.Tiny), Pending(BenchNet.Cifar, BenchSpecs.Cifar),
            Pending(BenchNet.Mobile, BenchSpecs.Mobile), Pending(BenchNet.Wide, BenchSpecs.Wide),
        };

        public static BenchNetwork Get(BenchNet id) => All.First(n => n.Id == id);

        private static BenchNetwork Pending(BenchNet key, NetworkSpec spec)
        {
            var layers = new List<LayerInfo>();
            TensorShape shape = spec.InputShape;
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                var l = spec.Layers[i];
                var o = l.OutputShape(shape);
                long macs = l switch
                {
                    ConvSpec c => (long)o.Length * (shape.Channels / c.Groups) * c.Kernel * c.Kernel,
                    LinearSpec => (long)o.Length * shape.Channels,
                    _ => 0,
                };
                layers.Add(new LayerInfo(i, i.ToString(System.Globalization.CultureInfo.InvariantCulture), l.Kind, l.Kind, shape, o, 0, macs));
                shape = o;
            }
            var expected = spec.ExpectedWeights().Select(w => new WeightInfo(w.Name, RoleOf(w.Name), w.Name.Split('.')[0], w.Shape)).ToArray();
            return new BenchNetwork(key, spec, layers, expected, w => new ReferenceNetwork(spec, w, layers, expected));
        }

        private sealed class ReferenceNetwork : IFusedNetwork
        {
            private readonly NetworkSpec _spec; private readonly IWeightSource _w;
            public ReferenceNetwork(NetworkSpec spec, IWeightSource w, IReadOnlyList<LayerInfo> layers, IReadOnlyList<WeightInfo> expected)
            { _spec = spec; _w = w; Layers = layers; ExpectedWeights = expected; }
            public int InputLength => _spec.InputShape.Length;
            public int OutputLength => _spec.OutputShape.Length;
            public TensorShape InputShape => _spec.InputShape;
            public TensorShape OutputShape => _spec.OutputShape;
            public IReadOnlyList<LayerInfo> Layers { get; }
            public IReadOnlyList<WeightInfo> ExpectedWeights { get; }
            public void Forward(ReadOnlySpan<float> input, Span<float> output) => _spec.EvaluateReference(input, _w).CopyTo(output);
            public void Forward(ReadOnlySpan<float> input, Span<float> output, int batchSize) => throw new NotSupportedException();
            public void ForwardUnfused(ReadOnlySpan<float> input, Span<float> output) => Forward(input, output);
            public void ForwardUnfused(ReadOnlySpan<float> input, Span<float> output, int batchSize) => throw new NotSupportedException();
        }

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
