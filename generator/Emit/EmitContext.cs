using FusedNet.Generator.Catalog;
using System.Globalization;
using System.Linq;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;

namespace FusedNet.Generator.Emit
{
    /// <summary>A vector width the kernels are emitted for: the type name, the lanes and the method suffix.</summary>
    internal sealed record VectorWidth(string TypeName, int Lanes, string Suffix)
    {
        public static readonly VectorWidth V128 = new VectorWidth("Vector128", 4, "V128");
        public static readonly VectorWidth V256 = new VectorWidth("Vector256", 8, "V256");
        public static readonly VectorWidth V512 = new VectorWidth("Vector512", 16, "V512");

        /// <summary>The generic vector type, e.g. Vector256&lt;float&gt;.</summary>
        public string Of => TypeName + "<float>";
        public string Load(string reference, string offset) => offset == "0"
            ? $"{TypeName}.LoadUnsafe(ref {reference})"
            : $"{TypeName}.LoadUnsafe(ref {reference}, {ElementOffset(offset)})";
        public string Store(string value, string reference, string offset) => offset == "0"
            ? $"{TypeName}.StoreUnsafe({value}, ref {reference});"
            : $"{TypeName}.StoreUnsafe({value}, ref {reference}, {ElementOffset(offset)});";

        /// <summary>A literal converts to nuint as it is; an expression is cast (it is never negative).</summary>
        private static string ElementOffset(string offset) =>
            offset.All(char.IsDigit) ? offset : offset.All(c => char.IsLetterOrDigit(c) || c == '_') ? $"(nuint){offset}" : $"(nuint)({offset})";
        public string Broadcast(string value) => $"{TypeName}.Create({value})";
        /// <summary>
        /// a·b + c. Vector256/Vector512 kernels run only where AVX2/AVX-512 are accelerated, which implies FMA, so
        /// they fuse. Vector128 kernels also serve x86-64 CPUs (and NativeAOT builds) without FMA, where a true
        /// FusedMultiplyAdd would be a per-lane software call: MultiplyAddEstimate fuses where the CPU can (FMA,
        /// ARM64 NEON) and multiplies then adds where it cannot.
        /// </summary>
        public string Fma(string a, string b, string c) => Lanes == 4
            ? $"{TypeName}.MultiplyAddEstimate({a}, {b}, {c})"
            : $"{TypeName}.FusedMultiplyAdd({a}, {b}, {c})";

        /// <summary>
        /// Vector registers the kernels may use: 32 with AVX-512 (EVEX), 16 for Vector256 code that must also run on
        /// AVX2 and for Vector128 code that must also run on SSE (ARM64 NEON has 32; 16 is the common bound).
        /// </summary>
        public int Registers => Lanes == 16 ? 32 : 16;

        /// <summary>
        /// Registers a multiply-accumulate step needs beside the accumulators and the weight vectors: the broadcast
        /// input, plus, for Vector128 code, the product of a separate multiply and add (CPUs without FMA). One more
        /// live value than the file holds spills an accumulator, and its store-to-load round trip then serialises the
        /// whole reduction loop (measured: 4× slower V128 kernels with R·J = 12).
        /// </summary>
        public int TemporaryRegisters => Lanes == 4 ? 2 : 1;

        /// <summary>
        /// Loads (broadcasts of inputs and weight vectors) a core sustains per cycle beside two FMAs, for the block cost model.
        /// Vector256 code runs on AVX2-only CPUs: on Zen 3 a loop of 14 broadcasts + 1 weight load + 14 FMAs ran at 70% of
        /// the FMA peak (about 1.5 loads per cycle) where 6 broadcasts + 2 loads + 12 FMAs ran at the peak
        /// (bench/README "The AVX2 machine"). Vector512 code runs on AVX-512 CPUs (Zen 4/5, Intel server), which sustain 2;
        /// Vector128 keeps 2 too (not measured otherwise; its extra temporary register already limits its blocks).
        /// </summary>
        public double LoadsPerCycle => Lanes == 8 ? 1.5 : 2.0;

