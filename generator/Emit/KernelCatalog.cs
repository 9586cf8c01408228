using FusedNet.Generator.Catalog;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// Every kernel method of a generated file, named for what it computes (<c>Conv3x3s2_32to64_16x16_Relu_V256</c>,
    /// <c>DwConv3x3_96_56x56_Relu6_V512</c>, <c>Add_64x56x56_Relu_V256</c>) and emitted once: steps whose kernels come out
    /// identical (same geometry, buffer layouts and epilogue, e.g. a pool in both the fused and the unfused path)
    /// share one method. The kernels live in a <c>file static class</c> in namespace FusedNet.Generated with its own
    /// <c>using</c>s, so they read like hand-written code: <c>Unsafe.Add</c>, <c>Vector256.FusedMultiplyAdd</c>.
    /// </summary>
    internal sealed class KernelCatalog
    {
        private const string Placeholder = "__FUSEDNET_KERNEL__";

        private sealed class Kernel
        {
            public Kernel(string name, string text, string remarks)
            {
                Name = name;
                Text = text;
                Remarks = remarks;
            }

            public string Name { get; }
            public string Text { get; }
            public string Remarks { get; }
            public List<string> Users { get; } = new List<string>();
        }

        private readonly Dictionary<string, Kernel> _byText = new Dictionary<string, Kernel>();
        private readonly List<Kernel> _kernels = new List<Kernel>();
        private readonly HashSet<string> _names = new HashSet<string>();
        private readonly Dictionary<(string Path, int Step, string Width), string> _stepKernels = new Dictionary<(string, int, string), string>();
        private readonly Dictionary<(string Path, int Step), int> _channelUnits = new Dictionary<(string, int), int>();
        private readonly Dictionary<(string Path, int Step), int> _passRows = new Dictionary<(string, int), int>();
        private readonly Dictionary<(string Path, int Step), int> _twoThreadRows = new Dictionary<(string, int), int>();
        private readonly Dictionary<(string Path, int Step, string Width), int> _itemCounts = new Dictionary<(string, int, string), int>();
        private readonly HashSet<(string Path, int Step)> _itemsWhenRowsUneven = new HashSet<(string, int)>();
        private readonly Dictionary<(string Path, bool In), string> _copies = new Dictionary<(string, bool), string>();
        private readonly string _className;

        private KernelCatalog(string className) => _className = className;

        /// <param name="fusedPipelines">The fused path's row pipelines: a pool that reads or writes a rolling window gets a rebased kernel.</param>
        public static KernelCatalog Build(NetworkPlan plan, Dictionary<string, BufferPlan> buffers, RowPipelines fusedPipelines)
        {
            var catalog = new KernelCatalog(plan.ClassName);
            foreach (PathPlan path in new[] { plan.Fused, plan.Unfused })
            {
                RowPipelines pipelines = path == plan.Fused ? fusedPipelines : RowPipelines.None;
                BufferPlan input = buffers[path.InputBuffer], output = buffers[path.OutputBuffer];
                catalog._copies[(path.Name, true)] = catalog.Add($"CopyIn_{ShapeName(input.Shape)}",
                    (w, name) => LayoutEmitter.EmitCopyIn(w, name, input), $"{path.Name} path: NCHW input sample into {input.Name}",
                    $"{Comment(input.Shape.ToString())} into {input.Name} (border {input.Border}).");
                catalog._copies[(path.Name, false)] = catalog.Add($"CopyOut_{ShapeName(output.Shape)}",
                    (w, name) => LayoutEmitter.EmitCopyOut(w, name, output), $"{path.Name} path: {output.Name} to the output sample",
                    $"{Comment(output.Shape.ToString())} from {output.Name} (border {output.Border}).");
                foreach (StepPlan step in path.Steps)
                {
                    if (step.Kind == StepKind.Conv && step.Algorithm == ConvAlgorithm.Winograd &&
                        WinogradTiling.ThreadPassRows(step, buffers[step.Input]) is int passRows)
                        catalog._passRows[(path.Name, step.Id)] = passRows;
                    if (step.Kind == StepKind.Conv && step.Algorithm == ConvAlgorithm.Winograd &&
                        WinogradTiling.TwoThreadRowsPerPass(step, buffers[step.Input]) is int halfRows)
                        catalog._twoThreadRows[(path.Name, step.Id)] = halfRows;
                    IEnumerable<VectorWidth?> widths = !NetworkEmitter.IsVectorised(step)
                        ? new VectorWidth?[] { null }
                        : step.HasVector512 ? new[] { VectorWidth.V128, VectorWidth.V256, VectorWidth.V512 } : new[] { VectorWidth.V128, VectorWidth.V256 };
                    foreach (VectorWidth? width in widths)
                    {
                        string name = catalog.Add(BaseName(step) + (width is null ? "" : "_" + width.Suffix),
                            (w, method) => NetworkEmitter.EmitKernel(w, method, step, buffers, width),
                            $"{path.MemberPrefix} step {step.Id}: {step.Title}",
                            StepRemarks(step, buffers, width));
                        catalog._stepKernels[(path.Name, step.Id, width?.Suffix ?? "")] = name;
                        // A single-pass Winograd step also gets a two-pass kernel for instances with several threads, and
                        // a step of an odd number of passes one for instances with two (see WinogradTiling.TwoPassRows).
                        if (step.Kind == StepKind.Conv && step.Algorithm == ConvAlgorithm.Winograd &&
                            WinogradTiling.TwoPassRows(step, buffers[step.Input]) is int rowsPerPass)
                        {
                            BufferPlan? residual = step.SecondInput is null ? null : buffers[step.SecondInput];
                            string threaded = catalog.Add(BaseName(step) + "_TwoPasses_" + width!.Suffix,
                                (w, method) => WinogradEmitter.EmitKernel(w, method, step, buffers[step.Input], buffers[step.Output], residual, width, rowsPerPass),
                                $"{path.MemberPrefix} step {step.Id} on {(WinogradTiling.ThreadedRowsPerPass(step, buffers[step.Input]) is null ? "two" : "several")} threads: {step.Title}",
                                StepRemarks(step, buffers, width) + $" Two passes of {rowsPerPass} tile row(s), so two threads can share the step evenly.");
                            catalog._stepKernels[(path.Name, step.Id, width.Suffix + "|threads")] = threaded;
                        }
                        // A direct conv with few rows or weights larger than L2: a kernel threads share by (output vector, row) items;
                        // a depthwise conv after a step shared by channels: by (channel unit, row) items (see ConvEmitter.DepthwiseItems).
                        int? itemCount = width is null ? null
                            : ConvEmitter.HasItemKernel(step, buffers[step.Input]) ? ConvEmitter.ItemSplitItems(step, buffers[step.Input], width)
                            : ConvEmitter.DepthwiseItems(step, step.Id > 0 ? path.Steps[step.Id - 1] : null, buffers);
                        if (width is not null && itemCount is int items)
                        {
                            BufferPlan? residual = step.SecondInput is null ? null : buffers[step.SecondInput];
                            catalog._stepKernels[(path.Name, step.Id, width.Suffix + "|items")] = catalog.Add(BaseName(step) + "_Items_" + width.Suffix,
                                (w, method) => ConvEmitter.EmitKernel(w, method, step, buffers[step.Input], buffers[step.Output], residual, null, width, itemSplit: true),
                                $"{path.MemberPrefix} step {step.Id} on several threads: {step.Title}",
                                StepRemarks(step, buffers, width) + (step.Algorithm == ConvAlgorithm.Depthwise
                                    ? $" {items} work items ({ConvEmitter.DepthwiseUnitChannels}-channel unit, row), so each thread reads the channels it wrote in the step before."
                                    : $" {items} work items (output vector, row), so threads share the rows and the weights evenly."));
                            catalog._itemCounts[(path.Name, step.Id, width.Suffix)] = items;
                            // A direct conv that has its item kernel only for its few rows keeps its row split when they divide evenly.
                            if (step.Algorithm == ConvAlgorithm.OutputVectors && !ConvEmitter.SplitsByItems(step, buffers[step.Input]))
                                catalog._itemsWhenRowsUneven.Add((path.Name, step.Id));
                        }
                        // A pool that reads or writes a rolling window in its row pipeline: the variant called with moved references.
                        if (step.Kind is StepKind.MaxPool or StepKind.AvgPool && pipelines.Rebased(step))
                            catalog._stepKernels[(path.Name, step.Id, width!.Suffix + "|rebased")] = catalog.Add(BaseName(step) + "_Rebased_" + width.Suffix,
                                (w, method) => PoolEmitter.EmitWindowPool(w, method, step, buffers[step.Input], buffers[step.Output], width, rebased: true),
                                $"{path.MemberPrefix} step {step.Id} in its row pipeline: {step.Title}",
                                StepRemarks(step, buffers, width) + " Rows from firstRow, references moved to the rows' places (a rolling window's).");
                        // A global average pool: the kernel above sums rows; this one adds the row sums into the means.
                        if (step.Kind == StepKind.GlobalAvgPool)
                            catalog._stepKernels[(path.Name, step.Id, width!.Suffix + "|finish")] = catalog.Add($"GlobalAvgPoolFinish_{ShapeName(step.InputShape)}_{width.Suffix}",
                                (w, method) => PoolEmitter.EmitGlobalAverageFinish(w, method, step, buffers[step.Output], width),
                                $"{path.MemberPrefix} step {step.Id}, after its rows: {step.Title}",
                                StepRemarks(step, buffers, width) + " Adds the row sums into the means.");
                        // A BatchNorm without running statistics: in a batch of several samples, a kernel that gathers one sample's
                        // statistics into the batch's, and one that normalises with the batch's.
                        if (step.NormOverBatch)
                        {
                            string shape = ShapeName(step.InputShape);
                            catalog._stepKernels[(path.Name, step.Id, width!.Suffix + "|batchstats")] = catalog.Add($"BatchStats_{shape}_{width.Suffix}",
                                (w, method) => NormalizeEmitter.EmitBatchStatisticsKernel(w, method, step, buffers[step.Input], width),
                                $"{path.MemberPrefix} step {step.Id}, batches of several samples: {step.Title}",
                                StepRemarks(step, buffers, width) + " Gathers one sample's per-channel mean and M2 into the batch's.");
                            string epilogue = string.Concat(step.Epilogue.Select(op => op.AddSecondInput ? "Add" : ActivationWord(op.Activation!)));
                            catalog._stepKernels[(path.Name, step.Id, width.Suffix + "|batchapply")] = catalog.Add(
                                $"BatchNormOfBatch_{shape}{(epilogue.Length == 0 ? "" : "_" + epilogue)}_{width.Suffix}",
                                (w, method) => NormalizeEmitter.EmitBatchApplyKernel(w, method, step, buffers[step.Input], buffers[step.Output], width),
                                $"{path.MemberPrefix} step {step.Id}, batches of several samples: {step.Title}",
                                StepRemarks(step, buffers, width) + " Normalises with the batch's statistics.");
                        }
                        // A Winograd step with transformed weights larger than L2 gets a kernel threads share by output channels.
                        if (step.Kind == StepKind.Conv && step.Algorithm == ConvAlgorithm.Winograd &&
                            WinogradTiling.ChannelSplitUnits(step, buffers[step.Input]) is int units)
                        {
                            BufferPlan? residual = step.SecondInput is null ? null : buffers[step.SecondInput];
                            string split = catalog.Add(BaseName(step) + "_Channels_" + width!.Suffix,
                                (w, method) => WinogradEmitter.EmitKernel(w, method, step, buffers[step.Input], buffers[step.Output], residual, width, channelSplit: true),
                                $"{path.MemberPrefix} step {step.Id} on several threads: {step.Title}",
                                StepRemarks(step, buffers, width) + $" Output channels in {units} units of {WinogradTiling.ChannelUnit}, so threads can share the step's transformed weights.");
                            catalog._stepKernels[(path.Name, step.Id, width.Suffix + "|channels")] = split;
                            catalog._channelUnits[(path.Name, step.Id)] = units;
                        }
                    }
                }
            }
            return catalog;
        }

        public string Name(PathPlan path, StepPlan step, VectorWidth? width) => _stepKernels[(path.Name, step.Id, width?.Suffix ?? "")];

        /// <summary>A pool's kernel for rebased calls (see PoolEmitter.EmitWindowPool), or null when it has none.</summary>
        public string? RebasedName(PathPlan path, StepPlan step, VectorWidth width) =>
            _stepKernels.TryGetValue((path.Name, step.Id, width.Suffix + "|rebased"), out string? name) ? name : null;

        /// <summary>The kernel that turns a global average pool's row sums into the means.</summary>
        public string GlobalAverageFinishName(PathPlan path, StepPlan step, VectorWidth width) => _stepKernels[(path.Name, step.Id, width.Suffix + "|finish")];

        /// <summary>The two-pass kernel of a Winograd step (see WinogradTiling.TwoPassRows), or null when it has none.</summary>
        public string? ThreadedName(PathPlan path, StepPlan step, VectorWidth width) =>
            _stepKernels.TryGetValue((path.Name, step.Id, width.Suffix + "|threads"), out string? name) ? name : null;

        /// <summary>The output-channel-split kernel of a Winograd step with large transformed weights (for several threads), or null.</summary>
        public string? ChannelSplitName(PathPlan path, StepPlan step, VectorWidth width) =>
            _stepKernels.TryGetValue((path.Name, step.Id, width.Suffix + "|channels"), out string? name) ? name : null;

        /// <summary>A batch-statistics BatchNorm's kernel that gathers one sample's statistics (<paramref name="gather"/>) or normalises with the batch's.</summary>
        public string BatchStatisticsName(PathPlan path, StepPlan step, VectorWidth width, bool gather) =>
            _stepKernels[(path.Name, step.Id, width.Suffix + (gather ? "|batchstats" : "|batchapply"))];

        /// <summary>The item-split kernel of a direct conv with large weights (for several threads), or null when threads split it by rows.</summary>
        public string? ItemSplitName(PathPlan path, StepPlan step, VectorWidth width) =>
            _stepKernels.TryGetValue((path.Name, step.Id, width.Suffix + "|items"), out string? name) ? name : null;

        /// <summary>
        /// Whether threads run the step's item kernel only when its rows do not divide evenly among them (a few-row direct conv
        /// whose weights fit L2; see ConvEmitter.SplitsByItems); otherwise they split its rows.
        /// </summary>
        public bool ItemsWhenRowsUneven(PathPlan path, StepPlan step) => _itemsWhenRowsUneven.Contains((path.Name, step.Id));

        /// <summary>The work items of a step's item-split kernel at <paramref name="width"/> (see ConvEmitter.ItemSplitItems).</summary>
        public int ItemCount(PathPlan path, StepPlan step, VectorWidth width) => _itemCounts[(path.Name, step.Id, width.Suffix)];

        /// <summary>The 16-channel units threads split a Winograd step into, or null when they split it by tile rows.</summary>
        public int? ChannelSplitUnits(PathPlan path, StepPlan step) =>
            _channelUnits.TryGetValue((path.Name, step.Id), out int units) ? units : null;

        /// <summary>Tile rows per pass of a Winograd step that threads share by passes (see WinogradTiling.ThreadPassRows), or null.</summary>
        public int? ThreadPassRows(PathPlan path, StepPlan step) =>
            _passRows.TryGetValue((path.Name, step.Id), out int rows) ? rows : null;

        /// <summary>Tile rows per pass of the two passes a team of two threads splits a Winograd step into (see WinogradTiling.TwoThreadRowsPerPass), or null.</summary>
        public int? TwoThreadPassRows(PathPlan path, StepPlan step) =>
            _twoThreadRows.TryGetValue((path.Name, step.Id), out int rows) ? rows : null;

        public string CopyIn(PathPlan path) => _copies[(path.Name, true)];
        public string CopyOut(PathPlan path) => _copies[(path.Name, false)];

        /// <summary>Emits the kernel once per distinct text; returns the method name the step calls.</summary>
        private string Add(string baseName, System.Action<SourceWriter, string> emit, string user, string remarks)
        {
            var writer = new SourceWriter { Indent = 2 };
            emit(writer, Placeholder);
            string text = writer.ToString();
            if (!_byText.TryGetValue(text, out Kernel? kernel))
            {
                string name = baseName;
                for (int n = 2; !_names.Add(name); n++) name = $"{baseName}_{n}";
                kernel = new Kernel(name, text.Replace(Placeholder, name), remarks);
                _byText[text] = kernel;
                _kernels.Add(kernel);
            }
            kernel.Users.Add(user);
            return kernel.Name;
        }

        /// <summary>The kernels' namespace block: the file-local class, each kernel with the steps that call it.</summary>
        public void EmitClass(SourceWriter w)
        {
            w.Open("namespace FusedNet.Generated");
            w.Line("using System;");
            w.Line("using System.Runtime.CompilerServices;");
            w.Line("using System.Runtime.InteropServices;");
            w.Line("using System.Runtime.Intrinsics;");
            w.Line("using FusedNet.Internal;");
            w.Line("using FusedNet.Kernels;");
            w.Line();
            w.Line($"/// <summary>The kernels of {Comment(_className)}: fixed-shape loops over NHWC buffers, every size a literal.</summary>");
            w.Open($"file static class {NetworkEmitter.KernelClass}");
            for (int i = 0; i < _kernels.Count; i++)
            {
                Kernel kernel = _kernels[i];
                if (i > 0) w.Line();
                w.Line("/// <summary>");
                foreach (string user in kernel.Users) w.Line($"/// {Comment(user)}.<br/>");
                w.Line("/// </summary>");
                w.Line($"/// <remarks>{kernel.Remarks}</remarks>");
                foreach (string line in kernel.Text.TrimEnd('\n').Split('\n'))
                    w.Line(line.Length == 0 ? "" : line.Substring(System.Math.Min(line.Length - line.TrimStart(' ').Length, 8)));
            }
            w.Close();
            w.Close();
        }

        private static string StepRemarks(StepPlan step, Dictionary<string, BufferPlan> buffers, VectorWidth? width)
        {
            BufferPlan input = buffers[step.Input], output = buffers[step.Output];
            string second = step.SecondInput is null ? "" : $", reads {buffers[step.SecondInput].Name} (border {buffers[step.SecondInput].Border})";
            return $"{Comment(step.InputShape.ToString())} in {input.Name} (border {input.Border}) → {Comment(step.OutputShape.ToString())} in {output.Name} (border {output.Border}){second}" +
                   $"{(step.MultiplyAccumulates > 0 ? $"; {Long(step.MultiplyAccumulates)} multiply-accumulates" : "")}; {(width is null ? "scalar" : width.Suffix)}.";
        }

        /// <summary>What the kernel computes, as an identifier: kind, geometry, shapes, epilogue.</summary>
        public static string BaseName(StepPlan step)
        {
            string epilogue = string.Concat(step.Epilogue.Select(op => op.AddSecondInput ? "Add" : ActivationWord(op.Activation!)));
            string tail = epilogue.Length == 0 ? "" : "_" + epilogue;
            switch (step.Kind)
            {
                case StepKind.Conv:
                    string kind = step.Algorithm == ConvAlgorithm.Depthwise ? "DwConv" : step.Groups > 1 ? "GroupConv" : "Conv";
                    string geometry = $"{step.KernelHeight}x{step.KernelWidth}" + (step.Stride != 1 ? $"s{step.Stride}" : "") +
                        (step.Dilation != 1 ? $"d{step.Dilation}" : "") + (step.Groups > 1 && step.Algorithm != ConvAlgorithm.Depthwise ? $"g{step.Groups}" : "");
                    // Channels in and out, then the output's spatial size: Conv3x3s2_32to64_8x8; depthwise: DwConv3x3_96_56x56.
                    string channels = step.Algorithm == ConvAlgorithm.Depthwise
                        ? $"{step.OutputShape.Channels}_{step.OutputShape.Height}x{step.OutputShape.Width}"
                        : $"{step.InputShape.Channels}to{step.ConvOutChannels}_{step.OutputShape.Height}x{step.OutputShape.Width}";
                    string algorithm = step.Algorithm == ConvAlgorithm.Winograd ? "Winograd4x4_" : "";
                    string maxout = step.MaxoutPieces > 1 ? $"_Maxout{step.MaxoutPieces}" : "";
                    return $"{algorithm}{(step.InputScale is null ? "" : "Scaled")}{kind}{geometry}_{channels}{maxout}{tail}{(step.ChannelOffset != 0 ? $"_at{step.ChannelOffset}" : "")}";
                case StepKind.Linear:
                    return $"Linear{step.InputShape.Channels}to{step.ConvOutChannels}{(step.MaxoutPieces > 1 ? $"_Maxout{step.MaxoutPieces}" : "")}{tail}";
                case StepKind.ScaleShift:
                    return $"{(step.Normalization is null ? "BatchNorm" : "Normalize")}_{ShapeName(step.InputShape)}{tail}";
                case StepKind.Activation:
                    return $"{(epilogue.Length == 0 ? "Identity" : epilogue)}_{ShapeName(step.InputShape)}";
                case StepKind.Add:
                    return $"Add_{ShapeName(step.InputShape)}{tail}";
                case StepKind.Mul:
                    return $"Scale_{ShapeName(step.InputShape)}{tail}";
                case StepKind.MaxPool:
                case StepKind.AvgPool:
                    return $"{step.Kind}{step.KernelHeight}s{step.Stride}{(step.Padding != 0 ? $"p{step.Padding}" : "")}_{ShapeName(step.OutputShape)}";
                case StepKind.GlobalAvgPool:
                    return $"GlobalAvgPoolRows_{ShapeName(step.InputShape)}";
                case StepKind.Flatten:
                    return $"Flatten_{ShapeName(step.InputShape)}";
                case StepKind.Maxout:
                    return $"Maxout{step.InputShape.Channels / step.OutputShape.Channels}_{ShapeName(step.InputShape)}{tail}";
                case StepKind.CatSlice:
                    return $"CatSlice_{step.InputShape.Channels}at{step.ChannelOffset}_{ShapeName(step.OutputShape)}";
                case StepKind.Normalize:
                    // Norm_G4_32x8x8: statistics over 4 groups; Affine when it has γ and β.
                    return $"Norm_G{step.NormGroups}_{ShapeName(step.InputShape)}{(step.WeightTensor >= 0 ? "_Affine" : "")}{tail}";
                default:
                    throw new System.InvalidOperationException($"no kernel name for step kind {step.Kind}");
            }
        }

        private static string ShapeName(Shape shape) => shape.IsFlat ? $"{shape.Channels}" : $"{shape.Channels}x{shape.Height}x{shape.Width}";

        /// <summary>The activation in a kernel name: its operator without "Op" (Relu, Relu6, GeluTanh, LeakyRelu).</summary>
        private static string ActivationWord(ActivationPlan activation)
        {
            string op = LayerCatalog.OperatorOf(activation);
            return op.EndsWith("Op", System.StringComparison.Ordinal) ? op.Substring(0, op.Length - 2) : op;
        }
    }

    /// <summary>
    /// The packed parameter fields of FoldedWeights, one per distinct packing: a step of the unfused path whose weights
    /// come out the same as a fused step's (a Conv2d or Linear with no BatchNorm to fold) shares that step's field.
    /// Fields are named after the layer: <c>layer1_0_conv1_Folded_Weights</c>, <c>Conv2d0_Weights</c>.
    /// </summary>
    internal sealed class ParameterFields
    {
        public sealed class Entry
        {
            public Entry(string name, StepPlan step, string description, string[] parts)
            {
                Name = name;
                Step = step;
                Description = description;
                Parts = parts;
            }

            public string Name { get; }
            public StepPlan Step { get; }
            public string Description { get; }
            public string[] Parts { get; }
        }

        private readonly List<Entry> _entries = new List<Entry>();
        private readonly Dictionary<StepPlan, Entry> _byStep = new Dictionary<StepPlan, Entry>(ReferenceEqualityComparer.Instance);

        public IReadOnlyList<Entry> Entries => _entries;

        public static ParameterFields Build(NetworkPlan plan)
        {
            var fields = new ParameterFields();
            var byPacking = new Dictionary<string, Entry>();
            var names = new HashSet<string>();
            foreach (PathPlan path in new[] { plan.Fused, plan.Unfused })
                foreach (StepPlan step in path.Steps)
                {
                    string[] parts = step.Kind switch
                    {
                        StepKind.Conv or StepKind.Linear => new[] { "Weights", "Bias" },
                        StepKind.ScaleShift => new[] { "Scale", "Shift" },
                        StepKind.Normalize when step.WeightTensor >= 0 => new[] { "Gamma", "Beta" },
                        _ => new string[0],
                    };
                    if (parts.Length == 0) continue;
                    string packing = step.ParameterIdentity;
                    if (!byPacking.TryGetValue(packing, out Entry? entry))
                    {
                        LayerPlan layer = plan.Layers[step.MainLayer];
                        string baseName = Identifier(layer.Name, layer.Kind.ToString()) + (step.Kind != StepKind.ScaleShift && step.BatchNormFirstTensor >= 0 ? "_Folded" : "");
                        string name = baseName;
                        for (int n = 2; !names.Add(name); n++) name = $"{baseName}_{n}";
                        entry = new Entry(name, step, $"{path.MemberPrefix} step {step.Id}: {step.Title}", parts);
                        byPacking[packing] = entry;
                        fields._entries.Add(entry);
                    }
                    fields._byStep[step] = entry;
                }
            return fields;
        }

        public string Field(StepPlan step, string part) => $"{_byStep[step].Name}_{part}";

        /// <summary>A weight prefix as an identifier: "layer1.0.conv1" → layer1_0_conv1; "3" → Conv2d3.</summary>
        private static string Identifier(string prefix, string kind)
        {
            var text = new System.Text.StringBuilder();
            foreach (char c in prefix) text.Append(c < 128 && char.IsLetterOrDigit(c) ? c : '_');
            string identifier = text.ToString();
            return identifier.Length == 0 || char.IsDigit(identifier[0]) ? kind + identifier : identifier;
        }
    }

    /// <summary>Reference equality for records (two equal steps of different paths are still two steps).</summary>
    internal sealed class ReferenceEqualityComparer : IEqualityComparer<StepPlan>
    {
        public static readonly ReferenceEqualityComparer Instance = new ReferenceEqualityComparer();
        public bool Equals(StepPlan? x, StepPlan? y) => ReferenceEquals(x, y);
        public int GetHashCode(StepPlan obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
