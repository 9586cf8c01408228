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
            output.WriteLine($"CPU id, L2:     {CpuIdentity()}, L2 {Level2CacheSize()} per core");
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

        /// <summary>
        /// Family and model as /proc/cpuinfo gives them: cloud VMs often name every AMD part "AMD EPYC", and these tell
        /// the generations apart (AMD family 25: Zen 3 or Zen 4 by model, 26: Zen 5).
        /// </summary>
        private static string CpuIdentity()
        {
            string Field(string name)
            {
                string? line = CpuInfoLines().FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal) && l[name.Length..].TrimStart().StartsWith(':'));
                return line is null ? "?" : line[(line.IndexOf(':') + 1)..].Trim();
            }
            return $"family {Field("cpu family")} model {Field("model")}";
        }

        /// <summary>The level-2 cache of CPU 0 as Linux reports it (e.g. "1024K"), or "unknown".</summary>
        private static string Level2CacheSize()
        {
            const string path = "/sys/devices/system/cpu/cpu0/cache/index2/size";
            return File.Exists(path) ? File.ReadAllText(path).Trim() : "unknown";
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
