using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// Replays one path of a <see cref="NetworkPlan"/> over its physical buffers and checks it against the graph it was
    /// planned from: which layer's tensor every buffer holds after each step, so that
    /// <list type="bullet">
    /// <item>every step finds in the buffers it reads the tensors its layer reads (nothing was overwritten too early);</item>
    /// <item>no step writes a buffer whose tensor a later step still reads (liveness safety), nor a buffer it reads
    /// (except a planned in-place pass);</item>
    /// <item>an in-place step only overwrites a tensor that has no other reader in the graph and is not the output;</item>
    /// <item>every buffer a padded convolution reads has a zero border at least as wide as the padding;</item>
    /// <item>buffers have the shape of the tensors written to them, and the output buffer ends up holding the output.</item>
    /// </list>
    /// The layers a step covers are read from its title ("… [layers 3 'b1.conv1', 4 'b1.bn1', 5 '5']").
    /// </summary>
    internal static class PlanSimulator
    {
        private static readonly Regex LayersList = new(@"\[layers ([^\]]*)\]", RegexOptions.Compiled);
        private static readonly Regex LayerIndex = new(@"(\d+) '", RegexOptions.Compiled);

        /// <summary>The layer indices a step covers, in order.</summary>
        public static IReadOnlyList<int> CoveredLayers(StepPlan step)
        {
            Match list = LayersList.Match(step.Title);
            if (!list.Success) throw new InvalidOperationException($"step {step.Id} title has no layer list: {step.Title}");
            return LayerIndex.Matches(list.Groups[1].Value).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        }

        /// <summary>The tensor (layer index, −1 the input) <paramref name="node"/> stands for, looking through Dropout.</summary>
        public static int Resolve(GraphNet graph, int node)
        {
            // Dropout, and Flatten of a tensor that is already flat, compute nothing: their output is their input's tensor.
            while (node >= 0 && (graph.Nodes[node].Kind == LayerKind.Dropout ||
                   (graph.Nodes[node].Kind == LayerKind.Flatten && graph.ShapeOf(graph.Nodes[node].Inputs[0]).IsFlat)))
                node = graph.Nodes[node].Inputs[0];
            return node;
        }

        /// <summary>Operand slots reading each tensor (Dropout looked through), plus one for the network output.</summary>
        public static Dictionary<int, int> ReadCounts(GraphNet graph)
        {
            var counts = new Dictionary<int, int>();
            foreach (GraphNode node in graph.Nodes.Where(n => n.Kind != LayerKind.Dropout))
                foreach (int input in node.Inputs)
                {
                    int source = Resolve(graph, input);
                    counts[source] = counts.GetValueOrDefault(source) + 1;
                }
            int output = Resolve(graph, graph.ResolvedOutput);
            counts[output] = counts.GetValueOrDefault(output) + 1;
            return counts;
        }

        /// <summary>What a step reads: (buffer, tensor it must hold) for Input and SecondInput.</summary>
        private static List<(string Buffer, int Tensor)> ExpectedReads(GraphNet graph, StepPlan step, IReadOnlyList<int> covered)
        {
            int head = covered[0];
            var operands = graph.Nodes[head].Inputs.Select(i => Resolve(graph, i)).ToList();
            var reads = new List<(string, int)>();
            switch (step.Kind)
            {
                case StepKind.CatSlice:
                {
                    int offset = 0, k = 0;
                    while (offset < step.ChannelOffset) offset += graph.ShapeOf(operands[k++]).Channels;
                    if (offset != step.ChannelOffset) throw new InvalidOperationException($"step {step.Id}: channel offset {step.ChannelOffset} is not an operand boundary");
                    reads.Add((step.Input, operands[k]));
                    break;
                }
                case StepKind.Add:
                case StepKind.Mul:
                    reads.Add((step.Input, operands[0]));
                    reads.Add((step.SecondInput ?? throw new InvalidOperationException($"step {step.Id} {step.Kind} has no second input"), operands[1]));
                    break;
                default:
                    if (step.InputScale is not null)
                    {
                        // A squeeze-excite Mul fused into the convolution's input loads: it reads the Mul's two operands.
                        if (graph.Nodes[head].Kind != LayerKind.Mul) throw new InvalidOperationException($"step {step.Id} scales its input but covers no Mul first");
                        reads.Add((step.Input, operands[0]));
                        reads.Add((step.InputScale, operands[1]));
                        break;
                    }
                    reads.Add((step.Input, operands[0]));
                    if (step.SecondInput is not null)
                    {
                        // A residual Add fused into a conv epilogue: its other operand is the one not produced by the chain.
                        int addAt = covered.ToList().FindIndex(c => graph.Nodes[c].Kind == LayerKind.Add);
                        if (addAt < 1) throw new InvalidOperationException($"step {step.Id} reads a second input but covers no Add");
                        int previous = covered[addAt - 1];
                        var addOperands = graph.Nodes[covered[addAt]].Inputs.Select(i => Resolve(graph, i)).ToList();
                        reads.Add((step.SecondInput, addOperands[0] == previous ? addOperands[1] : addOperands[0]));
                    }
                    break;
            }
            return reads;
        }

        /// <summary>Every violation found in <paramref name="path"/> (empty when the path is sound).</summary>
        public static List<string> Check(NetworkPlan plan, PathPlan path, GraphNet graph)
        {
            var errors = new List<string>();
            var buffers = plan.Buffers.ToDictionary(b => b.Name);
            Dictionary<int, int> readCounts = ReadCounts(graph);
            var steps = path.Steps.ToList();
            var covered = steps.Select(CoveredLayers).ToList();
            var reads = steps.Select((s, k) => ExpectedReads(graph, s, covered[k])).ToList();
            // A convolution that writes straight into its channel slice of a Cat (no CatSlice copy) also does that Cat's
            // part for this operand: it covers the Cat, and the buffer holds the Cat's tensor under construction.
            for (int k = 0; k < steps.Count; k++)
            {
                StepPlan step = steps[k];
                if (step.Kind != StepKind.Conv || buffers[step.Output].Shape.Channels == step.OutputShape.Channels) continue;
                int producedHere = covered[k][^1];
                GraphNode? cat = graph.Nodes.FirstOrDefault(n => n.Kind == LayerKind.Cat && n.Inputs.Select(i => Resolve(graph, i)).Contains(producedHere));
                if (cat is null) { errors.Add($"{path.Name} step {k}: writes into a wider buffer {step.Output} but feeds no Cat"); continue; }
                var operands = cat.Inputs.Select(i => Resolve(graph, i)).ToList();
                int offset = operands.TakeWhile(o => o != producedHere).Sum(o => graph.ShapeOf(o).Channels);
                if (offset != step.ChannelOffset)
                    errors.Add($"{path.Name} step {k}: writes at channel {step.ChannelOffset}, its operand of Cat {cat.Index} starts at {offset}");
                if (readCounts.GetValueOrDefault(producedHere) != 1)
                    errors.Add($"{path.Name} step {k}: writes its tensor {producedHere} only into the Cat, but it has other readers");
                covered[k] = covered[k].Append(cat.Index).ToList();
            }
            int output = Resolve(graph, graph.ResolvedOutput);

            // Which tensor each buffer holds; a CatSlice writes part of its output, the tensor "under construction".
            var holds = new Dictionary<string, int> { [path.InputBuffer] = GraphNet.In };
            if (buffers[path.InputBuffer].Shape != ToShape(graph.InputShape))
                errors.Add($"input buffer {path.InputBuffer} has shape {buffers[path.InputBuffer].Shape}, the input is {graph.InputShape}");

            for (int k = 0; k < steps.Count; k++)
            {
                StepPlan step = steps[k];
                string where = $"{path.Name} step {k} ({step.Title})";
                foreach ((string buffer, int tensor) in reads[k])
                {
                    if (!holds.TryGetValue(buffer, out int held))
                        errors.Add($"{where}: reads {buffer}, which holds nothing yet (wants tensor {tensor})");
                    else if (held != tensor)
                        errors.Add($"{where}: reads {buffer} for tensor {tensor}, but it holds tensor {held} (overwritten too early)");
                }

                int produced = covered[k][^1];
                bool inPlace = step.Output == step.Input;
                if (inPlace)
                {
                    if (step.Kind is not (StepKind.Activation or StepKind.ScaleShift or StepKind.Add or StepKind.Mul))
                        errors.Add($"{where}: a {step.Kind} step writes the buffer it reads");
                    int overwritten = reads[k][0].Tensor;
                    if (readCounts.GetValueOrDefault(overwritten) != 1)
                        errors.Add($"{where}: in place over tensor {overwritten}, which has {readCounts.GetValueOrDefault(overwritten)} readers (output counted)");
                    if (step.SecondInput == step.Output)
                        errors.Add($"{where}: in place, but its second input is the same buffer");
                }
                else if (step.Reads.Contains(step.Output))
                {
                    errors.Add($"{where}: writes {step.Output}, which it also reads");
                }

                // Liveness: the tensor being replaced in the output buffer must not be read by a later step nor be the output.
                if (holds.TryGetValue(step.Output, out int replaced) && replaced != produced)
                {
                    int laterReader = Enumerable.Range(k + 1, steps.Count - k - 1).FirstOrDefault(j => reads[j].Any(r => r.Tensor == replaced), -1);
                    if (laterReader >= 0)
                        errors.Add($"{where}: overwrites {step.Output} holding tensor {replaced}, which step {laterReader} still reads");
                    if (replaced == output)
                        errors.Add($"{where}: overwrites {step.Output} holding the network output tensor {replaced}");
                }
                holds[step.Output] = produced;

                // Shapes and borders.
                Shape written = ToShape(graph.ShapeOf(produced));
                if (buffers[step.Output].Shape != written)
                    errors.Add($"{where}: writes tensor {produced} {written} into {step.Output} of shape {buffers[step.Output].Shape}");
                if (step.Kind == StepKind.Conv && buffers[step.Input].Border < step.Padding)
                    errors.Add($"{where}: padding {step.Padding} but {step.Input} has border {buffers[step.Input].Border}");
            }

            if (!holds.TryGetValue(path.OutputBuffer, out int final) || final != output)
                errors.Add($"{path.Name}: output buffer {path.OutputBuffer} holds tensor {(holds.TryGetValue(path.OutputBuffer, out int f) ? f : int.MinValue)}, the output is {output}");
            // Every layer that computes something is covered exactly once.
            var coverCount = covered.SelectMany(c => c.Distinct()).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
            foreach (GraphNode node in graph.Nodes)
            {
                bool noStep = node.Kind == LayerKind.Dropout || (node.Kind == LayerKind.Flatten && graph.ShapeOf(node.Inputs[0]).IsFlat);
                int expected = node.Kind == LayerKind.Cat ? node.Inputs.Count : noStep ? 0 : 1;
                if (coverCount.GetValueOrDefault(node.Index) != expected)
                    errors.Add($"{path.Name}: layer {node.Index} ({node.Kind}) is covered by {coverCount.GetValueOrDefault(node.Index)} steps, expected {expected}");
            }
            return errors;
        }

        public static Shape ToShape(Reference.RefShape shape) =>
            shape.IsFlat ? Shape.Flat(shape.Channels) : Shape.Spatial(shape.Channels, shape.Height, shape.Width);

        /// <summary>Both paths; throws with every violation and the graph when any path is unsound.</summary>
        public static void AssertSound(NetworkPlan plan, GraphNet graph, string label)
        {
            var errors = Check(plan, plan.Fused, graph).Concat(Check(plan, plan.Unfused, graph)).ToList();
            Assert.True(errors.Count == 0, $"{label}: {errors.Count} plan violation(s):\n  " + string.Join("\n  ", errors.Take(20)) + "\n" + graph.Describe());
        }
    }
}
