using Microsoft.CodeAnalysis;

namespace FusedNet.Generator.Diagnostics
{
    /// <summary>
    /// Every diagnostic the generator reports, one field per ID. Each is also listed in
    /// AnalyzerReleases.Unshipped.md. Messages name the layer by index and weight-name prefix, and the
    /// shapes involved.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "FusedNet";

        private static DiagnosticDescriptor Error(string id, string title, string message) =>
            new DiagnosticDescriptor(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
                helpLinkUri: "https://github.com/fusednet/fusednet/blob/main/docs/diagnostics.md#" + id.ToLowerInvariant());

        /// <summary>The network class is not declared partial, so the generator cannot add members to it.</summary>
        public static readonly DiagnosticDescriptor ClassNotPartial = Error("FN0001",
            "Network class must be partial",
            "Network class '{0}' must be declared 'partial' so FusedNet can generate its members");

        /// <summary>Layer attributes on a class without [FusedNetwork]: the input shape is unknown.</summary>
        public static readonly DiagnosticDescriptor MissingFusedNetwork = Error("FN0002",
            "Layer attributes without [FusedNetwork]",
            "Class '{0}' has layer attributes but no [FusedNetwork(channels, height, width)] giving the input shape");

        /// <summary>[FusedNetwork] with no layer attributes.</summary>
        public static readonly DiagnosticDescriptor NoLayers = Error("FN0003",
            "Network has no layers",
            "Network '{0}' declares no layers; add layer attributes such as [Conv2d(16, 3)] after [FusedNetwork]");

        /// <summary>Layer attributes on more than one partial declaration: their order would be ambiguous.</summary>
        public static readonly DiagnosticDescriptor LayersSplit = Error("FN0004",
            "Layers split across partial declarations",
            "Network '{0}' has layer attributes on more than one partial declaration; put all layers on one declaration so their order is the network's order");

        /// <summary>A size argument is zero or negative.</summary>
        public static readonly DiagnosticDescriptor NonPositiveSize = Error("FN0005",
            "Size must be positive",
            "{0}: {1} must be positive, but is {2}");

        /// <summary>Negative padding.</summary>
        public static readonly DiagnosticDescriptor NegativePadding = Error("FN0006",
            "Padding must not be negative",
            "{0}: Padding must be 0 or more, but is {1}");

        /// <summary>Groups must divide both input and output channels.</summary>
        public static readonly DiagnosticDescriptor GroupsMismatch = Error("FN0007",
            "Groups must divide the channel counts",
            "{0}: Groups = {1} must divide both the input channels ({2}, input shape {3}) and the output channels ({4})");

        /// <summary>The output spatial size would be below 1.</summary>
        public static readonly DiagnosticDescriptor SpatialCollapse = Error("FN0008",
            "Output size below 1",
            "{0}: input {1} gives an output of {2}x{3}; the kernel (with dilation) does not fit the padded input");

        /// <summary>Linear or BatchNorm1d applied to a [C, H, W] tensor.</summary>
        public static readonly DiagnosticDescriptor NeedsFlatInput = Error("FN0009",
            "Layer needs a flat input",
            "{0}: needs a flat input, but its input is {1}; add [Flatten] or [GlobalAvgPool2d] before it");

        /// <summary>The class is nested in another type; only namespace-level classes are supported.</summary>
        public static readonly DiagnosticDescriptor UnsupportedContainingType = Error("FN0010",
            "Unsupported containing type",
            "Network class '{0}' is nested in '{1}'; declare networks directly in a namespace (or the global namespace)");

        /// <summary>Generic or static network classes are not supported.</summary>
        public static readonly DiagnosticDescriptor UnsupportedClassShape = Error("FN0011",
            "Unsupported network class",
            "Network class '{0}' cannot be {1}");

        /// <summary>A 2-D layer applied to a flat tensor.</summary>
        public static readonly DiagnosticDescriptor NeedsSpatialInput = Error("FN0012",
            "Layer needs a [C, H, W] input",
            "{0}: needs a [C, H, W] input, but its input is the flat tensor {1}");

        /// <summary>A parameter outside its valid range (probabilities, epsilons, pool padding, ...).</summary>
        public static readonly DiagnosticDescriptor InvalidParameter = Error("FN0013",
            "Invalid layer parameter",
            "{0}: {1}");

        /// <summary>Two layers would read the same weight names, or a Name override is empty.</summary>
        public static readonly DiagnosticDescriptor InvalidWeightName = Error("FN0014",
            "Invalid or duplicate weight name",
            "{0}: {1}");

