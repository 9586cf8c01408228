using System.Collections.Generic;
using System.Linq;
using FusedNet.Onnx.Specs;

// The four networks of issue 3 (declared in BenchDeclarations.cs), each with its spec: the same layers with
// every hyperparameter spelled out, from which the ONNX graph is built (BenchSpecs). BenchNetwork.Create
// checks that the two agree (layer kinds and shapes, tensor names and shapes).
namespace FusedNet.Bench.Networks
{
    /// <summary>The registry the benchmarks and --check iterate, in table order.</summary>
    internal static class BenchNetworks
    {
        public static readonly IReadOnlyList<BenchNetwork> All = new[]
        {
            new BenchNetwork(BenchNet.Tiny, BenchSpecs.Tiny, TinyNet.Layers, TinyNet.ExpectedWeights, (w, o) => new TinyNet(w, o)),
            new BenchNetwork(BenchNet.Cifar, BenchSpecs.Cifar, CifarNet.Layers, CifarNet.ExpectedWeights, (w, o) => new CifarNet(w, o)),
            new BenchNetwork(BenchNet.Mobile, BenchSpecs.Mobile, MobileNet.Layers, MobileNet.ExpectedWeights, (w, o) => new MobileNet(w, o)),
            new BenchNetwork(BenchNet.Wide, BenchSpecs.Wide, WideNet.Layers, WideNet.ExpectedWeights, (w, o) => new WideNet(w, o)),
            new BenchNetwork(BenchNet.DsNet, BenchSpecs.DsNet, DsNet.Layers, DsNet.ExpectedWeights, (w, o) => new DsNet(w, o)),
            // torchvision networks declared as modules (ModuleDeclarations.cs), checked against TorchvisionSpecs.
#if FUSEDNET_RESNET18
            new BenchNetwork(BenchNet.ResNet18, BenchSpecs.ResNet18, ResNet18.Layers, ResNet18.ExpectedWeights, (w, o) => new ResNet18(w, o)),
#endif
#if FUSEDNET_MODULES
            new BenchNetwork(BenchNet.MobileNetV2, BenchSpecs.MobileNetV2, MobileNetV2.Layers, MobileNetV2.ExpectedWeights, (w, o) => new MobileNetV2(w, o)),
#endif
        };

        public static BenchNetwork Get(BenchNet id) => All.First(n => n.Id == id);

        /// <summary>The network a command-line key names (case-insensitive), or null after printing the known keys.</summary>
        public static BenchNetwork? Parse(string key)
        {
            if (System.Enum.TryParse(key, ignoreCase: true, out BenchNet id)) return Get(id);
            System.Console.Error.WriteLine($"unknown network '{key}': one of {string.Join(", ", System.Enum.GetNames<BenchNet>())}");
            return null;
        }
    }
}
