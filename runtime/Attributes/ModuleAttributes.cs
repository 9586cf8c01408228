using System;

// The attributes of the module front end (docs/modules.md): a network written as PyTorch-style module classes
// whose Forward method the source generator reads. Like the layer attributes, they carry no behaviour.
namespace FusedNet
{
    /// <summary>
    /// Marks a class as a FusedNet module description: its fields are named sub-modules and its
    /// <c>public Tensor Forward(Tensor x)</c> method is read by the source generator (docs/modules.md).
    /// Put it on every module class you write (blocks used inside a network, too). The network itself carries
    /// <see cref="FusedNetworkAttribute"/> as well, which gives the input shape and receives the generated members.
    /// </summary>
    /// <example><code>
    /// [FusedNetwork(3, 32, 32), FusedModule]
    /// public partial class TinyNet : Module
    /// {
    ///     readonly Conv2d conv = new(3, 16, 3, padding: 1);
    ///     readonly Linear fc = new(16, 10);
    ///     public Tensor Forward(Tensor x) =&gt; fc.Forward(F.Flatten(F.AdaptiveAvgPool2d(F.Relu(conv.Forward(x)), 1)));
    /// }
    /// </code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class FusedModuleAttribute : Attribute
    {
    }

    /// <summary>
    /// Overrides the weight-name segment of a sub-module field (by default the field's name, as PyTorch uses the
    /// attribute name): <c>[WeightName("fc")] readonly Linear classifier = new(512, 10);</c> reads <c>fc.weight</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
    public sealed class WeightNameAttribute : Attribute
    {
        /// <summary>A field whose sub-module's weights are named <paramref name="segment"/><c>.weight</c> and so on.</summary>
        /// <param name="segment">The name segment, e.g. <c>"fc"</c> or <c>"0"</c>; no dots.</param>
        public WeightNameAttribute(string segment) => Segment = segment;

        /// <summary>The weight-name segment used instead of the field's name.</summary>
        public string Segment { get; }
    }
}