        /// <summary>A tensor too large to address with 32-bit indices.</summary>
        public static readonly DiagnosticDescriptor TensorTooLarge = Error("FN0015",
            "Tensor too large",
            "{0}: the tensor {1} takes {2} floats, more than the limit of 2^28 = {3} floats per tensor; FusedNet targets small networks");

        /// <summary>An attribute argument could not be read as a constant.</summary>
        public static readonly DiagnosticDescriptor UnreadableArgument = Error("FN0016",
            "Layer argument is not a constant",
            "{0}: argument '{1}' could not be read as a constant of the expected type");

        /// <summary>
        /// The network's total scratch (per instance) or parameter bytes exceed the limit set by the MSBuild property
        /// FusedNetMaxScratchBytes / FusedNetMaxWeightBytes (2 GiB each by default).
        /// </summary>
        public static readonly DiagnosticDescriptor NetworkTooLarge = Error("FN0017",
            "Network too large",
            "Network '{0}' needs {1} of {2}, more than the limit of {3}. Largest {4}: {5}. Make the network smaller, or raise the limit with the MSBuild property <{6}>{7}</{6}> in the project file.");

        /// <summary>A FusedNet MSBuild property (a size limit) whose value is not a size.</summary>
        public static readonly DiagnosticDescriptor InvalidLimitProperty = Error("FN0018",
            "Invalid FusedNet MSBuild property",
            "The MSBuild property {0} = '{1}' is not a size: {2}. Give a whole number of bytes, optionally with a unit: 4294967296, 4096MiB, 4GiB (B, KiB, MiB, GiB, TiB). Until it is fixed, the default of {3} applies.");

        /// <summary>`a + b` on tensors of different shapes (a residual connection whose branch changes the shape).</summary>
        public static readonly DiagnosticDescriptor AddShapeMismatch = Error("FN0019",
            "Operands of + have different shapes",
            "{0}: cannot add {1} and {2}; element-wise + needs equal shapes. If the branch changes channels or stride, pass the identity through a downsample (1x1 Conv2d with the same stride, then BatchNorm2d).");

        /// <summary>Tensor.Cat of tensors whose height and width differ, or that are not [C, H, W].</summary>
        public static readonly DiagnosticDescriptor CatShapeMismatch = Error("FN0020",
            "Tensor.Cat operands do not match",
            "{0}: cannot concatenate {1} along channels: every operand must be [C, H, W] with the same H x W ({2})");

        /// <summary>`x * s` where s is not [C, 1, 1] or [C] with x's channel count.</summary>
        public static readonly DiagnosticDescriptor BroadcastMismatch = Error("FN0021",
            "Bad broadcast in *",
            "{0}: cannot multiply {1} by {2}; * scales a [C, H, W] tensor by a [C, 1, 1] (or [C]) tensor with the same C, as in squeeze-excite");

        // FN0022-FN0030: the module front end (Extraction/ModuleExtractor.cs, docs/modules.md).

        /// <summary>Code in a module the generator cannot read: a call, loop, lambda, `new` in Forward, ...</summary>
        public static readonly DiagnosticDescriptor UnsupportedModuleConstruct = Error("FN0022",
            "Unsupported construct in a module",
            "Module {0}: {1} is not supported here; {2}");

        /// <summary>A value the network's structure depends on (a module argument, a condition, a loop bound) is not a constant.</summary>
        public static readonly DiagnosticDescriptor NotConstant = Error("FN0023",
            "Value does not fold to a constant",
            "Module {0}: {1} does not fold to a constant: '{2}' {3}");

        /// <summary>Forward calls a sub-module that is null for this instance.</summary>
        public static readonly DiagnosticDescriptor NullSubModuleCalled = Error("FN0024",
            "Null sub-module is called",
            "Module {0}: null sub-module '{1}' is called; test it first ('if ({1} is not null)') or give it a value");

        /// <summary>A module class that (transitively) creates an instance of itself.</summary>
        public static readonly DiagnosticDescriptor RecursiveModule = Error("FN0025",
            "Module instantiates itself",
            "Module '{0}' instantiates itself ({1}); module instances must form a finite tree");

        /// <summary>The module tree or the graph read from Forward exceeds the front end's limits.</summary>
        public static readonly DiagnosticDescriptor ModuleTooLarge = Error("FN0026",
            "Module network too large",
            "Module {0}: {1}");

        /// <summary>A module's Forward method is missing, has the wrong signature, or does not produce a new tensor.</summary>
        public static readonly DiagnosticDescriptor InvalidForward = Error("FN0027",
            "Invalid Forward method",
            "Module {0}: {1}");

