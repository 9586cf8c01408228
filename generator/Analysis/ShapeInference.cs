using FusedNet.Generator.Catalog;
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FusedNet.Generator.Diagnostics;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;

namespace FusedNet.Generator.Analysis
{
    /// <summary>A layer with the shapes flowing in and out of it.</summary>
    internal sealed record ShapedLayer(LayerSpec Layer, Shape Input, Shape Output, long ParameterCount, long MultiplyAccumulates)
    {
        /// <summary>Shapes of every tensor the layer reads, in operand order (Input is the first).</summary>
        public EquatableArray<Shape> Operands { get; init; }
    }

    /// <summary>
    /// Stage 2: checks every layer's arguments and infers the shape after each layer (PyTorch rules,
    /// DESIGN §4). Works on the front-end-neutral <see cref="NetworkSpec"/>. Stops at the first layer whose
    /// output shape cannot be known, so one mistake does not cascade into a page of diagnostics.
    /// </summary>
    internal static class ShapeInference
    {
        /// <summary>Largest tensor (floats per sample) a network may hold; keeps all index math in 32 bits.</summary>
        public const long MaxTensorLength = 1L << 28;

        public static Result<ShapedNetwork> Infer(NetworkSpec network)
        {
            var diagnostics = new List<DiagnosticInfo>();
            Result<ShapedNetwork> Fail() => new Result<ShapedNetwork>(null, diagnostics.ToEquatableArray());
            string networkLabel = $"Network '{network.ClassName}'";

            var input = Shape.Spatial(network.InputChannels, network.InputHeight, network.InputWidth);
            CheckPositive(networkLabel, network.NetworkAttributeLocation, diagnostics,
                ("channels", network.InputChannels), ("height", network.InputHeight), ("width", network.InputWidth));
            if (diagnostics.Count > 0) return Fail();
            if (StoredLength(input, 0) > MaxTensorLength)
            {
                diagnostics.Add(TooLarge(network.NetworkAttributeLocation, networkLabel, Activation(input, 0), StoredLength(input, 0)));
                return Fail();
            }
            if (network.Layers.Count == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, network.NetworkAttributeLocation, network.ClassName));
                return Fail();
            }

            CheckNames(network, diagnostics);

