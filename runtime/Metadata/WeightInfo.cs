using System.Collections.Generic;

namespace FusedNet
{
    /// <summary>What a tensor is for; random initialisation and validation depend on it.</summary>
    public enum WeightRole
    {
        ConvWeight,
        ConvBias,
        LinearWeight,
        LinearBias,
        BatchNormWeight,
        BatchNormBias,
        BatchNormRunningMean,
        BatchNormRunningVar,
    }

    /// <summary>One tensor a network expects from its weight source (PyTorch state_dict name and shape).</summary>
    public sealed class WeightInfo
    {
        public WeightInfo(string name, WeightRole role, string layerName, params int[] shape)
        {
            Name = name;
            Role = role;
            LayerName = layerName;
            Shape = shape;
            int count = 1;
            foreach (int d in shape) count *= d;
            ElementCount = count;
        }

        /// <summary>Full tensor name, e.g. "3.weight".</summary>
        public string Name { get; }
        public WeightRole Role { get; }
        /// <summary>Weight-name prefix of the layer that owns it, e.g. "3".</summary>
        public string LayerName { get; }
        public IReadOnlyList<int> Shape { get; }
        public int ElementCount { get; }

        /// <summary>Shape as PyTorch prints it, e.g. "[16, 8, 3, 3]".</summary>
        public string ShapeText => "[" + string.Join(", ", Shape) + "]";

        public override string ToString() => $"{Name} {ShapeText}";
    }
}
