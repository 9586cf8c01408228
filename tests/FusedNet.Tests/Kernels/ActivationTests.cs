using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Text;
using FusedNet.Kernels;
using Xunit.Abstractions;

namespace FusedNet.Tests.Kernels
{
    /// <summary>
    /// Every activation operator and VectorMath function, in its scalar, Vector256 and Vector512 form, against a
    /// double-precision reference (<see cref="ActivationReference"/>), on a dense grid, random values, tiny and
    /// subnormal values, ±0, ±∞, NaN and the clamp edges. A result passes when
    /// |actual − reference| ≤ Absolute + Ulps·ulp(reference), where ulp(y) is float's spacing at |y|.
    /// Each case states its tolerance and why. NaN must give NaN and ±∞ must give exactly ±∞.
    /// The Vector512 form is tested even where it is not hardware-accelerated: its software fallback must be right too.
    /// </summary>
    public sealed class ActivationTests
    {
        private readonly ITestOutputHelper _output;

        public ActivationTests(ITestOutputHelper output) => _output = output;

        /// <summary>Allowed error: Absolute + Ulps·ulp(reference).</summary>
        public readonly record struct Tolerance(double Absolute, double Ulps, string Reason);

        public sealed record Case(string Name, Func<float, float> Scalar, Func<Vector256<float>, Vector256<float>> Vector256Form,
            Func<Vector512<float>, Vector512<float>> Vector512Form, Func<double, double> Reference, Tolerance Tolerance);

        private const double SmallestNormal = 1.1754943508222875e-38;   // 2^-126

        private static readonly Tolerance Exact = new(0, 0, "comparisons and selects only, nothing rounds: bit-exact");

        private static Case Of<TOp>(string name, Func<double, double> reference, Tolerance tolerance)
            where TOp : struct, IActivationOperator
            => new(name, x => TOp.Invoke(x), x => TOp.Invoke(x), x => TOp.Invoke(x), reference, tolerance);

        private static readonly Case[] Cases = BuildCases();

