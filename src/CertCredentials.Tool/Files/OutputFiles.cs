using CertCredentials.Tool.Cli;

namespace CertCredentials.Tool.Files;

/// <summary>
/// Writes the files of <c>new</c>: all or nothing, never over an existing file unless forced, and key files with
/// mode 0600 from the moment they exist (written under a temporary name created with that mode, then renamed).
/// </summary>
internal static class OutputFiles
{
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Refuses before anything is written when a target exists and <paramref name="force"/> is false.</summary>
    public static void CheckTargets(IEnumerable<string> paths, bool force)
    {
        if (force)
        {
            return;
        }

        var existing = paths.Where(p => File.Exists(p) || Directory.Exists(p)).ToList();
        if (existing.Count > 0)
        {
            throw new ToolFailure(ExitCodes.Output,
                $"{string.Join(", ", existing.Select(p => $"'{p}'"))} already exist{(existing.Count == 1 ? "s" : string.Empty)}; nothing was written. Give another --out directory, or --force to replace.");
        }
    }

    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode, bool force)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: force);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw File.Exists(path) && !force
                ? new ToolFailure(ExitCodes.Output, $"'{path}' already exists; give --force to replace it.", e)
                : new ToolFailure(ExitCodes.Output, $"Cannot write '{path}' ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more can be done about a temporary file that cannot be removed.
        }
    }
}
