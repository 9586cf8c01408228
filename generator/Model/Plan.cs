using System.Linq;
using FusedNet.Generator.Helpers;

namespace FusedNet.Generator.Model
{
    /// <summary>What one execution step computes.</summary>
    internal enum StepKind
    {
        /// <summary>Conv2d, with BatchNorm folded into its weights and an activation in its epilogue when fused.</summary>
        Conv,
        /// <summary>Linear, with BatchNorm1d folded and an activation in its epilogue when fused.</summary>
        Linear,
        /// <summary>BatchNorm as y = x·scale + shift per channel (then an optional activation).</summary>
        ScaleShift,
        /// <summary>An activation on its own.</summary>
        Activation,
        MaxPool,
        AvgPool,
        /// <summary>Mean over H·W: [C, H, W] → [C].</summary>
        GlobalAvgPool,
        /// <summary>[C, H, W] → [C·H·W] in (c, h, w) order.</summary>
        Flatten,
        /// <summary>Element-wise Input + SecondInput (then an optional activation), into a new buffer.</summary>
        Add,
        /// <summary>Input [C, H, W] times SecondInput [C, 1, 1] broadcast over H×W (squeeze-excite), then an optional activation.</summary>
        Mul,
        /// <summary>Copies Input's channels into Output at channel ChannelOffset: one step per operand of a Cat.</summary>
        CatSlice,
        /// <summary>Maxout: output channel j = max of Input's channels j·k … j·k + k − 1, k = input / output channels.</summary>
        Maxout,
        /// <summary>
        /// LayerNorm, GroupNorm, InstanceNorm2d with per-sample statistics: mean and biased variance over each of
        /// <see cref="StepPlan.NormGroups"/> channel groups × H×W, then x̂·γ + β and the fused activation.
        /// </summary>
        Normalize,
    }

    /// <summary>How a convolution step is computed; chosen by the planner from the group structure.</summary>
    internal enum ConvAlgorithm
    {
        /// <summary>One input value broadcast times a vector of output channels (groups = 1, or whole vectors per group).</summary>
        OutputVectors,
        /// <summary>Each channel convolved with its own filter: vectors run across channels.</summary>
        Depthwise,
        /// <summary>Grouped convolution whose per-group channel counts do not fill vectors: plain scalar loops.</summary>
        GroupedScalar,
        /// <summary>
        /// Winograd F(4x4, 3x3) for a dense 3x3 stride-1 convolution: 6x6 input tiles transformed (Bᵀ·d·B), 36 small
        /// matrix products with the transformed weights (G·g·Gᵀ, made at construction), 4x4 output tiles transformed back
        /// (Aᵀ·M·A). 2.25x fewer multiplies than direct; the planner picks it where that pays (PathBuilder.ChooseConvAlgorithm).
        /// </summary>
        Winograd,
    }

    /// <summary>An activation applied in a step's epilogue or pass. Kind is one of the activation layer kinds.</summary>
    internal sealed record ActivationPlan(LayerKind Kind, float Parameter, bool Approximate);

    /// <summary>
    /// One operation of a step's epilogue, applied to each computed value before its single store, in order:
    /// an activation, or the addition of the value at the same position of the step's <see cref="StepPlan.SecondInput"/>
    /// (a residual connection fused into the convolution that produces the other operand).
    /// </summary>
    internal sealed record EpilogueOp(ActivationPlan? Activation, bool AddSecondInput)
    {
        public static EpilogueOp Activate(ActivationPlan activation) => new EpilogueOp(activation, false);
        public static readonly EpilogueOp AddResidual = new EpilogueOp(null, true);
    }

