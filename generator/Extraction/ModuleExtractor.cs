using System.Collections.Generic;
using System.Linq;
using System.Threading;
using FusedNet.Generator.Diagnostics;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FusedNet.Generator.Extraction
{
    /// <summary>
    /// Stage 1, the module front end (docs/modules.md): a class carrying [FusedNetwork] and [FusedModule], written as a
    /// PyTorch module (sub-modules as fields, a <c>public Tensor Forward(Tensor x)</c> method), becomes the same
    /// symbol-free <see cref="NetworkSpec"/> the attribute front end produces. <see cref="ModuleInterpreter"/> constructs
    /// the module tree at build time and runs Forward on a symbolic tensor; this class checks the declaration, names
    /// the modules (PyTorch state_dict paths) and assembles the spec.
    /// </summary>
    internal static class ModuleExtractor
    {
        /// <summary>Whether the [FusedNetwork] class is a module network (it also carries [FusedModule]).</summary>
        public static bool IsModuleNetwork(ISymbol symbol) =>
            symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownTypes.FusedModuleAttributeName);

        public static Result<NetworkSpec> Extract(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            Result<NetworkSpec> Fail() => new Result<NetworkSpec>(null, diagnostics.ToEquatableArray());

            if (context.TargetSymbol is not INamedTypeSymbol type || context.Attributes.Length == 0) return Fail();
            AttributeData networkAttribute = context.Attributes[0];
            LocationInfo? networkLocation = AttributeExtractor.AttributeLocation(networkAttribute) ?? LocationInfo.From(context.TargetNode);
            if (type.GetAttributes().Count(a => a.AttributeClass?.ToDisplayString() == AttributeExtractor.NetworkAttributeMetadataName) != 1)
                return Fail();
            if (!AttributeExtractor.CheckDeclaration(type, context.TargetNode, networkLocation, diagnostics, moduleFrontEnd: true))
                return Fail();
            if (!AttributeExtractor.TryReadInts(networkAttribute, 3, out int[] input)) return Fail();

            var layerAttributes = AttributeExtractor.LayerAttributesInSourceOrder(type, cancellationToken);
            if (layerAttributes.Count > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidModuleClass, LocationInfo.From(layerAttributes[0].Syntax), type.Name,
                    LayerAttributesMessage));
                return Fail();
            }

            Compilation compilation = context.SemanticModel.Compilation;
            KnownTypes? known = KnownTypes.Create(compilation, type.Name);
            if (known is null) return Fail();
            if (!known.IsModule(type))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidModuleClass, networkLocation, type.Name,
                    "is marked [FusedModule] but does not derive from FusedNet.Modules.Module; declare it 'partial class " + type.Name + " : Module'"));
                return Fail();
            }

            // The constructor the description is read with: an explicit parameterless one, else the primary constructor
            // with every parameter at its default, else the implicit one.
            IMethodSymbol? primary = type.InstanceConstructors.FirstOrDefault(c =>
                c.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax));
            if (primary is not null)
            {
                foreach (IParameterSymbol parameter in primary.Parameters)
                {
                    if (parameter.HasExplicitDefaultValue) continue;
                    SyntaxNode? syntax = parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidModuleClass, LocationInfo.From(syntax) ?? networkLocation, type.Name,
                        $"has the primary constructor parameter '{parameter.Name}' without a default value; the generated constructors call 'this()', so give every parameter a default (e.g. '{parameter.Type.ToDisplayString()} {parameter.Name} = ...')"));
                }
                if (diagnostics.Count > 0) return Fail();
            }
            IMethodSymbol? parameterless = type.InstanceConstructors.FirstOrDefault(c => c.Parameters.Length == 0 && !SymbolEqualityComparer.Default.Equals(c, primary));
            IMethodSymbol? constructor = parameterless ?? primary;
            if (constructor is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidModuleClass, networkLocation, type.Name,
                    "has no parameterless constructor to read the description with; add one, or give the constructor's parameters defaults in a primary constructor"));
                return Fail();
            }

            var interpreter = new ModuleInterpreter(compilation, known, cancellationToken);
            int output;
            try
            {
                var frame = new ModuleInterpreter.Frame(null, false, "'" + type.Name + "'");
                var bound = new Dictionary<ISymbol, Value>(SymbolEqualityComparer.Default);
                if (SymbolEqualityComparer.Default.Equals(constructor, primary))
                    foreach (IParameterSymbol parameter in constructor.Parameters)
                        bound[parameter] = DefaultValue(parameter);
                SyntaxNode declarationSite = context.TargetNode is TypeDeclarationSyntax declaration ? declaration : context.TargetNode;
                ModuleInstance network = interpreter.Instantiate(type, constructor, System.Collections.Immutable.ImmutableArray<Microsoft.CodeAnalysis.Operations.IArgumentOperation>.Empty,
                    frame, null, "", bound);
                AssignPaths(network, "", new HashSet<ModuleInstance>());

                IMethodSymbol? forward = interpreter.FindForward(type);
                SyntaxNode? forwardSyntax = forward?.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
                SyntaxNode site = forwardSyntax is MethodDeclarationSyntax method ? method.Identifier.Parent! : declarationSite;
                if (forward is null && network.Role != ModuleRole.Sequential)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidForward, networkLocation, "'" + type.Name + "'",
                        "the network class has no method 'public Tensor Forward(Tensor x)'; declare one that applies the sub-modules"));
                    return Fail();
                }
                TensorValue result = interpreter.CallModule(network, new TensorValue(LayerSpec.NetworkInput), site, frame);
                if (result.Producer == LayerSpec.NetworkInput)
                {
                    SyntaxNode at = forwardSyntax is MethodDeclarationSyntax m ? (SyntaxNode?)FirstReturn(m) ?? m : declarationSite;
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidForward, LocationInfo.From(at), "'" + type.Name + "'",
                        "Forward returns its input unchanged, so the network has no layers; return the result of the sub-modules"));
                    return Fail();
                }
                output = result.Producer;
                ReportUnused(network, diagnostics, new HashSet<LocationInfo>(), new HashSet<ModuleInstance>(), cancellationToken);
            }
            catch (ExtractionStop stop)
            {
                if (stop.Diagnostic is not null) diagnostics.Add(stop.Diagnostic);
                return Fail();
            }

            string ns = type.ContainingNamespace is { IsGlobalNamespace: false } containing
                ? containing.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted))
                : "";
            var spec = new NetworkSpec(ns, type.Name, AttributeExtractor.EscapeIdentifier(type.Name), AttributeExtractor.AccessibilityKeyword(type.DeclaredAccessibility),
                input[0], input[1], input[2], interpreter.Layers.ToEquatableArray(), networkLocation)
            {
                OutputLayer = output,
                ConstructorChain = primary is not null ? "this()" : null,
                Source = "Forward method",
                HasOwnDispose = AttributeExtractor.HasOwnDispose(type),
                Winograd = AttributeExtractor.ReadWinograd(networkAttribute),
            };
            return new Result<NetworkSpec>(spec, diagnostics.ToEquatableArray());
        }

        public const string LayerAttributesMessage =
            "has layer attributes and [FusedModule]: a module network is read from its fields and Forward method; remove the layer attributes (or [FusedModule], to declare the network with attributes)";

        private static SyntaxNode? FirstReturn(MethodDeclarationSyntax method) =>
            (SyntaxNode?)method.ExpressionBody?.Expression ?? method.Body?.DescendantNodes().OfType<ReturnStatementSyntax>().LastOrDefault()?.Expression;

        /// <summary>A primary-constructor parameter's default as the interpreter's value, typed as the parameter.</summary>
        private static Value DefaultValue(IParameterSymbol parameter)
        {
            object? value = parameter.ExplicitDefaultValue;
            if (value is null) return NullValue.Instance;
            object? normalized = Constants.Normalize(value);
            if (normalized is null) throw ModuleInterpreter.Silent();
            ITypeSymbol type = parameter.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable
                ? nullable.TypeArguments[0]
                : parameter.Type;
            return new ConstValue(Constants.Convert(normalized, type.SpecialType) ?? normalized);
        }

        /// <summary>
        /// PyTorch's state_dict paths: a field's segment (its name or [WeightName]) under its owner's path, Sequential
        /// children by position. The first path that reaches a module names it.
        /// </summary>
        private static void AssignPaths(ModuleInstance module, string path, HashSet<ModuleInstance> visited)
        {
            if (!visited.Add(module)) return;
            module.Path = path;
            for (int i = 0; i < module.Children.Count; i++)
                AssignPaths(module.Children[i], ModuleInterpreter.Join(path,
                    module.Children[i].SegmentOverride ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)), visited);
            foreach ((ISymbol member, _) in module.MemberOrder)
                if (module.Members.TryGetValue(member, out Value? value) && value is ModuleValue child)
                    AssignPaths(child.Module, ModuleInterpreter.Join(path, Segment(member)), visited);
        }

        private static string Segment(ISymbol member)
        {
            foreach (AttributeData attribute in member.GetAttributes())
                if (attribute.AttributeClass?.ToDisplayString() == KnownTypes.WeightNameAttributeName &&
                    attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string segment)
                    return segment;
            return member.Name;
        }

        private static bool AnyCalled(ModuleInstance module, HashSet<ModuleInstance> visited)
        {
            if (module.Called) return true;
            if (!visited.Add(module)) return false;
            return module.Children.Any(c => AnyCalled(c, visited)) ||
                   module.Members.Values.OfType<ModuleValue>().Any(v => AnyCalled(v.Module, visited));
        }

        /// <summary>FN0030: sub-modules Forward never reaches (reported once per declaration, on the outermost unused one).</summary>
        private static void ReportUnused(ModuleInstance module, List<DiagnosticInfo> diagnostics, HashSet<LocationInfo> reported,
            HashSet<ModuleInstance> visited, CancellationToken cancellationToken)
        {
            if (!visited.Add(module)) return;
            void Check(ModuleInstance child, LocationInfo? location, string name)
            {
                if (AnyCalled(child, new HashSet<ModuleInstance>()))
                {
                    ReportUnused(child, diagnostics, reported, visited, cancellationToken);
                    return;
                }
                if (location is not null && reported.Add(location))
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnusedSubModule, location, module.Describe(), name));
            }
            foreach ((ISymbol member, SyntaxNode declaration) in module.MemberOrder)
                if (module.Members.TryGetValue(member, out Value? value) && value is ModuleValue child && child.Module != module)
                    Check(child.Module, LocationInfo.From(declaration switch
                    {
                        VariableDeclaratorSyntax variable => variable.Identifier.GetLocation(),
                        PropertyDeclarationSyntax property => property.Identifier.GetLocation(),
                        _ => declaration.GetLocation(),
                    }), member.Name);
            foreach (ModuleInstance child in module.Children)
                Check(child, LocationInfo.From(child.Creation), child.Path ?? "?");
        }
    }
}