        /// <summary>
        /// Register-block shape (pixels R × output-channel vectors J) of the output-vector convolution for a row of
        /// <paramref name="outWidth"/> pixels and <paramref name="vectors"/> vectors of output channels.
        /// </summary>
        /// <remarks>
        /// R·J accumulators + J weight vectors + the temporaries (<see cref="TemporaryRegisters"/>) must fit the register file. Among the shapes that fit,
        /// pick the one with the fewest estimated cycles per input-channel step over the whole row: a block costs
        /// max(R·J / 2 FMAs per cycle, (R + J) / <see cref="LoadsPerCycle"/>, 4 cycles of FMA latency) plus one cycle of loop
        /// overhead, so tail blocks with
        /// few accumulators are what a good shape avoids (e.g. 56 pixels: 7 blocks of 8, not 9 of 6 plus 2).
        /// </remarks>
        /// <summary>
        /// The register block's pixels when its vectors are fixed (a conv with Maxout in its epilogue: one block holds the
        /// <paramref name="vectors"/> pieces of one vector of outputs): the cheapest R by the same cost model, within the registers.
        /// </summary>
        public int ConvBlockPixels(int outWidth, int vectors)
        {
            int best = 1;
            double bestCost = double.MaxValue;
            for (int r = 1; r <= System.Math.Min(outWidth, 16); r++)
            {
                if (r * vectors + vectors + TemporaryRegisters > Registers) continue;
                double cost = RowCost(outWidth, r, vectors, vectors);
                if (cost < bestCost - 1e-9 || (System.Math.Abs(cost - bestCost) < 1e-9 && r > best))
                {
                    best = r;
                    bestCost = cost;
                }
            }
            return best;
        }

        public (int Pixels, int Vectors) ConvBlock(int outWidth, int vectors)
        {
            (int, int) best = (1, 1);
            double bestCost = double.MaxValue;
            for (int j = 1; j <= System.Math.Min(vectors, 4); j++)
                for (int r = 1; r <= System.Math.Min(outWidth, 16); r++)
                {
                    if (r * j + j + TemporaryRegisters > Registers) continue;
                    double cost = RowCost(outWidth, r, vectors, j);
                    // Ties go to the larger block (more reuse of each loaded weight and input).
                    if (cost < bestCost - 1e-9 || (System.Math.Abs(cost - bestCost) < 1e-9 && r * j > best.Item1 * best.Item2))
                    {
                        best = (r, j);
                        bestCost = cost;
                    }
                }
            return best;
        }

        private double RowCost(int outWidth, int r, int vectors, int j)
        {
            double total = 0;
            foreach ((int blocksR, int sizeR) in Split(outWidth, r))
                foreach ((int blocksJ, int sizeJ) in Split(vectors, j))
                    total += blocksR * blocksJ * (System.Math.Max(System.Math.Max(sizeR * sizeJ / 2.0, (sizeR + sizeJ) / LoadsPerCycle), 4.0) + 1.0);
            return total;
        }

        /// <summary>n items in blocks of b: (full blocks, b) and (1, remainder) when there is one.</summary>
        private static (int Count, int Size)[] Split(int n, int b) =>
            n % b == 0 ? new[] { (n / b, b) } : new[] { (n / b, b), (1, n % b) };
    }

    internal static class Code
    {
        /// <summary>
        /// Opens a kernel method: never inlined (each is a large loop nest) and compiled fully optimised at once,
        /// so the first Forward does not run tier-0 code.
        /// </summary>
        public static void OpenKernel(SourceWriter w, string signature)
        {
            w.Line("[MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]");
            w.Open(signature);
        }

        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// The one offset helper: the float offset of pixel (<paramref name="row"/>, <paramref name="column"/>) (interior
        /// coordinates) of an NHWC buffer, with its border and strides as literals and no "+ 0" or "* 1" noise.
        /// </summary>
        public static string PixelOffset(BufferPlan buffer, string row, string column) =>
            Product(Sum(Product(Sum(row, Int(buffer.Border)), Int(buffer.PaddedWidth)), column, Int(buffer.Border)), Int(buffer.ChannelStride));

