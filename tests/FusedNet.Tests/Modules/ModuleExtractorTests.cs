using System.Linq;
using FusedNet.Generator.Model;

namespace FusedNet.Tests.Modules
{
    public class ModuleExtractorTests
    {
        private const string BasicBlock = """
            [FusedModule]
            public partial class BasicBlock(int inplanes, int planes, int stride = 1) : Module
            {
                readonly Conv2d conv1 = new(inplanes, planes, 3, stride: stride, padding: 1, bias: false);
                readonly BatchNorm2d bn1 = new(planes);
                readonly ReLU relu = new();
                readonly Conv2d conv2 = new(planes, planes, 3, padding: 1, bias: false);
                readonly BatchNorm2d bn2 = new(planes);
                readonly Sequential? downsample = stride != 1 || inplanes != planes
                    ? new(new Conv2d(inplanes, planes, 1, stride: stride, bias: false), new BatchNorm2d(planes))
                    : null;

                public Tensor Forward(Tensor x)
                {
                    Tensor identity = x;
                    Tensor @out = conv1.Forward(x);
                    @out = bn1.Forward(@out);
                    @out = relu.Forward(@out);
                    @out = conv2.Forward(@out);
                    @out = bn2.Forward(@out);
                    if (downsample is not null)
                        identity = downsample.Forward(x);
                    @out += identity;
                    return relu.Forward(@out);
                }
            }
            """;

        private static string Net(string body, string input = "8, 8, 8") =>
            ModuleSpecs.Usings + "namespace User\n{\n" + BasicBlock + "\n" +
            "    [FusedNetwork(" + input + "), FusedModule]\n    public partial class Net : Module\n    {\n" + body + "\n    }\n}\n";

        [Fact]
        public void BasicBlock_without_downsample()
        {
            NetworkSpec spec = ModuleSpecs.Spec(Net("""
                readonly BasicBlock block = new(8, 8);
                public Tensor Forward(Tensor x) => block.Forward(x);
                """));
            Assert.Equal(new[]
            {
                "block.conv1:Conv2d<--1", "block.bn1:BatchNorm2d<-0", "block.relu:ReLU<-1", "block.conv2:Conv2d<-2",
                "block.bn2:BatchNorm2d<-3", "block:add:Add<-4,-1", "block.relu#2:ReLU<-5",
            }, ModuleSpecs.Describe(spec));
            Assert.Equal(6, spec.OutputLayer);
            Assert.Equal("Forward method", spec.Source);
            Assert.Null(spec.ConstructorChain);
            LayerSpec conv1 = spec.Layers[0];
            Assert.Equal((8, 8, 3, 1, 1, false), (conv1.DeclaredInChannels, conv1.OutChannels, conv1.KernelHeight, conv1.Stride, conv1.Padding, conv1.Bias));
        }

        [Fact]
        public void BasicBlock_with_downsample()
        {
            NetworkSpec spec = ModuleSpecs.Spec(Net("""
                readonly BasicBlock block = new BasicBlock(8, 16, 2);
                public Tensor Forward(Tensor x) => block.Forward(x);
                """));
            Assert.Equal(new[]
            {
                "block.conv1:Conv2d<--1", "block.bn1:BatchNorm2d<-0", "block.relu:ReLU<-1", "block.conv2:Conv2d<-2",
                "block.bn2:BatchNorm2d<-3", "block.downsample.0:Conv2d<--1", "block.downsample.1:BatchNorm2d<-5",
                "block:add:Add<-4,6", "block.relu#2:ReLU<-7",
            }, ModuleSpecs.Describe(spec));
            Assert.Equal(2, spec.Layers[0].Stride);
            Assert.Equal((1, 2, 16), (spec.Layers[5].KernelHeight, spec.Layers[5].Stride, spec.Layers[5].OutChannels));
        }
    }
}
