using System;

namespace FusedNet
{
    /// <summary>Static description of one declared layer, readable without weights (DESIGN §5).</summary>
    public sealed class LayerInfo
    {
        /// <summary>Creates a layer description; generated code does this, a user rarely needs to.</summary>
        /// <param name="index">0-based position among the layer attributes.</param>
        /// <param name="name">Weight-name prefix.</param>
        /// <param name="kind">Attribute name without the suffix, e.g. "Conv2d".</param>
        /// <param name="description">The layer with its arguments, for display.</param>
        /// <param name="inputShape">Shape of one input sample of the layer.</param>
        /// <param name="outputShape">Shape of one output sample of the layer.</param>
        /// <param name="parameterCount">Learnable parameters.</param>
        /// <param name="multiplyAccumulates">Multiply-accumulates for one sample.</param>
        public LayerInfo(int index, string name, string kind, string description, TensorShape inputShape,
            TensorShape outputShape, long parameterCount, long multiplyAccumulates)
            : this(index, name, kind, description, inputShape, outputShape, parameterCount, multiplyAccumulates, new[] { index - 1 })
        {
        }

        /// <summary>Creates a layer description of a graph network (a module's Forward); generated code does this.</summary>
        /// <param name="index">0-based position in the network's execution order.</param>
        /// <param name="name">Weight-name prefix (e.g. "layer2.0.conv1") or, for layers without weights, a readable name.</param>
        /// <param name="kind">Layer kind, e.g. "Conv2d", "Add", "Cat".</param>
        /// <param name="description">The layer with its arguments, for display.</param>
        /// <param name="inputShape">Shape of one sample of the layer's first input.</param>
        /// <param name="outputShape">Shape of one output sample of the layer.</param>
        /// <param name="parameterCount">Learnable parameters.</param>
        /// <param name="multiplyAccumulates">Multiply-accumulates for one sample.</param>
        /// <param name="inputs">Indices of the layers this one reads; −1 is the network input.</param>
        public LayerInfo(int index, string name, string kind, string description, TensorShape inputShape,
            TensorShape outputShape, long parameterCount, long multiplyAccumulates, int[] inputs)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            Inputs = Array.AsReadOnly((int[])inputs.Clone());
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
        /// <summary>Shape of one sample entering the layer.</summary>
        public TensorShape InputShape { get; }
        /// <summary>Shape of one sample leaving the layer.</summary>
        public TensorShape OutputShape { get; }
        /// <summary>Learnable parameters, as PyTorch's sum(p.numel() for p in layer.parameters()) counts them (BatchNorm running statistics are buffers, not parameters).</summary>
        public long ParameterCount { get; }
        /// <summary>Multiply-accumulates for one sample (0 for layers without them).</summary>
        public long MultiplyAccumulates { get; }
        /// <summary>
        /// Indices of the layers whose outputs this layer reads, in operand order; −1 is the network input. A layer
        /// declared with attributes reads the one before it; Add, Mul and Cat in a module's Forward read two or more.
        /// </summary>
        public System.Collections.Generic.IReadOnlyList<int> Inputs { get; }

        /// <summary>One line for logs, e.g. "0 0: Conv2d(3→32, kernel 3x3, stride 1, padding 1) [3, 32, 32] -> [32, 32, 32]".</summary>
        public override string ToString() => $"{Index} {Name}: {Description} {InputShape} -> {OutputShape}";
    }
}
