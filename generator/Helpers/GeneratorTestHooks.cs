using System;
using System.Threading;

namespace FusedNet.Generator.Helpers
{
    /// <summary>
    /// Test-only seam. Nothing in FusedNet sets it, so in a real build every stage runs as written. Tests set
    /// <see cref="BeforeStage"/> to throw in a chosen stage and check that the failure becomes FN9999 rather than
    /// silence. AsyncLocal, so a test's hook reaches only the generator runs it starts itself, even when tests run in parallel.
    /// </summary>
    internal static class GeneratorTestHooks
    {
        /// <summary>Called with the stage's tracking name (Extract, Analyze, Emit, OrphanLayers) before the stage runs.</summary>
        internal static readonly AsyncLocal<Action<string>?> BeforeStage = new AsyncLocal<Action<string>?>();
    }
}