    /// <summary>
    /// A per-channel normalisation y = x·s[c] + t[c] that is one of: a Normalize with constants from the declaration
    /// (s = 1/std, t = −mean/std: <see cref="Mean"/>, <see cref="Std"/>); a Normalize reading its mean and std from the
    /// weight source (<see cref="NormalizeFirstTensor"/>: P.mean, then P.std); an eval-mode BatchNorm2d whose tensors the
    /// weight source holds (<see cref="BatchNormFirstTensor"/>: gamma, beta, running_mean, running_var follow, and
    /// <see cref="Epsilon"/>). <see cref="Layer"/> is the declared layer, for field names and messages.
    /// </summary>
    internal sealed record NormalizationPlan(int Layer, string LayerName, int BatchNormFirstTensor, float Epsilon,
        EquatableArray<float> Mean, EquatableArray<float> Std)
    {
        /// <summary>Index of a Normalize's P.mean in the weight list (P.std follows it); −1 for the other two forms.</summary>
        public int NormalizeFirstTensor { get; init; } = -1;

        /// <summary>A Normalize (constants or tensors) rather than a BatchNorm2d.</summary>
        public bool IsNormalize => BatchNormFirstTensor < 0;

        public string Identity =>
            $"{Layer}|{BatchNormFirstTensor}|{NormalizeFirstTensor}|{Epsilon.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}|" +
            string.Join(",", Mean.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "|" +
            string.Join(",", Std.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// A named activation buffer in NHWC layout: [H + 2·Border][W + 2·Border][ChannelStride], where the zero
    /// Border materialises the padding of the convolution that reads it. ChannelStride rounds C up to 16 when
    /// any step loads or stores whole vectors of channels (8- and 16-wide vectors then always fit), plus 16 at
    /// multiples of 512 (see PixelStride); a buffer
    /// only ever touched one channel at a time (e.g. an RGB input read by broadcasting convolution) stays
    /// dense, which keeps small inputs small. Flat tensors: [C rounded up to 16].
    /// </summary>
    internal sealed record BufferPlan(string Name, Shape Shape, int Border, bool VectorChannels)
    {
        public const int ChannelAlignment = 16;

        /// <summary>
        /// −1: the border holds zeros. Otherwise the index of the normalisation layer folded into the convolution that
        /// reads this buffer: its border holds, per channel, the raw value that normalises to 0 (Normalize: mean[c];
        /// BatchNorm: μ − β·√(σ² + ε)/γ), written once at construction, so the folded convolution sees PyTorch's zero
        /// padding of the normalised tensor. Part of the layout key: a zero-border tensor never reuses a filled buffer.
        /// </summary>
        public int BorderFillLayer { get; init; } = -1;

        public int ChannelStride => Shape.IsFlat ? RoundUp(Shape.Channels, ChannelAlignment)
            : VectorChannels ? PixelStride(RoundUp(Shape.Channels, ChannelAlignment))
            : Shape.Channels;

        /// <summary>
        /// A feature map's pixel stride for <paramref name="channels"/> (a multiple of 16): one cache line more when it is a
        /// multiple of 2 KiB (512 channels). L1 set = address bits 6–11, so with a 2 KiB stride every pixel of every row falls
        /// on two of the 64 sets (on one with 4 KiB): a 3×3 kernel's 27 input lines per channel vector (9 pixels × 3 rows) then
        /// evict each other in a 12-way L1. A 512-channel 14×14 depthwise conv on L2-resident data: 37–65 µs with a 2048-byte
        /// pixel stride, 25–30 µs with 2112 bytes (Zen 5, AVX-512). 256 or 1280 channels put pixels on 4 sets (48 lines):
        /// enough. The extra line is never read or written.
        /// </summary>
        private static int PixelStride(int channels) => channels % 512 == 0 ? channels + ChannelAlignment : channels;

        public int PaddedHeight => Shape.Height + 2 * Border;
        public int PaddedWidth => Shape.Width + 2 * Border;
        public int Length => Shape.IsFlat ? ChannelStride : PaddedHeight * PaddedWidth * ChannelStride;

        /// <summary>Floats of one padded row of a feature map (what a kernel adds to move one row down).</summary>
        public int RowFloats => PaddedWidth * ChannelStride;

        public static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
    }

    /// <summary>
    /// One step of the execution graph: reads buffer Input, writes buffer Output (the same buffer for in-place
    /// passes). Parameters refer to tensors by their index in the network's weight list.
    /// </summary>
    internal sealed record StepPlan(int Id, StepKind Kind, string Title, string Input, string Output, Shape InputShape, Shape OutputShape)
    {
        public long MultiplyAccumulates { get; init; }

        /// <summary>What happens to each computed value before it is stored (activations, a residual add), in order.</summary>
        public EquatableArray<EpilogueOp> Epilogue { get; init; }

        /// <summary>
        /// The buffer a step reads beside <see cref="Input"/>: the residual operand of a fused or standalone Add, the
        /// [C, 1, 1] scale of a Mul. Null when there is none.
        /// </summary>
        public string? SecondInput { get; init; }

        /// <summary>
        /// The first channel of <see cref="Output"/> this step writes: a CatSlice's slice, or a convolution that writes its
        /// result straight into its slice of a Cat (then <see cref="OutputShape"/> is the Cat's shape).
        /// </summary>
        public int ChannelOffset { get; init; }

        /// <summary>
        /// A convolution that reads its input scaled per input channel by this [C, 1, 1] buffer: a squeeze-excite `x * s`
        /// whose only reader is the convolution, applied as the inputs are loaded instead of in a pass of its own.
        /// </summary>
        public string? InputScale { get; init; }

        /// <summary>
        /// A convolution with the per-channel normalisation that precedes it (Normalize, or a BatchNorm2d before the conv)
        /// folded into its weights at construction: W'[o,c,…] = W[o,c,…]·s[c], b'[o] = b[o] + Σ W[o,c,…]·t[c]. Its input
        /// buffer's border holds the values that normalise to 0 (<see cref="BufferPlan.BorderFillLayer"/>), so padded
        /// border pixels stay exact. Null when nothing is folded before the conv.
        /// </summary>
        public NormalizationPlan? InputNormalization { get; init; }

        /// <summary>A ScaleShift step of a Normalize layer (constants or P.mean/P.std) instead of a BatchNorm's tensors; null otherwise.</summary>
        public NormalizationPlan? Normalization { get; init; }

        /// <summary>Every buffer the step reads.</summary>
        public System.Collections.Generic.IEnumerable<string> Reads =>
            new[] { Input, SecondInput, InputScale }.Where(b => b is not null).Select(b => b!);
        /// <summary>Index of the declared layer the step computes (the first it covers), for messages.</summary>
        public int MainLayer { get; init; } = -1;

        // Conv2d / pools
        public int KernelHeight { get; init; }
        public int KernelWidth { get; init; }
        public int Stride { get; init; } = 1;
        public int Padding { get; init; }
        public int Dilation { get; init; } = 1;
        public int Groups { get; init; } = 1;
        public ConvAlgorithm Algorithm { get; init; }

        // Parameters (indices into the weight list; -1 when absent)
        public int WeightTensor { get; init; } = -1;
        public int BiasTensor { get; init; } = -1;
        /// <summary>Index of the BatchNorm's gamma; beta, running_mean and running_var follow it.</summary>
        public int BatchNormFirstTensor { get; init; } = -1;
        public float BatchNormEpsilon { get; init; }

        /// <summary>
        /// A convolution or Linear with Maxout(k) in its epilogue (k = 2…4; 0 = none): it computes k·C' channels, packed so that one
        /// register block holds the k pieces of one vector of outputs, and stores their maximum: <see cref="OutputShape"/> is
        /// the Maxout's [C', H, W] (see ConvEmitter and WeightPacking.InterleaveMaxoutPieces).
        /// </summary>
        public int MaxoutPieces { get; init; }

        /// <summary>The channels (features) a convolution or Linear itself computes: the output's, times the Maxout pieces in its epilogue.</summary>
        public int ConvOutChannels => OutputShape.Channels * System.Math.Max(1, MaxoutPieces);

        /// <summary>Whether a Vector512 variant is emitted (it pays only when a vector of 16 is filled).</summary>
        public bool HasVector512 { get; init; }

        // Normalize (LayerNorm, GroupNorm, InstanceNorm2d): γ is WeightTensor, β BiasTensor (−1 without affine).
        /// <summary>Statistics groups: 1 for LayerNorm, G for GroupNorm, C for InstanceNorm2d.</summary>
        public int NormGroups { get; init; }
        /// <summary>γ and β have the input's whole shape (LayerNorm of [C, H, W]) instead of one value per channel.</summary>
        public bool NormPerElementAffine { get; init; }
        /// <summary>ε added to the variance.</summary>
        public float NormEpsilon { get; init; }
        /// <summary>
        /// A BatchNorm without running statistics (NormGroups = C): the statistics are over (N, H, W) of the batch given to
        /// Forward. Batch 1 runs the per-sample kernel; a larger batch gathers them sample by sample first (see NetworkEmitter).
        /// </summary>
        public bool NormOverBatch { get; init; }

        /// <summary>
        /// Everything a step's packed parameters depend on (tensors read, the fold, the kernel's layout): two steps with
        /// the same identity, e.g. a Conv2d without BatchNorm in the fused and the unfused path, share one packed copy.
        /// </summary>
        public string ParameterIdentity =>
            $"{Kind}|{WeightTensor}|{BiasTensor}|{BatchNormFirstTensor}|{BatchNormEpsilon.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}|" +
            $"{Algorithm}|{Groups}|{KernelHeight}|{KernelWidth}|{HasVector512}|{InputShape}|{OutputShape}" +
            (InputNormalization is null ? "" : "|before:" + InputNormalization.Identity) +
            (Normalization is null ? "" : "|normalize:" + Normalization.Identity) +
            (NormOverBatch ? "|batch" : "") +
            (MaxoutPieces > 1 ? $"|maxout{MaxoutPieces}" : "");
    }

    /// <summary>One tensor the network reads from its weight source.</summary>
    internal sealed record WeightPlan(string Name, string Role, string LayerName, EquatableArray<int> Shape);

    /// <summary>Static metadata of one declared layer (DESIGN §5).</summary>
    internal sealed record LayerPlan(int Index, string Name, LayerKind Kind, string Description, Shape Input, Shape Output,
        long ParameterCount, long MultiplyAccumulates)
    {
        /// <summary>Indices of the layers read (−1: the network input).</summary>
        public EquatableArray<int> Inputs { get; init; }
    }

    /// <summary>
    /// The whole network, ready to emit: metadata, the weight list, named buffers and two step graphs
    /// (fused and unfused). No Roslyn types and no source locations, so it compares equal across edits
    /// that do not change the network.
    /// </summary>
    internal sealed record NetworkPlan(
        string Namespace,
        string ClassName,
        string ClassIdentifier,
        string Accessibility,
        Shape Input,
        Shape Output,
        EquatableArray<LayerPlan> Layers,
        EquatableArray<WeightPlan> Weights,
        EquatableArray<BufferPlan> Buffers,
        PathPlan Fused,
        PathPlan Unfused)
    {
        /// <summary>See <see cref="NetworkSpec.ConstructorChain"/>.</summary>
        public string? ConstructorChain { get; init; }

        /// <summary>See <see cref="NetworkSpec.Source"/>.</summary>
        public string Source { get; init; } = "layer attributes";

        /// <summary>See <see cref="NetworkSpec.HasOwnDispose"/>.</summary>
        public bool HasOwnDispose { get; init; }
    }

    /// <summary>One execution path: the buffer the input is written to, the steps, and the buffer holding the result.</summary>
    internal sealed record PathPlan(string Name, string InputBuffer, EquatableArray<StepPlan> Steps, string OutputBuffer)
    {
        /// <summary>Prefix of this path's generated members: "Fused" or "Unfused" (RunFused, Fused_Step0_Conv_V256, …).</summary>
        public string MemberPrefix => char.ToUpperInvariant(Name[0]) + Name.Substring(1);
    }
}
