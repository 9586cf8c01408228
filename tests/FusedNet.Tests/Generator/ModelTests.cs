using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using FusedNet.Generator;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace FusedNet.Tests.Generator
{
    /// <summary>
    /// DESIGN §7: the models that flow through the pipeline are plain, value-equatable records with no Roslyn symbols
    /// or syntax in them (a symbol would pin a whole compilation in memory and defeat caching). A reflection walk over
    /// the generator assembly's model types proves the first; two independent runs yielding equal plans prove the second.
    /// </summary>
    public class ModelTests
    {
        private static readonly Assembly GeneratorAssembly = typeof(FusedNetworkGenerator).Assembly;

        /// <summary>Roslyn types that hold (or are) compilations, trees, nodes or symbols.</summary>
        private static readonly Type[] Forbidden =
        [
            typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SemanticModel), typeof(SyntaxTree), typeof(Location),
            typeof(SyntaxToken), typeof(SyntaxReference), typeof(AttributeData), typeof(TypedConstant),
        ];

        /// <summary>The pipeline models: the Model namespace, the stage records and the equatable helpers they use.</summary>
        private static IEnumerable<Type> ModelTypes()
        {
            Type[] all = GeneratorAssembly.GetTypes();
            var models = all.Where(t => t.Namespace == "FusedNet.Generator.Model" && !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), false)
                                        && !(t.IsAbstract && t.IsSealed)) // static classes hold no state
                .ToList();
            foreach (string name in new[]
                     {
                         "FusedNet.Generator.Analysis.ShapedNetwork", "FusedNet.Generator.Analysis.ShapedLayer",
                         "FusedNet.Generator.FusedNetworkGenerator+Analysis", "FusedNet.Generator.Helpers.LocationInfo",
                         "FusedNet.Generator.Helpers.DiagnosticInfo", "FusedNet.Generator.Helpers.EquatableArray`1",
                         "FusedNet.Generator.FusedNetworkGenerator+EmitOutput",
                     })
                models.Add(GeneratorAssembly.GetType(name, throwOnError: true)!);
            return models;
        }

        [Fact]
        public void TheWalkCoversTheStageModels()
        {
            var names = ModelTypes().Select(t => t.Name).ToHashSet();
            foreach (string expected in new[] { "LayerSpec", "NetworkSpec", "Result`1", "NetworkPlan", "StepPlan", "BufferPlan", "WeightPlan", "LayerPlan", "PathPlan", "Shape", "ShapedLayer", "Analysis" })
                Assert.Contains(expected, names);
        }

        [Fact]
        public void ModelsHoldNoRoslynSymbolsOrSyntax()
        {
            var problems = new List<string>();
            var visited = new HashSet<Type>();
            foreach (Type model in ModelTypes())
                Walk(model, model.Name, visited, problems);

            Assert.True(problems.Count == 0, "Model members that hold Roslyn objects:\n" + string.Join("\n", problems));
        }

        /// <summary>Checks every field (properties' backing fields included) of <paramref name="type"/>, its generic arguments and the generator types it holds.</summary>
        private static void Walk(Type type, string path, HashSet<Type> visited, List<string> problems)
        {
            if (!visited.Add(type)) return;
            const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
            foreach (FieldInfo field in type.GetFields(Instance))
                CheckMemberType(field.FieldType, $"{path}.{field.Name}", visited, problems);
            foreach (PropertyInfo property in type.GetProperties(Instance))
                CheckMemberType(property.PropertyType, $"{path}.{property.Name}", visited, problems);
        }

        private static void CheckMemberType(Type type, string path, HashSet<Type> visited, List<string> problems)
        {
            if (Forbidden.Any(f => f.IsAssignableFrom(type)))
                problems.Add($"{path}: {type.FullName}");
            if (type.IsArray)
                CheckMemberType(type.GetElementType()!, path + "[]", visited, problems);
            if (type.IsGenericType)
                foreach (Type argument in type.GetGenericArguments())
                    CheckMemberType(argument, $"{path}<{argument.Name}>", visited, problems);
            if (type.Assembly == GeneratorAssembly && !type.IsGenericParameter)
                Walk(type.IsGenericType ? type.GetGenericTypeDefinition() : type, type.Name, visited, problems);
        }

        [Fact]
        public void ModelsCompareByValue()
        {
            // Records, record structs and enums compare by value; a raw array or List would compare by reference and
            // defeat caching, so none may appear in a model (EquatableArray is the sequence-equal wrapper).
            var problems = new List<string>();
            foreach (Type model in ModelTypes().Where(t => !t.IsEnum))
            {
                Type self = model.IsGenericTypeDefinition ? model.MakeGenericType(typeof(string)) : model;
                if (!typeof(IEquatable<>).MakeGenericType(self).IsAssignableFrom(self))
                    problems.Add($"{model.Name} is not IEquatable<{model.Name}>");
                foreach (FieldInfo field in model.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                {
                    Type t = field.FieldType;
                    if (t.IsArray || (t.IsGenericType && t.GetGenericTypeDefinition() is var d &&
                                      (d == typeof(List<>) || d == typeof(Dictionary<,>) || d == typeof(HashSet<>))))
                        problems.Add($"{model.Name}.{field.Name} is a {t.Name}, compared by reference");
                }
            }
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        /// <summary>The NetworkPlan objects the Plan step produced in a run of <paramref name="source"/>.</summary>
        private static List<object> Plans(string source)
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(source);
            GeneratorAssert.NoGeneratorException(run);
            GeneratorRunResult result = Assert.Single(run.RunResult.Results);
            return result.TrackedSteps[FusedNetworkGenerator.TrackingNames.Plan].SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
        }

        [Fact]
        public void IndependentRuns_ProduceEqualPlans()
        {
            string source = GeneratedSourceTests.Source;

            object first = Assert.Single(Plans(source));
            object second = Assert.Single(Plans(source));

            Assert.Equal("NetworkPlan", first.GetType().Name);
            Assert.NotSame(first, second);
            Assert.Equal(first, second);
            Assert.Equal(first.GetHashCode(), second.GetHashCode());
        }

        [Fact]
        public void PlansOfDifferentNetworks_AreNotEqual()
        {
            // Guards the test above against an Equals that is always true.
            object original = Assert.Single(Plans(GeneratedSourceTests.Source));
            object widerConv = Assert.Single(Plans(GeneratedSourceTests.Source.Replace("[Conv2d(16, 3, Padding = 1)]", "[Conv2d(24, 3, Padding = 1)]")));
            object otherEpsilon = Assert.Single(Plans(GeneratedSourceTests.Source.Replace("Epsilon = 1e-3f", "Epsilon = 2e-3f")));
            object otherName = Assert.Single(Plans(GeneratedSourceTests.Source.Replace("\"features.4\"", "\"features.40\"")));

            Assert.NotEqual(original, widerConv);
            Assert.NotEqual(original, otherEpsilon);
            Assert.NotEqual(original, otherName);
        }
    }
}
