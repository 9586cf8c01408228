using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FusedNet.Generator.Diagnostics;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FusedNet.Generator.Analysis
{
    /// <summary>
    /// The limits on a network's total memory (FN0017), from the MSBuild properties <c>FusedNetMaxScratchBytes</c> and
    /// <c>FusedNetMaxWeightBytes</c> (compiler-visible through runtime/build/FusedNet.Limits.targets). Value-equatable,
    /// so the pipeline re-analyses networks only when a limit really changes. <see cref="Problems"/> holds FN0018 for
    /// a value that is not a size (the default is used in its place; the error fails the build anyway).
    /// </summary>
    internal sealed record NetworkLimits(long MaxScratchBytes, long MaxWeightBytes, EquatableArray<DiagnosticInfo> Problems)
    {
        public const string ScratchProperty = "FusedNetMaxScratchBytes";
        public const string WeightProperty = "FusedNetMaxWeightBytes";

        /// <summary>
        /// 2 GiB of scratch per instance: twice the largest single tensor FN0015 allows (2^28 floats = 1 GiB), hundreds of
        /// times what the small networks FusedNet targets need (the sample networks take well under 10 MiB), and still
        /// allocatable per thread on an ordinary machine. A declaration that needs more is almost always a mistake
        /// (an input shape typed with an extra digit, a missing stride), which this turns into a compile error instead of
        /// an out-of-memory at construction — per instance and again for every CloneForThread.
        /// </summary>
        public const long DefaultMaxScratchBytes = 2L << 30;

        /// <summary>
        /// 2 GiB of folded, packed parameters (both paths, shared by clones): room for a VGG-16-sized network (138 M
        /// parameters, stored twice as ~1.1 GB), far beyond the small CNNs FusedNet is built for.
        /// </summary>
        public const long DefaultMaxWeightBytes = 2L << 30;

        public static readonly NetworkLimits Default =
            new NetworkLimits(DefaultMaxScratchBytes, DefaultMaxWeightBytes, EquatableArray<DiagnosticInfo>.Empty);

        /// <summary>Reads the two properties from the global options (build_property.*); unset or empty means the default.</summary>
        public static NetworkLimits Read(AnalyzerConfigOptions options)
        {
            var problems = new List<DiagnosticInfo>();
            long Get(string property, long defaultValue)
            {
                if (!options.TryGetValue("build_property." + property, out string? text) || string.IsNullOrWhiteSpace(text))
                    return defaultValue;
                if (TryParseSize(text!, out long value, out string why)) return value;
                problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLimitProperty, null, property, text!.Trim(), why,
                    Bytes.Describe(defaultValue)));
                return defaultValue;
            }
            long scratch = Get(ScratchProperty, DefaultMaxScratchBytes);
            long weights = Get(WeightProperty, DefaultMaxWeightBytes);
            return new NetworkLimits(scratch, weights, problems.ToEquatableArray());
        }

        /// <summary>A positive whole number of bytes, optionally followed by B, KiB, MiB, GiB or TiB (case-insensitive).</summary>
        public static bool TryParseSize(string text, out long value, out string why)
        {
            value = 0;
            string s = text.Trim();
            int digits = 0;
            while (digits < s.Length && s[digits] >= '0' && s[digits] <= '9') digits++;
            if (digits == 0)
            {
                why = "it does not start with a whole number";
                return false;
            }
            string unit = s.Substring(digits).Trim();
            long multiplier;
            switch (unit.ToUpperInvariant())
            {
                case "": case "B": multiplier = 1; break;
                case "KIB": multiplier = 1L << 10; break;
                case "MIB": multiplier = 1L << 20; break;
                case "GIB": multiplier = 1L << 30; break;
                case "TIB": multiplier = 1L << 40; break;
                default:
                    why = $"'{unit}' is not a unit (use B, KiB, MiB, GiB or TiB)";
                    return false;
            }
            if (!long.TryParse(s.Substring(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out long number) ||
                number > long.MaxValue / multiplier)
            {
                why = "it is larger than 2^63 - 1 bytes";
                return false;
            }
            if (number == 0)
            {
                why = "it must be more than 0";
                return false;
            }
            value = number * multiplier;
            why = "";
            return true;
        }
    }

    /// <summary>
    /// What a planned network takes in memory: every scratch buffer of both paths (the BufferPlan lengths, allocated per
    /// instance and per CloneForThread) and every folded, packed parameter buffer of both paths (shared by clones), in
    /// bytes (floats × 4). Parameters are counted as packed for the widest kernels a step has (16 lanes where it has a
    /// Vector512 variant, else 8): narrower vectors pad less, so <see cref="WeightBytes"/> bounds every machine.
    /// </summary>
    internal sealed class MemoryBudget
    {
        private MemoryBudget(List<(string What, long Bytes)> scratch, List<(string What, long Bytes)> weights)
        {
            Scratch = scratch;
            Weights = weights;
            ScratchBytes = scratch.Sum(b => b.Bytes);
            WeightBytes = weights.Sum(w => w.Bytes);
        }

        /// <summary>Each scratch buffer, described (name, shape, layout, who writes it), and its bytes.</summary>
        public List<(string What, long Bytes)> Scratch { get; }

        /// <summary>Each layer with parameters (both paths together), labelled as in other diagnostics, and its bytes.</summary>
        public List<(string What, long Bytes)> Weights { get; }

        public long ScratchBytes { get; }
        public long WeightBytes { get; }

        public static MemoryBudget Of(NetworkPlan plan)
        {
            var layers = plan.Layers.ToDictionary(l => l.Index);
            string LayerLabel(int index) => layers.TryGetValue(index, out LayerPlan? l) ? $"Layer {l.Index} '{l.Name}' ({l.Kind})" : $"Layer {index}";

            var scratch = new List<(string, long)>();
            foreach (BufferPlan buffer in plan.Buffers)
            {
                long floats = buffer.Shape.IsFlat
                    ? buffer.ChannelStride
                    : (long)buffer.PaddedHeight * buffer.PaddedWidth * buffer.ChannelStride;
                string layout = buffer.Shape.IsFlat
                    ? $"{buffer.Shape}"
                    : $"{buffer.Shape} stored as {buffer.PaddedHeight} x {buffer.PaddedWidth} x {buffer.ChannelStride}";
                scratch.Add(($"{buffer.Name} {layout}, {Writer(plan, buffer.Name, LayerLabel)}", floats * 4));
            }

            long workspace = WinogradWorkspaceFloats(plan);
            if (workspace > 0) scratch.Add(("the Winograd workspace (the largest any Winograd convolution needs)", workspace * 4));
            long normWorkspace = NormWorkspaceFloats(plan);
            if (normWorkspace > 0) scratch.Add(("the normalisation workspace (per-channel statistics of the largest LayerNorm/GroupNorm/InstanceNorm2d)", normWorkspace * 4));
            long poolWorkspace = PoolWorkspaceFloats(plan);
            if (poolWorkspace > 0) scratch.Add(("the global-average-pool workspace (one partial sum per input row and channel)", poolWorkspace * 4));
            long windows = Emit.RowPipelines.WindowFloats(plan);
            if (windows > 0) scratch.Add(("the rolling windows of the row pipelines (a few rows of each large intermediate)", windows * 4));
            long batchStatistics = Emit.NetworkEmitter.BatchStatisticsScratchBytes(plan);
            if (batchStatistics > 0) scratch.Add(("the batch statistics of the BatchNorms without running statistics", batchStatistics));

            // Parameters by the layer that owns them (a fused Conv2d step's folded BatchNorm counts to the Conv2d).
            var byLayer = new Dictionary<int, long>();
            var packed = new HashSet<string>();
            foreach (PathPlan path in new[] { plan.Fused, plan.Unfused })
                foreach (StepPlan step in path.Steps)
                {
                    long floats = ParameterFloats(step);
                    // A step whose packing another step already made shares it (see StepPlan.ParameterIdentity).
                    if (floats == 0 || !packed.Add(step.ParameterIdentity)) continue;
                    byLayer.TryGetValue(step.MainLayer, out long sum);
                    byLayer[step.MainLayer] = sum + floats * 4;
                }
            var weights = byLayer.OrderBy(p => p.Key).Select(p => (LayerLabel(p.Key), p.Value)).ToList();
            return new MemoryBudget(scratch, weights);
        }

        /// <summary>Floats of the Winograd workspace: the most any Winograd step of either path uses per call (0 when there is none).</summary>
        public static long WinogradWorkspaceFloats(NetworkPlan plan)
        {
            long floats = 0;
            foreach (PathPlan path in new[] { plan.Fused, plan.Unfused })
                foreach (StepPlan step in path.Steps)
                    if (step.Kind == StepKind.Conv && step.Algorithm == ConvAlgorithm.Winograd)
                    {
                        BufferPlan input = plan.Buffers.First(b => b.Name == step.Input);
                        floats = System.Math.Max(floats, new WinogradTiling(step, input).WorkspaceFloats);
                        if (WinogradTiling.TwoPassRows(step, input) is int twoPassRows) // the two-pass kernel threads run
                            floats = System.Math.Max(floats, new WinogradTiling(step, input, twoPassRows).WorkspaceFloats);
                    }
            return floats;
        }

        /// <summary>Floats of the normalisation workspace: the most any Normalize step of either path uses (0 when there is none).</summary>
        public static long NormWorkspaceFloats(NetworkPlan plan) => LargestOfKind(plan, StepKind.Normalize, Emit.NormalizeEmitter.WorkspaceFloats);

        /// <summary>Floats of the global average pools' row sums: the most any GlobalAvgPool step needs (0 without one).</summary>
        public static long PoolWorkspaceFloats(NetworkPlan plan) => LargestOfKind(plan, StepKind.GlobalAvgPool, Emit.PoolEmitter.RowSumFloats);

        /// <summary>The largest <paramref name="floats"/> of the steps of <paramref name="kind"/> in either path (0 without one).</summary>
        private static long LargestOfKind(NetworkPlan plan, StepKind kind, System.Func<StepPlan, long> floats)
        {
            long largest = 0;
            foreach (PathPlan path in new[] { plan.Fused, plan.Unfused })
                foreach (StepPlan step in path.Steps)
                    if (step.Kind == kind)
                        largest = System.Math.Max(largest, floats(step));
            return largest;
        }

        private static string Writer(NetworkPlan plan, string buffer, System.Func<int, string> label)
        {
            foreach (PathPlan path in new[] { plan.Fused, plan.Unfused })
            {
                if (path.InputBuffer == buffer) return $"the {path.Name} path's input";
                foreach (StepPlan step in path.Steps)
                    if (step.Output == buffer && step.Input != buffer) return $"{path.Name} output of {label(step.MainLayer)}";
            }
            return "unused";
        }

        /// <summary>Floats of the packed parameter buffers the generated constructor allocates for the step (widest lanes).</summary>
        public static long ParameterFloats(StepPlan step)
        {
            long lanes = step.HasVector512 ? 16 : 8;
            long RoundUp(long value, long multiple) => (value + multiple - 1) / multiple * multiple;
            switch (step.Kind)
            {
                case StepKind.ScaleShift:
                    return 2 * RoundUp(step.InputShape.Channels, BufferPlan.ChannelAlignment);
                case StepKind.Normalize when step.WeightTensor >= 0:
                    // γ and β: per channel, or per element for a LayerNorm of [C, H, W] ([H][W][C rounded up to 16]).
                    return 2 * RoundUp(step.InputShape.Channels, BufferPlan.ChannelAlignment) *
                        (step.NormPerElementAffine ? (long)step.InputShape.Height * step.InputShape.Width : 1);
                case StepKind.Linear:
                {
                    long outputs = step.ConvOutChannels, inputs = step.InputShape.Channels; // with a Maxout in the epilogue: its pieces
                    return RoundUp(outputs, lanes) * inputs + RoundUp(outputs, lanes);
                }
                case StepKind.Conv:
                {
                    long outputs = step.ConvOutChannels, groups = step.Groups; // a Maxout in the epilogue: its pieces (padding aside)
                    long inPerGroup = step.InputShape.Channels / groups, outPerGroup = outputs / groups;
                    long taps = (long)step.KernelHeight * step.KernelWidth;
                    switch (step.Algorithm)
                    {
                        case ConvAlgorithm.OutputVectors:
                            return groups * RoundUp(outPerGroup, lanes) * taps * inPerGroup + groups * RoundUp(outPerGroup, lanes);
                        case ConvAlgorithm.Depthwise:
                            return taps * RoundUp(outputs, lanes) + RoundUp(outputs, lanes);
                        case ConvAlgorithm.Winograd:
                            return WinogradTiling.Positions * RoundUp(outputs, lanes) * inPerGroup + RoundUp(outputs, lanes);
                        default:
                            return outputs * inPerGroup * taps + outputs; // scalar kernel: PyTorch layout as is
                    }
                }
                default:
                    return 0;
            }
        }

        /// <summary>FN0017 for each total beyond its limit, on the [FusedNetwork] attribute.</summary>
        public IEnumerable<DiagnosticInfo> Check(string className, LocationInfo? location, NetworkLimits limits)
        {
            if (ScratchBytes > limits.MaxScratchBytes)
                yield return Exceeded(className, location, ScratchBytes, limits.MaxScratchBytes, Scratch, NetworkLimits.ScratchProperty,
                    "scratch buffers per instance (allocated again by every CloneForThread)", "buffers");
            if (WeightBytes > limits.MaxWeightBytes)
                yield return Exceeded(className, location, WeightBytes, limits.MaxWeightBytes, Weights, NetworkLimits.WeightProperty,
                    "folded and packed parameters (both paths; clones share them)", "layers");
        }

        private static DiagnosticInfo Exceeded(string className, LocationInfo? location, long total, long limit,
            List<(string What, long Bytes)> parts, string property, string what, string partsName)
        {
            const int Shown = 3;
            var largest = parts.Select((p, i) => (p.What, p.Bytes, i)).OrderByDescending(p => p.Bytes).ThenBy(p => p.i).ToList();
            string list = string.Join("; ", largest.Take(Shown).Select(p => $"{p.What}: {Bytes.Describe(p.Bytes)}"));
            if (largest.Count > Shown) list += $"; and {largest.Count - Shown} more";
            return DiagnosticInfo.Create(DiagnosticDescriptors.NetworkTooLarge, location, className, Bytes.Describe(total), what,
                Bytes.Describe(limit), partsName, list, property, Bytes.Suggest(total));
        }
    }

    /// <summary>Byte counts as diagnostics print them.</summary>
    internal static class Bytes
    {
        /// <summary>"2147483648 bytes (2 GiB)", "1536 bytes (1.5 KiB)", "2147614720 bytes (~2 GiB)", "100 bytes".</summary>
        public static string Describe(long bytes)
        {
            string exact = bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
            string[] units = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
            if (bytes < 1024) return exact;
            double value = bytes;
            int unit = -1;
            while (value >= 1024 && unit < units.Length - 1)
            {
                value /= 1024;
                unit++;
            }
            // "~" when two decimals do not say it exactly, so 2 GiB + 128 KiB never reads as the 2 GiB limit itself.
            decimal precise = (decimal)bytes / (1L << (10 * (unit + 1)));
            string shown = precise.ToString("0.##", CultureInfo.InvariantCulture);
            bool exactly = decimal.Round(precise, 2) == precise;
            return $"{exact} ({(exactly ? "" : "~")}{shown} {units[unit]})";
        }

        /// <summary>A property value at least <paramref name="bytes"/>: whole GiB from 1 GiB on, else whole MiB.</summary>
        public static string Suggest(long bytes)
        {
            const long MiB = 1L << 20, GiB = 1L << 30;
            if (bytes >= GiB) return ((bytes - 1) / GiB + 1).ToString(CultureInfo.InvariantCulture) + "GiB";
            return ((bytes - 1) / MiB + 1).ToString(CultureInfo.InvariantCulture) + "MiB";
        }
    }
}
