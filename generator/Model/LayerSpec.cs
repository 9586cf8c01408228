using FusedNet.Generator.Helpers;

namespace FusedNet.Generator.Model
{
    /// <summary>Every layer kind of DESIGN §2; the name is the attribute name without "Attribute".</summary>
    internal enum LayerKind
    {
        Conv2d,
        BatchNorm2d,
        BatchNorm1d,
        ReLU,
        ReLU6,
        Sigmoid,
        Tanh,
        SiLU,
        Hardswish,
        Hardsigmoid,
        LeakyReLU,
        ELU,
        GELU,
        Dropout,
        MaxPool2d,
        AvgPool2d,
        GlobalAvgPool2d,
        Flatten,
        Linear,
    }

    internal static class LayerKinds
    {
        public static bool IsActivation(this LayerKind kind) => kind switch
        {
            LayerKind.ReLU or LayerKind.ReLU6 or LayerKind.Sigmoid or LayerKind.Tanh or LayerKind.SiLU
                or LayerKind.Hardswish or LayerKind.Hardsigmoid or LayerKind.LeakyReLU or LayerKind.ELU
                or LayerKind.GELU => true,
            _ => false,
        };
    }

    /// <summary>
    /// One declared layer as the front end read it: kind, position, weight-name prefix and every argument
    /// (unused ones stay at their defaults). Front-end neutral: the attribute extractor builds it today, a
    /// module-style front end can build the same record later. No Roslyn symbols or syntax.
    /// </summary>
    internal sealed record LayerSpec(
        int Index,
        string Name,
        LayerKind Kind,
        LocationInfo? Location)
    {
        /// <summary>Conv2d out channels; Linear out features.</summary>
        public int OutChannels { get; init; }
        public int KernelHeight { get; init; }
        public int KernelWidth { get; init; }
        public int Stride { get; init; } = 1;
        public int Padding { get; init; }
        public int Dilation { get; init; } = 1;
        public int Groups { get; init; } = 1;
        public bool Bias { get; init; } = true;
        /// <summary>BatchNorm epsilon.</summary>
        public float Epsilon { get; init; } = 1e-5f;
        /// <summary>LeakyReLU negative slope, ELU alpha or Dropout p.</summary>
        public float Parameter { get; init; }
        /// <summary>GELU tanh approximation.</summary>
        public bool Approximate { get; init; }

        /// <summary>"layer 3 '3' (Conv2d)": how diagnostics and exceptions name a layer.</summary>
        public string Label => $"Layer {Index} '{Name}' ({Kind})";
    }

    /// <summary>
    /// A network as the front end read it: where to generate, the input shape and the layers in order.
    /// Namespace and ClassIdentifier are as code writes them (keywords escaped with '@'); ClassName is plain text.
    /// </summary>
    internal sealed record NetworkSpec(
        string Namespace,
        string ClassName,
        string ClassIdentifier,
        string Accessibility,
        int InputChannels,
        int InputHeight,
        int InputWidth,
        EquatableArray<LayerSpec> Layers,
        LocationInfo? NetworkAttributeLocation);

    /// <summary>The result of a pipeline stage: a value (or null) plus the diagnostics found on the way.</summary>
    internal sealed record Result<T>(T? Value, EquatableArray<DiagnosticInfo> Diagnostics) where T : class;
}
