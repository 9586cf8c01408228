namespace FusedNet
{
    /// <summary>Static description of one declared layer, readable without weights (DESIGN §5).</summary>
    public sealed class LayerInfo
    {
        public LayerInfo(int index, string name, string kind, string description, TensorShape inputShape,
            TensorShape outputShape, long parameterCount, long multiplyAccumulates)
        {
            Index = index;
            Name = name;
            Kind = kind;
            Description = description;
            InputShape = inputShape;
            OutputShape = outputShape;
            ParameterCount = parameterCount;
            MultiplyAccumulates = multiplyAccumulates;
        }

        /// <summary>0-based position among the layer attributes.</summary>
        public int Index { get; }
        /// <summary>Weight-name prefix: the index as text unless overridden with Name = "...".</summary>
        public string Name { get; }
        /// <summary>Attribute name without the suffix, e.g. "Conv2d", "ReLU".</summary>
        public string Kind { get; }
        /// <summary>The layer with its arguments, e.g. "Conv2d(3→32, kernel 3x3, stride 1, padding 1)".</summary>
        public string Description { get; }
        public TensorShape InputShape { get; }
        public TensorShape OutputShape { get; }
        /// <summary>Learnable parameters, as PyTorch's sum(p.numel() for p in layer.parameters()) counts them (BatchNorm running statistics are buffers, not parameters).</summary>
        public long ParameterCount { get; }
        /// <summary>Multiply-accumulates for one sample (0 for layers without them).</summary>
        public long MultiplyAccumulates { get; }

        public override string ToString() => $"{Index} {Name}: {Description} {InputShape} -> {OutputShape}";
    }
}
