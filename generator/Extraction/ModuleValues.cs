using System.Collections.Generic;
using FusedNet.Generator.Helpers;
using FusedNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace FusedNet.Generator.Extraction
{
    /// <summary>
    /// What the module interpreter computes with (<see cref="ModuleInterpreter"/>): a build-time constant, null, a
    /// module instance, a tensor (the layer producing it) or a params array. Lives only during extraction.
    /// </summary>
    internal abstract class Value
    {
    }

    /// <summary>An int, float, double, bool or string constant, typed as C# would type it.</summary>
    internal sealed class ConstValue : Value
    {
        public ConstValue(object constant) => Constant = constant;

        public object Constant { get; }

        public override string ToString() => Constant is bool b ? (b ? "true" : "false") : System.Convert.ToString(Constant, System.Globalization.CultureInfo.InvariantCulture) ?? "?";
    }

    /// <summary>The null reference (an absent sub-module such as torchvision's <c>downsample = None</c>).</summary>
    internal sealed class NullValue : Value
    {
        public static readonly NullValue Instance = new NullValue();

        private NullValue()
        {
        }
    }

    /// <summary>A tensor of a Forward description: the output of layer <see cref="Producer"/> (−1 = the network input).</summary>
    internal sealed class TensorValue : Value
    {
        public TensorValue(int producer) => Producer = producer;

        public int Producer { get; }
    }

    /// <summary>An array built for a params parameter (Sequential's children, Tensor.Cat's operands).</summary>
    internal sealed class ArrayValue : Value
    {
        public ArrayValue(List<Value> elements, List<SyntaxNode> syntax)
        {
            Elements = elements;
            Syntax = syntax;
        }

        public List<Value> Elements { get; }

        /// <summary>The expression of each element, for locations.</summary>
        public List<SyntaxNode> Syntax { get; }
    }

    /// <summary>A module instance: built-in (a layer, Sequential or Identity) or a user [FusedModule] class.</summary>
    internal sealed class ModuleValue : Value
    {
        public ModuleValue(ModuleInstance module) => Module = module;

        public ModuleInstance Module { get; }
    }

    /// <summary>The built-in module kinds that are not a single layer.</summary>
    internal enum ModuleRole
    {
        /// <summary>A built-in module that becomes one layer (<see cref="ModuleInstance.Layer"/>).</summary>
        Layer,
        /// <summary>nn.Identity: no layer.</summary>
        Identity,
        /// <summary>nn.Sequential (or a user class derived from it without a Forward of its own).</summary>
        Sequential,
        /// <summary>A user [FusedModule] class with its own Forward.</summary>
        User,
    }

    /// <summary>
    /// One module object of the description, as constructing it at build time would create it: its members (fields
    /// and properties, by symbol), its primary-constructor parameters, its Sequential children and its weight-name path.
    /// </summary>
    internal sealed class ModuleInstance
    {
        public ModuleInstance(INamedTypeSymbol type, ModuleRole role, SyntaxNode? creation, string hintPath)
        {
            Type = type;
            Role = role;
            Creation = creation;
            HintPath = hintPath;
        }

        public INamedTypeSymbol Type { get; }

        public ModuleRole Role { get; set; }

        /// <summary>The <c>new ...</c> expression that created it (null for the network itself).</summary>
        public SyntaxNode? Creation { get; }

        /// <summary>The path as known while constructing (for messages); <see cref="Path"/> is the final one.</summary>
        public string HintPath { get; }

        /// <summary>The weight-name prefix: field segments and Sequential positions joined with dots ("" for the network).</summary>
        public string? Path { get; set; }

        /// <summary>For <see cref="ModuleRole.Layer"/>: the layer it becomes (Index, Name, Inputs and Location are set per call).</summary>
        public LayerSpec? Layer { get; set; }

        /// <summary>Its segment under a Sequential parent when not its position: a layer attribute's Name = "..." override.</summary>
        public string? SegmentOverride { get; set; }

        /// <summary>Sequential children (a Sequential, or a user class derived from Sequential), in order.</summary>
        public List<ModuleInstance> Children { get; } = new List<ModuleInstance>();

        /// <summary>Field and property values, by symbol.</summary>
        public Dictionary<ISymbol, Value> Members { get; } = new Dictionary<ISymbol, Value>(SymbolEqualityComparer.Default);

        /// <summary>Members in declaration order, with the syntax that declares each (for naming and FN0030).</summary>
        public List<(ISymbol Member, SyntaxNode Declaration)> MemberOrder { get; } = new List<(ISymbol, SyntaxNode)>();

        /// <summary>Primary-constructor parameters (captured: visible in Forward too).</summary>
        public Dictionary<ISymbol, Value> PrimaryParameters { get; } = new Dictionary<ISymbol, Value>(SymbolEqualityComparer.Default);

        /// <summary>Whether Forward applied it (at any depth).</summary>
        public bool Called { get; set; }

        /// <summary>"'BasicBlock' (layer2.0)" for messages: the class and where it sits.</summary>
        public string Describe()
        {
            string where = Path ?? HintPath;
            return where.Length == 0 ? "'" + Type.Name + "'" : "'" + Type.Name + "' (" + where + ")";
        }
    }

    /// <summary>Stops extraction: with a diagnostic, or silently when the compiler already reports an error in the code.</summary>
    internal sealed class ExtractionStop : System.Exception
    {
        public ExtractionStop(DiagnosticInfo? diagnostic) : base(diagnostic?.Descriptor.Id ?? "compile error") => Diagnostic = diagnostic;

        public DiagnosticInfo? Diagnostic { get; }
    }
}
