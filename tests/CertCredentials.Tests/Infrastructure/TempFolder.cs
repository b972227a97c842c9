namespace CertCredentials.Tests.Infrastructure;

/// <summary>A folder of its own under the system's temp folder, deleted with everything in it at the end.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = Directory.CreateTempSubdirectory("certcredentials-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A watcher may still hold the folder for a moment; the system's temp cleaning takes the rest.
        }
    }
}
