using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace FusedNet.Generator.Helpers
{
    /// <summary>A value-equatable stand-in for <see cref="Location"/> (which holds a syntax tree).</summary>
    internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
    {
        public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);

        public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());

        public static LocationInfo? From(Location location)
        {
            if (location.SourceTree is null) return null;
            return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
        }
    }

    /// <summary>A value-equatable diagnostic: descriptor id, location and message arguments, all text.</summary>
    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments)
            => new DiagnosticInfo(descriptor, location, arguments.ToEquatableArray());

        public Diagnostic ToDiagnostic()
        {
            object[] args = new object[Arguments.Count];
            for (int i = 0; i < args.Length; i++) args[i] = Arguments[i];
            return Diagnostic.Create(Descriptor, Location?.ToLocation(), args);
        }

        public bool Equals(DiagnosticInfo? other) =>
            other is not null && Descriptor.Id == other.Descriptor.Id && Equals(Location, other.Location) && Arguments == other.Arguments;

        public override int GetHashCode() => (Descriptor.Id, Location, Arguments).GetHashCode();
    }
}
