using System;
using System.Collections;
using System.Collections.Generic;

// Description-only module types (docs/modules.md): a network written as PyTorch-style classes is read by the source
// generator at build time, which compiles it into the same fused kernels as the layer attributes. These types exist so
// that the description compiles; nothing here computes. Running a network is the generated
// Forward(ReadOnlySpan<float>, Span<float>) of the [FusedNetwork] class.
namespace FusedNet.Modules
{
    /// <summary>
    /// Base class of every module description (PyTorch <c>nn.Module</c>). A module class declares its sub-modules as
    /// fields and a <c>public Tensor Forward(Tensor x)</c> method; the source generator reads both (docs/modules.md).
    /// </summary>
    /// <remarks>
    /// Module classes are descriptions: their <c>Forward</c> methods are never run. Mark your module classes
    /// <see cref="FusedModuleAttribute"/>, and the network class also <see cref="FusedNetworkAttribute"/>; then call the
    /// generated <c>Forward(ReadOnlySpan&lt;float&gt;, Span&lt;float&gt;)</c> of the network.
    /// </remarks>
    public abstract class Module
    {
        /// <summary>Creates the description (for derived classes).</summary>
        protected Module()
        {
        }

        /// <summary>
        /// A network declared with layer attributes (<c>[FusedNetwork(c, h, w)] [Conv2d(...)] ... partial class Head</c>)
        /// used as a sub-module: its layers in order, as a <c>Sequential</c> of them (weights <c>field.0.weight</c>, …, or
        /// <c>field.NAME.weight</c> where a layer has <c>Name = "NAME"</c>). Its <c>[FusedNetwork]</c> input shape must be
        /// the shape that reaches it (FN0032). Write it in a field initialiser:
        /// <c>readonly Module head = Module.FromAttributes&lt;Head&gt;();</c>
        /// </summary>
        /// <typeparam name="TNetwork">The attribute-declared network class.</typeparam>
        /// <returns>The description (its <c>Forward</c> never runs).</returns>
        public static Module FromAttributes<TNetwork>() where TNetwork : class => new AttributeNetworkModule(typeof(TNetwork));

        /// <summary>The exception every description-only <c>Forward</c> throws.</summary>
        internal static NotSupportedException DescriptionOnly(string what) => new(
            $"{what} is a description read by the FusedNet source generator and does not compute anything. " +
            "Call the generated Forward(ReadOnlySpan<float> input, Span<float> output) of the [FusedNetwork] class instead.");
    }

    /// <summary>Runs <c>Forward</c> on any module, e.g. the loop variable of <c>foreach (var m in sequential)</c>.</summary>
    public static class ModuleExtensions
    {
        /// <summary>
        /// In a <c>Forward</c> description: <paramref name="module"/> applied to <paramref name="x"/>, as PyTorch's
        /// <c>module(x)</c>. Never runs: throws <see cref="NotSupportedException"/> if called.
        /// </summary>
        /// <param name="module">The module to apply.</param>
        /// <param name="x">Its input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="NotSupportedException">Always: module classes are descriptions.</exception>
        public static Tensor Forward(this Module module, Tensor x) => throw Module.DescriptionOnly(module?.GetType().Name ?? "Module");
    }

    /// <summary>
    /// A tensor in a <c>Forward</c> description: what a module computes on, as PyTorch's <c>torch.Tensor</c>. It has no
    /// data and cannot be created; the generator follows it through <c>Forward</c> to build the network's graph.
    /// </summary>
    public sealed class Tensor
    {
        private Tensor()
        {
        }

        /// <summary>Element-wise sum of two tensors of the same shape (a residual connection). Never runs.</summary>
        /// <param name="a">The first operand.</param>
        /// <param name="b">The second operand, same shape as <paramref name="a"/>.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="NotSupportedException">Always: tensors are descriptions.</exception>
        public static Tensor operator +(Tensor a, Tensor b) => throw Module.DescriptionOnly(nameof(Tensor));

        /// <summary>
        /// <paramref name="x"/> [C, H, W] scaled per channel by <paramref name="scale"/> [C, 1, 1] (or [C]), broadcast over
        /// H × W, as in squeeze-and-excitation. Never runs.
        /// </summary>
        /// <param name="x">The tensor to scale.</param>
        /// <param name="scale">One factor per channel.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="NotSupportedException">Always: tensors are descriptions.</exception>
        public static Tensor operator *(Tensor x, Tensor scale) => throw Module.DescriptionOnly(nameof(Tensor));

        /// <summary>Concatenation along channels (PyTorch <c>torch.cat(tensors, dim=1)</c>): same H × W, channels add up. Never runs.</summary>
        /// <param name="tensors">Two or more [C, H, W] tensors.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="NotSupportedException">Always: tensors are descriptions.</exception>
        public static Tensor Cat(params Tensor[] tensors) => throw Module.DescriptionOnly(nameof(Tensor));
    }

    /// <summary>
    /// <c>nn.Sequential</c>: runs its children in order. Children are named by position from 0 (<c>features.0.weight</c>).
    /// Derive from it to name a block whose children are the block's sub-modules, as torchvision's
    /// <c>Conv2dNormActivation</c>: <c>partial class ConvBNReLU(int i, int o) : Sequential(new Conv2d(i, o, 3, padding: 1, bias: false), new BatchNorm2d(o), new ReLU6())</c>.
    /// </summary>
    public class Sequential : Module, IReadOnlyList<Module>
    {
        private readonly Module[] _modules;

        /// <summary>A sequence of <paramref name="modules"/>, run in order.</summary>
        /// <param name="modules">The children, named 0, 1, 2, ... in the weight names.</param>
        public Sequential(params Module[] modules) => _modules = (Module[])(modules ?? []).Clone();

        /// <summary>The number of children.</summary>
        public int Count => _modules.Length;

        /// <summary>The child at <paramref name="index"/>.</summary>
        /// <param name="index">0-based position, as in the weight names.</param>
        public Module this[int index] => _modules[index];

        /// <summary>The children in order (<c>foreach (var m in features) x = m.Forward(x);</c>).</summary>
        /// <returns>An enumerator over the children.</returns>
        public IEnumerator<Module> GetEnumerator() => ((IEnumerable<Module>)_modules).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>In a <c>Forward</c> description: the children applied in order. Never runs.</summary>
        /// <param name="x">The input of the first child.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(GetType().Name);
    }

    /// <summary>The description <see cref="Module.FromAttributes{TNetwork}"/> returns: an attribute-declared network as a sub-module.</summary>
    public sealed class AttributeNetworkModule : Module
    {
        internal AttributeNetworkModule(Type network) => Network = network;

        /// <summary>The attribute-declared network class.</summary>
        public Type Network { get; }

        /// <summary>In a <c>Forward</c> description: the network's layers applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <returns>Never returns: throws <see cref="NotSupportedException"/>.</returns>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(Network.Name + " used as a module");
    }
}