            // The layers are in an order that can run: every layer reads the network input or earlier layers.
            var layers = new List<ShapedLayer>();
            foreach (LayerSpec layer in network.Layers)
            {
                if (!TryOperandShapes(layer, input, layers, diagnostics, out List<Shape> operands)) return Fail();
                ShapedLayer? shaped = layer.Kind switch
                {
                    LayerKind.Add => InferAdd(layer, operands, diagnostics),
                    LayerKind.Cat => InferCat(layer, operands, diagnostics),
                    LayerKind.Mul => InferMul(layer, operands, diagnostics),
                    _ => InferLayer(layer, operands[0], diagnostics),
                };
                if (shaped is null || !CheckDeclaredInput(layer, operands[0], diagnostics)) return Fail();
                shaped = shaped with { Operands = operands.ToEquatableArray() };
                if (!CheckSize(layer, Activation(shaped.Output, 0), StoredLength(shaped.Output, 0), diagnostics))
                    return Fail();
                layers.Add(shaped);
            }
            int outputLayer = network.ResolvedOutputLayer;
            if (outputLayer < 0 || outputLayer >= layers.Count)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidParameter, network.NetworkAttributeLocation, networkLabel,
                    $"the output layer index {outputLayer} is not one of the {layers.Count} layers"));
                return Fail();
            }
            if (diagnostics.Count > 0) return Fail();
            return new Result<ShapedNetwork>(new ShapedNetwork(network, input, layers.ToEquatableArrayOfRecords(), outputLayer),
                diagnostics.ToEquatableArray());
        }

        /// <summary>FN0014: every Name override non-empty, and no two layers sharing a weight prefix.</summary>
        private static void CheckNames(NetworkSpec network, List<DiagnosticInfo> diagnostics)
        {
            var owners = new Dictionary<string, LayerSpec>(StringComparer.Ordinal);
            foreach (LayerSpec layer in network.Layers)
            {
                if (string.IsNullOrWhiteSpace(layer.Name) || layer.Name.Trim() != layer.Name || layer.Name.EndsWith(".", StringComparison.Ordinal))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidWeightName, layer.Location, layer.Label,
                        $"Name = \"{layer.Name}\" is not a usable weight-name prefix (empty, surrounding spaces or a trailing '.')"));
                    continue;
                }
                if (!LayerCatalog.HasWeights(layer)) continue;
                if (owners.TryGetValue(layer.Name, out LayerSpec? first))
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidWeightName, layer.Location, layer.Label,
                        $"weight prefix '{layer.Name}' is already used by {first.Label}; both would read '{layer.Name}.weight'"));
                else owners[layer.Name] = layer;
            }
        }

        /// <summary>
        /// The shapes a layer reads, in operand order. A front end must only reference the network input or earlier
        /// layers, with the operand count the kind needs; anything else is a front-end bug reported as FN0013.
        /// </summary>
        private static bool TryOperandShapes(LayerSpec layer, Shape input, List<ShapedLayer> earlier, List<DiagnosticInfo> diagnostics,
            out List<Shape> operands)
        {
            operands = new List<Shape>();
            int needed = layer.Kind switch { LayerKind.Add or LayerKind.Mul => 2, LayerKind.Cat => -2, _ => 1 };
            int count = layer.Inputs.Count;
            bool countOk = needed > 0 ? count == needed : count >= -needed;
            if (!countOk)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidParameter, layer.Location, layer.Label,
                    $"reads {count} tensor(s); {layer.Kind} needs {(needed > 0 ? needed.ToString(CultureInfo.InvariantCulture) : "at least 2")}"));
                return false;
            }
            foreach (int source in layer.Inputs)
            {
                if (source == LayerSpec.NetworkInput) operands.Add(input);
                else if (source >= 0 && source < earlier.Count && source < layer.Index) operands.Add(earlier[source].Output);
                else
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidParameter, layer.Location, layer.Label,
                        $"reads layer {source}, which is not an earlier layer"));
                    return false;
                }
            }
            return true;
        }

        /// <summary>FN0019: a + b needs equal shapes (PyTorch would broadcast only size-1 dimensions; a residual never wants that).</summary>
        private static ShapedLayer? InferAdd(LayerSpec layer, List<Shape> operands, List<DiagnosticInfo> diagnostics)
        {
            if (operands[0] != operands[1])
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AddShapeMismatch, layer.Location, layer.Label,
                    operands[0].ToString(), operands[1].ToString()));
                return null;
            }
            return new ShapedLayer(layer, operands[0], operands[0], 0, 0);
        }

        /// <summary>FN0020: Cat along channels needs [C, H, W] operands with one H x W.</summary>
        private static ShapedLayer? InferCat(LayerSpec layer, List<Shape> operands, List<DiagnosticInfo> diagnostics)
        {
            Shape first = operands[0];
            bool ok = operands.All(o => !o.IsFlat && o.Height == first.Height && o.Width == first.Width);
            long channels = operands.Sum(o => (long)o.Channels);
            if (!ok)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CatShapeMismatch, layer.Location, layer.Label,
                    string.Join(" and ", operands.Select(o => o.ToString())),
                    first.IsFlat ? "the first operand is flat" : $"the first operand is {first.Height} x {first.Width}"));
                return null;
            }
            if (!CheckSize(layer, $"[{channels}, {first.Height}, {first.Width}]", StoredLength(channels, first.Height, first.Width, 0), diagnostics))
                return null;
            return new ShapedLayer(layer, first, Shape.Spatial((int)channels, first.Height, first.Width), 0, 0);
        }

        /// <summary>FN0021: x [C, H, W] times s [C, 1, 1] or [C], s broadcast over H x W (squeeze-excite).</summary>
        private static ShapedLayer? InferMul(LayerSpec layer, List<Shape> operands, List<DiagnosticInfo> diagnostics)
        {
            Shape x = operands[0], scale = operands[1];
            bool ok = !x.IsFlat && scale.Channels == x.Channels && scale.Height == 1 && scale.Width == 1;
            if (!ok)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BroadcastMismatch, layer.Location, layer.Label,
                    x.ToString(), scale.ToString()));
                return null;
            }
            return new ShapedLayer(layer, x, x, 0, 0);
        }

        /// <summary>
        /// FN0031: the module front end records the input size a layer was declared with (PyTorch modules state it:
        /// Conv2d(inChannels, …), BatchNorm2d(numFeatures), Linear(inFeatures, …)); it must be what reaches the layer,
        /// or the weights' shapes would silently follow the graph instead of the declaration.
        /// </summary>
        private static bool CheckDeclaredInput(LayerSpec layer, Shape input, List<DiagnosticInfo> diagnostics)
        {
            if (layer.DeclaredInputShape.Count == 3)
            {
                // FN0032: the first layer of an attribute network used as a sub-module carries that network's input shape.
                var declared = Shape.Spatial(layer.DeclaredInputShape[0], layer.DeclaredInputShape[1], layer.DeclaredInputShape[2]);
                if (declared != input)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EmbeddedNetworkInputMismatch, layer.Location, layer.Label,
                        layer.DeclaredBy ?? "?", declared.ToString(), input.ToString()));
                    return false;
                }
            }
            if (layer.DeclaredInChannels <= 0 || layer.DeclaredInChannels == input.Channels) return true;
            (string argument, string unit) = layer.Kind switch
            {
                LayerKind.Conv2d => ("inChannels", "channels"),
                LayerKind.Linear => ("inFeatures", "features"),
                LayerKind.GroupNorm or LayerKind.Normalize => ("numChannels", "channels"),
                _ => ("numFeatures", "channels"),
            };
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DeclaredInputMismatch, layer.Location, layer.Label,
                argument, Int(layer.DeclaredInChannels), input.ToString(), Int(input.Channels), unit));
            return false;
        }

        public static bool HasWeights(LayerKind kind) => LayerCatalog.Of(kind).HasWeights;

        private static ShapedLayer? InferLayer(LayerSpec layer, Shape input, List<DiagnosticInfo> diagnostics)
        {
            string label = layer.Label;
            switch (layer.Kind)
            {
                case LayerKind.Conv2d:
                    return InferConv(layer, input, diagnostics);
                case LayerKind.MaxPool2d:
                case LayerKind.AvgPool2d:
                    return InferPool(layer, input, diagnostics);
                case LayerKind.BatchNorm2d:
                    if (!RequireSpatial(layer, input, diagnostics)) return null;
                    if (!CheckEpsilon(layer, diagnostics)) return null;
                    return new ShapedLayer(layer, input, input, 2L * input.Channels, 0);
                case LayerKind.BatchNorm1d:
                    if (!input.IsFlat)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NeedsFlatInput, layer.Location, label, input.ToString()));
                        return null;
                    }
                    if (!CheckEpsilon(layer, diagnostics)) return null;
                    return new ShapedLayer(layer, input, input, 2L * input.Channels, 0);
                case LayerKind.LayerNorm:
                case LayerKind.GroupNorm:
                case LayerKind.InstanceNorm2d:
                    return InferNormalization(layer, input, diagnostics);
                case LayerKind.GlobalAvgPool2d:
                    if (!RequireSpatial(layer, input, diagnostics)) return null;
                    return new ShapedLayer(layer, input, Shape.Flat(input.Channels), 0, 0);
                case LayerKind.AdaptiveAvgPool2d:
                    if (!RequireSpatial(layer, input, diagnostics)) return null;
                    return new ShapedLayer(layer, input, Shape.Spatial(input.Channels, 1, 1), 0, 0);
                case LayerKind.Flatten:
                    return new ShapedLayer(layer, input, Shape.Flat((int)input.Length), 0, 0);
                case LayerKind.Maxout:
                    return InferMaxout(layer, input, diagnostics);
                case LayerKind.Normalize:
                    return InferNormalize(layer, input, diagnostics);
                case LayerKind.Linear:
                    if (!input.IsFlat)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NeedsFlatInput, layer.Location, label, input.ToString()));
                        return null;
                    }
                    if (!CheckPositive(label, layer.Location, diagnostics, ("outFeatures", layer.OutChannels))) return null;
                    long linearMacs = (long)input.Channels * layer.OutChannels;
                    if (!CheckSize(layer, $"weight [{layer.OutChannels}, {input.Channels}]", linearMacs, diagnostics)) return null;
                    return new ShapedLayer(layer, input, Shape.Flat(layer.OutChannels),
                        linearMacs + (layer.Bias ? layer.OutChannels : 0), linearMacs);
                case LayerKind.Dropout:
                    if (!(layer.Parameter >= 0f && layer.Parameter < 1f))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidParameter, layer.Location, label,
                            $"p = {Format(layer.Parameter)} must be in [0, 1)"));
                        return null;
                    }
                    return new ShapedLayer(layer, input, input, 0, 0);
                case LayerKind.LeakyReLU:
                case LayerKind.ELU:
                    if (float.IsNaN(layer.Parameter) || float.IsInfinity(layer.Parameter))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidParameter, layer.Location, label,
                            $"{(layer.Kind == LayerKind.ELU ? "alpha" : "negativeSlope")} = {Format(layer.Parameter)} must be a finite number"));
                        return null;
                    }
                    return new ShapedLayer(layer, input, input, 0, 0);
                default:
                    // Parameter-free activations keep the shape.
                    return new ShapedLayer(layer, input, input, 0, 0);
            }
        }

        /// <summary>
        /// Maxout(pieces): channel j of the output is the maximum of input channels j·pieces … j·pieces + pieces − 1, on a
        /// [C, H, W] or a flat [F] tensor; FN0044 when pieces does not divide the channels.
        /// </summary>
        private static ShapedLayer? InferMaxout(LayerSpec layer, Shape input, List<DiagnosticInfo> diagnostics)
        {
            if (!CheckPositive(layer.Label, layer.Location, diagnostics, ("pieces", layer.Pieces))) return null;
            if (input.Channels % layer.Pieces != 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MaxoutPiecesMismatch, layer.Location, layer.Label,
                    Int(layer.Pieces), Int(input.Channels), input.ToString(), input.IsFlat ? "features" : "channels"));
                return null;
            }
            int channels = input.Channels / layer.Pieces;
            Shape output = input.IsFlat ? Shape.Flat(channels) : Shape.Spatial(channels, input.Height, input.Width);
            return new ShapedLayer(layer, input, output, 0, 0);
        }

        /// <summary>
        /// Normalize(mean, std) on a [C, H, W] tensor: one mean and one std per channel (FN0045), every std positive and
        /// finite (FN0046), every mean finite (FN0047). The form reading P.mean and P.std has nothing to check here (its
        /// values are checked when the weights are loaded). No learnable parameters either way: the tensors are buffers.
        /// </summary>
        private static ShapedLayer? InferNormalize(LayerSpec layer, Shape input, List<DiagnosticInfo> diagnostics)
        {
            if (!RequireSpatial(layer, input, diagnostics)) return null;
            if (layer.NormalizeReadsTensors) return new ShapedLayer(layer, input, input, 0, 0);
            bool ok = true;
            if (layer.Mean.Count != input.Channels || layer.Std.Count != input.Channels)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NormalizeLengthMismatch, layer.Location, layer.Label,
                    Int(layer.Mean.Count), Int(layer.Std.Count), input.ToString(), Int(input.Channels)));
                ok = false;
            }
            for (int c = 0; c < layer.Std.Count; c++)
            {
                float std = layer.Std[c];
                if (std > 0f && !float.IsInfinity(std)) continue; // NaN fails the first test
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NormalizeInvalidStd, layer.Location, layer.Label,
                    Int(c), Format(std)));
                ok = false;
                break;
            }
            for (int c = 0; c < layer.Mean.Count; c++)
            {
                float mean = layer.Mean[c];
                if (!float.IsNaN(mean) && !float.IsInfinity(mean)) continue;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NormalizeInvalidMean, layer.Location, layer.Label,
                    Int(c), Format(mean)));
                ok = false;
                break;
            }
            return ok ? new ShapedLayer(layer, input, input, 0, 0) : null;
        }

        private static ShapedLayer? InferConv(LayerSpec layer, Shape input, List<DiagnosticInfo> diagnostics)
        {
            string label = layer.Label;
            if (!RequireSpatial(layer, input, diagnostics)) return null;
            // KernelWidth defaults to kernelSize: check it only when it was given a value of its own.
            if (!CheckPositive(label, layer.Location, diagnostics,
                    ("outChannels", layer.OutChannels), ("kernelSize", layer.KernelHeight),
                    ("KernelWidth", layer.KernelWidth == layer.KernelHeight ? 1 : layer.KernelWidth),
                    ("Stride", layer.Stride), ("Dilation", layer.Dilation), ("Groups", layer.Groups)))
                return null;
            if (!CheckPadding(layer, diagnostics)) return null;
            if (input.Channels % layer.Groups != 0 || layer.OutChannels % layer.Groups != 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GroupsMismatch, layer.Location, label,
                    Int(layer.Groups), Int(input.Channels), input.ToString(), Int(layer.OutChannels)));
                return null;
            }
            long outHeight = OutputSize(input.Height, layer.KernelHeight, layer.Stride, layer.Padding, layer.Dilation);
            long outWidth = OutputSize(input.Width, layer.KernelWidth, layer.Stride, layer.Padding, layer.Dilation);
            if (outHeight < 1 || outWidth < 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SpatialCollapse, layer.Location, label,
                    input.ToString(), Long(outHeight), Long(outWidth)));
                return null;
            }
            double weightCount = (double)layer.OutChannels * (input.Channels / layer.Groups) * layer.KernelHeight * layer.KernelWidth;
            // Everything below is computed in long: huge kernels, paddings or outputs must become FN0015, not wrap around.
            if (!CheckSize(layer, Activation($"[{layer.OutChannels}, {outHeight}, {outWidth}]", layer.OutChannels, outHeight, outWidth, 0),
                    StoredLength(layer.OutChannels, outHeight, outWidth, 0), diagnostics) ||
                !CheckSize(layer, Activation($"{input} with padding {layer.Padding}", input.Channels, input.Height, input.Width, layer.Padding),
                    StoredLength(input, layer.Padding), diagnostics) ||
                !CheckSize(layer, $"weight [{layer.OutChannels}, {input.Channels / layer.Groups}, {layer.KernelHeight}, {layer.KernelWidth}]", weightCount, diagnostics))
                return null;
            var output = Shape.Spatial(layer.OutChannels, (int)outHeight, (int)outWidth);
            long macs = output.Length * (input.Channels / layer.Groups) * layer.KernelHeight * layer.KernelWidth;
            return new ShapedLayer(layer, input, output, (long)weightCount + (layer.Bias ? layer.OutChannels : 0), macs);
        }

        private static ShapedLayer? InferPool(LayerSpec layer, Shape input, List<DiagnosticInfo> diagnostics)
        {
            string label = layer.Label;
            if (!RequireSpatial(layer, input, diagnostics)) return null;
            // Stride defaults to kernelSize: check it only when it was given a value of its own.
            if (!CheckPositive(label, layer.Location, diagnostics, ("kernelSize", layer.KernelHeight),
                    ("Stride", layer.Stride == layer.KernelHeight ? 1 : layer.Stride)))
                return null;
            if (!CheckPadding(layer, diagnostics)) return null;
            if (layer.Padding * 2L > layer.KernelHeight)
            {
                // PyTorch: "pad should be at most half of effective kernel size".
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidParameter, layer.Location, label,
                    $"Padding = {layer.Padding} must be at most half the kernel size {layer.KernelHeight}, as in PyTorch"));
                return null;
            }
            long outHeight = OutputSize(input.Height, layer.KernelHeight, layer.Stride, layer.Padding, 1);
            long outWidth = OutputSize(input.Width, layer.KernelWidth, layer.Stride, layer.Padding, 1);
            if (outHeight < 1 || outWidth < 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SpatialCollapse, layer.Location, label,
                    input.ToString(), Long(outHeight), Long(outWidth)));
                return null;
            }
            if (!CheckSize(layer, Activation($"[{input.Channels}, {outHeight}, {outWidth}]", input.Channels, outHeight, outWidth, 0),
                    StoredLength(input.Channels, outHeight, outWidth, 0), diagnostics))
                return null;
            return new ShapedLayer(layer, input, Shape.Spatial(input.Channels, (int)outHeight, (int)outWidth), 0, 0);
        }

        /// <summary>
        /// LayerNorm (the whole sample, FN0034 when a declared normalized_shape is another), GroupNorm (groups dividing the
        /// channels, FN0033) and InstanceNorm2d (spatial; with instance statistics more than one pixel, FN0035). The shape
        /// is kept; the parameters are γ and β when affine (and running statistics when tracked).
        /// </summary>
        private static ShapedLayer? InferNormalization(LayerSpec layer, Shape input, List<DiagnosticInfo> diagnostics)
        {
            string label = layer.Label;
            if (!CheckEpsilon(layer, diagnostics)) return null;
            long affine = layer.Affine ? 2L * input.Channels : 0;
            switch (layer.Kind)
            {
                case LayerKind.LayerNorm:
                    if (layer.NormalizedShape.Count > 0 && !CheckNormalizedShape(layer, input, diagnostics)) return null;
                    return new ShapedLayer(layer, input, input, layer.Affine ? 2L * input.Length : 0, 0);
                case LayerKind.GroupNorm:
                    if (!CheckPositive(label, layer.Location, diagnostics, ("numGroups", layer.Groups))) return null;
                    if (input.Channels % layer.Groups != 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NormGroupsMismatch, layer.Location, label,
                            Int(layer.Groups), Int(input.Channels), input.ToString()));
                        return null;
                    }
                    return new ShapedLayer(layer, input, input, affine, 0);
                default: // InstanceNorm2d
                    if (!RequireSpatial(layer, input, diagnostics)) return null;
                    if (!layer.TrackRunningStats && input.Height * (long)input.Width == 1)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InstanceNormSinglePixel, layer.Location, label, input.ToString()));
                        return null;
                    }
                    return new ShapedLayer(layer, input, input, affine + (layer.TrackRunningStats ? 2L * input.Channels : 0), 0);
            }
        }

        /// <summary>FN0034: a declared LayerNorm normalized_shape must be the input sample's shape ([C, H, W] or [F]).</summary>
        private static bool CheckNormalizedShape(LayerSpec layer, Shape input, List<DiagnosticInfo> diagnostics)
        {
            int[] actual = input.IsFlat ? new[] { input.Channels } : new[] { input.Channels, input.Height, input.Width };
            int[] declared = layer.NormalizedShape.ToArray();
            if (declared.SequenceEqual(actual)) return true;
            bool trailing = declared.Length < actual.Length && declared.SequenceEqual(actual.Skip(actual.Length - declared.Length));
            string reason = trailing
                ? $"is only the last {(declared.Length == 1 ? "dimension" : "dimensions")} of the input {input}: normalising part of a sample is not supported"
                : $"does not match the end of the input's shape {input} (PyTorch would reject it)";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerNormShapeMismatch, layer.Location, layer.Label,
                "[" + string.Join(", ", declared.Select(Int)) + "]", reason, input.ToString()));
            return false;
        }

        /// <summary>FN0015 when a tensor of this layer would exceed <see cref="MaxTensorLength"/> floats.</summary>
        private static bool CheckSize(LayerSpec layer, string what, double length, List<DiagnosticInfo> diagnostics)
        {
            if (length <= MaxTensorLength) return true;
            diagnostics.Add(TooLarge(layer.Location, layer.Label, what, length));
            return false;
        }

        private static DiagnosticInfo TooLarge(LocationInfo? location, string label, string what, double length) =>
            DiagnosticInfo.Create(DiagnosticDescriptors.TensorTooLarge, location, label, what,
                length.ToString("0", CultureInfo.InvariantCulture), MaxTensorLength.ToString(CultureInfo.InvariantCulture));

        /// <summary>
        /// An activation tensor as FN0015 names it: the limit applies to its buffer, so say how it is stored (channels
        /// rounded up to a multiple of 16, plus the zero border of a padded reader).
        /// </summary>
        private static string Activation(Shape shape, long border) => shape.IsFlat
            ? $"{shape} (stored as {(shape.Channels + 15L) / 16 * 16} floats: rounded up to a multiple of 16)"
            : Activation(shape.ToString(), shape.Channels, shape.Height, shape.Width, border);

        private static string Activation(string shapeText, long channels, long height, long width, long border)
        {
            long rounded = (channels + 15L) / 16 * 16;
            return border == 0
                ? $"{shapeText} (stored as {rounded} x {height} x {width}: channels rounded up to a multiple of 16)"
                : $"{shapeText} (stored as {rounded} x {height + 2 * border} x {width + 2 * border}: channels rounded up to a multiple of 16, plus the zero border of the padding)";
        }

        /// <summary>
        /// Floats a buffer holding <paramref name="shape"/> takes: channels rounded up to 16 (vector loads) and a
        /// zero border of <paramref name="border"/> on each side. Kept below 2^28 so all index math fits in int.
        /// </summary>
        /// <remarks>In double, so absurd sizes compare as large instead of overflowing.</remarks>
        public static double StoredLength(Shape shape, long border) =>
            StoredLength(shape.Channels, shape.Height, shape.Width, border);

        private static double StoredLength(long channels, long height, long width, long border) =>
            (double)((channels + 15L) / 16 * 16) * (height + 2.0 * border) * (width + 2.0 * border);

        /// <summary>floor((in + 2·pad − dil·(k−1) − 1) / stride) + 1, with floor toward −∞.</summary>
        public static long OutputSize(int size, int kernel, int stride, int padding, int dilation)
        {
            long span = (long)size + 2L * padding - (long)dilation * (kernel - 1) - 1;
            if (span < 0) return 0;
            return span / stride + 1;
        }

        private static bool RequireSpatial(LayerSpec layer, Shape input, List<DiagnosticInfo> diagnostics)
        {
            if (!input.IsFlat) return true;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NeedsSpatialInput, layer.Location, layer.Label, input.ToString()));
            return false;
        }

        private static bool CheckPadding(LayerSpec layer, List<DiagnosticInfo> diagnostics)
        {
            if (layer.Padding >= 0) return true;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NegativePadding, layer.Location, layer.Label, Int(layer.Padding)));
            return false;
        }

        private static bool CheckEpsilon(LayerSpec layer, List<DiagnosticInfo> diagnostics)
        {
            if (layer.Epsilon > 0f && !float.IsInfinity(layer.Epsilon)) return true;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidParameter, layer.Location, layer.Label,
                $"Epsilon = {Format(layer.Epsilon)} must be a positive finite number"));
            return false;
        }

        private static bool CheckPositive(string label, LocationInfo? location, List<DiagnosticInfo> diagnostics,
            params (string Name, int Value)[] values)
        {
            bool ok = true;
            foreach ((string name, int value) in values)
            {
                if (value > 0) continue;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, label, name, Int(value)));
                ok = false;
            }
            return ok;
        }

        private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
        private static string Long(long value) => value.ToString(CultureInfo.InvariantCulture);
        private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>The network with every layer's shapes known.</summary>
    internal sealed record ShapedNetwork(NetworkSpec Spec, Shape Input, EquatableArray<ShapedLayer> Layers, int OutputLayer);

    internal static class ShapedLayerArrays
    {
        public static EquatableArray<ShapedLayer> ToEquatableArrayOfRecords(this List<ShapedLayer> layers) =>
            new EquatableArray<ShapedLayer>(layers);
    }
}
