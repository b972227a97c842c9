using System.Runtime.InteropServices;
using System.Text;

namespace CertCredentials.Tests.Infrastructure;

/// <summary>
/// rename(2), which replaces a symlink by another atomically, as the kubelet swaps a secret volume's <c>..data</c>
/// (File.Move looks through a symlink to a directory and refuses it).
/// </summary>
internal static class PosixRename
{
    public static void Replace(string source, string destination)
    {
        if (Rename(Utf8(source), Utf8(destination)) != 0)
        {
            throw new IOException($"rename('{source}', '{destination}') failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>A NUL-terminated UTF-8 path, as the C library takes it.</summary>
    private static byte[] Utf8(string path) => Encoding.UTF8.GetBytes(path + "\0");

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in the test project for one call
    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Rename(byte[] oldPath, byte[] newPath);
#pragma warning restore SYSLIB1054
}
