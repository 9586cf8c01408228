using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace FusedNet.Tests.Modules
{
    /// <summary>
    /// An attribute-declared network used as a sub-module of a module network (Module.FromAttributes&lt;T&gt;()): its layers
    /// join the graph as a Sequential under the field's name (weights field.0.weight, …, or field.NAME where a layer has
    /// Name = "NAME"), computing exactly what the same layers written as modules compute; its declared input shape is checked.
    /// </summary>
    public class AttributeSubModuleTests
    {
        private const string Head = """
                [FusedNetwork(16, 6, 6)]
                [Conv2d(8, 3, Padding = 1, Bias = false)]
                [BatchNorm2d]
                [ReLU]
                [GlobalAvgPool2d]
                [Linear(4)]
                public partial class Head;
            """;

        private static string Source(string headShape = "16, 6, 6") => ModuleSpecs.Usings + "namespace User\n{\n" + Head.Replace("16, 6, 6", headShape) + """

                [FusedNetwork(3, 6, 6), FusedModule]
                public partial class WithHead : Module
                {
                    readonly Conv2d stem = new(3, 16, 3, padding: 1);
                    readonly Module head = Module.FromAttributes<Head>();

                    public Tensor Forward(Tensor x) => head.Forward(F.Relu(stem.Forward(x)));
                }

                [FusedNetwork(3, 6, 6), FusedModule]
                public partial class WrittenOut : Module
                {
                    readonly Conv2d stem = new(3, 16, 3, padding: 1);
                    readonly Sequential head = new(new Conv2d(16, 8, 3, padding: 1, bias: false), new BatchNorm2d(8), new ReLU(),
                        new AdaptiveAvgPool2d(1), new Flatten(), new Linear(8, 4));

                    public Tensor Forward(Tensor x) => head.Forward(F.Relu(stem.Forward(x)));
                }
            }
            """;

        [Fact]
        public void Layers_join_the_graph_under_the_field_and_compute_what_the_written_out_modules_compute()
        {
            using LoadedNetworks loaded = GeneratorHarness.CompileAndLoad(Source());
            var names = ((IReadOnlyList<WeightInfo>)loaded.GetNetworkType("WithHead").GetProperty("ExpectedWeights")!.GetValue(null)!)
                .Select(w => w.Name).ToList();
            Assert.Equal(["stem.weight", "stem.bias", "head.0.weight", "head.1.weight", "head.1.bias", "head.1.running_mean",
                "head.1.running_var", "head.4.weight", "head.4.bias"], names);

            // The written-out twin names its Linear head.5 (Flatten is a child there); give both the same tensors by role.
            var withHead = (IReadOnlyList<WeightInfo>)loaded.GetNetworkType("WithHead").GetProperty("ExpectedWeights")!.GetValue(null)!;
            IWeightSource weights = RandomWeights.Create(withHead, seed: 6);
            IFusedNetwork embedded = loaded.Create("WithHead", weights);
            var renamed = new InMemoryWeights();
            foreach (WeightInfo w in withHead)
            {
                float[] values = new float[w.Shape.ToArray().Aggregate(1, (a, b) => a * b)];
                weights.ReadFloat32(w.Name, values);
                renamed.Add(w.Name.Replace("head.4.", "head.5."), values, w.Shape.ToArray());
            }
            IFusedNetwork writtenOut = loaded.Create("WrittenOut", renamed);

            float[] input = RandomWeights.RandomInput(embedded.InputLength, seed: 2);
            var a = new float[4];
            var b = new float[4];
            embedded.Forward(input, a);
            writtenOut.Forward(input, b);
            Assert.Equal(b, a);
            embedded.ForwardUnfused(input, a);
            writtenOut.ForwardUnfused(input, b);
            Assert.Equal(b, a);
        }

        [Fact]
        public void A_different_input_shape_is_FN0032_on_the_sub_network()
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(Source(headShape: "16, 8, 8"));
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "FN0032");
            Assert.Contains("network 'Head' declares the input [16, 8, 8] ([FusedNetwork]), but [16, 6, 6] reaches it",
                diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.DoesNotContain(run.GeneratedSources, s => s.HintName.Contains("WithHead", StringComparison.Ordinal));
        }

        [Fact]
        public void A_class_without_layer_attributes_is_FN0028()
        {
            string source = ModuleSpecs.Usings + """
                namespace User
                {
                    public class NotANetwork { }

                    [FusedNetwork(3, 6, 6), FusedModule]
                    public partial class Net : Module
                    {
                        readonly Module head = Module.FromAttributes<NotANetwork>();
                        public Tensor Forward(Tensor x) => head.Forward(x);
                    }
                }
                """;
            GeneratorRun run = GeneratorHarness.RunGenerator(source);
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("FN0028", diagnostic.Id);
            Assert.Contains("Module.FromAttributes", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
