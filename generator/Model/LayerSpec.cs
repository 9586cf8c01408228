using FusedNet.Generator.Catalog;
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

        // Graph-only kinds: written in a module's Forward, not as attributes.
        /// <summary>Element-wise sum of two tensors of the same shape (`a + b`, a residual connection).</summary>
        Add,
        /// <summary>Concatenation along channels (`Tensor.Cat(a, b, ...)`): same H×W, channels add up.</summary>
        Cat,
        /// <summary>`x * s` with s of shape [C, 1, 1] (or [C]) broadcast over H×W: a squeeze-excite scale.</summary>
        Mul,
        /// <summary>`F.AdaptiveAvgPool2d(x, 1)`: mean over H×W, keeping the shape [C, 1, 1].</summary>
        AdaptiveAvgPool2d,

        /// <summary>Maxout(pieces): output channel j = max of input channels j·pieces … j·pieces + pieces − 1.</summary>
        Maxout,
        // Normalisations with per-sample statistics (attributes and modules).
        /// <summary>nn.LayerNorm over the whole sample ([C, H, W] or [F]); γ, β of the normalised shape.</summary>
        LayerNorm,
        /// <summary>nn.GroupNorm: per sample, statistics over each group of C/G channels × H×W; γ, β per channel.</summary>
        GroupNorm,
        /// <summary>nn.InstanceNorm2d: per sample and channel over H×W (or the running statistics when tracked).</summary>
        InstanceNorm2d,

        /// <summary>
        /// Normalize(mean, std): per-channel y = (x − mean[c]) / std[c] with constants from the declaration
        /// (torchvision.transforms.Normalize), or with the tensors P.mean and P.std (<see cref="LayerSpec.NormalizeReadsTensors"/>);
        /// folded into the convolution that reads it where that is exact.
        /// </summary>
        Normalize,
    }

    internal static class LayerKinds
    {
        public static bool IsActivation(this LayerKind kind) => LayerCatalog.Of(kind).IsActivation;

        /// <summary>Kinds a front end can only produce from a module's Forward (there is no attribute for them).</summary>
        public static bool IsGraphOnly(this LayerKind kind) => !LayerCatalog.Of(kind).HasAttribute;
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
        /// <summary>Maxout: consecutive channels reduced to one.</summary>
        public int Pieces { get; init; }
        /// <summary>Normalize: the per-channel mean (one per input channel, FN0045).</summary>
        public EquatableArray<float> Mean { get; init; }
        /// <summary>Normalize: the per-channel standard deviation (positive and finite, FN0046).</summary>
        public EquatableArray<float> Std { get; init; }
        /// <summary>
        /// Normalize without constants (<c>[Normalize]</c>, <c>new Normalize(numChannels)</c>): mean and std are the tensors
        /// P.mean and P.std [C] of the weight source; <see cref="Mean"/> and <see cref="Std"/> are then empty.
        /// </summary>
        public bool NormalizeReadsTensors { get; init; }

        /// <summary>
        /// The input channels (Conv2d <c>inChannels</c>, BatchNorm <c>numFeatures</c>) or features (Linear <c>inFeatures</c>)
        /// the declaration states, for shape inference to check against the actual input; 0 = not declared (the attribute
        /// front end, whose layers take their input size from the previous layer).
        /// </summary>
        public int DeclaredInChannels { get; init; }

        /// <summary>
        /// The first layer of an attribute-declared network used as a sub-module (Module.FromAttributes): that network's
        /// [FusedNetwork(c, h, w)] input shape, which must be what reaches the layer (FN0032); empty otherwise.
        /// </summary>
        public EquatableArray<int> DeclaredInputShape { get; init; }

        /// <summary>The attribute-declared network a layer comes from, for FN0032's message.</summary>
        public string? DeclaredBy { get; init; }

        /// <summary>
        /// LayerNorm <c>elementwise_affine</c>, GroupNorm and InstanceNorm2d <c>affine</c>: whether the layer has γ
        /// (<c>P.weight</c>) and β (<c>P.bias</c>). The front ends set InstanceNorm2d's PyTorch default, false.
        /// </summary>
        public bool Affine { get; init; } = true;

        /// <summary>
        /// BatchNorm2d/1d and InstanceNorm2d <c>track_running_stats</c>: eval mode normalises with P.running_mean/P.running_var.
        /// Otherwise a BatchNorm uses the statistics of the batch given to Forward and an InstanceNorm2d those of each sample.
        /// The front ends set PyTorch's defaults: true for BatchNorm (as here), false for InstanceNorm2d.
        /// </summary>
        public bool TrackRunningStats { get; init; } = true;

        /// <summary>A BatchNorm without running statistics: normalised with the statistics of the batch given to Forward.</summary>
        public bool UsesBatchStatistics => Kind is LayerKind.BatchNorm2d or LayerKind.BatchNorm1d && !TrackRunningStats;

        /// <summary>LayerNorm's declared <c>normalized_shape</c>; empty = the whole input sample (the attribute's default).</summary>
        public EquatableArray<int> NormalizedShape { get; init; }

        /// <summary>
        /// The layers whose outputs this one reads, by <see cref="Index"/>; <see cref="NetworkInput"/> is the network's
        /// input. A layer may only read layers before it (the list is in an order that can run). The attribute front
        /// end reads the previous layer; Add and Mul read two layers, Cat two or more.
        /// </summary>
        public EquatableArray<int> Inputs { get; init; }

        /// <summary>The index <see cref="Inputs"/> uses for the network's input.</summary>
        public const int NetworkInput = -1;

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
        LocationInfo? NetworkAttributeLocation)
    {
        /// <summary>Index of the layer whose output is the network's output (the last one unless a front end says otherwise).</summary>
        public int OutputLayer { get; init; } = -1;

        /// <summary>The layer producing the output: <see cref="OutputLayer"/>, or the last layer when it is −1.</summary>
        public int ResolvedOutputLayer => OutputLayer >= 0 ? OutputLayer : Layers.Count - 1;

        /// <summary>
        /// Set by the module front end: the constructor call generated constructors chain to, e.g. "this()" or
        /// "this(1000)" for a class with a primary constructor; null when the class has none.
        /// </summary>
        public string? ConstructorChain { get; init; }

        /// <summary>Which front end read the network, for the generated file's header: "layer attributes" or "Forward method".</summary>
        public string Source { get; init; } = "layer attributes";

        /// <summary>
        /// The class (or a base class) already implements IDisposable or declares a parameterless Dispose: the generated code
        /// then leaves Dispose to it (the user's Dispose calls the generated StopThreads).
        /// </summary>
        public bool HasOwnDispose { get; init; }

        /// <summary>
        /// Where the planner uses Winograd F(4x4, 3x3) convolutions. [FusedNetwork(..., Winograd = false)] gives
        /// <see cref="WinogradUse.Never"/> (every convolution direct: bit-for-bit the direct kernels' numerics); the default
        /// is <see cref="WinogradUse.WherePays"/>. <see cref="WinogradUse.Always"/> exists for tests (tiny shapes).
        /// </summary>
        public WinogradUse Winograd { get; init; } = WinogradUse.WherePays;
    }

    /// <summary>Where the planner may choose Winograd convolutions (see <see cref="NetworkSpec.Winograd"/>).</summary>
    internal enum WinogradUse
    {
        /// <summary>Never: every convolution runs direct.</summary>
        Never,
        /// <summary>For the eligible convolutions where it is measured faster than direct (the default).</summary>
        WherePays,
        /// <summary>For every eligible convolution (3x3, stride 1, dilation 1, groups 1, padding 0 or 1), however small: for tests.</summary>
        Always,
    }

    /// <summary>The result of a pipeline stage: a value (or null) plus the diagnostics found on the way.</summary>
    internal sealed record Result<T>(T? Value, EquatableArray<DiagnosticInfo> Diagnostics) where T : class;
}
