using FusedNet.Generator.Catalog;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;

namespace FusedNet.Generator.Analysis
{
    /// <summary>
    /// Stage 3: fusion and memory planning. Turns the shaped layer list into the weight list, the layer
    /// metadata and two step graphs over named buffers:
    /// <list type="bullet">
    /// <item>fused: Conv2d/Linear + following BatchNorm (folded) + following activation (epilogue) as one
    /// step; a BatchNorm with no Conv/Linear before it becomes a scale-and-shift pass that also takes a
    /// following activation; Dropout disappears;</item>
    /// <item>unfused: one step per layer (conv, then BN, then activation as separate passes, the
    /// elementwise ones in place), so users can check and measure what fusion buys.</item>
    /// </list>
    /// </summary>
    internal static class Planner
    {
        public static NetworkPlan Plan(ShapedNetwork network)
        {
            NetworkSpec spec = network.Spec;
            (List<WeightPlan> weights, Dictionary<int, int> firstTensorOfLayer) = PlanWeights(network);
            List<LayerPlan> layers = network.Layers.Select(DescribeLayer).ToList();
            var graph = new LayerGraph(network);

            // Each path is a list of steps over virtual tensors; the buffer allocator then maps tensors to physical
            // buffers by liveness, shared by both paths (they never run at the same time on one instance).
            VirtualPath fused = new PathBuilder("fused", fuse: true, graph, firstTensorOfLayer, spec.Winograd).Build();
            VirtualPath unfused = new PathBuilder("unfused", fuse: false, graph, firstTensorOfLayer, spec.Winograd).Build();
            var allocator = new BufferAllocator();
            PathPlan fusedPlan = allocator.Assign(fused);
            PathPlan unfusedPlan = allocator.Assign(unfused);

            Shape output = network.Layers[network.OutputLayer].Output;
            return new NetworkPlan(spec.Namespace, spec.ClassName, spec.ClassIdentifier, spec.Accessibility, network.Input, output,
                layers.ToEquatableArray(), weights.ToEquatableArray(), allocator.Buffers.ToEquatableArray(), fusedPlan, unfusedPlan)
            {
                ConstructorChain = spec.ConstructorChain,
                Source = spec.Source,
                HasOwnDispose = spec.HasOwnDispose,
            };
        }

        /// <summary>The tensors of DESIGN §3 in layer order, and the index of each layer's first tensor.</summary>
        private static (List<WeightPlan>, Dictionary<int, int>) PlanWeights(ShapedNetwork network)
        {
            var weights = new List<WeightPlan>();
            var first = new Dictionary<int, int>();
            foreach (ShapedLayer shaped in network.Layers)
            {
                LayerSpec layer = shaped.Layer;
                string p = layer.Name;
                LayerKindInfo info = LayerCatalog.Of(layer.Kind);
                if (!LayerCatalog.HasWeights(layer)) continue;
                first[layer.Index] = weights.Count;
                foreach ((string suffix, string role) in info.Weights)
                {
                    // Conv2d and Linear read their bias only when they have one (Bias = false: PyTorch saves none), the
                    // normalisations γ/β only when affine and running statistics only when tracked.
                    if (!LayerCatalog.ReadsTensor(layer, suffix)) continue;
                    weights.Add(new WeightPlan(p + "." + suffix, role, p, WeightShape(shaped, suffix).ToEquatableArray()));
                }
            }
            return (weights, first);
        }

        /// <summary>PyTorch's shape of a layer's tensor (DESIGN §3).</summary>
        private static int[] WeightShape(ShapedLayer shaped, string suffix)
        {
            LayerSpec l = shaped.Layer;
            switch (l.Kind)
            {
                case LayerKind.Conv2d:
                    return suffix == "weight" ? new[] { l.OutChannels, shaped.Input.Channels / l.Groups, l.KernelHeight, l.KernelWidth } : new[] { l.OutChannels };
                case LayerKind.Linear:
                    return suffix == "weight" ? new[] { l.OutChannels, shaped.Input.Channels } : new[] { l.OutChannels };
                case LayerKind.BatchNorm2d:
                case LayerKind.BatchNorm1d:
                case LayerKind.GroupNorm:
                case LayerKind.InstanceNorm2d:
                case LayerKind.Normalize:
                    return new[] { shaped.Input.Channels };
                case LayerKind.LayerNorm:
                    // normalized_shape: the whole sample, [C, H, W] or [F].
                    return shaped.Input.IsFlat ? new[] { shaped.Input.Channels } : new[] { shaped.Input.Channels, shaped.Input.Height, shaped.Input.Width };
                default:
                    throw new System.InvalidOperationException($"no weight shape for {l.Kind}.{suffix}");
            }
        }

