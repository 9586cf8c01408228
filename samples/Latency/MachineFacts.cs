using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Diagnostics;

namespace Latency
{
    /// <summary>What the numbers depend on, printed before them: CPU, vector hardware, runtime, timer.</summary>
    internal static class MachineFacts
    {
        private const string CpuInfoPath = "/proc/cpuinfo";

        public static void Print(TextWriter output)
        {
            output.WriteLine($"CPU:            {CpuModel()} ({Environment.ProcessorCount} logical processors visible)");
            output.WriteLine($"AVX-512F flag:  {Avx512FlagInCpuInfo()}");
            output.WriteLine($"SIMD in .NET:   Vector512 {Accelerated(Vector512.IsHardwareAccelerated)}, Vector256 {Accelerated(Vector256.IsHardwareAccelerated)}, Vector128 {Accelerated(Vector128.IsHardwareAccelerated)}");
            output.WriteLine($".NET:           {RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})");
            output.WriteLine($"Timer:          Stopwatch.GetTimestamp, {Stopwatch.Frequency:N0} ticks/s (one tick = {1e9 / Stopwatch.Frequency:0.#} ns)");
        }

        private static string Accelerated(bool accelerated) => accelerated ? "accelerated" : "not accelerated";

        private static string CpuModel()
        {
            string? line = CpuInfoLines().FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':') + 1)..].Trim();
        }

        private static string Avx512FlagInCpuInfo()
        {
            string? flags = CpuInfoLines().FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            if (flags is null) return $"unknown (no {CpuInfoPath})";
            return flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("avx512f") ? "present" : "absent";
        }

        private static string[] CpuInfoLines() => File.Exists(CpuInfoPath) ? File.ReadAllLines(CpuInfoPath) : Array.Empty<string>();
    }
}
