using System;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Threading.Tasks;
using FusedNet;
using static FusedNet.Tests.Weights.SafetensorsTestFiles;

namespace FusedNet.Tests.Weights
{
    /// <summary>
    /// Issue 7 item 5: <see cref="SafetensorsFile.Open"/> accepts regular files (and symbolic links to them) only,
    /// and rejects the rest with InvalidDataException at once; a FIFO used to block the open forever.
    /// </summary>
    public sealed class SafetensorsFileTypeTests : IDisposable
    {
        private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(5);
        private readonly string _directory = Directory.CreateTempSubdirectory("fusednet-filetype-").FullName;

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        [FactOnUnix]
        public void A_fifo_is_rejected_without_blocking()
        {
            string fifo = Path.Combine(_directory, "weights.safetensors");
            Run("mkfifo", fifo);

            Task<SafetensorsFile> open = OpenOnItsOwnThread(fifo);
            try
            {
                Assert.True(Task.WaitAny(new Task[] { open }, OpenTimeout) == 0, $"Open on a FIFO did not return within {OpenTimeout}");
                var exception = Assert.IsType<InvalidDataException>(open.Exception?.InnerException);
                Assert.Contains($"'{fifo}' is not a regular file (a FIFO)", exception.Message);
            }
            finally
            {
                ReleaseABlockedReader(fifo, open);
            }
        }

        /// <summary>
        /// Open on a dedicated thread, not the thread pool: under a full pool (other tests run in parallel) a
        /// Task.Run could start only after the timeout, which would then blame Open for the pool's delay.
        /// </summary>
        private static Task<SafetensorsFile> OpenOnItsOwnThread(string path)
        {
            var result = new TaskCompletionSource<SafetensorsFile>(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new System.Threading.Thread(() =>
            {
                try { result.SetResult(SafetensorsFile.Open(path)); }
                catch (Exception e) { result.SetException(e); }
            }) { IsBackground = true, Name = "open " + Path.GetFileName(path) };
            thread.Start();
            return result.Task;
        }

        /// <summary>
        /// If Open is stuck in open(2) on the FIFO (the bug these tests guard against), give it a partner so the
        /// test run can go on. Linux opens a FIFO read-write without waiting for a partner, so this never blocks
        /// the test itself (a write-only open would wait forever if the reader never got as far as open).
        /// </summary>
        private static void ReleaseABlockedReader(string fifo, Task<SafetensorsFile> open)
        {
            if (open.IsCompleted) return;
            using (new FileStream(fifo, FileMode.Open, FileAccess.ReadWrite)) { }
            open.ContinueWith(t => { if (t.IsCompletedSuccessfully) t.Result.Dispose(); }, TaskScheduler.Default).Wait(OpenTimeout);
        }

        [Fact]
        public void A_directory_is_rejected_as_invalid_data_not_unauthorized_access()
        {
            var exception = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(_directory));
            Assert.Contains($"'{_directory}' is not a regular file (a directory)", exception.Message);
        }

        [FactOnUnix]
        public void A_directory_given_with_a_trailing_slash_is_rejected()
        {
            string path = _directory + "/";
            var exception = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));
            Assert.Contains("is not a regular file (a directory)", exception.Message);
        }

        [FactOnUnix]
        public void Character_devices_are_rejected_at_once()
        {
            foreach (string device in new[] { "/dev/null", "/dev/zero" })
            {
                var timer = Stopwatch.StartNew();
                var exception = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(device));
                Assert.Contains($"'{device}' is not a regular file (a character device)", exception.Message);
                Assert.True(timer.Elapsed < TimeSpan.FromSeconds(1), $"{device}: {timer.Elapsed}");
            }
        }

        [FactOnUnix]
        public void A_unix_socket_is_rejected()
        {
            string path = Path.Combine(_directory, "socket.safetensors");
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(path));
            var exception = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));
            Assert.Contains($"'{path}' is not a regular file (a socket)", exception.Message);
        }

        [FactOnUnix]
        public void A_symbolic_link_to_a_fifo_is_rejected()
        {
            string fifo = Path.Combine(_directory, "pipe");
            Run("mkfifo", fifo);
            string link = Path.Combine(_directory, "link.safetensors");
            File.CreateSymbolicLink(link, fifo);

            Task<SafetensorsFile> open = OpenOnItsOwnThread(link);
            try
            {
                Assert.True(Task.WaitAny(new Task[] { open }, OpenTimeout) == 0, $"Open on a link to a FIFO did not return within {OpenTimeout}");
                var exception = Assert.IsType<InvalidDataException>(open.Exception?.InnerException);
                Assert.Contains($"'{link}' is not a regular file (a FIFO)", exception.Message);
            }
            finally
            {
                ReleaseABlockedReader(fifo, open);
            }
        }

        [FactOnUnix]
        public void A_symbolic_link_to_a_valid_file_opens_and_reads()
        {
            string target = Path.Combine(_directory, "real.safetensors");
            byte[] data = new byte[8];
            BitConverter.TryWriteBytes(data.AsSpan(0), 0.25f);
            BitConverter.TryWriteBytes(data.AsSpan(4), -3.0f);
            File.WriteAllBytes(target, Build(OneTensorHeader("F32", "[2]", "[0,8]"), data));
            string link = Path.Combine(_directory, "link.safetensors");
            File.CreateSymbolicLink(link, target);

            using var file = SafetensorsFile.Open(link);
            var values = new float[2];
            file.ReadFloat32("t", values);
            Assert.Equal(new[] { 0.25f, -3.0f }, values);
        }

        [Fact]
        public void A_missing_file_still_gives_FileNotFoundException()
        {
            string path = Path.Combine(_directory, "absent.safetensors");
            var exception = Assert.Throws<FileNotFoundException>(() => SafetensorsFile.Open(path));
            Assert.Contains("absent.safetensors", exception.Message);
        }

        private static void Run(string program, string argument)
        {
            using var process = Process.Start(new ProcessStartInfo(program, new[] { argument }) { UseShellExecute = false })!;
            Assert.True(process.WaitForExit(10_000), $"{program} did not finish");
            Assert.Equal(0, process.ExitCode);
        }
    }

    /// <summary>A [Fact] skipped, with the reason, where FIFOs and /dev do not exist.</summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public sealed class FactOnUnixAttribute : FactAttribute
    {
        public FactOnUnixAttribute()
        {
            if (OperatingSystem.IsWindows())
                Skip = "FIFOs, symbolic-link permissions and /dev devices are Unix features";
        }
    }
}