        private static LayerPlan DescribeLayer(ShapedLayer shaped) =>
            new LayerPlan(shaped.Layer.Index, shaped.Layer.Name, shaped.Layer.Kind, Describe(shaped), shaped.Input,
                shaped.Output, shaped.ParameterCount, shaped.MultiplyAccumulates) { Inputs = shaped.Layer.Inputs };

        /// <summary>PyTorch-style text of a layer, e.g. "Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))".</summary>
        public static string Describe(ShapedLayer shaped)
        {
            LayerSpec l = shaped.Layer;
            switch (l.Kind)
            {
                case LayerKind.Conv2d:
                    string text = $"Conv2d({shaped.Input.Channels}, {l.OutChannels}, kernel_size=({l.KernelHeight}, {l.KernelWidth}), stride=({l.Stride}, {l.Stride})";
                    if (l.Padding != 0) text += $", padding=({l.Padding}, {l.Padding})";
                    if (l.Dilation != 1) text += $", dilation=({l.Dilation}, {l.Dilation})";
                    if (l.Groups != 1) text += $", groups={l.Groups}";
                    if (!l.Bias) text += ", bias=False";
                    return text + ")";
                case LayerKind.BatchNorm2d:
                case LayerKind.BatchNorm1d:
                    return $"{l.Kind}({shaped.Input.Channels}, eps={Float(l.Epsilon)}{(l.TrackRunningStats ? "" : ", track_running_stats=False")})";
                case LayerKind.Linear:
                    return $"Linear(in_features={shaped.Input.Channels}, out_features={l.OutChannels}, bias={(l.Bias ? "True" : "False")})";
                case LayerKind.MaxPool2d:
                case LayerKind.AvgPool2d:
                    return $"{l.Kind}(kernel_size={l.KernelHeight}, stride={l.Stride}, padding={l.Padding})";
                case LayerKind.LeakyReLU:
                    return $"LeakyReLU(negative_slope={Float(l.Parameter)})";
                case LayerKind.ELU:
                    return $"ELU(alpha={Float(l.Parameter)})";
                case LayerKind.Dropout:
                    return $"Dropout(p={Float(l.Parameter)})";
                case LayerKind.GELU:
                    return l.Approximate ? "GELU(approximate='tanh')" : "GELU(approximate='none')";
                case LayerKind.GlobalAvgPool2d:
                    return "AdaptiveAvgPool2d(output_size=1) + Flatten";
                case LayerKind.AdaptiveAvgPool2d:
                    return "AdaptiveAvgPool2d(output_size=1)";
                case LayerKind.Add:
                    return "add";
                case LayerKind.Mul:
                    return "mul (broadcast over H x W)";
                case LayerKind.Cat:
                    return $"cat(dim=1) of {shaped.Operands.Count} tensors";
                case LayerKind.Maxout:
                    return $"Maxout(pieces={l.Pieces})";
                case LayerKind.LayerNorm:
                    return $"LayerNorm({NormalizedShapeText(shaped)}, eps={Float(l.Epsilon)}, elementwise_affine={Python(l.Affine)})";
                case LayerKind.GroupNorm:
                    return $"GroupNorm({l.Groups}, {shaped.Input.Channels}, eps={Float(l.Epsilon)}, affine={Python(l.Affine)})";
                case LayerKind.InstanceNorm2d:
                    return $"InstanceNorm2d({shaped.Input.Channels}, eps={Float(l.Epsilon)}, affine={Python(l.Affine)}, track_running_stats={Python(l.TrackRunningStats)})";
                case LayerKind.Normalize:
                    return l.NormalizeReadsTensors
                        ? $"Normalize({shaped.Input.Channels}, mean={l.Name}.mean, std={l.Name}.std)"
                        : $"Normalize(mean=[{string.Join(", ", l.Mean.Select(Float))}], std=[{string.Join(", ", l.Std.Select(Float))}])";
                default:
                    return l.Kind + "()";
            }
        }

        private static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture);

        private static string Python(bool value) => value ? "True" : "False";

        /// <summary>LayerNorm's normalized_shape as PyTorch prints it: (64, 8, 8) or (10,).</summary>
        private static string NormalizedShapeText(ShapedLayer shaped) => shaped.Input.IsFlat
            ? $"({shaped.Input.Channels},)"
            : $"({shaped.Input.Channels}, {shaped.Input.Height}, {shaped.Input.Width})";
    }
}