        private static Case[] BuildCases()
        {
            var cases = new List<Case>
            {
                // ---- VectorMath ----
                new("VectorMath.Exp", VectorMath.Exp, VectorMath.Exp, VectorMath.Exp, Math.Exp,
                    new(0, 2, "degree-6 polynomial (1e-8) plus ~4 float roundings; measured ≤ 0.9 ulp")),
                new("VectorMath.ExpM1", VectorMath.ExpM1, VectorMath.ExpM1, VectorMath.ExpM1, ActivationReference.ExpM1,
                    new(0, 2, "exp's error plus one rounding of (e^r − 1) + (1 − 2^−k); measured ≤ 1.0 ulp")),
                new("VectorMath.Tanh", VectorMath.Tanh, VectorMath.Tanh, VectorMath.Tanh, ActivationReference.Tanh,
                    new(0, 3, "expm1 (≤ 2 ulp) then m/(m + 2): two more roundings; measured ≤ 2.2 ulp")),
                new("VectorMath.Erf", VectorMath.Erf, VectorMath.Erf, VectorMath.Erf, ActivationReference.Erf,
                    new(1.2e-7, 3, "1 − e^(−a²)·R(1/a) is bounded in absolute terms (one ulp of 1 is 1.2e-7); "
                        + "a·P(a²) below |x| = 1 is relative; measured ≤ 8.3e-8 abs, ≤ 2 ulp below |x| = 1")),

                // ---- piecewise-linear ----
                Of<IdentityOp>("Identity", x => x, Exact),
                Of<ReluOp>("ReLU", ActivationReference.Relu, Exact),
                Of<Relu6Op>("ReLU6", ActivationReference.Relu6, Exact),
                Of<HardsigmoidOp>("Hardsigmoid", ActivationReference.Hardsigmoid,
                    new(0, 2, "x + 3 and ·(1/6) each round once, 1/6 itself is rounded: ≤ 1.5 ulp")),
                Of<HardswishOp>("Hardswish", ActivationReference.Hardswish,
                    new(0, 3, "hardsigmoid (≤ 1.5 ulp) times x, one more rounding")),

                // ---- exponential ----
                Of<SigmoidOp>("Sigmoid", ActivationReference.Sigmoid,
                    new(SmallestNormal, 4, "exp (≤ 2 ulp), 1 + e and the division each round once; below x ≈ −87 the "
                        + "result is subnormal and below −88.7 e^−x overflows to ∞, so 0 comes out: absolute 2^-126")),
                Of<SiluOp>("SiLU", ActivationReference.Silu,
                    new(3e-37, 4, "as sigmoid; below x ≈ −88.7 e^−x overflows and −0 comes out where |silu| < 3e-37, "
                        + "as PyTorch's x/(1 + e^−x) also gives")),
                Of<TanhOp>("Tanh", ActivationReference.Tanh, new(0, 3, "VectorMath.Tanh")),

                // ---- GELU ----
                Of<GeluOp>("GELU", ActivationReference.Gelu,
                    new(2e-7, 4, "x·(0.5 + 0.5·erf): erf's absolute error (≤ 8.3e-8 measured) times 0.5·|x| where erf is "
                        + "not yet ±1 (|x| < 5.7) gives ≤ 2.4e-7, relative 4 ulp for the rest; for x ≲ −4, 1 + erf cancels as "
                        + "in PyTorch; measured ≤ 8.2e-8 abs")),
                Of<GeluTanhOp>("GELU(tanh)", ActivationReference.GeluTanh,
                    new(5e-8, 5, "x/(1 + e^(−2u)): ≤ 5 ulp where |u| is small; for negative x, e^(−2u) turns u's "
                        + "rounding (relative 2^-23) into a relative error growing like |2u|·2^-23, but the result is then "
                        + "small: absolute error < 5e-8 (PyTorch's own 1 + tanh(u) cancels to errors of 6e-8·|x| there); "
                        + "below x ≈ −9.9, e^(−2u) overflows and −0 comes out where |f| < 1e-37")),
            };

            // Parameterised operators: several parameter values each, PyTorch's defaults first.
            foreach (float slope in new[] { 0.01f, 0.1f, 0.2f, 1f, 0f, -0.5f, 3f })
                cases.Add(new($"LeakyReLU({slope})", x => LeakyReluOp.Invoke(x, slope), x => LeakyReluOp.Invoke(x, slope),
                    x => LeakyReluOp.Invoke(x, slope), x => ActivationReference.LeakyRelu(x, slope),
                    new(0, 0.5, "one multiply, correctly rounded")));
            foreach (float alpha in new[] { 1f, 0.5f, 2f, 1.6732632f, 0f })
                cases.Add(new($"ELU({alpha})", x => EluOp.Invoke(x, alpha), x => EluOp.Invoke(x, alpha),
                    x => EluOp.Invoke(x, alpha), x => ActivationReference.Elu(x, alpha),
                    new(0, 3, "expm1 (≤ 2 ulp) times alpha, one more rounding")));
            return cases.ToArray();
        }

        public static IEnumerable<object[]> CaseNames => Cases.Select(c => new object[] { c.Name });

        // ---- Inputs ----

        /// <summary>Values every lane position must see, with different neighbours each time.</summary>
        private static readonly float[] SpecialInputs = BuildSpecialInputs();

        private static readonly float[] Inputs = BuildInputs();

        private static float[] BuildSpecialInputs()
        {
            var values = new List<float>
            {
                0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, -float.NaN,
                float.Epsilon, -float.Epsilon, 1e-40f, -1e-40f, (float)SmallestNormal, -(float)SmallestNormal,
                1e-30f, -1e-30f, 1e-10f, -1e-10f, 1e-7f, -1e-7f, 1e-4f, -1e-4f,
                float.MaxValue, float.MinValue, 1e20f, -1e20f, 1e10f, -1e10f,
                88.72283f, 88.72284f, 89f, -87.3f, -88.8f, -103.9f, -104f, -110f, -200f,
                9.99f, 10f, 10.01f, 3.9f, 4f, 4.1f, 0.99999994f, 1f, 1.0000001f, -17.4f, -20f, -21f,
            };
            // Clamp edges of ReLU/ReLU6/Hardsigmoid/Hardswish, with both float neighbours.
            foreach (float edge in new[] { -3f, 3f, 0f, 6f, -6f })
                values.AddRange(new[] { MathF.BitDecrement(edge), edge, MathF.BitIncrement(edge) });
            return values.ToArray();
        }

