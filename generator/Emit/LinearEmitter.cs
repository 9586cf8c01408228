using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using static FusedNet.Generator.Emit.Code;

namespace FusedNet.Generator.Emit
{
    /// <summary>
    /// Emits Linear steps as a vectorised matrix–vector product: each input feature is broadcast and
    /// multiplied by the weights of V outputs (weights packed [outVector][in][V]). With few output vectors
    /// the reduction is split over several accumulator chains so FMA latency does not serialise it.
    /// </summary>
    internal static class LinearEmitter
    {
        public static void EmitKernel(SourceWriter w, string method, StepPlan step, VectorWidth v)
        {
            int inFeatures = step.InputShape.Channels;
            // With Maxout(k) in the epilogue the k pieces of each vector of outputs are k consecutive vectors (interleaved by
            // WeightPacking.InterleaveMaxoutPieces): a block is exactly those k vectors.
            int pieces = System.Math.Max(1, step.MaxoutPieces);
            int outVectors = (step.OutputShape.Channels + v.Lanes - 1) / v.Lanes * pieces;
            int vectors = pieces > 1 ? pieces : System.Math.Min(4, outVectors);
            int fullBlocks = outVectors / vectors * vectors;
            int units = RowRange.Rows(step);
            OpenKernel(w, $"public static void {method}(ref float input, ref float output, ref float weights, ref float bias" +
                          (units > 0 ? ", " + string.Join(", ", RowRange.Parameters) : "") + ")");
            w.Line($"// {Int(outVectors)} output vector(s) of {v.Lanes}, blocks of {Int(vectors)}; {Int(inFeatures)} input features" +
                   (pieces > 1 ? $"; Maxout({pieces}): each block's vectors are the pieces of one vector of outputs." : "."));
            if (units == 0)
            {
                EmitBlocks(w, step, v, "0", Int(fullBlocks), vectors, fullBlocks, outVectors, inFeatures, remainderIf: null);
                w.Close();
                return;
            }
            // Units of 64 outputs are whole blocks (a multiple of 4 vectors at every width): threads share the outputs.
            int unitVectors = RowRange.LinearUnitOutputs / v.Lanes;
            w.Line($"// Output units [rowBegin, rowEnd) of {Int(units)}, {Int(RowRange.LinearUnitOutputs)} outputs ({Int(unitVectors)} vectors) each.");
            w.Line($"int vectorBegin = rowBegin * {Int(unitVectors)}, vectorEnd = System.Math.Min(rowEnd * {Int(unitVectors)}, {Int(fullBlocks)});");
            EmitBlocks(w, step, v, "vectorBegin", "vectorEnd", vectors, fullBlocks, outVectors, inFeatures,
                       remainderIf: $"rowBegin * {Int(unitVectors)} <= {Int(fullBlocks)} && rowEnd * {Int(unitVectors)} > {Int(fullBlocks)}");
            w.Close();
        }

        /// <summary>The full blocks from <paramref name="begin"/> to <paramref name="end"/>, then the remaining vectors (when the range holds them).</summary>
        private static void EmitBlocks(SourceWriter w, StepPlan step, VectorWidth v, string begin, string end, int vectors, int fullBlocks,
                                       int outVectors, int inFeatures, string? remainderIf)
        {
            if (fullBlocks > 0)
            {
                w.Open($"for (int vb = {begin}; vb < {end}; vb += {Int(vectors)})");
                EmitBlock(w, step, v, vectors, inFeatures);
                w.Close();
            }
            if (outVectors > fullBlocks)
            {
                w.Open(remainderIf is null ? null : $"if ({remainderIf})");
                w.Line($"const int vb = {Int(fullBlocks)}; // remaining {Int(outVectors - fullBlocks)} vector(s)");
                EmitBlock(w, step, v, outVectors - fullBlocks, inFeatures);
                w.Close();
            }
        }

        private static void EmitBlock(SourceWriter w, StepPlan step, VectorWidth v, int vectors, int inFeatures)
        {
            // Independent accumulator chains per output vector: enough to cover FMA latency.
            int chains = vectors >= 4 ? 1 : vectors == 3 ? 1 : vectors == 2 ? 2 : 4;
            chains = System.Math.Max(1, System.Math.Min(chains, inFeatures));
            int mainLength = inFeatures / chains * chains;
            for (int j = 0; j < vectors; j++)
            {
                w.Line($"ref float w{j} = ref Unsafe.Add(ref weights, {Product(Sum("vb", Int(j)), Int(inFeatures * v.Lanes))});");
                w.Line($"{v.Of} acc{j}_0 = {v.Load("bias", Product(Sum("vb", Int(j)), Int(v.Lanes)))};");
                for (int c = 1; c < chains; c++) w.Line($"{v.Of} acc{j}_{c} = {v.Of}.Zero;");
            }
            w.Open($"for (int i = 0; i < {Int(mainLength)}; i += {Int(chains)})");
            for (int c = 0; c < chains; c++)
            {
                w.Line($"{v.Of} x{c} = {v.Broadcast($"Unsafe.Add(ref input, {Sum("i", Int(c))})")};");
                for (int j = 0; j < vectors; j++)
                    w.Line($"acc{j}_{c} = {v.Fma($"x{c}", v.Load($"w{j}", Product(Sum("i", Int(c)), Int(v.Lanes))), $"acc{j}_{c}")};");
            }
            w.Close();
            if (inFeatures > mainLength)
            {
                w.Open($"for (int i = {Int(mainLength)}; i < {Int(inFeatures)}; i++)");
                w.Line($"{v.Of} x = {v.Broadcast("Unsafe.Add(ref input, i)")};");
                for (int j = 0; j < vectors; j++)
                    w.Line($"acc{j}_0 = {v.Fma("x", v.Load($"w{j}", $"i * {v.Lanes}"), $"acc{j}_0")};");
                w.Close();
            }
            if (step.MaxoutPieces > 1)
            {
                string maximum = Chains(0);
                for (int j = 1; j < vectors; j++) maximum = $"{v.TypeName}.Max({maximum}, {Chains(j)})";
                w.Line($"// Epilogue: sum the chains, Maxout over the {Int(vectors)} pieces, {EpilogueName(step.Epilogue)}, one store.");
                w.Line(v.Store(Epilogue(step.Epilogue, maximum, null), "output", $"vb / {Int(vectors)} * {Int(v.Lanes)}"));
                return;
            }
            string Chains(int j)
            {
                string total = $"acc{j}_0";
                for (int c = 1; c < chains; c++) total = $"({total} + acc{j}_{c})";
                return total;
            }
            w.Line($"// Epilogue: sum the chains, {EpilogueName(step.Epilogue)}, store.");
            for (int j = 0; j < vectors; j++)
            {
                string sum = $"acc{j}_0";
                for (int c = 1; c < chains; c++) sum = $"({sum} + acc{j}_{c})";
                w.Line(v.Store(Epilogue(step.Epilogue, sum, null), "output", Product(Sum("vb", Int(j)), Int(v.Lanes))));
            }
        }
    }
}
