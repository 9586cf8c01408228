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
        }

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // 1. Extract: every class carrying [FusedNetwork] becomes a symbol-free NetworkSpec (or diagnostics).
            IncrementalValuesProvider<Result<NetworkSpec>> specs = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    AttributeExtractor.NetworkAttributeMetadataName,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (ctx, ct) => Guard(() => AttributeExtractor.Extract(ctx, ct), new Result<NetworkSpec>(null, EquatableArray<DiagnosticInfo>.Empty)))
                .WithTrackingName(TrackingNames.Extract);

            // 2. Analyze: shape inference and argument checks, then fusion and memory planning.
            IncrementalValuesProvider<Analysis> analyzed = specs
                .Select(static (spec, _) => Guard(() => Analyze(spec), new Analysis(null, EquatableArray<DiagnosticInfo>.Empty)))
                .WithTrackingName(TrackingNames.Analyze);

            // 3. Diagnostics are their own output, so moving a declaration never re-emits source.
            context.RegisterSourceOutput(analyzed.Select(static (a, _) => a.Diagnostics),
                static (spc, diagnostics) =>
                {
                    foreach (DiagnosticInfo diagnostic in diagnostics) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
                });

            // 4. Plan → source text. The plan holds no locations, so it is equal across edits that keep the network.
            IncrementalValuesProvider<NetworkPlan> plans = analyzed
                .Select(static (a, _) => a.Plan)
                .Where(static plan => plan is not null)
                .Select(static (plan, _) => plan!)
                .WithTrackingName(TrackingNames.Plan);
            IncrementalValuesProvider<(string HintName, string Source)> sources = plans
                .Select(static (plan, _) => (HintName(plan), NetworkEmitter.Emit(plan)))
                .WithTrackingName(TrackingNames.Emit);
            context.RegisterSourceOutput(sources, static (spc, source) => spc.AddSource(source.HintName, source.Source));

            // 5. Layer attributes on a class without [FusedNetwork] (FN0002), reported once per class.
            foreach (string attributeName in AttributeExtractor.LayerAttributes.Keys.OrderBy(n => n, System.StringComparer.Ordinal))
            {
                IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> orphans = context.SyntaxProvider
                    .ForAttributeWithMetadataName(
                        AttributeExtractor.AttributeNamespace + "." + attributeName,
                        static (node, _) => node is TypeDeclarationSyntax,
                        (ctx, ct) => Guard(() => OrphanLayers.Check(ctx, attributeName, ct), EquatableArray<DiagnosticInfo>.Empty))
                    .WithTrackingName(TrackingNames.OrphanLayers);
                context.RegisterSourceOutput(orphans, static (spc, diagnostics) =>
                {
                    foreach (DiagnosticInfo diagnostic in diagnostics) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
                });
            }
        }

        /// <summary>Output of stage 2: the plan (null when the declaration is invalid) and every diagnostic.</summary>
        internal sealed record Analysis(NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);

        internal static Analysis Analyze(Result<NetworkSpec>? extracted)
        {
            if (extracted?.Value is null)
                return new Analysis(null, extracted?.Diagnostics ?? EquatableArray<DiagnosticInfo>.Empty);
            Result<ShapedNetwork> shaped = ShapeInference.Infer(extracted.Value);
            var diagnostics = extracted.Diagnostics.Concat(shaped.Diagnostics).ToEquatableArray();
            if (shaped.Value is null || diagnostics.Count > 0) return new Analysis(null, diagnostics);
            return new Analysis(Planner.Plan(shaped.Value), diagnostics);
        }

        /// <summary>A file name for the network: its full name without '@' escapes (AddSource rejects them).</summary>
        private static string HintName(NetworkPlan plan) =>
            ((plan.Namespace.Length > 0 ? plan.Namespace + "." : "") + plan.ClassName).Replace("@", "") + ".FusedNet.g.cs";

        /// <summary>
        /// The generator must never throw into the compiler. A bug in a stage becomes <paramref name="fallback"/>
        /// ("no output": the user's build then fails on the missing members), never a crashed compilation.
        /// OperationCanceledException passes through.
        /// </summary>
        private static T Guard<T>(System.Func<T> stage, T fallback)
        {
            try
            {
                return stage();
            }
            catch (System.OperationCanceledException)
            {
                throw;
            }
            catch (System.Exception)
            {
                return fallback;
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
            return ImmutableArray.Create(DiagnosticInfo.Create(DiagnosticDescriptors.MissingFusedNetwork,
                LocationInfo.From(layers[0].Syntax), type.Name)).ToEquatableArray();
        }
    }
}