        private static float[] BuildInputs()
        {
            var values = new List<float>(SpecialInputs);
            for (int i = -30 * 64; i <= 30 * 64; i++) values.Add(i / 64f);              // dense grid, step 1/64
            for (int i = -120 * 8; i <= 100 * 8; i++) values.Add(i / 8f);               // exp's whole range
            var random = new Random(20240611);
            for (int i = 0; i < 2000; i++) values.Add((float)(random.NextDouble() * 80 - 40));
            for (int i = 0; i < 1000; i++)                                               // magnitudes 1e-40 … 1e20
            {
                float magnitude = (float)Math.Pow(10, random.NextDouble() * 60 - 40);
                values.Add(random.Next(2) == 0 ? magnitude : -magnitude);
            }
            return values.ToArray();
        }

        // ---- Tests ----

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void AllFormsMatchReference(string name)
        {
            var testCase = Cases.Single(c => c.Name == name);
            var expected = Inputs.Select(x => testCase.Reference(x)).ToArray();
            var report = new Report(testCase);

            for (int i = 0; i < Inputs.Length; i++)
                report.Check("scalar", Inputs[i], lane: -1, testCase.Scalar(Inputs[i]), expected[i]);

            // Vectors of consecutive inputs, so each lane holds a different value; the last one wraps around.
            CheckVectors(testCase, report, Inputs, expected, rotations: 1);
            // Every special value in every lane position, next to other special values.
            var specialExpected = SpecialInputs.Select(x => testCase.Reference(x)).ToArray();
            CheckVectors(testCase, report, SpecialInputs, specialExpected, rotations: Vector512<float>.Count);

            _output.WriteLine(report.Summary());
            Assert.True(report.FailureCount == 0, report.Failures());
        }

        private static void CheckVectors(Case testCase, Report report, float[] inputs, double[] expected, int rotations)
        {
            var lanes = new float[Vector512<float>.Count];
            for (int rotation = 0; rotation < rotations; rotation++)
                for (int start = 0; start < inputs.Length; start += Vector256<float>.Count)
                {
                    for (int lane = 0; lane < lanes.Length; lane++)
                        lanes[lane] = inputs[(start + lane + rotation) % inputs.Length];
                    var result256 = testCase.Vector256Form(Vector256.Create(lanes.AsSpan(0, Vector256<float>.Count)));
                    var result512 = testCase.Vector512Form(Vector512.Create(lanes));
                    for (int lane = 0; lane < lanes.Length; lane++)
                    {
                        double reference = expected[(start + lane + rotation) % inputs.Length];
                        if (lane < Vector256<float>.Count)
                            report.Check("Vector256", lanes[lane], lane, result256[lane], reference);
                        report.Check("Vector512", lanes[lane], lane, result512[lane], reference);
                    }
                }
        }

        /// <summary>
        /// The scalar form (kernel tails) and the vector forms (kernel bodies) run the same steps, so a channel's
        /// result does not depend on where it falls in a vector. Asserted: bit-identical results (NaN as NaN).
        /// </summary>
        [Theory]
        [MemberData(nameof(CaseNames))]
        public void ScalarAndVectorFormsGiveIdenticalBits(string name)
        {
            var testCase = Cases.Single(c => c.Name == name);
            var mismatches = new List<string>();
            var lanes = new float[Vector512<float>.Count];
            for (int start = 0; start < Inputs.Length; start += lanes.Length)
            {
                for (int lane = 0; lane < lanes.Length; lane++) lanes[lane] = Inputs[(start + lane) % Inputs.Length];
                var result256Low = testCase.Vector256Form(Vector256.Create(lanes.AsSpan(0, 8)));
                var result256High = testCase.Vector256Form(Vector256.Create(lanes.AsSpan(8, 8)));
                var result512 = testCase.Vector512Form(Vector512.Create(lanes));
                for (int lane = 0; lane < lanes.Length; lane++)
                {
                    float scalar = testCase.Scalar(lanes[lane]);
                    float v256 = lane < 8 ? result256Low[lane] : result256High[lane - 8];
                    foreach (var (form, vector) in new[] { ("Vector256", v256), ("Vector512", result512[lane]) })
                        if (!(float.IsNaN(scalar) ? float.IsNaN(vector) : BitConverter.SingleToInt32Bits(scalar) == BitConverter.SingleToInt32Bits(vector))
                            && mismatches.Count < 20)
                            mismatches.Add($"{name} x = {lanes[lane]:R}: scalar {scalar:R}, {form} lane {lane % (form == "Vector256" ? 8 : 16)} {vector:R}");
                }
            }
            Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        }

