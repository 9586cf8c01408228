using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Text;

namespace FusedNet.Internal
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// Reads and validates the tensors a network expects (DESIGN §6). Called by generated constructors; not
    /// meant for direct use. Problems are collected and thrown together, so one run shows everything
    /// that is wrong with a weight file.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class WeightLoader
    {
        /// <summary>Unexpected tensor names quoted in the "missing" hint, enough to spot a prefix mismatch.</summary>
        private const int UnexpectedNamesShown = 5;

        /// <summary>
        /// Returns one float array per entry of <paramref name="expected"/>, in order. Tensors the network does
        /// not expect (such as num_batches_tracked) are ignored.
        /// </summary>
        /// <exception cref="InvalidDataException">
        /// Starts with <paramref name="networkName"/> and lists every problem: all missing tensors with their
        /// expected shapes, wrong shapes, non-float dtypes, non-finite values, negative running variances and
        /// Normalize stds that are not positive.
        /// </exception>
        public static float[][] Load(IWeightSource source, IReadOnlyList<WeightInfo> expected, string networkName)
        {
            ArgumentNullException.ThrowIfNull(source);
            ArgumentNullException.ThrowIfNull(expected);
            ArgumentNullException.ThrowIfNull(networkName);

            var tensors = new float[expected.Count][];
            var missing = new List<WeightInfo>();
            var problems = new List<string>();
            for (int i = 0; i < expected.Count; i++)
            {
                WeightInfo info = expected[i];
                if (!source.TryGetTensorInfo(info.Name, out TensorInfo actual))
                {
                    missing.Add(info);
                    continue;
                }
                string? problem = CheckDescription(info, actual) ?? ReadAndCheckValues(source, info, out tensors[i]);
                if (problem != null)
                    problems.Add(problem);
            }

            if (missing.Count > 0)
                problems.Insert(0, DescribeMissing(missing, source, expected));
            if (problems.Count > 0)
                throw new InvalidDataException(FormatMessage(networkName, source, problems));
            return tensors;
        }

        /// <summary>Dtype and shape, checked before anything is read.</summary>
        private static string? CheckDescription(WeightInfo info, TensorInfo actual)
        {
            if (!actual.IsFloatingPoint)
            {
                return $"tensor '{info.Name}' of layer '{info.LayerName}': expected a float tensor (F32, F16 or BF16), " +
                       $"actual dtype {actual.DataTypeName}";
            }
            if (!ShapeEquals(info.Shape, actual.Shape))
            {
                return $"tensor '{info.Name}' of layer '{info.LayerName}': expected shape {info.ShapeText}, " +
                       $"actual {actual.ShapeText}";
            }
            return null;
        }

        /// <summary>Reads the tensor and checks its values: all finite, no negative running variance, every Normalize std positive.</summary>
        private static string? ReadAndCheckValues(IWeightSource source, WeightInfo info, out float[] values)
        {
            values = new float[info.ElementCount];
            try
            {
                source.ReadFloat32(info.Name, values);
            }
            catch (InvalidDataException e)
            {
                return $"tensor '{info.Name}' of layer '{info.LayerName}' could not be read: {e.Message}";
            }

            int firstNonFinite = -1, nonFiniteCount = 0, firstNegative = -1, negativeCount = 0;
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                {
                    if (nonFiniteCount++ == 0) firstNonFinite = i;
                }
                else if (values[i] < 0)
                {
                    if (negativeCount++ == 0) firstNegative = i;
                }
            }

            if (nonFiniteCount > 0)
            {
                return $"tensor '{info.Name}' of layer '{info.LayerName}': expected finite values, actual " +
                       $"{Format(values[firstNonFinite])} at flat index {firstNonFinite}" + CountSuffix(nonFiniteCount, "non-finite");
            }
            if (info.Role is WeightRole.BatchNormRunningVar or WeightRole.NormRunningVar && negativeCount > 0)
            {
                return $"tensor '{info.Name}' of layer '{info.LayerName}': a running variance must not be negative, actual " +
                       $"{Format(values[firstNegative])} at flat index {firstNegative}" + CountSuffix(negativeCount, "negative");
            }
            if (info.Role == WeightRole.NormalizeStd)
                return CheckStd(info, values);
            return null;
        }

        /// <summary>
        /// Normalize divides by its std: zero (of either sign) divides by zero (torchvision's Normalize raises for it) and a
        /// negative value is no standard deviation, so both are rejected, as FN0046 rejects them in the constant form.
        /// </summary>
        private static string? CheckStd(WeightInfo info, float[] values)
        {
            int first = -1, count = 0;
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] > 0) continue;
                if (count++ == 0) first = i;
            }
            if (count == 0) return null;
            return $"tensor '{info.Name}' of layer '{info.LayerName}': every Normalize std must be positive (y = (x - mean) / std), " +
                   $"actual {info.Name}[{first}] = {Format(values[first])}" + CountSuffix(count, "non-positive");
        }

        private static string DescribeMissing(List<WeightInfo> missing, IWeightSource source, IReadOnlyList<WeightInfo> expected)
        {
            var text = new StringBuilder();
            text.Append(missing.Count == 1 ? "missing tensor: " : $"missing tensors ({missing.Count}): ");
            for (int i = 0; i < missing.Count; i++)
            {
                if (i > 0) text.Append(", ");
                text.Append('\'').Append(missing[i].Name).Append("' ").Append(missing[i].ShapeText);
            }

            // Names the source has but the network does not expect usually mean a prefix mismatch
            // (a layer's Name override, or a model wrapped in another module): show a few.
            List<string> unexpected = UnexpectedNames(source, expected);
            if (unexpected.Count > 0)
            {
                text.Append("; the source has ").Append(unexpected.Count).Append(" tensors the network does not expect, e.g. ");
                for (int i = 0; i < Math.Min(unexpected.Count, UnexpectedNamesShown); i++)
                {
                    if (i > 0) text.Append(", ");
                    text.Append('\'').Append(unexpected[i]).Append('\'');
                }
            }
            return text.ToString();
        }

        private static List<string> UnexpectedNames(IWeightSource source, IReadOnlyList<WeightInfo> expected)
        {
            var expectedNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (WeightInfo info in expected)
                expectedNames.Add(info.Name);
            var unexpected = new List<string>();
            foreach (string name in source.TensorNames)
            {
                // num_batches_tracked is always ignored (DESIGN §3), so it is no hint.
                if (!expectedNames.Contains(name) && !name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                    unexpected.Add(name);
            }
            return unexpected;
        }

        private static string FormatMessage(string networkName, IWeightSource source, List<string> problems)
        {
            var text = new StringBuilder();
            text.Append(networkName).Append(": cannot load weights from ").Append(source)
                .Append(problems.Count == 1 ? " (1 problem):" : $" ({problems.Count} problems):");
            foreach (string problem in problems)
                text.AppendLine().Append("  - ").Append(problem);
            return text.ToString();
        }

        private static bool ShapeEquals(IReadOnlyList<int> expected, IReadOnlyList<long> actual)
        {
            // Exact comparison: PyTorch does not squeeze, so [16] and [16, 1] are different tensors.
            if (expected.Count != actual.Count)
                return false;
            for (int i = 0; i < expected.Count; i++)
            {
                if (expected[i] != actual[i])
                    return false;
            }
            return true;
        }

        private static string CountSuffix(int count, string what) =>
            count > 1 ? $" ({count} {what} values in all)" : "";

        private static string Format(float value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }
}
