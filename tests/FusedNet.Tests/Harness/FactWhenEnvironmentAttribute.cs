using System;
using System.Collections.Generic;
using System.Linq;

namespace FusedNet.Tests.Harness
{
    /// <summary>
    /// A [Fact] that runs only when environment variables hold the given values, and is otherwise reported as
    /// skipped with the reason (xunit 2 has no dynamic skip, so the condition is evaluated when the test is
    /// discovered). Each condition is "NAME=VALUE" (the variable is set to VALUE) or "NAME!=VALUE" (unset or set
    /// to something else). Used for tests that belong to one leg of .ci/run, so that outside it they show as
    /// skipped instead of passing without asserting anything.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public sealed class FactWhenEnvironmentAttribute : FactAttribute
    {
        public FactWhenEnvironmentAttribute(params string[] conditions)
        {
            var unmet = conditions.Select(Describe).Where(d => d is not null).ToList();
            if (unmet.Count > 0)
                Skip = $"runs only when {string.Join(" and ", conditions)}; here {string.Join(", ", unmet)}";
        }

        /// <summary>Null when the condition holds, else what the variable actually is.</summary>
        private static string? Describe(string condition)
        {
            bool negated = condition.Contains("!=", StringComparison.Ordinal);
            string[] parts = condition.Split(negated ? "!=" : "=", 2);
            if (parts.Length != 2 || parts[0].Length == 0)
                throw new ArgumentException($"'{condition}' is not NAME=VALUE or NAME!=VALUE", nameof(condition));
            string? actual = Environment.GetEnvironmentVariable(parts[0]);
            bool equal = actual == parts[1];
            if (equal != negated) return null;
            return actual is null ? $"{parts[0]} is unset" : $"{parts[0]}={actual}";
        }
    }
}