        /// <summary>The documented special values, exactly (NaN as NaN), in all three forms.</summary>
        [Theory]
        [InlineData("Sigmoid", float.NegativeInfinity, 0f)]
        [InlineData("Sigmoid", float.PositiveInfinity, 1f)]
        [InlineData("Sigmoid", float.NaN, float.NaN)]
        [InlineData("SiLU", float.NegativeInfinity, float.NaN)]         // −∞/∞, as PyTorch's x/(1 + e^−x)
        [InlineData("SiLU", -100f, 0f)]                                 // e^100 overflows: −100/∞ = −0
        [InlineData("SiLU", float.PositiveInfinity, float.PositiveInfinity)]
        [InlineData("Tanh", float.PositiveInfinity, 1f)]
        [InlineData("Tanh", float.NegativeInfinity, -1f)]
        [InlineData("Tanh", 10f, 1f)]
        [InlineData("Tanh", -1e30f, -1f)]
        [InlineData("Tanh", float.NaN, float.NaN)]
        [InlineData("ReLU", float.NaN, float.NaN)]
        [InlineData("ReLU", float.NegativeInfinity, 0f)]
        [InlineData("ReLU6", float.NaN, float.NaN)]
        [InlineData("ReLU6", float.PositiveInfinity, 6f)]
        [InlineData("Hardsigmoid", float.NaN, float.NaN)]
        [InlineData("Hardsigmoid", float.NegativeInfinity, 0f)]
        [InlineData("Hardsigmoid", float.PositiveInfinity, 1f)]
        [InlineData("Hardswish", float.NegativeInfinity, float.NaN)]    // −∞·0, as PyTorch's formula
        [InlineData("Hardswish", float.PositiveInfinity, float.PositiveInfinity)]
        [InlineData("GELU", float.NegativeInfinity, float.NaN)]         // −∞·0, as PyTorch's formula
        [InlineData("GELU", float.PositiveInfinity, float.PositiveInfinity)]
        [InlineData("GELU", float.NaN, float.NaN)]
        [InlineData("GELU(tanh)", float.NegativeInfinity, float.NaN)]
        [InlineData("GELU(tanh)", float.PositiveInfinity, float.PositiveInfinity)]
        [InlineData("ELU(1)", float.NegativeInfinity, -1f)]
        [InlineData("ELU(1)", float.NaN, float.NaN)]
        [InlineData("LeakyReLU(0.01)", float.NaN, float.NaN)]
        [InlineData("LeakyReLU(0.01)", float.NegativeInfinity, float.NegativeInfinity)]
        [InlineData("VectorMath.Exp", 89f, float.PositiveInfinity)]     // overflow is ∞, not NaN
        [InlineData("VectorMath.Exp", float.PositiveInfinity, float.PositiveInfinity)]
        [InlineData("VectorMath.Exp", float.NegativeInfinity, 0f)]
        [InlineData("VectorMath.Exp", 0f, 1f)]
        [InlineData("VectorMath.Exp", -104f, 0f)]
        [InlineData("VectorMath.ExpM1", float.NegativeInfinity, -1f)]
        [InlineData("VectorMath.ExpM1", float.PositiveInfinity, float.PositiveInfinity)]
        [InlineData("VectorMath.Erf", float.PositiveInfinity, 1f)]
        [InlineData("VectorMath.Erf", float.NegativeInfinity, -1f)]
        [InlineData("VectorMath.Erf", 4f, 1f)]
        [InlineData("VectorMath.Erf", float.NaN, float.NaN)]
        public void SpecialValuesAreExact(string name, float input, float expected)
        {
            var testCase = Cases.Single(c => c.Name == name);
            var neighbours = Vector512.Create(1.5f, -2f, input, 0.25f, float.NaN, 7f, -0.5f, input,
                3f, -7f, 0.75f, input, -1f, 2f, 100f, input);
            AssertSame(expected, testCase.Scalar(input), name, "scalar", input, lane: -1);
            var result256 = testCase.Vector256Form(neighbours.GetLower());
            var result512 = testCase.Vector512Form(neighbours);
            foreach (int lane in new[] { 2, 7 }) AssertSame(expected, result256[lane], name, "Vector256", input, lane);
            foreach (int lane in new[] { 2, 7, 11, 15 }) AssertSame(expected, result512[lane], name, "Vector512", input, lane);
            // A NaN in a neighbouring lane must not leak into this one (lane 4 holds NaN).
            if (!float.IsNaN(input))
            {
                float lane3 = testCase.Scalar(0.25f);
                AssertSame(lane3, result256[3], name, "Vector256", 0.25f, 3);
                AssertSame(lane3, result512[3], name, "Vector512", 0.25f, 3);
            }
        }

