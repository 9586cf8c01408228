using System;

namespace FusedNet.Tests.Reference
{
    /// <summary>Scalar double-precision functions the reference needs and .NET does not provide.</summary>
    public static class ReferenceMath
    {
        private static readonly double TwoOverSqrtPi = 2.0 / Math.Sqrt(Math.PI);

        /// <summary>The error function in double precision, accurate to a few 1e-16 absolute.</summary>
        /// <remarks>
        /// Below |x| = 1.5: erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·5···(2n+1)), whose terms are all
        /// positive, so no digits are lost to cancellation (the Taylor series alternates). From 1.5 on:
        /// erf = 1 − erfc with erfc from its continued fraction, so the absolute error is that of 1 − tiny.
        /// </remarks>
        public static double Erf(double x)
        {
            if (double.IsNaN(x)) return double.NaN;
            double a = Math.Abs(x);
            double result = a < 1.5 ? ErfSeries(a) : 1.0 - ErfcContinuedFraction(a);
            return x < 0 ? -result : result;
        }

        private static double ErfSeries(double a)
        {
            double twoASquared = 2.0 * a * a;
            double term = a;
            double sum = a;
            for (int n = 1; n < 200 && term > sum * 1e-17; n++)
            {
                term *= twoASquared / (2 * n + 1);
                sum += term;
            }
            return TwoOverSqrtPi * Math.Exp(-a * a) * sum;
        }

        /// <summary>
        /// erfc(a) = e^(−a²)/√π · 1/(a + (1/2)/(a + (2/2)/(a + (3/2)/(a + …)))), for a ≥ 1.5,
        /// evaluated with the modified Lentz method (about 90 steps at a = 1.5, fewer beyond).
        /// </summary>
        private static double ErfcContinuedFraction(double a)
        {
            if (a > 27.0) return 0.0; // e^(−a²) underflows
            const double Tiny = 1e-300;
            double f = a, c = a, d = 0.0;
            for (int n = 1; n < 5000; n++)
            {
                double numerator = n / 2.0;
                d = a + numerator * d;
                d = Math.Abs(d) < Tiny ? 1.0 / Tiny : 1.0 / d;
                c = a + numerator / c;
                if (Math.Abs(c) < Tiny) c = Tiny;
                double delta = c * d;
                f *= delta;
                if (Math.Abs(delta - 1.0) < 1e-16) break;
            }
            return Math.Exp(-a * a) / (Math.Sqrt(Math.PI) * f);
        }

        public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

        /// <summary>min(max(x, 0), 6), PyTorch's ReLU6 / Hardtanh(0, 6).</summary>
        public static double Relu6(double x) => Math.Min(Math.Max(x, 0.0), 6.0);

        /// <summary>nn.GELU(approximate='none'): x · Φ(x) with Φ(x) = ½(1 + erf(x/√2)).</summary>
        public static double GeluErf(double x) => 0.5 * x * (1.0 + Erf(x / Math.Sqrt(2.0)));

        /// <summary>nn.GELU(approximate='tanh'): ½x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
        public static double GeluTanh(double x) =>
            0.5 * x * (1.0 + Math.Tanh(Math.Sqrt(2.0 / Math.PI) * (x + 0.044715 * x * x * x)));
    }
}
