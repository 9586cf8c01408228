using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using FusedNet.Generator.Diagnostics;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FusedNet.Generator.Extraction
{
    /// <summary>
    /// Stage 1, the attribute front end: the only code that touches Roslyn symbols and syntax. It turns a
    /// class carrying [FusedNetwork] and layer attributes into a symbol-free <see cref="NetworkSpec"/>.
    /// It checks only what is about the declaration itself (partial, nesting, where the attributes sit);
    /// layer arguments are checked by <see cref="Analysis.ShapeInference"/>, which other front ends share.
    /// </summary>
    internal static class AttributeExtractor
    {
        public const string AttributeNamespace = "FusedNet";
        public const string NetworkAttributeMetadataName = "FusedNet.FusedNetworkAttribute";

        /// <summary>Layer attribute class name → layer kind.</summary>
        public static readonly ImmutableDictionary<string, LayerKind> LayerAttributes =
            System.Enum.GetValues(typeof(LayerKind)).Cast<LayerKind>()
                .Where(kind => !kind.IsGraphOnly())
                .ToImmutableDictionary(kind => kind + "Attribute", kind => kind);

        public static Result<NetworkSpec> Extract(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            Result<NetworkSpec> Fail() => new Result<NetworkSpec>(null, diagnostics.ToEquatableArray());

            if (context.TargetSymbol is not INamedTypeSymbol type || context.Attributes.Length == 0)
                return Fail();
            AttributeData networkAttribute = context.Attributes[0];
            LocationInfo? networkLocation = AttributeLocation(networkAttribute) ?? LocationInfo.From(context.TargetNode);
            string className = type.Name;

            // [FusedNetwork] twice (on two partial declarations) is already compile error CS0579: generate nothing.
            if (type.GetAttributes().Count(a => a.AttributeClass?.ToDisplayString() == NetworkAttributeMetadataName) != 1)
                return Fail();
            if (!CheckDeclaration(type, context.TargetNode, networkLocation, diagnostics))
                return Fail();

            if (!TryReadInts(networkAttribute, 3, out int[] input))
                return Fail(); // the compiler already reports a malformed attribute

            List<(AttributeData Data, SyntaxNode Syntax)> layerAttributes = LayerAttributesInSourceOrder(type, cancellationToken);
            if (!CheckSingleDeclaration(className, layerAttributes, diagnostics))
                return Fail();

            var layers = new List<LayerSpec>();
            foreach ((AttributeData data, SyntaxNode syntax) in layerAttributes)
            {
                LayerSpec? layer = ReadLayer(layers.Count, data, LocationInfo.From(syntax), diagnostics);
                if (layer is null) return Fail();
                layers.Add(layer);
            }

            // Keyword identifiers keep their '@' in code (namespace @class, class @event).
            string ns = type.ContainingNamespace is { IsGlobalNamespace: false } containing
                ? containing.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted))
                : "";
            var spec = new NetworkSpec(ns, className, EscapeIdentifier(className), AccessibilityKeyword(type.DeclaredAccessibility),
                input[0], input[1], input[2], layers.ToEquatableArray(), networkLocation)
            {
                Winograd = ReadWinograd(networkAttribute),
                HasOwnDispose = HasOwnDispose(type),
            };
            return new Result<NetworkSpec>(spec, diagnostics.ToEquatableArray());
        }

        /// <summary>Whether the class or a base class implements IDisposable or declares a parameterless Dispose method.</summary>
        internal static bool HasOwnDispose(INamedTypeSymbol type)
        {
            if (type.AllInterfaces.Any(i => i.ToDisplayString() == "System.IDisposable")) return true;
            for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
                if (t.GetMembers("Dispose").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 0 && !m.IsImplicitlyDeclared))
                    return true;
            return false;
        }

        /// <summary>FN0001, FN0010, FN0011: the class must be a partial, non-generic, non-static class in a namespace.</summary>
        internal static bool CheckDeclaration(INamedTypeSymbol type, SyntaxNode targetNode, LocationInfo? location,
            List<DiagnosticInfo> diagnostics, bool moduleFrontEnd = false)
        {
            if (targetNode is not ClassDeclarationSyntax)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, location, type.Name,
                    $"{TypeKindPhrase(targetNode)}; declare it as a 'partial class'"));
                return false;
            }
            if (type.ContainingType is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, location, type.Name,
                    type.ContainingType.ToDisplayString()));
                return false;
            }
            if (type.IsGenericType)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, location, type.Name, "generic"));
                return false;
            }
            string? unsupported = UnsupportedShape(type, targetNode, moduleFrontEnd);
            if (unsupported is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, location, type.Name, unsupported));
                return false;
            }
            if (type.IsStatic || type.IsAbstract)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, location, type.Name,
                    type.IsStatic ? "static (it needs instances holding weights and scratch)" : "abstract (the generated constructor must be callable)"));
                return false;
            }
            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is TypeDeclarationSyntax declaration &&
                    !declaration.Modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword)))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, location, type.Name));
                    return false;
                }
            }
            return true;
        }

        /// <summary>What a non-class declaration is, for FN0011 ("cannot be a struct").</summary>
        private static string TypeKindPhrase(SyntaxNode node) => node switch
        {
            RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "a record struct",
            RecordDeclarationSyntax => "a record",
            StructDeclarationSyntax => "a struct",
            InterfaceDeclarationSyntax => "an interface",
            _ => "anything but a class",
        };

        /// <summary>Names of the members FusedNet generates; the class itself cannot have one of them as its name.</summary>
        private static readonly ImmutableHashSet<string> GeneratedMemberNames = ImmutableHashSet.Create(
            "InputLength", "OutputLength", "InputShape", "OutputShape", "Layers", "ExpectedWeights", "MultiplyAccumulates",
            "VectorWidth", "Forward", "ForwardUnfused", "CloneForThread", "CheckLengths", "RunFused", "RunUnfused",
            "FoldedWeights", "Scratch", "ScratchBytes", "WeightBytes", "CheckNoOverlap", "EnterBusy", "ExitBusy", "ThrowBusy", "_busy");

        /// <summary>Why the class cannot receive the generated members (FN0011), or null when it can.</summary>
        private static string? UnsupportedShape(INamedTypeSymbol type, SyntaxNode targetNode, bool moduleFrontEnd)
        {
            if (GeneratedMemberNames.Contains(type.Name))
                return $"named '{type.Name}', which is the name of a member FusedNet generates; rename the class";
            if (type.IsFileLocal)
                return "file-local ('file'): the generated members live in another file; use 'internal' instead";
            // A module network may have a primary constructor (its parameters have defaults; the generated constructors chain to it).
            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
                if (!moduleFrontEnd && reference.GetSyntax() is ClassDeclarationSyntax { ParameterList: not null })
                    return "declared with a primary constructor: the generated constructors take the weights; remove the parameter list";
            INamedTypeSymbol? baseType = type.BaseType;
            if (baseType is not null && baseType.SpecialType != SpecialType.System_Object)
            {
                if (baseType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NetworkAttributeMetadataName))
                    return $"derived from the network '{baseType.Name}': networks cannot derive from one another";
                bool hasParameterlessConstructor = baseType.InstanceConstructors.Any(c =>
                    c.Parameters.All(p => p.IsOptional || p.IsParams) && c.DeclaredAccessibility != Accessibility.Private);
                if (!hasParameterlessConstructor)
                    return $"derived from '{baseType.Name}', which has no parameterless constructor the generated constructors could call";
            }
            return null;
        }

        /// <summary>Every FusedNet layer attribute of the class, with its syntax, in source order.</summary>
        public static List<(AttributeData Data, SyntaxNode Syntax)> LayerAttributesInSourceOrder(INamedTypeSymbol type,
            CancellationToken cancellationToken)
        {
            var result = new List<(AttributeData, SyntaxNode)>();
            foreach (AttributeData attribute in type.GetAttributes())
            {
                if (!IsLayerAttribute(attribute.AttributeClass)) continue;
                SyntaxNode? syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
                if (syntax is null) continue;
                result.Add((attribute, syntax));
            }
            return result
                .OrderBy(a => a.Item2.SyntaxTree.FilePath, System.StringComparer.Ordinal)
                .ThenBy(a => a.Item2.SpanStart)
                .ToList();
        }

        public static bool IsLayerAttribute(INamedTypeSymbol? attributeClass) =>
            attributeClass is not null &&
            attributeClass.ContainingNamespace?.ToDisplayString() == AttributeNamespace &&
            LayerAttributes.ContainsKey(attributeClass.Name);

        /// <summary>FN0004: all layers on one declaration, else their order is not well defined.</summary>
        private static bool CheckSingleDeclaration(string className, List<(AttributeData Data, SyntaxNode Syntax)> layers,
            List<DiagnosticInfo> diagnostics)
        {
            SyntaxNode? firstDeclaration = null;
            foreach ((_, SyntaxNode syntax) in layers)
            {
                SyntaxNode? declaration = syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>();
                if (firstDeclaration is null) firstDeclaration = declaration;
                else if (declaration != firstDeclaration)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayersSplit, LocationInfo.From(syntax), className));
                    return false;
                }
            }
            return true;
        }

        /// <summary>Reads one layer attribute's arguments into a <see cref="LayerSpec"/>; null if unreadable.</summary>
        internal static LayerSpec? ReadLayer(int index, AttributeData data, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            if (data.AttributeConstructor is null) return null; // a compile error the compiler reports
            LayerKind kind = LayerAttributes[data.AttributeClass!.Name];
            var named = new Dictionary<string, TypedConstant>();
            foreach (KeyValuePair<string, TypedConstant> pair in data.NamedArguments)
            {
                if (pair.Value.Kind == TypedConstantKind.Error) return null;
                named[pair.Key] = pair.Value;
            }
            foreach (TypedConstant argument in data.ConstructorArguments)
                if (argument.Kind == TypedConstantKind.Error) return null;

            string defaultName = index.ToString(CultureInfo.InvariantCulture);
            // Name = null (or not written) means the default prefix, the layer's position.
            string name = named.TryGetValue("Name", out TypedConstant nameValue) && nameValue.Value is string written ? written : defaultName;
            // A chain: every layer reads the one before it (the first reads the network input).
            var layer = new LayerSpec(index, name, kind, location) { Inputs = ImmutableArray.Create(index - 1).ToEquatableArray() };
            string label = layer.Label;
            bool ok = true;

            int Int(string argument, int position, int fallback)
            {
                TypedConstant? value = position >= 0 && position < data.ConstructorArguments.Length
                    ? data.ConstructorArguments[position]
                    : named.TryGetValue(argument, out TypedConstant v) ? v : (TypedConstant?)null;
                if (value is null) return fallback;
                if (value.Value.Value is int i) return i;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnreadableArgument, location, label, argument));
                ok = false;
                return fallback;
            }

            float Float(string argument, int position, float fallback)
            {
                TypedConstant? value = position >= 0 && position < data.ConstructorArguments.Length
                    ? data.ConstructorArguments[position]
                    : named.TryGetValue(argument, out TypedConstant v) ? v : (TypedConstant?)null;
                if (value is null) return fallback;
                switch (value.Value.Value)
                {
                    case float f: return f;
                    case double d: return (float)d;
                    case int i: return i;
                }
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnreadableArgument, location, label, argument));
                ok = false;
                return fallback;
            }

            // A params int[] constructor argument (LayerNorm's normalized_shape); empty when not written.
            int[] Ints(int position)
            {
                if (position >= data.ConstructorArguments.Length) return new int[0];
                TypedConstant array = data.ConstructorArguments[position];
                if (array.Kind != TypedConstantKind.Array || array.IsNull) return new int[0];
                var values = new List<int>();
                foreach (TypedConstant element in array.Values)
                {
                    if (element.Value is int i) values.Add(i);
                    else
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnreadableArgument, location, label, "normalizedShape"));
                        ok = false;
                    }
                }
                return values.ToArray();
            }

            // A float[] argument (Normalize's mean and std): every element a float constant (an int or double literal
            // converts), null or missing → empty (then FN0045 reports the length).
            EquatableArray<float> Floats(string argument, int position)
            {
                if (position >= data.ConstructorArguments.Length) return EquatableArray<float>.Empty;
                TypedConstant value = data.ConstructorArguments[position];
                if (value.IsNull) return EquatableArray<float>.Empty;
                var values = new List<float>();
                if (value.Kind == TypedConstantKind.Array)
                {
                    foreach (TypedConstant element in value.Values)
                    {
                        switch (element.Value)
                        {
                            case float f: values.Add(f); continue;
                            case double d: values.Add((float)d); continue;
                            case int i: values.Add(i); continue;
                        }
                        values = null;
                        break;
                    }
                    if (values is not null) return values.ToEquatableArray();
                }
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnreadableArgument, location, label, argument));
                ok = false;
                return EquatableArray<float>.Empty;
            }

            bool Bool(string argument, bool fallback) =>
                named.TryGetValue(argument, out TypedConstant v) && v.Value is bool b ? b : fallback;

            switch (kind)
            {
                case LayerKind.Conv2d:
                    int kernel = Int("kernelSize", 1, 0);
                    layer = layer with
                    {
                        OutChannels = Int("outChannels", 0, 0),
                        KernelHeight = kernel,
                        KernelWidth = OrDefault(Int("KernelWidth", -1, 0), kernel), // 0 (the property's default) = square
                        Stride = Int("Stride", -1, 1),
                        Padding = Int("Padding", -1, 0),
                        Dilation = Int("Dilation", -1, 1),
                        Groups = Int("Groups", -1, 1),
                        Bias = Bool("Bias", true),
                    };
                    break;
                case LayerKind.BatchNorm2d:
                case LayerKind.BatchNorm1d:
                    layer = layer with { Epsilon = Float("Epsilon", -1, 1e-5f), TrackRunningStats = Bool("TrackRunningStats", true) };
                    break;
                case LayerKind.LeakyReLU:
                    layer = layer with { Parameter = Float("negativeSlope", 0, 0.01f) };
                    break;
                case LayerKind.ELU:
                    layer = layer with { Parameter = Float("alpha", 0, 1f) };
                    break;
                case LayerKind.Dropout:
                    layer = layer with { Parameter = Float("p", 0, 0.5f) };
                    break;
                case LayerKind.GELU:
                    layer = layer with { Approximate = Bool("Approximate", false) };
                    break;
                case LayerKind.MaxPool2d:
                case LayerKind.AvgPool2d:
                    int poolKernel = Int("kernelSize", 0, 0);
                    layer = layer with
                    {
                        KernelHeight = poolKernel,
                        KernelWidth = poolKernel,
                        Stride = OrDefault(Int("Stride", -1, 0), poolKernel), // 0 (the property's default) = kernel size, as PyTorch's stride=None
                        Padding = Int("Padding", -1, 0),
                    };
                    break;
                case LayerKind.Linear:
                    layer = layer with { OutChannels = Int("outFeatures", 0, 0), Bias = Bool("Bias", true) };
                    break;
                case LayerKind.Maxout:
                    layer = layer with { Pieces = Int("pieces", 0, 0) };
                    break;
                case LayerKind.LayerNorm:
                    layer = layer with
                    {
                        NormalizedShape = Ints(0).ToEquatableArray(),
                        Epsilon = Float("Epsilon", -1, 1e-5f),
                        Affine = Bool("ElementwiseAffine", true),
                    };
                    break;
                case LayerKind.GroupNorm:
                    layer = layer with { Groups = Int("numGroups", 0, 0), Epsilon = Float("Epsilon", -1, 1e-5f), Affine = Bool("Affine", true) };
                    break;
                case LayerKind.InstanceNorm2d:
                    layer = layer with
                    {
                        Epsilon = Float("Epsilon", -1, 1e-5f),
                        Affine = Bool("Affine", false), // PyTorch's default
                        TrackRunningStats = Bool("TrackRunningStats", false),
                    };
                    break;
                case LayerKind.Normalize:
                    // [Normalize] (no constants) reads P.mean and P.std from the weights.
                    layer = data.AttributeConstructor.Parameters.Length == 0
                        ? layer with { NormalizeReadsTensors = true }
                        : layer with { Mean = Floats("mean", 0), Std = Floats("std", 1) };
                    break;
            }
            return ok ? layer : null;
        }

        /// <summary>An optional size whose property default 0 means "same as <paramref name="fallback"/>".</summary>
        private static int OrDefault(int value, int fallback) => value == 0 ? fallback : value;

        /// <summary>The [FusedNetwork] named property Winograd (default true).</summary>
        internal static WinogradUse ReadWinograd(AttributeData networkAttribute)
        {
            foreach (KeyValuePair<string, TypedConstant> pair in networkAttribute.NamedArguments)
                if (pair.Key == "Winograd" && pair.Value.Value is bool value) return value ? WinogradUse.WherePays : WinogradUse.Never;
            return WinogradUse.WherePays;
        }

        internal static bool TryReadInts(AttributeData data, int count, out int[] values)
        {
            values = new int[count];
            if (data.AttributeConstructor is null || data.ConstructorArguments.Length != count) return false;
            for (int i = 0; i < count; i++)
            {
                if (data.ConstructorArguments[i].Value is not int value) return false;
                values[i] = value;
            }
            return true;
        }

        /// <summary>"@event" for a keyword used as an identifier, else the name itself.</summary>
        internal static string EscapeIdentifier(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

        public static LocationInfo? AttributeLocation(AttributeData attribute) =>
            LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax());

        internal static string AccessibilityKeyword(Accessibility accessibility) => accessibility switch
        {
            Accessibility.Public => "public",
            Accessibility.Internal => "internal",
            _ => "internal",
        };
    }
}
