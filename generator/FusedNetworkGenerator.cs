using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using FusedNet.Generator.Analysis;
using FusedNet.Generator.Diagnostics;
using FusedNet.Generator.Emit;
using FusedNet.Generator.Extraction;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("FusedNet.Tests")]

namespace FusedNet.Generator
{
    /// <summary>
    /// Compiles networks declared with FusedNet layer attributes into fused, allocation-free inference code.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class FusedNetworkGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking names of the pipeline steps (tests assert they are cached across unrelated edits).</summary>
        public static class TrackingNames
        {
            public const string Extract = nameof(Extract);
            public const string Analyze = nameof(Analyze);
            public const string Plan = nameof(Plan);
            public const string Emit = nameof(Emit);
            public const string OrphanLayers = nameof(OrphanLayers);
            public const string Limits = nameof(Limits);
        }

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // 1. Extract: every class carrying [FusedNetwork] becomes a symbol-free NetworkSpec (or diagnostics).
            IncrementalValuesProvider<Result<NetworkSpec>> specs = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    AttributeExtractor.NetworkAttributeMetadataName,
                    static (node, _) => node is TypeDeclarationSyntax,
                    // A class that also carries [FusedModule] is a module network: the module front end reads its Forward.
                    static (ctx, ct) => Guard(TrackingNames.Extract,
                        () => ModuleExtractor.IsModuleNetwork(ctx.TargetSymbol) ? ModuleExtractor.Extract(ctx, ct) : AttributeExtractor.Extract(ctx, ct),
                        failure => new Result<NetworkSpec>(null, ImmutableArray.Create(failure).ToEquatableArray()),
                        () => DeclarationSite(ctx.TargetNode)))
                .WithTrackingName(TrackingNames.Extract);

            // The size limits (MSBuild properties FusedNetMaxScratchBytes / FusedNetMaxWeightBytes): one value-equatable
            // record, so an edit that leaves them alone changes nothing downstream. A value that is not a size is FN0018,
            // reported once per compilation (it has no declaration to sit on).
            IncrementalValueProvider<NetworkLimits> limits = context.AnalyzerConfigOptionsProvider
                .Select(static (options, _) => Guard(TrackingNames.Limits, () => NetworkLimits.Read(options.GlobalOptions),
                    failure => NetworkLimits.Default with { Problems = ImmutableArray.Create(failure).ToEquatableArray() },
                    () => (NetworkLimits.ScratchProperty + ", " + NetworkLimits.WeightProperty, null)))
                .WithTrackingName(TrackingNames.Limits);
            context.RegisterSourceOutput(limits.Select(static (l, _) => l.Problems), static (spc, diagnostics) => Report(spc, diagnostics));

            // 2. Analyze: shape inference and argument checks, then fusion and memory planning, then the size limits.
            IncrementalValuesProvider<Analysis> analyzed = specs
                .Combine(limits)
                .Select(static (input, _) => Guard(TrackingNames.Analyze, () => Analyze(input.Left, input.Right),
                    failure => new Analysis(null, (input.Left?.Diagnostics ?? EquatableArray<DiagnosticInfo>.Empty).Concat(new[] { failure }).ToEquatableArray()),
                    () => (input.Left?.Value?.ClassName ?? "?", input.Left?.Value?.NetworkAttributeLocation)))
                .WithTrackingName(TrackingNames.Analyze);

            // 3. Diagnostics are their own output, so moving a declaration never re-emits source.
            context.RegisterSourceOutput(analyzed.Select(static (a, _) => a.Diagnostics),
                static (spc, diagnostics) => Report(spc, diagnostics));

            // 4. Plan → source text. The plan holds no locations, so it is equal across edits that keep the network.
            IncrementalValuesProvider<NetworkPlan> plans = analyzed
                .Select(static (a, _) => a.Plan)
                .Where(static plan => plan is not null)
                .Select(static (plan, _) => plan!)
                .WithTrackingName(TrackingNames.Plan);
            IncrementalValuesProvider<EmitOutput> sources = plans
                .Select(static (plan, _) => Guard(TrackingNames.Emit, () => new EmitOutput(HintName(plan), NetworkEmitter.Emit(plan), null),
                    failure => new EmitOutput(null, null, failure),
                    () => (plan.ClassName, null))) // the plan holds no locations (so moves do not re-emit)
                .WithTrackingName(TrackingNames.Emit);
            context.RegisterSourceOutput(sources, static (spc, output) => AddSource(spc, output));

            // 5. Layer attributes on a class without [FusedNetwork] (FN0002), reported once per class.
            foreach (string attributeName in AttributeExtractor.LayerAttributes.Keys.OrderBy(n => n, System.StringComparer.Ordinal))
            {
                IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> orphans = context.SyntaxProvider
                    .ForAttributeWithMetadataName(
                        AttributeExtractor.AttributeNamespace + "." + attributeName,
                        static (node, _) => node is TypeDeclarationSyntax,
                        (ctx, ct) => Guard(TrackingNames.OrphanLayers, () => OrphanLayers.Check(ctx, attributeName, ct),
                            failure => ImmutableArray.Create(failure).ToEquatableArray(),
                            () => DeclarationSite(ctx.TargetNode)))
                    .WithTrackingName(TrackingNames.OrphanLayers);
                context.RegisterSourceOutput(orphans, static (spc, diagnostics) => Report(spc, diagnostics));
            }
        }

        /// <summary>Output of stage 2: the plan (null when the declaration is invalid) and every diagnostic.</summary>
        internal sealed record Analysis(NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);

        internal static Analysis Analyze(Result<NetworkSpec>? extracted, NetworkLimits? limits = null)
        {
            if (extracted?.Value is null)
                return new Analysis(null, extracted?.Diagnostics ?? EquatableArray<DiagnosticInfo>.Empty);
            Result<ShapedNetwork> shaped = ShapeInference.Infer(extracted.Value);
            var diagnostics = extracted.Diagnostics.Concat(shaped.Diagnostics).ToEquatableArray();
            // Warnings (FN0030, an unused sub-module) do not stop generation; errors do.
            if (shaped.Value is null || diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error))
                return new Analysis(null, diagnostics);
            NetworkPlan plan = Planner.Plan(shaped.Value);
            // FN0017: the network is valid but needs more memory than allowed. Like every FN error, it gets no source.
            var tooLarge = MemoryBudget.Of(plan).Check(extracted.Value.ClassName, extracted.Value.NetworkAttributeLocation,
                limits ?? NetworkLimits.Default).ToList();
            if (tooLarge.Count > 0) return new Analysis(null, diagnostics.Concat(tooLarge).ToEquatableArray());
            return new Analysis(plan, diagnostics);
        }

        /// <summary>A file name for the network: its full name without '@' escapes (AddSource rejects them).</summary>
        private static string HintName(NetworkPlan plan) =>
            ((plan.Namespace.Length > 0 ? plan.Namespace + "." : "") + plan.ClassName).Replace("@", "") + ".FusedNet.g.cs";

        /// <summary>Output of stage 4: the file, or the internal error (FN9999) that prevented it.</summary>
        internal sealed record EmitOutput(string? HintName, string? Source, DiagnosticInfo? Failure);

        /// <summary>
        /// The generator must never throw into the compiler, and a bug must never be silent (the user would only see
        /// a page of CS0117/CS1061 errors on the missing members). An exception in <paramref name="stage"/> becomes
        /// FN9999 (stage, exception type and message), placed where <paramref name="site"/> says when it can tell.
        /// OperationCanceledException passes through: cancellation is not a failure.
        /// </summary>
        private static T Guard<T>(string stageName, System.Func<T> stage, System.Func<DiagnosticInfo, T> onFailure,
            System.Func<(string Network, LocationInfo? Location)> site)
        {
            try
            {
                GeneratorTestHooks.BeforeStage.Value?.Invoke(stageName);
                return stage();
            }
            catch (System.OperationCanceledException)
            {
                throw;
            }
            catch (System.Exception e)
            {
                return onFailure(InternalError(stageName, e, site));
            }
        }

        private static DiagnosticInfo InternalError(string stageName, System.Exception exception, System.Func<(string Network, LocationInfo? Location)>? site)
        {
            (string network, LocationInfo? location) = ("?", null);
            try
            {
                if (site is not null) (network, location) = site();
            }
            catch (System.Exception)
            {
                // The site is best effort: the failure itself is what must be reported.
            }
            return DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, location, stageName, network,
                exception.GetType().FullName ?? exception.GetType().Name, exception.Message);
        }

        /// <summary>The class name and its identifier's location (the declaration FN9999 sits on).</summary>
        private static (string Network, LocationInfo? Location) DeclarationSite(SyntaxNode node) =>
            node is TypeDeclarationSyntax type
                ? (type.Identifier.ValueText, LocationInfo.From(type.Identifier.GetLocation()))
                : ("?", LocationInfo.From(node));

        private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
        {
            foreach (DiagnosticInfo diagnostic in diagnostics) context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }

        /// <summary>Adds the generated file, or reports why there is none; AddSource's own failures become FN9999 too.</summary>
        private static void AddSource(SourceProductionContext context, EmitOutput output)
        {
            if (output.Failure is not null)
            {
                context.ReportDiagnostic(output.Failure.ToDiagnostic());
                return;
            }
            try
            {
                context.AddSource(output.HintName!, output.Source!);
            }
            catch (System.ArgumentException e)
            {
                context.ReportDiagnostic(InternalError("AddSource", e, () => (output.HintName ?? "?", null)).ToDiagnostic());
            }
        }
    }

    /// <summary>FN0002: layer attributes on a class that has no [FusedNetwork].</summary>
    internal static class OrphanLayers
    {
        public static EquatableArray<DiagnosticInfo> Check(GeneratorAttributeSyntaxContext context, string attributeName, CancellationToken ct)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type) return EquatableArray<DiagnosticInfo>.Empty;
            bool hasNetwork = type.GetAttributes().Any(a =>
                a.AttributeClass?.ToDisplayString() == AttributeExtractor.NetworkAttributeMetadataName);
            if (hasNetwork) return EquatableArray<DiagnosticInfo>.Empty;
            // Report once per class: only the pipeline of the class's first layer attribute does.
            var layers = AttributeExtractor.LayerAttributesInSourceOrder(type, ct);
            if (layers.Count == 0 || layers[0].Data.AttributeClass?.Name != attributeName) return EquatableArray<DiagnosticInfo>.Empty;
            // FAWMN calls us once per declaration carrying the attribute; report from the declaration holding the first.
            if (!layers[0].Syntax.Ancestors().Contains(context.TargetNode)) return EquatableArray<DiagnosticInfo>.Empty;
            // A module class (a block used inside a module network) is read from its Forward: layer attributes do not belong there (FN0028).
            if (ModuleExtractor.IsModuleNetwork(type))
                return ImmutableArray.Create(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidModuleClass,
                    LocationInfo.From(layers[0].Syntax), type.Name, ModuleExtractor.LayerAttributesMessage)).ToEquatableArray();
            return ImmutableArray.Create(DiagnosticInfo.Create(DiagnosticDescriptors.MissingFusedNetwork,
                LocationInfo.From(layers[0].Syntax), type.Name)).ToEquatableArray();
        }
    }
}
