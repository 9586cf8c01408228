using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Model;

namespace FusedNet.Generator.Analysis
{
    /// <summary>
    /// The shaped layers as a graph: who reads whose output. Dropout is the identity at inference, so it is
    /// looked through: a layer reading a Dropout reads the Dropout's source. The network output counts as a
    /// reader, so a fused step never swallows a tensor the caller gets back.
    /// </summary>
    internal sealed class LayerGraph
    {
        private readonly Dictionary<int, List<int>> _readers = new Dictionary<int, List<int>>();

        public LayerGraph(ShapedNetwork network)
        {
            Network = network;
            Output = Resolve(network.OutputLayer);
            for (int i = 0; i < network.Layers.Count; i++)
            {
                if (IsSkipped(i)) continue;
                foreach (int source in Operands(i)) Readers(source).Add(i);
            }
        }

        public ShapedNetwork Network { get; }

        /// <summary>The source (layer index, or −1 for the network input) of the network's output.</summary>
        public int Output { get; }

        public int Count => Network.Layers.Count;
        public ShapedLayer this[int index] => Network.Layers[index];
        public LayerKind Kind(int index) => Network.Layers[index].Layer.Kind;

        /// <summary>Layers that compute nothing at inference (Dropout): their output is their input.</summary>
        public bool IsSkipped(int index) => Kind(index) == LayerKind.Dropout;

        /// <summary>The layer (or −1, the input) whose tensor <paramref name="index"/> stands for, looking through Dropout.</summary>
        public int Resolve(int index)
        {
            while (index >= 0 && IsSkipped(index)) index = Network.Layers[index].Layer.Inputs[0];
            return index;
        }

        /// <summary>The sources a layer reads, in operand order, Dropout looked through.</summary>
        public IReadOnlyList<int> Operands(int index) => Network.Layers[index].Layer.Inputs.Select(Resolve).ToList();

        private List<int> Readers(int source)
        {
            if (!_readers.TryGetValue(source, out List<int>? list)) _readers[source] = list = new List<int>();
            return list;
        }

        /// <summary>How many operand slots read <paramref name="source"/>, plus one if it is the network output.</summary>
        public int ReadCount(int source) => Readers(source).Count + (source == Output ? 1 : 0);

        /// <summary>
        /// The one layer that reads <paramref name="source"/>, when exactly one operand slot reads it and it is not the
        /// network output; −1 otherwise. Only then may a step fuse that reader, or overwrite the tensor in place.
        /// </summary>
        public int SoleReader(int source) => ReadCount(source) == 1 && Readers(source).Count == 1 ? Readers(source)[0] : -1;
    }
}
