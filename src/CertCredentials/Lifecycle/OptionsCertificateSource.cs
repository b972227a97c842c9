using System.Security.Cryptography;
using System.Text;
using CertCredentials.Keys;

namespace CertCredentials.Lifecycle;

/// <summary>
/// The key and certificate the options give (PrivateKey, PrivateKeyPath, PrivateKeyPassphrase, Certificate,
/// CertificatePath, CertificateThumbprint), read through <see cref="KeyMaterialLoader"/>. A change is told by content:
/// <see cref="Fingerprint"/> hashes the inputs as they are now (files read through their symlinks, so a Kubernetes
/// <c>..data</c> swap counts), and only a new fingerprint is worth reading the key again.
/// </summary>
internal sealed class OptionsCertificateSource : CertificateSource
{
    private readonly CertificateClientCredentialOptions _inputs;

    /// <summary>Copies the key inputs: later changes to <paramref name="options"/> do not reach this source.</summary>
    public OptionsCertificateSource(CertificateClientCredentialOptions options)
    {
        _inputs = new CertificateClientCredentialOptions
        {
            PrivateKey = options.PrivateKey,
            PrivateKeyPath = options.PrivateKeyPath,
            PrivateKeyPassphrase = options.PrivateKeyPassphrase,
            Certificate = options.Certificate,
            CertificatePath = options.CertificatePath,
            CertificateThumbprint = options.CertificateThumbprint,
        };
        Files = new[] { options.PrivateKeyPath, options.CertificatePath }
            .Where(p => !string.IsNullOrWhiteSpace(p))
            .Select(p => p!.Trim())
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>The files the key and certificate are read from; none when both come as text (nothing then changes by itself).</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Whether <paramref name="other"/> reads the same inputs (then a reconfiguration changes nothing here).</summary>
    public bool SameInputs(OptionsCertificateSource other) =>
        other._inputs.PrivateKey == _inputs.PrivateKey && other._inputs.PrivateKeyPath == _inputs.PrivateKeyPath &&
        other._inputs.PrivateKeyPassphrase == _inputs.PrivateKeyPassphrase && other._inputs.Certificate == _inputs.Certificate &&
        other._inputs.CertificatePath == _inputs.CertificatePath && other._inputs.CertificateThumbprint == _inputs.CertificateThumbprint;

    /// <summary>Reads and checks the key and certificate now, as at start.</summary>
    public ClientCertificate Load() => new(KeyMaterialLoader.Load(_inputs));

    public override ValueTask<ClientCertificate> LoadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Load());

    /// <summary>
    /// SHA-256 over the inputs as they are now; a file that is missing or unreadable hashes as such (so it is read
    /// again once it is back). Never throws. Files are read up to the loader's size limit.
    /// </summary>
    public byte[] Fingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AddText(hash, _inputs.PrivateKey);
        AddFile(hash, _inputs.PrivateKeyPath);
        AddText(hash, _inputs.PrivateKeyPassphrase);
        AddText(hash, _inputs.Certificate);
        AddFile(hash, _inputs.CertificatePath);
        AddText(hash, _inputs.CertificateThumbprint);
        return hash.GetHashAndReset();
    }

    private static void AddText(IncrementalHash hash, string? text)
    {
        if (text is null)
        {
            AddTagged(hash, 0, []);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        AddTagged(hash, 1, bytes);
        CryptographicOperations.ZeroMemory(bytes);
    }

    private static void AddFile(IncrementalHash hash, string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            AddTagged(hash, 0, []);
            return;
        }

        // Streamed in small chunks: a check every interval must not allocate a file-sized buffer.
        var chunk = new byte[16 * 1024];
        try
        {
            using var stream = new FileStream(path.Trim(), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.None);
            hash.AppendData([2]);
            long total = 0;
            int read;
            while (total <= KeyInputReader.MaxInputBytes && (read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                hash.AppendData(chunk, 0, read);
                total += read;
            }

            Span<byte> length = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, total);
            hash.AppendData(length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // Missing (a swap under way), a directory, unreadable: the loader says which, if it persists.
            AddTagged(hash, 3, Encoding.UTF8.GetBytes(e.GetType().Name));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(chunk);
        }
    }

    private static void AddTagged(IncrementalHash hash, byte tag, ReadOnlySpan<byte> bytes)
    {
        Span<byte> prefix = stackalloc byte[5];
        prefix[0] = tag;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(prefix[1..], bytes.Length);
        hash.AppendData(prefix);
        hash.AppendData(bytes);
    }
}
