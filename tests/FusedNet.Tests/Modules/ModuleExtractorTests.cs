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
        public void The_Winograd_opt_out_is_read_from_the_network_attribute()
        {
            const string Body = """
                readonly BasicBlock block = new(8, 8);
                public Tensor Forward(Tensor x) => block.Forward(x);
                """;
            Assert.Equal(WinogradUse.WherePays, ModuleSpecs.Spec(Net(Body)).Winograd);
            Assert.Equal(WinogradUse.Never, ModuleSpecs.Spec(Net(Body, "8, 8, 8, Winograd = false")).Winograd);
            Assert.Equal(WinogradUse.WherePays, ModuleSpecs.Spec(Net(Body, "8, 8, 8, Winograd = true")).Winograd);
        }

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
    
        private static string Module(string networkBody, string modules = "", string input = "8, 8, 8") =>
            ModuleSpecs.Usings + "namespace User\n{\n" + modules + "\n" +
            "    [FusedNetwork(" + input + "), FusedModule]\n    public partial class Net : Module\n    {\n" + networkBody + "\n    }\n}\n";

        private const string InvertedResidual = """
            [FusedModule]
            public partial class ConvBNReLU(int i, int o, int stride = 1, int groups = 1)
                : Sequential(new Conv2d(i, o, 3, stride: stride, padding: 1, groups: groups, bias: false), new BatchNorm2d(o), new ReLU6());

            [FusedModule]
            public partial class InvertedResidual(int inp, int oup, int stride, int expand) : Module
            {
                readonly bool useResConnect = stride == 1 && inp == oup;
                readonly Sequential conv = new(
                    new ConvBNReLU(inp, inp * expand, stride, groups: inp * expand),
                    new Conv2d(inp * expand, oup, 1, bias: false),
                    new BatchNorm2d(oup));
                public Tensor Forward(Tensor x)
                {
                    if (useResConnect)
                        return x + conv.Forward(x);
                    else
                        return conv.Forward(x);
                }
            }
            """;

        [Fact]
        public void Inverted_residual_folds_use_res_connect_and_names_Sequential_subclass_children()
        {
            NetworkSpec spec = ModuleSpecs.Spec(Module("""
                readonly Sequential features = new(new InvertedResidual(8, 8, 1, 2), new InvertedResidual(8, 16, 2, 2));
                public Tensor Forward(Tensor x) => features.Forward(x);
                """, InvertedResidual));
            Assert.Equal(new[]
            {
                "features.0.conv.0.0:Conv2d<--1", "features.0.conv.0.1:BatchNorm2d<-0", "features.0.conv.0.2:ReLU6<-1",
                "features.0.conv.1:Conv2d<-2", "features.0.conv.2:BatchNorm2d<-3", "features.0:add:Add<--1,4",
                "features.1.conv.0.0:Conv2d<-5", "features.1.conv.0.1:BatchNorm2d<-6", "features.1.conv.0.2:ReLU6<-7",
                "features.1.conv.1:Conv2d<-8", "features.1.conv.2:BatchNorm2d<-9",
            }, ModuleSpecs.Describe(spec));
            Assert.Equal((16, 16, 2), (spec.Layers[0].Groups, spec.Layers[0].OutChannels, spec.Layers[6].Stride));
            Assert.Equal(10, spec.ResolvedOutputLayer);
        }

        [Fact]
        public void WeightName_overrides_the_field_segment()
        {
            NetworkSpec spec = ModuleSpecs.Spec(Module("""
                [WeightName("fc")] readonly Linear classifier = new(8, 4);
                [WeightName("0")] readonly Conv2d stem = new(8, 8, 1);
                public Tensor Forward(Tensor x) => classifier.Forward(F.Flatten(F.AdaptiveAvgPool2d(stem.Forward(x), 1)));
                """));
            Assert.Equal(new[] { "0:Conv2d<--1", "adaptiveavgpool2d:AdaptiveAvgPool2d<-0", "flatten:Flatten<-1", "fc:Linear<-2" },
                ModuleSpecs.Describe(spec));
        }

        [Fact]
        public void Cat_reads_every_branch()
        {
            NetworkSpec spec = ModuleSpecs.Spec(Module("""
                readonly Conv2d a = new(8, 4, 1);
                readonly Conv2d b = new(8, 4, 3, padding: 1);
                readonly MaxPool2d pool = new(3, stride: 1, padding: 1);
                public Tensor Forward(Tensor x)
                {
                    var left = a.Forward(x);
                    var right = b.Forward(x);
                    return Tensor.Cat(left, right, pool.Forward(x));
                }
                """));
            Assert.Equal(new[] { "a:Conv2d<--1", "b:Conv2d<--1", "pool:MaxPool2d<--1", "cat:Cat<-0,1,2" }, ModuleSpecs.Describe(spec));
            Assert.Equal((3, 1, 1), (spec.Layers[2].KernelHeight, spec.Layers[2].Stride, spec.Layers[2].Padding));
        }

        [Fact]
        public void Squeeze_excite_scales_by_a_pooled_branch()
        {
            string source = Module("""
                readonly SqueezeExcite se = new(8, 2);
                public Tensor Forward(Tensor x) => se.Forward(x);
                """, """
                [FusedModule]
                public partial class SqueezeExcite(int channels, int squeeze) : Module
                {
                    readonly Conv2d fc1 = new(channels, squeeze, 1);
                    readonly Conv2d fc2 = new(squeeze, channels, 1);
                    public Tensor Forward(Tensor x) => x * F.Hardsigmoid(fc2.Forward(F.Relu(fc1.Forward(F.AdaptiveAvgPool2d(x, 1)))));
                }
                """);
            NetworkSpec spec = ModuleSpecs.Spec(source);
            Assert.Equal(new[]
            {
                "se:adaptiveavgpool2d:AdaptiveAvgPool2d<--1", "se.fc1:Conv2d<-0", "se:relu:ReLU<-1", "se.fc2:Conv2d<-2",
                "se:hardsigmoid:Hardsigmoid<-3", "se:mul:Mul<--1,4",
            }, ModuleSpecs.Describe(spec));
            Assert.Equal("x * F.Hardsigmoid(fc2.Forward(F.Relu(fc1.Forward(F.AdaptiveAvgPool2d(x, 1)))))",
                source.Substring(spec.Layers[5].Location!.TextSpan.Start, spec.Layers[5].Location!.TextSpan.Length));
        }

        [Fact]
        public void Foreach_over_a_Sequential_and_for_over_a_constant_range()
        {
            NetworkSpec spec = ModuleSpecs.Spec(Module("""
                const int Repeats = 2;
                readonly Sequential blocks = new(new Conv2d(8, 8, 3, padding: 1), new ReLU(), new Dropout(0.1f), new Identity());
                public Tensor Forward(Tensor x)
                {
                    foreach (var m in blocks)
                        x = m.Forward(x);
                    for (int i = 0; i < Repeats; i++)
                        x = F.LeakyRelu(x, 0.2f);
                    return x;
                }
                """));
            Assert.Equal(new[]
            {
                "blocks.0:Conv2d<--1", "blocks.1:ReLU<-0", "blocks.2:Dropout<-1", "leakyrelu:LeakyReLU<-2", "leakyrelu#2:LeakyReLU<-3",
            }, ModuleSpecs.Describe(spec));
            Assert.Equal(0.1f, spec.Layers[2].Parameter);
            Assert.Equal(0.2f, spec.Layers[3].Parameter);
        }

        [Fact]
        public void Primary_constructor_defaults_helpers_and_explicit_constructors_fold()
        {
            NetworkSpec spec = ModuleSpecs.Spec(ModuleSpecs.Usings + """
                namespace User
                {
                    [FusedModule]
                    public class Block : Module
                    {
                        readonly Conv2d conv;
                        readonly bool act;
                        public Block(int c, double width)
                        {
                            int scaled = Scale(c, width);
                            conv = new Conv2d(c, scaled, 3, padding: Math.Max(1, scaled / 100));
                            act = scaled > 8 && !(width < 1);
                        }
                        static int Scale(int c, double w) { int v = (int)(c * w); if (v < 8) v = 8; return v; }
                        public Tensor Forward(Tensor x) => act ? F.Silu(conv.Forward(x)) : conv.Forward(x);
                    }

                    [FusedNetwork(8, 8, 8), FusedModule]
                    public partial class Net(int classes = 10, double width = 2.0) : Module
                    {
                        readonly Block block = new(8, width);
                        readonly Linear head = new(16, classes, bias: classes > 5);
                        public Tensor Forward(Tensor x) => head.Forward(F.Flatten(F.AdaptiveAvgPool2d(block.Forward(x), 1)));
                    }
                }
                """);
            Assert.Equal("this()", spec.ConstructorChain);
            Assert.Equal(new[] { "block.conv:Conv2d<--1", "block:silu:SiLU<-0", "adaptiveavgpool2d:AdaptiveAvgPool2d<-1", "flatten:Flatten<-2", "head:Linear<-3" },
                ModuleSpecs.Describe(spec));
            Assert.Equal((16, 1), (spec.Layers[0].OutChannels, spec.Layers[0].Padding));
            Assert.Equal((10, 16, true), (spec.Layers[4].OutChannels, spec.Layers[4].DeclaredInChannels, spec.Layers[4].Bias));
        }

    }
}
