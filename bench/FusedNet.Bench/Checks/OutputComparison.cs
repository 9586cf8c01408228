using System;

namespace FusedNet.Bench.Checks
{
    /// <summary>
    /// How far one output is from another, in the mixed measure |actual − expected| / max(1, |expected|):
    /// absolute near zero, relative for large values.
    /// </summary>
    internal readonly struct OutputComparison
    {
        /// <summary>
        /// ORT and FusedNet sum in different orders (blocked layouts, FMA, folded BN), so results differ in the
        /// last bits of each 576-term accumulation; 1e-3 leaves room for that while any real error (a wrong
        /// weight, pad or stride) shows up at order 0.1–1.
        /// </summary>
        public const double Tolerance = 1e-3;

        private OutputComparison(double maxError, double maxAbsoluteDifference, int worstIndex, float expectedAtWorst, float actualAtWorst)
        {
            MaxError = maxError;
            MaxAbsoluteDifference = maxAbsoluteDifference;
            WorstIndex = worstIndex;
            ExpectedAtWorst = expectedAtWorst;
            ActualAtWorst = actualAtWorst;
        }

        /// <summary>Largest |a − e| / max(1, |e|) over all elements (infinite if any value is NaN).</summary>
        public double MaxError { get; }
        public double MaxAbsoluteDifference { get; }
        public int WorstIndex { get; }
        public float ExpectedAtWorst { get; }
        public float ActualAtWorst { get; }
        public bool IsWithinTolerance => MaxError <= Tolerance;

        public static OutputComparison Compare(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
        {
            if (expected.Length != actual.Length)
                throw new ArgumentException($"Outputs differ in length: expected {expected.Length}, actual {actual.Length}.");
            double maxError = 0, maxAbs = 0;
            int worst = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                double diff = Math.Abs((double)actual[i] - expected[i]);
                double error = double.IsNaN(diff) ? double.PositiveInfinity : diff / Math.Max(1.0, Math.Abs(expected[i]));
                if (!double.IsNaN(diff)) maxAbs = Math.Max(maxAbs, diff);
                if (error > maxError)
                {
                    maxError = error;
                    worst = i;
                }
            }
            return new OutputComparison(maxError, maxAbs, worst,
                expected.Length > 0 ? expected[worst] : 0, actual.Length > 0 ? actual[worst] : 0);
        }

        public override string ToString() =>
            $"max error {MaxError:E2} (max |diff| {MaxAbsoluteDifference:E2}; worst at [{WorstIndex}]: expected {ExpectedAtWorst:G9}, actual {ActualAtWorst:G9})";
    }
}