        private static void AssertSame(float expected, float actual, string name, string form, float input, int lane)
        {
            bool same = float.IsNaN(expected) ? float.IsNaN(actual) : actual == expected;
            Assert.True(same, $"{name} {form} lane {lane}: f({input:R}) = {actual:R}, expected {expected:R}");
        }

        /// <summary>Collects failures and the largest error seen per form, for the message and the test output.</summary>
        private sealed class Report
        {
            private readonly Case _case;
            private readonly List<string> _failures = new();
            private readonly Dictionary<string, Worst> _worst = new();

            /// <summary>Largest error/allowed ratio; largest error in ulps where the result is a normal float;
            /// largest absolute error where |reference| ≤ 1 (the part an absolute tolerance governs).</summary>
            private readonly record struct Worst(double ShareOfTolerance, float ShareInput, double Ulps, float UlpsInput,
                double Absolute, float AbsoluteInput);

            public Report(Case testCase) => _case = testCase;

            public int FailureCount { get; private set; }

            public void Check(string form, float input, int lane, float actual, double reference)
            {
                bool ok;
                double error = 0, allowed = 0;
                if (double.IsNaN(reference))
                    ok = float.IsNaN(actual);
                else if (float.IsInfinity((float)reference) || float.IsInfinity(actual))
                    // Infinity must be exact, except where a finite reference sits within tolerance of the overflow edge.
                    ok = actual == (float)reference
                        || (float.IsInfinity(actual) && Math.Sign(actual) == Math.Sign(reference)
                            && Math.Abs(reference) >= float.MaxValue * (1 - (_case.Tolerance.Ulps + 1) * Math.ScaleB(1, -23)));
                else
                {
                    error = Math.Abs(actual - reference);
                    allowed = _case.Tolerance.Absolute + _case.Tolerance.Ulps * Ulp(reference);
                    ok = error <= allowed;
                    Track(form, input, error, allowed, reference);
                }
                if (ok) return;
                FailureCount++;
                if (_failures.Count < 25)
                    _failures.Add($"{_case.Name} {form}{(lane >= 0 ? $" lane {lane}" : "")}: x = {input:R} "
                        + $"(0x{BitConverter.SingleToUInt32Bits(input):X8}) → {actual:R}, reference {reference:R}, "
                        + $"|error| {error:E3} > allowed {allowed:E3}");
            }

            private void Track(string form, float input, double error, double allowed, double reference)
            {
                var worst = _worst.TryGetValue(form, out var w) ? w : default;
                double share = allowed > 0 ? error / allowed : 0;
                if (share > worst.ShareOfTolerance) worst = worst with { ShareOfTolerance = share, ShareInput = input };
                double ulps = error / Ulp(reference);
                if (Math.Abs(reference) >= SmallestNormal && ulps > worst.Ulps) worst = worst with { Ulps = ulps, UlpsInput = input };
                if (Math.Abs(reference) <= 1 && error > worst.Absolute) worst = worst with { Absolute = error, AbsoluteInput = input };
                _worst[form] = worst;
            }

            public string Summary()
            {
                var text = new StringBuilder($"{_case.Name}: {Inputs.Length} inputs; tolerance {_case.Tolerance.Absolute:E1} abs + "
                    + $"{_case.Tolerance.Ulps} ulp ({_case.Tolerance.Reason})");
                foreach (var (form, worst) in _worst)
                    text.Append($"\n  {form}: {worst.ShareOfTolerance:P0} of tolerance (x = {worst.ShareInput:R}); "
                        + $"max {worst.Ulps:F2} ulp on normal results (x = {worst.UlpsInput:R}); "
                        + $"max {worst.Absolute:E2} abs where |f| ≤ 1 (x = {worst.AbsoluteInput:R})");
                return text.ToString();
            }

            public string Failures()
                => $"{FailureCount} failures; first ones:\n" + string.Join("\n", _failures) + "\n" + Summary();
        }

        /// <summary>Float's spacing at |y|: 2^(exponent − 23), and 2^-149 in the subnormal range.</summary>
        private static double Ulp(double y)
        {
            double magnitude = Math.Abs(y);
            int exponent = magnitude < SmallestNormal ? -126 : Math.ILogB(magnitude);
            return Math.ScaleB(1.0, exponent - 23);
        }
    }
}
