using CertCredentials.Configuration;

namespace CertCredentials.DependencyInjection;

/// <summary>
/// Under the generic host, a relative PrivateKeyPath or CertificatePath names a file under the content root
/// (IHostEnvironment.ContentRootPath), as appsettings.json does, not under whatever the current directory is (a
/// Windows service or systemd unit starts elsewhere). The paths are made absolute here, before validation, so every
/// later reader (the loader, the reload checks, the file watcher) reads the same file.
/// </summary>
internal static class ContentRootPaths
{
    public static void Apply(CertificateClientCredentialOptions options, string? contentRoot)
    {
        if (string.IsNullOrWhiteSpace(contentRoot))
        {
            return;
        }

        options.PrivateKeyPath = Resolve(options.PrivateKeyPath, contentRoot);
        options.CertificatePath = Resolve(options.CertificatePath, contentRoot);
        options.ContentRoot = contentRoot;
    }

    private static string? Resolve(string? path, string contentRoot)
    {
        // Key text pasted into a path is left as it is, for the loader to refuse (and describe, never echo).
        if (string.IsNullOrWhiteSpace(path) || OptionText.LooksLikeKeyMaterial(path) || path.Length > OptionText.MaxPathLength)
        {
            return path;
        }

        var trimmed = path.Trim();
        try
        {
            return Path.IsPathRooted(trimmed) ? path : Path.GetFullPath(trimmed, contentRoot);
        }
        catch (ArgumentException)
        {
            return path;
        }
    }
}