        /// <summary>A module class the front end cannot use as declared.</summary>
        public static readonly DiagnosticDescriptor InvalidModuleClass = Error("FN0028",
            "Invalid module class",
            "Module class '{0}' {1}");

        /// <summary>A built-in module or F function argument FusedNet does not support (e.g. an adaptive pool to more than 1x1).</summary>
        public static readonly DiagnosticDescriptor UnsupportedModuleArgument = Error("FN0029",
            "Unsupported module argument",
            "Module {0}: {1}");

        /// <summary>A sub-module field that Forward never calls: its weights would be expected by PyTorch but unused here.</summary>
        public static readonly DiagnosticDescriptor UnusedSubModule = new DiagnosticDescriptor("FN0030",
            "Sub-module is never called",
            "Module {0}: sub-module '{1}' is never called by Forward; its weights are not part of the network",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            helpLinkUri: "https://github.com/fusednet/fusednet/blob/main/docs/diagnostics.md#fn0030");

        /// <summary>A module's declared input size (Conv2d inChannels, BatchNorm numFeatures, Linear inFeatures) differs from what reaches it.</summary>
        public static readonly DiagnosticDescriptor DeclaredInputMismatch = Error("FN0031",
            "Declared input size does not match",
            "{0}: declared with {1} = {2}, but its input is {3} ({4} {5}). Change the argument to {4}, or check the layer before it.");

        /// <summary>An attribute-declared network used as a sub-module (Module.FromAttributes) receives another shape than it declares.</summary>
        public static readonly DiagnosticDescriptor EmbeddedNetworkInputMismatch = Error("FN0032",
            "Sub-network input shape does not match",
            "{0}: network '{1}' declares the input {2} ([FusedNetwork]), but {3} reaches it. Change its [FusedNetwork] arguments to {3}, or check the layers before it.");

        // FN0033-FN0038: the per-sample normalisations (LayerNorm, GroupNorm, InstanceNorm2d).

        /// <summary>GroupNorm's number of groups does not divide the input channels.</summary>
        public static readonly DiagnosticDescriptor NormGroupsMismatch = Error("FN0033",
            "GroupNorm groups must divide the channels",
            "{0}: numGroups = {1} must divide the input channels ({2}, input shape {3}), as in PyTorch");

        /// <summary>LayerNorm's normalized_shape is not the shape of the input sample.</summary>
        public static readonly DiagnosticDescriptor LayerNormShapeMismatch = Error("FN0034",
            "LayerNorm shape does not match the input",
            "{0}: normalized shape {1} {2}; FusedNet's LayerNorm normalises the whole sample, so give its shape {3} (or no shape at all)");

        /// <summary>InstanceNorm2d with instance statistics over a single pixel: PyTorch rejects it (the output would be β, whatever the input).</summary>
        public static readonly DiagnosticDescriptor InstanceNormSinglePixel = Error("FN0035",
            "InstanceNorm2d over a single pixel",
            "{0}: its input {1} has one pixel per channel, so the per-sample statistics are over a single value (PyTorch: \"Expected more than 1 spatial element\"); use TrackRunningStats, or normalise a larger tensor");
        /// <summary>Maxout's pieces must divide its input's channels (or features).</summary>
        public static readonly DiagnosticDescriptor MaxoutPiecesMismatch = Error("FN0044",
            "Maxout pieces must divide the channel count",
            "{0}: pieces = {1} must divide the input {4} ({2}, input shape {3})");

        /// <summary>Normalize needs one mean and one std per input channel.</summary>
        public static readonly DiagnosticDescriptor NormalizeLengthMismatch = Error("FN0045",
            "Normalize needs one mean and one std per channel",
            "{0}: mean has {1} values and std {2}, but the input {3} has {4} channels; give one mean and one std per channel");

        /// <summary>Normalize divides by std: every value must be positive and finite.</summary>
        public static readonly DiagnosticDescriptor NormalizeInvalidStd = Error("FN0046",
            "Normalize std must be positive and finite",
            "{0}: std[{1}] = {2} must be a positive finite number (y = (x - mean) / std)");

        /// <summary>Normalize subtracts mean: every value must be finite.</summary>
        public static readonly DiagnosticDescriptor NormalizeInvalidMean = Error("FN0047",
            "Normalize mean must be finite",
            "{0}: mean[{1}] = {2} must be a finite number");

        /// <summary>A stage of the generator threw: a FusedNet bug, reported instead of silently generating nothing.</summary>
        public static readonly DiagnosticDescriptor InternalError = Error("FN9999",
            "FusedNet internal error",
            "FusedNet failed internally in stage '{0}' for '{1}': {2}: {3}. This is a bug in FusedNet, not in your declaration; please report it with the declaration.");
    }
}
