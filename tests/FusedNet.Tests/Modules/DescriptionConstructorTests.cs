using System;
using System.Linq;
using FusedNet.Tests.Harness;

namespace FusedNet.Tests.Modules
{
    /// <summary>
    /// A module network with a primary constructor keeps it (it is the description the generator reads); an instance
    /// made with it has no weights, and running it is a clear InvalidOperationException, not a NullReferenceException.
    /// </summary>
    public class DescriptionConstructorTests
    {
        private const string Source = ModuleSpecs.Usings + """
            namespace User
            {
                [FusedNetwork(2, 4, 4), FusedModule]
                public partial class Net(int classes = 3) : Module
                {
                    readonly Conv2d conv = new(2, 4, 3, padding: 1);
                    readonly Linear fc = new(4, classes);

                    public Tensor Forward(Tensor x) => fc.Forward(F.Flatten(F.AdaptiveAvgPool2d(F.Relu(conv.Forward(x)), 1)));
                }
            }
            """;

        [Fact]
        public void Running_an_instance_made_with_the_description_constructor_says_how_to_create_one_with_weights()
        {
            using LoadedNetworks loaded = GeneratorHarness.CompileAndLoad(Source);
            Type type = loaded.GetNetworkType("Net");
            var description = (IFusedNetwork)Activator.CreateInstance(type, 3)!;

            var ex = Assert.Throws<InvalidOperationException>(() => description.Forward(new float[32], new float[3]));
            Assert.Equal("Net was created with its module (description) constructor and has no weights: create it with new Net(IWeightSource weights) to run it.", ex.Message);
            Assert.Throws<InvalidOperationException>(() => description.ForwardUnfused(new float[32], new float[3]));

            // The weight constructor works, and the generated build has no nullable warnings about the description constructor.
            var weights = RandomWeights.Create(description.ExpectedWeights, seed: 1);
            IFusedNetwork net = loaded.Create("Net", weights);
            var output = new float[3];
            net.Forward(new float[32], output);
            Assert.All(output, v => Assert.True(float.IsFinite(v)));
            Assert.DoesNotContain(loaded.Generation.CompilationDiagnostics, d => d.Id == "CS8618");
        }
    }
}
