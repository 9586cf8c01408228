using System.Linq;
using System.Reflection;
using FusedNet.Tests.Harness;
using Xunit;
using static FusedNet.Tests.Generator.DiagnosticTests;

namespace FusedNet.Tests.Generator
{
    /// <summary>
    /// Generated kernels keep their IL locals few enough for the JIT to inline the helpers they call (activation operators,
    /// CachePrefetch.Line, Math.Min). Past several hundred locals RyuJIT inlines nothing more in a method, and a call left in
    /// a kernel's inner loop spills every vector register (all are caller-saved): ResNet-18's 256 -> 256 Winograd kernel shared
    /// by output channels had 820 locals, called ReluOp.Invoke per output vector and, once it prefetched U, CachePrefetch.Line
    /// per input channel, and ran 2.3x slower on two threads. The transforms now declare their registers once per kernel.
    /// </summary>
    public class KernelLocalsTests
    {
        /// <summary>
        /// The most IL locals a generated kernel may have. Measured with .NET 10's JIT: kernels of 714 locals still inlined
        /// every call, one of 820 did not; 400 leaves room for the JIT's own temporaries.
        /// </summary>
        private const int MostLocals = 400;

        // ResNet-18's layer3 conv (256 -> 256, 3x3, 14x14: Winograd, U = 9.4 MB, so it also gets the variant threads share by
        // output channels) and a 64-channel one with a partial last tile column (15x15), each + BatchNorm + ReLU.
        private static readonly string Layer3 = Net("FusedNetwork(256, 14, 14)",
            "Conv2d(256, 3, Padding = 1, Bias = false)", "BatchNorm2d", "ReLU",
            "Conv2d(256, 3, Padding = 1, Bias = false)", "BatchNorm2d", "ReLU");

        private static readonly string OddTiles = Net("FusedNetwork(64, 15, 15)",
            "Conv2d(64, 3, Padding = 1)", "BatchNorm2d", "ReLU6", "Conv2d(48, 3, Padding = 1)");

        /// <summary>
        /// Every kernel of each network stays under the limit; the named kernel must be among them (the shape that had the
        /// most locals: the channel-split variant, or the partial last tile column).
        /// </summary>
        [Theory]
        [InlineData(nameof(Layer3), "Winograd4x4_Conv3x3_256to256_14x14_Relu_Channels_V512")]
        [InlineData(nameof(OddTiles), "Winograd4x4_Conv3x3_64to64_15x15")]
        public void Kernels_StayUnderTheLocalsLimit(string network, string expectedKernel)
        {
            string source = network == nameof(Layer3) ? Layer3 : OddTiles;
            using LoadedNetworks loaded = GeneratorHarness.CompileAndLoad(source);
            MethodInfo[] kernels = Kernels(loaded);

            Assert.Contains(kernels, k => k.Name.StartsWith(expectedKernel));
            string[] over = kernels
                .Select(k => (k.Name, Locals: k.GetMethodBody()!.LocalVariables.Count))
                .Where(k => k.Locals > MostLocals)
                .Select(k => $"{k.Name}: {k.Locals} locals")
                .ToArray();
            Assert.True(over.Length == 0, $"kernels over {MostLocals} IL locals: {string.Join("; ", over)}");
        }

        private static MethodInfo[] Kernels(LoadedNetworks loaded) =>
            loaded.Assembly.GetTypes()
                .Where(t => t.Name.EndsWith("NetworkKernels"))
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
                .ToArray();
    }
}
