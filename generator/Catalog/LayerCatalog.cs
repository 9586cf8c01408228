using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Model;

namespace FusedNet.Generator.Catalog
{
    /// <summary>What a layer kind is, in one place: how it is written, what it reads, what it computes with.</summary>
    internal sealed class LayerKindInfo
    {
        public LayerKindInfo(LayerKind kind, string role, string pyTorch)
        {
            Kind = kind;
            Role = role;
            PyTorch = pyTorch;
        }

        public LayerKind Kind { get; }

        /// <summary>"weighted", "normalisation", "activation", "pool", "layout", "graph": how stages treat it.</summary>
        public string Role { get; }

        /// <summary>The PyTorch equivalent, for docs and descriptions.</summary>
        public string PyTorch { get; }

        /// <summary>The runtime operator struct of an activation (FusedNet.Kernels), e.g. "ReluOp"; null otherwise.</summary>
        public string? Operator { get; private set; }

        /// <summary>The activation's operator takes its Parameter (LeakyReLU slope, ELU alpha) as a second argument.</summary>
        public bool OperatorTakesParameter { get; private set; }

        /// <summary>The tensors the layer reads from the weight source: (suffix, WeightRole name), in order.</summary>
        public IReadOnlyList<(string Suffix, string Role)> Weights { get; private set; } = new (string, string)[0];

        /// <summary>An attribute exists for it ([Conv2d] …); graph-only kinds come from a module's Forward.</summary>
        public bool HasAttribute => Role != "graph";

        public bool IsActivation => Role == "activation";

        /// <summary>It reads tensors from the weight source (so its name is a weight prefix that must be unique).</summary>
        public bool HasWeights => Weights.Count > 0;

        public LayerKindInfo WithOperator(string name, bool takesParameter = false)
        {
            Operator = name;
            OperatorTakesParameter = takesParameter;
            return this;
        }

        public LayerKindInfo WithWeights(params (string Suffix, string Role)[] weights)
        {
            Weights = weights;
            return this;
        }
    }

    /// <summary>
    /// The catalogue of layer kinds: one entry per <see cref="LayerKind"/>. Stages ask it instead of keeping their own
    /// switch with a silent default, and the generator's tests fail if a kind has no entry (or an activation no
    /// operator), so a new kind cannot compile to an identity by accident.
    /// </summary>
    internal static class LayerCatalog
    {
        private static readonly (string, string)[] ConvWeights = { ("weight", "ConvWeight"), ("bias", "ConvBias") };
        private static readonly (string, string)[] LinearWeights = { ("weight", "LinearWeight"), ("bias", "LinearBias") };
        private static readonly (string, string)[] BatchNormWeights =
        {
            ("weight", "BatchNormWeight"), ("bias", "BatchNormBias"), ("running_mean", "BatchNormRunningMean"), ("running_var", "BatchNormRunningVar"),
        };

        /// <summary>γ, β of LayerNorm/GroupNorm (present only with affine); InstanceNorm2d adds its running statistics (when tracked).</summary>
        private static readonly (string, string)[] NormAffineWeights = { ("weight", "NormWeight"), ("bias", "NormBias") };
        private static readonly (string, string)[] InstanceNormWeights =
        {
            ("weight", "NormWeight"), ("bias", "NormBias"), ("running_mean", "NormRunningMean"), ("running_var", "NormRunningVar"),
        };

        /// <summary>Normalize's statistics when they are not constants of the declaration.</summary>
        private static readonly (string, string)[] NormalizeWeights = { ("mean", "NormalizeMean"), ("std", "NormalizeStd") };

