using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using FusedNet.Bench.Networks;

namespace FusedNet.Bench.Benchmarks
{
    /// <summary>Shared plumbing of the two custom columns: both derive a number from a case's mean time.</summary>
    internal abstract class MeanDerivedColumn : IColumn
    {
        public abstract string Id { get; }
        public abstract string ColumnName { get; }
        public abstract string Legend { get; }
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;

        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            double? meanNs = MeanNanoseconds(summary, benchmarkCase);
            return meanNs is double ns && ns > 0 ? Format(summary, benchmarkCase, ns) : "NA";
        }

        protected abstract string Format(Summary summary, BenchmarkCase benchmarkCase, double meanNanoseconds);

        protected static double? MeanNanoseconds(Summary summary, BenchmarkCase benchmarkCase) =>
            summary[benchmarkCase]?.ResultStatistics?.Mean;

        protected static BenchNet NetworkOf(BenchmarkCase benchmarkCase) => (BenchNet)benchmarkCase.Parameters[nameof(InferenceBenchmarks.Network)];

        public override string ToString() => ColumnName;
    }

    /// <summary>GFLOP/s = 2 · multiply-accumulates (summed over the generated Layers) / mean time.</summary>
    internal sealed class GflopsColumn : MeanDerivedColumn
    {
        public override string Id => "GFLOPs";
        public override string ColumnName => "GFLOP/s";
        public override string Legend => "2 x multiply-accumulates of the network (from its generated Layers) / Mean";

        protected override string Format(Summary summary, BenchmarkCase benchmarkCase, double meanNanoseconds)
        {
            long macs = BenchNetworks.Get(NetworkOf(benchmarkCase)).MultiplyAccumulates;
            return (2.0 * macs / meanNanoseconds).ToString("F1"); // FLOP per ns = GFLOP/s
        }
    }

    /// <summary>ORT mean / this mean in the same job and network: the speed-up over ONNX Runtime (the target measure).</summary>
    internal sealed class OrtSpeedupColumn : MeanDerivedColumn
    {
        public override string Id => "OrtSpeedup";
        public override string ColumnName => "ORT/this";
        public override string Legend => "ONNX Runtime mean / this mean, same job and network (above 1 = faster than ORT)";

        protected override string Format(Summary summary, BenchmarkCase benchmarkCase, double meanNanoseconds)
        {
            BenchmarkCase? ort = summary.BenchmarksCases.FirstOrDefault(c =>
                c.Descriptor.WorkloadMethod.Name == nameof(InferenceBenchmarks.OnnxRuntime)
                && c.Job.DisplayInfo == benchmarkCase.Job.DisplayInfo
                && NetworkOf(c) == NetworkOf(benchmarkCase));
            double? ortNs = ort is null ? null : MeanNanoseconds(summary, ort);
            return ortNs is double o ? (o / meanNanoseconds).ToString("F2") + "x" : "NA";
        }
    }
}
