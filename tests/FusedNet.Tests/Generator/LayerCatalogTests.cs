using FusedNet.Generator.Catalog;
using System;
using System.Linq;
using System.Reflection;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Generator
{
    /// <summary>
    /// The layer catalogue (generator/Model/LayerCatalog.cs) is complete and agrees with the runtime: a kind added to
    /// LayerKind without an entry, an activation without an operator struct, or an attribute without a kind fails here,
    /// in the generator's own tests, instead of compiling to an identity.
    /// </summary>
    public class LayerCatalogTests
    {
        private static readonly Assembly Runtime = typeof(IFusedNetwork).Assembly;

        [Fact]
        public void EveryLayerKind_HasAnEntry()
        {
            var missing = Enum.GetValues<LayerKind>().Where(k => !LayerCatalog.Entries.ContainsKey(k)).ToList();
            Assert.True(missing.Count == 0, "LayerKind values without a LayerCatalog entry: " + string.Join(", ", missing));
        }

        [Fact]
        public void EveryActivation_NamesAnOperatorStructWithInvoke_InFusedNetKernels()
        {
            foreach (LayerKindInfo info in LayerCatalog.Entries.Values.Where(e => e.IsActivation))
            {
                Assert.NotNull(info.Operator);
                var plans = info.Kind == LayerKind.GELU
                    ? new[] { new ActivationPlan(info.Kind, 0, false), new ActivationPlan(info.Kind, 0, true) }
                    : new[] { new ActivationPlan(info.Kind, 0.1f, false) };
                foreach (ActivationPlan plan in plans)
                {
                    string name = LayerCatalog.OperatorOf(plan);
                    Type? type = Runtime.GetType("FusedNet.Kernels." + name);
                    Assert.True(type is not null, $"{info.Kind}: no type FusedNet.Kernels.{name} in the runtime");
                    int arguments = info.OperatorTakesParameter ? 2 : 1;
                    Assert.Contains(type!.GetMethods(BindingFlags.Public | BindingFlags.Static),
                        m => m.Name == "Invoke" && m.GetParameters().Length == arguments && m.GetParameters()[0].ParameterType == typeof(float));
                }
            }
        }

        [Fact]
        public void NonActivations_HaveNoOperator_AndCannotBeUsedAsOne()
        {
            foreach (LayerKindInfo info in LayerCatalog.Entries.Values.Where(e => !e.IsActivation))
            {
                Assert.Null(info.Operator);
                Assert.Throws<InvalidOperationException>(() => LayerCatalog.OperatorOf(new ActivationPlan(info.Kind, 0, false)));
            }
        }

        [Fact]
        public void AttributeKinds_AndRuntimeAttributes_MatchOneToOne()
        {
            var attributeKinds = LayerCatalog.Entries.Values.Where(e => e.HasAttribute).Select(e => e.Kind + "Attribute").OrderBy(n => n, StringComparer.Ordinal).ToList();
            var runtimeAttributes = Runtime.GetTypes()
                .Where(t => t.IsSubclassOf(typeof(LayerAttribute)) && !t.IsAbstract)
                .Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
            Assert.Equal(attributeKinds, runtimeAttributes);
        }

        [Fact]
        public void WeightedKinds_ListPyTorchTensorSuffixes()
        {
            Assert.Equal(["weight", "bias"], LayerCatalog.Of(LayerKind.Conv2d).Weights.Select(w => w.Suffix));
            Assert.Equal(["weight", "bias", "running_mean", "running_var"], LayerCatalog.Of(LayerKind.BatchNorm2d).Weights.Select(w => w.Suffix));
            Assert.All(LayerCatalog.Entries.Values.Where(e => e.IsActivation || e.Role is "pool" or "graph"), e => Assert.Empty(e.Weights));
        }
    }
}