        public static readonly IReadOnlyDictionary<LayerKind, LayerKindInfo> Entries = new[]
        {
            new LayerKindInfo(LayerKind.Conv2d, "weighted", "nn.Conv2d").WithWeights(ConvWeights),
            new LayerKindInfo(LayerKind.Linear, "weighted", "nn.Linear").WithWeights(LinearWeights),
            new LayerKindInfo(LayerKind.BatchNorm2d, "normalisation", "nn.BatchNorm2d (eval)").WithWeights(BatchNormWeights),
            new LayerKindInfo(LayerKind.BatchNorm1d, "normalisation", "nn.BatchNorm1d (eval)").WithWeights(BatchNormWeights),
            new LayerKindInfo(LayerKind.ReLU, "activation", "nn.ReLU").WithOperator("ReluOp"),
            new LayerKindInfo(LayerKind.ReLU6, "activation", "nn.ReLU6").WithOperator("Relu6Op"),
            new LayerKindInfo(LayerKind.Sigmoid, "activation", "nn.Sigmoid").WithOperator("SigmoidOp"),
            new LayerKindInfo(LayerKind.Tanh, "activation", "nn.Tanh").WithOperator("TanhOp"),
            new LayerKindInfo(LayerKind.SiLU, "activation", "nn.SiLU").WithOperator("SiluOp"),
            new LayerKindInfo(LayerKind.Hardswish, "activation", "nn.Hardswish").WithOperator("HardswishOp"),
            new LayerKindInfo(LayerKind.Hardsigmoid, "activation", "nn.Hardsigmoid").WithOperator("HardsigmoidOp"),
            new LayerKindInfo(LayerKind.LeakyReLU, "activation", "nn.LeakyReLU").WithOperator("LeakyReluOp", takesParameter: true),
            new LayerKindInfo(LayerKind.ELU, "activation", "nn.ELU").WithOperator("EluOp", takesParameter: true),
            // GELU's operator depends on Approximate: GeluOp (erf) or GeluTanhOp; see OperatorOf.
            new LayerKindInfo(LayerKind.GELU, "activation", "nn.GELU").WithOperator("GeluOp"),
            new LayerKindInfo(LayerKind.Dropout, "layout", "nn.Dropout (eval: identity)"),
            new LayerKindInfo(LayerKind.MaxPool2d, "pool", "nn.MaxPool2d"),
            new LayerKindInfo(LayerKind.AvgPool2d, "pool", "nn.AvgPool2d"),
            new LayerKindInfo(LayerKind.GlobalAvgPool2d, "pool", "nn.AdaptiveAvgPool2d(1) + nn.Flatten"),
            new LayerKindInfo(LayerKind.Flatten, "layout", "nn.Flatten"),
            new LayerKindInfo(LayerKind.Add, "graph", "a + b"),
            new LayerKindInfo(LayerKind.Cat, "graph", "torch.cat(dim=1)"),
            new LayerKindInfo(LayerKind.Mul, "graph", "x * s (s: [C, 1, 1])"),
            new LayerKindInfo(LayerKind.AdaptiveAvgPool2d, "graph", "nn.AdaptiveAvgPool2d(1)"),
            // A reduction over channel groups: a pool across channels (no tensors).
            // A per-channel scale-and-shift, folded into a following conv: constants from the declaration, or (without
            // them) the tensors mean and std, as a PyTorch module holding them as buffers names them.
            new LayerKindInfo(LayerKind.Normalize, "normalisation", "torchvision.transforms.Normalize(mean, std)").WithWeights(NormalizeWeights),
            new LayerKindInfo(LayerKind.Maxout, "pool", "x.view(N, C // k, k, H, W).max(2) (no nn.Maxout in PyTorch)"),
            new LayerKindInfo(LayerKind.LayerNorm, "normalisation", "nn.LayerNorm (over the whole sample)").WithWeights(NormAffineWeights),
            new LayerKindInfo(LayerKind.GroupNorm, "normalisation", "nn.GroupNorm").WithWeights(NormAffineWeights),
            new LayerKindInfo(LayerKind.InstanceNorm2d, "normalisation", "nn.InstanceNorm2d").WithWeights(InstanceNormWeights),
        }.ToDictionary(e => e.Kind);

        /// <summary>The entry of <paramref name="kind"/>; a kind without one is a generator bug (FN9999), never a silent default.</summary>
        public static LayerKindInfo Of(LayerKind kind) =>
            Entries.TryGetValue(kind, out LayerKindInfo? info)
                ? info
                : throw new System.InvalidOperationException($"layer kind {kind} has no entry in LayerCatalog");

        /// <summary>
        /// Whether a layer reads the tensor <paramref name="suffix"/> given its arguments: Conv2d/Linear read <c>bias</c> only
        /// with Bias; the per-sample normalisations read γ/β only when affine and running statistics only when tracked;
        /// Normalize reads mean and std only when the declaration gives no constants.
        /// </summary>
        public static bool ReadsTensor(LayerSpec layer, string suffix)
        {
            LayerKindInfo info = Of(layer.Kind);
            if (suffix == "bias" && info.Role == "weighted") return layer.Bias;
            if (layer.Kind is LayerKind.LayerNorm or LayerKind.GroupNorm or LayerKind.InstanceNorm2d)
                return suffix is "weight" or "bias" ? layer.Affine : layer.TrackRunningStats;
            // A BatchNorm without running statistics has only γ and β (PyTorch registers no running buffers then).
            if (layer.Kind is LayerKind.BatchNorm2d or LayerKind.BatchNorm1d)
                return suffix is "weight" or "bias" || layer.TrackRunningStats;
            if (layer.Kind == LayerKind.Normalize) return layer.NormalizeReadsTensors;
            return true;
        }

        /// <summary>
        /// Whether the layer's name is a weight prefix (which must be unique): its kind has tensors, except a Normalize
        /// with constants, which reads none (so two of them may share a name, as before the tensor form existed).
        /// </summary>
        public static bool HasWeights(LayerSpec layer) =>
            Of(layer.Kind).HasWeights && (layer.Kind != LayerKind.Normalize || layer.NormalizeReadsTensors);

        /// <summary>The operator struct an activation runs with (GELU: by its Approximate setting).</summary>
        public static string OperatorOf(ActivationPlan activation)
        {
            LayerKindInfo info = Of(activation.Kind);
            if (info.Operator is null) throw new System.InvalidOperationException($"{activation.Kind} is not an activation");
            return activation.Kind == LayerKind.GELU && activation.Approximate ? "GeluTanhOp" : info.Operator;
        }
    }
}
