using System.Collections.Generic;

namespace FusedNet
{
    /// <summary>What a tensor is for; random initialisation and validation depend on it.</summary>
    public enum WeightRole
    {
        /// <summary>Conv2d <c>weight</c> [out, in/groups, kh, kw].</summary>
        ConvWeight,
        /// <summary>Conv2d <c>bias</c> [out].</summary>
        ConvBias,
        /// <summary>Linear <c>weight</c> [out, in].</summary>
        LinearWeight,
        /// <summary>Linear <c>bias</c> [out].</summary>
        LinearBias,
        /// <summary>BatchNorm <c>weight</c>, γ [C].</summary>
        BatchNormWeight,
        /// <summary>BatchNorm <c>bias</c>, β [C].</summary>
        BatchNormBias,
        /// <summary>BatchNorm <c>running_mean</c>, μ [C].</summary>
        BatchNormRunningMean,
        /// <summary>BatchNorm <c>running_var</c>, σ² [C]; must not be negative.</summary>
        BatchNormRunningVar,
        /// <summary>LayerNorm, GroupNorm or InstanceNorm2d <c>weight</c>, γ ([C], or the normalised shape for LayerNorm).</summary>
        NormWeight,
        /// <summary>LayerNorm, GroupNorm or InstanceNorm2d <c>bias</c>, β (shape as <see cref="NormWeight"/>).</summary>
        NormBias,
        /// <summary>InstanceNorm2d <c>running_mean</c> [C] (with <c>track_running_stats</c>).</summary>
        NormRunningMean,
        /// <summary>InstanceNorm2d <c>running_var</c> [C] (with <c>track_running_stats</c>); must not be negative.</summary>
        NormRunningVar,
        /// <summary>Normalize <c>mean</c> [C] (the form without constants, which reads its statistics from the weights).</summary>
        NormalizeMean,
        /// <summary>Normalize <c>std</c> [C] (the form without constants); every value must be positive.</summary>
        NormalizeStd,
    }

    /// <summary>One tensor a network expects from its weight source (PyTorch state_dict name and shape).</summary>
    public sealed class WeightInfo
    {
        /// <summary>Describes one expected tensor; generated code does this, a user rarely needs to.</summary>
        /// <param name="name">Full state_dict name, e.g. "3.weight".</param>
        /// <param name="role">What the tensor is for.</param>
        /// <param name="layerName">Weight-name prefix of the owning layer, e.g. "3".</param>
        /// <param name="shape">Dimensions as PyTorch stores them.</param>
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
        /// <summary>What the tensor is for (conv weight, BatchNorm running variance, …).</summary>
        public WeightRole Role { get; }
        /// <summary>Weight-name prefix of the layer that owns it, e.g. "3".</summary>
        public string LayerName { get; }
        /// <summary>Dimensions as PyTorch stores them, e.g. [16, 8, 3, 3] for a conv weight.</summary>
        public IReadOnlyList<int> Shape { get; }
        /// <summary>Number of floats: the product of <see cref="Shape"/>.</summary>
        public int ElementCount { get; }

        /// <summary>Shape as PyTorch prints it, e.g. "[16, 8, 3, 3]".</summary>
        public string ShapeText => "[" + string.Join(", ", Shape) + "]";

        /// <summary>Name and shape, e.g. "3.weight [16, 8, 3, 3]".</summary>
        public override string ToString() => $"{Name} {ShapeText}";
    }
}
