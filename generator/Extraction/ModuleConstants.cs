using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using FusedNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FusedNet.Generator.Extraction
{
    /// <summary>Constant folding with C#'s semantics for int, float, double, bool and string (the types a module description computes with).</summary>
    internal static class Constants
    {
        /// <summary>The constant as int, float, double, bool or string (small integer types widen to int); null for other types.</summary>
        public static object? Normalize(object value) => value switch
        {
            int or float or double or bool or string => value,
            byte b => (int)b,
            sbyte b => (int)b,
            short s => (int)s,
            ushort s => (int)s,
            char c => (int)c,
            long l when l >= int.MinValue && l <= int.MaxValue => (int)l,
            uint u when u <= int.MaxValue => (int)u,
            _ => null,
        };

        /// <summary>C#'s conversion of a constant to <paramref name="target"/> (explicit casts truncate); null if impossible.</summary>
        public static object? Convert(object value, SpecialType target)
        {
            switch (target)
            {
                case SpecialType.System_Int32:
                case SpecialType.System_Int64:
                    return value switch
                    {
                        int i => i,
                        float f when IsIntRange(f) => (int)f,
                        double d when IsIntRange(d) => (int)d,
                        _ => null,
                    };
                case SpecialType.System_Single:
                    return value switch { int i => (float)i, float f => f, double d => (float)d, _ => null };
                case SpecialType.System_Double:
                    return value switch { int i => (double)i, float f => (double)f, double d => d, _ => null };
                case SpecialType.System_Boolean:
                    return value as bool?;
                case SpecialType.System_String:
                    return value as string;
                default:
                    return value; // object, nullable wrappers and the like keep the value
            }
        }

        private static bool IsIntRange(double d) => !double.IsNaN(d) && d > int.MinValue - 1.0 && d < int.MaxValue + 1.0;

        public static object? Binary(BinaryOperatorKind kind, object a, object b)
        {
            if (a is bool x && b is bool y)
            {
                return kind switch
                {
                    BinaryOperatorKind.And or BinaryOperatorKind.ConditionalAnd => x && y,
                    BinaryOperatorKind.Or or BinaryOperatorKind.ConditionalOr => x || y,
                    BinaryOperatorKind.ExclusiveOr => x ^ y,
                    BinaryOperatorKind.Equals => x == y,
                    BinaryOperatorKind.NotEquals => x != y,
                    _ => null,
                };
            }
            if (a is string s || b is string)
            {
                s = a as string ?? "";
                string t = b as string ?? "";
                return kind switch
                {
                    BinaryOperatorKind.Equals => (object)(a as string == b as string),
                    BinaryOperatorKind.NotEquals => a as string != b as string,
                    BinaryOperatorKind.Add => s + t,
                    _ => null,
                };
            }
            if (a is int i && b is int j)
            {
                return kind switch
                {
                    BinaryOperatorKind.Add => unchecked(i + j),
                    BinaryOperatorKind.Subtract => unchecked(i - j),
                    BinaryOperatorKind.Multiply => unchecked(i * j),
                    BinaryOperatorKind.Divide when j != 0 && !(i == int.MinValue && j == -1) => i / j,
                    BinaryOperatorKind.Remainder when j != 0 && !(i == int.MinValue && j == -1) => i % j,
                    BinaryOperatorKind.LeftShift => i << j,
                    BinaryOperatorKind.RightShift => i >> j,
                    BinaryOperatorKind.And => i & j,
                    BinaryOperatorKind.Or => i | j,
                    BinaryOperatorKind.ExclusiveOr => i ^ j,
                    _ => Compare(kind, i.CompareTo(j)),
                };
            }
            if (a is double || b is double)
            {
                if (Convert(a, SpecialType.System_Double) is not double p || Convert(b, SpecialType.System_Double) is not double q) return null;
                return kind switch
                {
                    BinaryOperatorKind.Add => p + q,
                    BinaryOperatorKind.Subtract => p - q,
                    BinaryOperatorKind.Multiply => p * q,
                    BinaryOperatorKind.Divide => p / q,
                    BinaryOperatorKind.Remainder => p % q,
                    _ => double.IsNaN(p) || double.IsNaN(q) ? (kind == BinaryOperatorKind.NotEquals ? true : (object?)false) : Compare(kind, p.CompareTo(q)),
                };
            }
            if (Convert(a, SpecialType.System_Single) is float m && Convert(b, SpecialType.System_Single) is float n)
            {
                return kind switch
                {
                    BinaryOperatorKind.Add => m + n,
                    BinaryOperatorKind.Subtract => m - n,
                    BinaryOperatorKind.Multiply => m * n,
                    BinaryOperatorKind.Divide => m / n,
                    BinaryOperatorKind.Remainder => m % n,
                    _ => float.IsNaN(m) || float.IsNaN(n) ? (kind == BinaryOperatorKind.NotEquals ? true : (object?)false) : Compare(kind, m.CompareTo(n)),
                };
            }
            return null;
        }

        private static object? Compare(BinaryOperatorKind kind, int order) => kind switch
        {
            BinaryOperatorKind.Equals => order == 0,
            BinaryOperatorKind.NotEquals => order != 0,
            BinaryOperatorKind.LessThan => order < 0,
            BinaryOperatorKind.LessThanOrEqual => order <= 0,
            BinaryOperatorKind.GreaterThan => order > 0,
            BinaryOperatorKind.GreaterThanOrEqual => order >= 0,
            _ => null,
        };

        public static object? Unary(UnaryOperatorKind kind, object value) => (kind, value) switch
        {
            (UnaryOperatorKind.Not, bool b) => !b,
            (UnaryOperatorKind.Minus, int i) => unchecked(-i),
            (UnaryOperatorKind.Minus, float f) => -f,
            (UnaryOperatorKind.Minus, double d) => -d,
            (UnaryOperatorKind.Plus, int or float or double) => value,
            (UnaryOperatorKind.BitwiseNegation, int i) => ~i,
            _ => null,
        };

        /// <summary>Math.Max/Min/Abs/Round/Floor/Ceiling/Sqrt/Pow on constants, converted to the overload's return type.</summary>
        public static object? Math(string name, List<object> arguments, SpecialType returnType)
        {
            if (arguments.All(a => a is int) && returnType == SpecialType.System_Int32)
            {
                int[] ints = arguments.Cast<int>().ToArray();
                return (name, ints.Length) switch
                {
                    ("Max", 2) => System.Math.Max(ints[0], ints[1]),
                    ("Min", 2) => System.Math.Min(ints[0], ints[1]),
                    ("Abs", 1) when ints[0] != int.MinValue => System.Math.Abs(ints[0]),
                    _ => null,
                };
            }
            var values = new List<double>();
            foreach (object argument in arguments)
            {
                if (Convert(argument, SpecialType.System_Double) is double d) values.Add(d);
                else return null;
            }
            double? result = (name, values.Count) switch
            {
                ("Max", 2) => System.Math.Max(values[0], values[1]),
                ("Min", 2) => System.Math.Min(values[0], values[1]),
                ("Abs", 1) => System.Math.Abs(values[0]),
                ("Round", 1) => System.Math.Round(values[0], System.MidpointRounding.ToEven),
                ("Floor", 1) => System.Math.Floor(values[0]),
                ("Ceiling", 1) => System.Math.Ceiling(values[0]),
                ("Sqrt", 1) => System.Math.Sqrt(values[0]),
                ("Pow", 2) => System.Math.Pow(values[0], values[1]),
                _ => null,
            };
            return result is double r ? Convert(returnType == SpecialType.System_Single ? (object)(float)r : r, returnType) : null;
        }
    }

    /// <summary>The runtime's module types, looked up once per extraction (null members when the runtime lacks them).</summary>
    internal sealed class KnownTypes
    {
        public const string Namespace = "FusedNet.Modules";
        public const string FusedModuleAttributeName = "FusedNet.FusedModuleAttribute";
        public const string WeightNameAttributeName = "FusedNet.WeightNameAttribute";

        /// <summary>Built-in modules without arguments → their layer kind.</summary>
        public static readonly ImmutableDictionary<string, LayerKind> SimpleModules = new Dictionary<string, LayerKind>
        {
            ["ReLU"] = LayerKind.ReLU, ["ReLU6"] = LayerKind.ReLU6, ["Sigmoid"] = LayerKind.Sigmoid, ["Tanh"] = LayerKind.Tanh,
            ["SiLU"] = LayerKind.SiLU, ["Hardswish"] = LayerKind.Hardswish, ["Hardsigmoid"] = LayerKind.Hardsigmoid, ["Flatten"] = LayerKind.Flatten,
        }.ToImmutableDictionary();

        private static readonly ImmutableHashSet<string> BuiltinNames = ImmutableHashSet.Create(
            "Conv2d", "BatchNorm2d", "BatchNorm1d", "Linear", "LeakyReLU", "ELU", "GELU", "Dropout", "MaxPool2d", "AvgPool2d",
            "AdaptiveAvgPool2d", "Identity", "Sequential", "Maxout", "LayerNorm", "GroupNorm", "InstanceNorm2d", "Normalize")
            .Union(SimpleModules.Keys);

        private KnownTypes(Compilation compilation, string topName)
        {
            TopName = topName;
            Tensor = compilation.GetTypeByMetadataName(Namespace + ".Tensor");
            Module = compilation.GetTypeByMetadataName(Namespace + ".Module");
            Sequential = compilation.GetTypeByMetadataName(Namespace + ".Sequential");
            F = compilation.GetTypeByMetadataName(Namespace + ".F");
            ModuleExtensions = compilation.GetTypeByMetadataName(Namespace + ".ModuleExtensions");
            FusedModuleAttribute = compilation.GetTypeByMetadataName(FusedModuleAttributeName);
            WeightNameAttribute = compilation.GetTypeByMetadataName(WeightNameAttributeName);
        }

        /// <summary>The types, or null when the referenced runtime has no module front end.</summary>
        public static KnownTypes? Create(Compilation compilation, string topName)
        {
            var known = new KnownTypes(compilation, topName);
            return known.Tensor is null || known.Module is null || known.Sequential is null || known.F is null || known.FusedModuleAttribute is null
                ? null
                : known;
        }

        public string TopName { get; }
        public INamedTypeSymbol? Tensor { get; }
        public INamedTypeSymbol? Module { get; }
        public INamedTypeSymbol? Sequential { get; }
        public INamedTypeSymbol? F { get; }
        public INamedTypeSymbol? ModuleExtensions { get; }
        public INamedTypeSymbol? FusedModuleAttribute { get; }
        public INamedTypeSymbol? WeightNameAttribute { get; }

        public bool IsTensor(ITypeSymbol? type) => SymbolEqualityComparer.Default.Equals(type?.WithNullableAnnotation(NullableAnnotation.NotAnnotated), Tensor);

        public bool IsModule(ITypeSymbol? type)
        {
            for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
                if (SymbolEqualityComparer.Default.Equals(t, Module)) return true;
            return false;
        }

        public bool DerivesFromSequential(ITypeSymbol type)
        {
            for (ITypeSymbol? t = type.BaseType; t is not null; t = t.BaseType)
                if (SymbolEqualityComparer.Default.Equals(t, Sequential)) return true;
            return false;
        }

        /// <summary>A built-in module of the runtime (FusedNet.Modules.Conv2d, ...), not a user class.</summary>
        public bool IsBuiltin(INamedTypeSymbol type) =>
            BuiltinNames.Contains(type.Name) && SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, Module?.ContainingAssembly) &&
            type.ContainingNamespace?.ToDisplayString() == Namespace;

        public bool HasFusedModule(INamedTypeSymbol type) =>
            type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, FusedModuleAttribute));
    }
}