        /// <summary>The terms joined with " + ", literal zeros dropped ("0" if nothing is left).</summary>
        public static string Sum(params string[] terms)
        {
            var kept = terms.Where(t => t != "0").ToList();
            return kept.Count == 0 ? "0" : string.Join(" + ", kept);
        }

        /// <summary>a · b with a literal 1 dropped, 0 folded, and a sum in parentheses.</summary>
        public static string Product(string a, string b)
        {
            if (a == "0" || b == "0") return "0";
            if (b == "1") return a;
            if (a == "1") return b;
            return $"{Parenthesise(a)} * {Parenthesise(b)}";
        }

        private static string Parenthesise(string term) => term.Contains(" + ") || term.Contains(" - ") ? $"({term})" : term;
        public static string Long(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A float literal that round-trips, e.g. 0.1f, 1E-05f.</summary>
        public static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

        /// <summary>A C# string literal with everything escaped.</summary>
        public static string String(string value)
        {
            var text = new System.Text.StringBuilder("\"");
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': text.Append("\\\""); break;
                    case '\\': text.Append("\\\\"); break;
                    default:
                        if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029' || char.IsSurrogate(c)) text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else text.Append(c);
                        break;
                }
            }
            return text.Append('"').ToString();
        }

        /// <summary>Text safe inside a // comment or XML doc line (no line breaks, no XML specials).</summary>
        public static string Comment(string value)
        {
            var text = new System.Text.StringBuilder();
            foreach (char c in value)
            {
                // Line breaks and other control characters would end the comment or make the XML doc invalid.
                if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029' || char.IsSurrogate(c)) text.Append(' ');
                else if (c == '<') text.Append("&lt;");
                else if (c == '>') text.Append("&gt;");
                else if (c == '&') text.Append("&amp;");
                else text.Append(c);
            }
            return text.ToString();
        }

        /// <summary>The activation operator call on <paramref name="value"/> (scalar or vector: the operators overload both).</summary>
        public static string Activate(ActivationPlan? activation, string value)
        {
            if (activation is null) return value;
            // The operator structs (FusedNet.Kernels) overload scalar and vector forms; the catalogue names them.
            string op = LayerCatalog.OperatorOf(activation);
            return LayerCatalog.Of(activation.Kind).OperatorTakesParameter
                ? $"{op}.Invoke({value}, {Float(activation.Parameter)})"
                : $"{op}.Invoke({value})";
        }

        /// <summary>
        /// The epilogue applied to <paramref name="value"/>: each activation wraps it, an AddSecondInput adds
        /// <paramref name="second"/> (the value at the same position of the step's second input).
        /// </summary>
        public static string Epilogue(EquatableArray<EpilogueOp> epilogue, string value, string? second)
        {
            foreach (EpilogueOp op in epilogue)
            {
                if (op.AddSecondInput)
                    value = $"{value} + {second ?? throw new System.InvalidOperationException("an epilogue adds a second input the step does not read")}";
                else
                    value = Activate(op.Activation, value);
            }
            return value;
        }

        /// <summary>"ReLU", "add residual, then ReLU", "none": the epilogue for comments.</summary>
        public static string EpilogueName(EquatableArray<EpilogueOp> epilogue) => epilogue.Count == 0
            ? "none"
            : string.Join(", then ", epilogue.Select(op => op.AddSecondInput ? "add residual" : ActivationName(op.Activation)));

        public static string ActivationName(ActivationPlan? activation) => activation is null
            ? "none"
            : activation.Kind switch
            {
                LayerKind.LeakyReLU => $"LeakyReLU({Float(activation.Parameter)})",
                LayerKind.ELU => $"ELU({Float(activation.Parameter)})",
                LayerKind.GELU => activation.Approximate ? "GELU(tanh)" : "GELU(erf)",
                _ => activation.Kind.ToString(),
            };
    }
}
