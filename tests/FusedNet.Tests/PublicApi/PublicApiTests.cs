using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using PublicApiGenerator;

namespace FusedNet.Tests.PublicApi
{
    /// <summary>
    /// FusedNet.Runtime's public surface, compared with the checked-in listing PublicApi/FusedNet.Runtime.api.txt, so
    /// every change to it (a new member, a renamed parameter, a type hidden from completion) shows up in review as a
    /// diff of that file. A test rather than an analyzer, so adding public API never breaks the build: only this test
    /// fails, and one command rewrites the baseline (see <see cref="UpdateCommand"/> and docs/public-api.md).
    /// </summary>
    public class PublicApiTests
    {
        /// <summary>The environment variable that makes the test rewrite the baseline instead of comparing.</summary>
        public const string UpdateVariable = "FUSEDNET_UPDATE_API";

        /// <summary>Run from the repository root; the one command to accept a changed API.</summary>
        public const string UpdateCommand =
            UpdateVariable + "=1 dotnet test tests/FusedNet.Tests -c Release --filter FullyQualifiedName~PublicApiTests";

        private const string BaselineFile = "FusedNet.Runtime.api.txt";

        [Fact]
        public void Runtime_public_api_matches_the_checked_in_baseline()
        {
            string actual = RuntimeApi();

            if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
            {
                string source = Path.Combine(RepositoryRoot(), "tests", "FusedNet.Tests", "PublicApi", BaselineFile);
                File.WriteAllText(source, actual);
                return;
            }

            // The copy beside the test binaries (FusedNet.Tests.csproj copies it), so a fresh clone needs nothing else.
            string baselinePath = Path.Combine(AppContext.BaseDirectory, "PublicApi", BaselineFile);
            string expected = Normalize(File.ReadAllText(baselinePath));
            Assert.True(expected == actual, FailureMessage(expected, actual));
        }

        /// <summary>The listing itself must be meaningful: it holds the contract's types and not the internals.</summary>
        [Fact]
        public void The_listing_covers_the_contract_and_hides_nothing_internal()
        {
            string api = RuntimeApi();
            foreach (string expected in new[]
            {
                "public sealed class Conv2dAttribute : FusedNet.LayerAttribute",
                "public int Stride { get; set; }",
                "public interface IWeightSource",
                "public static FusedNet.SafetensorsFile Open(string path)",
                "public static FusedNet.InMemoryWeights Create(",
                // Plumbing for generated code stays public (user assemblies call it) but is hidden from completion.
                "// hidden: FusedNet.Internal.WeightLoader",
            })
            {
                Assert.Contains(expected, api);
            }
            Assert.DoesNotContain("SafetensorsHeader", api);  // internal
            Assert.DoesNotContain("InternalsVisibleTo", api); // assembly attributes are not API
        }

        /// <summary>
        /// Every public type of FusedNet.Internal and FusedNet.Kernels is plumbing that generated code calls: public, because
        /// user assemblies call it, but hidden from completion and documented as not supported. Every other public type is
        /// supported API and must show in completion.
        /// </summary>
        [Fact]
        public void Infrastructure_types_and_only_those_are_hidden_from_completion()
        {
            foreach (Type type in typeof(IWeightSource).Assembly.GetExportedTypes())
            {
                bool infrastructure = type.Namespace is "FusedNet.Internal" or "FusedNet.Kernels";
                Assert.True(infrastructure == IsHidden(type),
                    infrastructure
                        ? $"{type.FullName} is infrastructure for generated code: mark it [EditorBrowsable(EditorBrowsableState.Never)]."
                        : $"{type.FullName} is supported API in namespace {type.Namespace}: it must not be hidden from completion.");
            }
        }

        /// <summary>
        /// The public API of FusedNet.Runtime as C#-like text (PublicApiGenerator), with \n line ends, followed by the
        /// types and members hidden with [EditorBrowsable(Never)] (PublicApiGenerator leaves that attribute out).
        /// </summary>
        public static string RuntimeApi()
        {
            var options = new ApiGeneratorOptions
            {
                // Assembly-level attributes that describe the build, not the API.
                ExcludeAttributes =
                [
                    "System.Runtime.CompilerServices.InternalsVisibleToAttribute",
                    "System.Runtime.Versioning.TargetFrameworkAttribute",
                    "System.Reflection.AssemblyMetadataAttribute",
                ],
            };
            var assembly = typeof(IWeightSource).Assembly;
            var text = new StringBuilder(Normalize(assembly.GeneratePublicApi(options)));
            text.Append("// Hidden from completion with [EditorBrowsable(EditorBrowsableState.Never)]:\n");
            foreach (string name in HiddenNames(assembly)) text.Append("// hidden: ").Append(name).Append('\n');
            return text.ToString();
        }

        private static IEnumerable<string> HiddenNames(System.Reflection.Assembly assembly)
        {
            const System.Reflection.BindingFlags Public =
                System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static |
                System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly;
            var names = new List<string>();
            foreach (Type type in assembly.GetExportedTypes())
            {
                if (IsHidden(type)) names.Add(type.FullName!);
                names.AddRange(type.GetMembers(Public).Where(IsHidden).Select(m => type.FullName + "." + m.Name));
            }
            return names.Distinct().OrderBy(n => n, StringComparer.Ordinal);
        }

        private static bool IsHidden(System.Reflection.MemberInfo member) =>
            member.GetCustomAttributes(typeof(System.ComponentModel.EditorBrowsableAttribute), inherit: false)
                .Cast<System.ComponentModel.EditorBrowsableAttribute>()
                .Any(a => a.State == System.ComponentModel.EditorBrowsableState.Never);

        private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimEnd('\n') + "\n";

        private static string FailureMessage(string expected, string actual)
        {
            var baseline = new HashSet<string>(expected.Split('\n'));
            var current = new HashSet<string>(actual.Split('\n'));
            var text = new StringBuilder();
            text.Append("FusedNet.Runtime's public API differs from tests/FusedNet.Tests/PublicApi/").Append(BaselineFile).Append(".\n")
                .Append("If the change is intended, regenerate the baseline from the repository root and commit it:\n    ")
                .Append(UpdateCommand).Append('\n')
                .Append("Lines only in the current API (+) and only in the baseline (-):\n");
            foreach (string line in actual.Split('\n').Where(l => !baseline.Contains(l)).Take(40)) text.Append("  + ").Append(line).Append('\n');
            foreach (string line in expected.Split('\n').Where(l => !current.Contains(l)).Take(40)) text.Append("  - ").Append(line).Append('\n');
            return text.ToString();
        }

        /// <summary>The folder holding FusedNet.sln, above the test binaries.</summary>
        private static string RepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "FusedNet.sln"))) return dir.FullName;
            throw new InvalidOperationException($"No FusedNet.sln above {AppContext.BaseDirectory}: run the update from a clone of the repository.");
        }
    }
}
