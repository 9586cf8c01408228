using System.Globalization;
using FusedNet.Generator.Model;

namespace FusedNet.Generator.Emit
{
    /// <summary>A vector width the kernels are emitted for: the type name, the lanes and the method suffix.</summary>
    internal sealed record VectorWidth(string TypeName, int Lanes, string Suffix)
    {
        public static readonly VectorWidth V256 = new VectorWidth("global::System.Runtime.Intrinsics.Vector256", 8, "V256");
        public static readonly VectorWidth V512 = new VectorWidth("global::System.Runtime.Intrinsics.Vector512", 16, "V512");

        /// <summary>The generic vector type, e.g. Vector256&lt;float&gt;.</summary>
        public string Of => TypeName + "<float>";
        public string Load(string reference, string offset) => $"{TypeName}.LoadUnsafe(ref {reference}, (nuint)({offset}))";
        public string Store(string value, string reference, string offset) => $"{TypeName}.StoreUnsafe({value}, ref {reference}, (nuint)({offset}));";
        public string Broadcast(string value) => $"{TypeName}.Create({value})";
        public string Fma(string a, string b, string c) => $"{TypeName}.FusedMultiplyAdd({a}, {b}, {c})";

        /// <summary>Register-block shape of the output-vector convolution: (pixels, vectors) for a number of vectors available.</summary>
        /// <remarks>
        /// Accumulators R·J plus J weight vectors plus one broadcast must fit the register file:
        /// 16 registers for AVX2 (Vector256 code may run on machines without AVX-512), 32 with AVX-512.
        /// </remarks>
        public (int Pixels, int Vectors) ConvBlock(int vectorsAvailable)
        {
            if (Lanes == 8)
                return vectorsAvailable >= 2 ? (6, 2) : (12, 1);
            return vectorsAvailable switch
            {
                >= 4 => (6, 4),
                3 => (8, 3),
                2 => (12, 2),
                _ => (14, 1),
            };
        }
    }

    internal static class Code
    {
        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
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
            const string ns = "global::FusedNet.Kernels.";
            return activation.Kind switch
            {
                LayerKind.ReLU => $"{ns}ReluOp.Invoke({value})",
                LayerKind.ReLU6 => $"{ns}Relu6Op.Invoke({value})",
                LayerKind.Sigmoid => $"{ns}SigmoidOp.Invoke({value})",
                LayerKind.Tanh => $"{ns}TanhOp.Invoke({value})",
                LayerKind.SiLU => $"{ns}SiluOp.Invoke({value})",
                LayerKind.Hardswish => $"{ns}HardswishOp.Invoke({value})",
                LayerKind.Hardsigmoid => $"{ns}HardsigmoidOp.Invoke({value})",
                LayerKind.GELU => activation.Approximate ? $"{ns}GeluTanhOp.Invoke({value})" : $"{ns}GeluOp.Invoke({value})",
                LayerKind.LeakyReLU => $"{ns}LeakyReluOp.Invoke({value}, {Float(activation.Parameter)})",
                LayerKind.ELU => $"{ns}EluOp.Invoke({value}, {Float(activation.Parameter)})",
                _ => value,
            };
        }

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
