using System.Diagnostics;
using System.Security.Cryptography;
using CertCredentials.Keys;
using CertCredentials.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Tests.Properties;

/// <summary>
/// What every call with bad input must come to: a <see cref="CertificateCredentialException"/> whose message and
/// <c>ToString()</c> hold no secret, or (for a mutation that happens to leave the key intact) a key that signs and
/// verifies; never another exception type, and always within <see cref="PerCall"/>.
/// </summary>
internal static class Expect
{
    /// <summary>Generous for a 2-core machine running other tests at the same time; real calls take milliseconds.</summary>
    public static readonly TimeSpan PerCall = TimeSpan.FromSeconds(5);

    /// <summary>For inputs around the 1 MiB limit: a megabyte of PEM blocks is parsed in about 2 s here.</summary>
    public static readonly TimeSpan PerHugeCall = TimeSpan.FromSeconds(15);

    public static readonly string TokenEndpoint = "http://127.0.0.1:9/tenant/oauth2/v2.0/token";

    /// <summary>Options that load the given key text and send nothing (the endpoint is the discard port on loopback).</summary>
    public static CertificateClientCredentialOptions Options(string? privateKey = null, string? passphrase = null, string? certificate = null,
                                                             string? thumbprint = null, string? privateKeyPath = null) =>
        new()
        {
            TenantId = TestOptions.TenantId,
            ClientId = TestOptions.ClientId,
            Scope = TestOptions.Scope,
            TokenEndpoint = new Uri(TokenEndpoint),
            PrivateKey = privateKey,
            PrivateKeyPath = privateKeyPath,
            PrivateKeyPassphrase = passphrase,
            Certificate = certificate,
            CertificateThumbprint = thumbprint,
        };

    /// <summary>Loads through the internal loader; on success, the key must sign and verify (and fit its certificate).</summary>
    public static void LoaderRefusesOrLoadsWorkingKey(PropertyRun run, object @case, CertificateClientCredentialOptions options, params string[] secrets)
    {
        using var material = Call(run, @case, () => KeyMaterialLoader.Load(options), secrets);
        if (material is null)
        {
            return;
        }

        AssertSignsAndVerifies(material.PrivateKey, @case);
        if (material.Certificate is { } certificate)
        {
            Fixture.AssertSignsFor(material.PrivateKey, certificate);
        }

        SecretScan.AssertClean(material.ToString(), secrets);
    }

    /// <summary>
    /// Builds the public credential; on success, its client assertion must verify with <paramref name="certificate"/>'s
    /// public key (pass the certificate the options name, so a key that loads is known to be the right one).
    /// </summary>
    public static void CredentialRefusesOrSigns(PropertyRun run, object @case, CertificateClientCredentialOptions options, X509Certificate2 certificate,
                                                params string[] secrets)
    {
        using var credential = Call(run, @case, () => new CertificateClientCredential(options), secrets);
        if (credential is null)
        {
            return;
        }

        var jwt = new JsonWebToken(credential.CreateClientAssertion());
        using var publicKey = certificate.GetRSAPublicKey()!;
        var signature = Base64UrlEncoder.DecodeBytes(jwt.EncodedSignature);
        var input = System.Text.Encoding.ASCII.GetBytes(jwt.EncodedHeader + "." + jwt.EncodedPayload);
        publicKey.VerifyData(input, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .Should().BeTrue("a credential built from {0} must sign assertions its certificate verifies", @case);
        SecretScan.AssertClean(credential.ToString(), secrets);
    }

    /// <summary>
    /// Runs <paramref name="call"/>, timing it, and returns its result, or null when it was refused. Only a
    /// <see cref="CertificateCredentialException"/> without secrets may come out, and only within the run's bound (<see cref="PerCall"/> by default).
    /// </summary>
    public static T? Call<T>(PropertyRun run, object @case, Func<T> call, params string[] secrets)
        where T : class
    {
        var stopwatch = Stopwatch.StartNew();
        T? result = null;
        Exception? error = null;
        try
        {
            result = call();
        }
#pragma warning disable CA1031 // Every exception type is caught on purpose: the property is about which ones come out.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = e;
        }

        stopwatch.Stop();
        var knownBug = error is null or CertificateCredentialException ? null : KnownBugs.Match(error);
        run.Record(error switch
        {
            null => "accepted",
            CertificateCredentialException refusal => "refused: " + refusal.Failure,
            _ when knownBug is not null => "KNOWN BUG: " + knownBug,
            _ => "ESCAPED: " + error.GetType().Name,
        }, stopwatch.Elapsed, @case);

        if (error is not null and not CertificateCredentialException && knownBug is null)
        {
            (result as IDisposable)?.Dispose();
            throw new Xunit.Sdk.XunitException($"Only CertificateCredentialException may come out, but {error.GetType().FullName} did for {@case}:{Environment.NewLine}{error}");
        }

        if (stopwatch.Elapsed >= run.PerCall)
        {
            (result as IDisposable)?.Dispose();
            throw new Xunit.Sdk.XunitException($"Every call must return within {run.PerCall.TotalSeconds} s, but {@case} took {stopwatch.ElapsedMilliseconds} ms.");
        }

        if (error is not null)
        {
            SecretScan.AssertClean(error, secrets);
        }

        return result;
    }

    public static void AssertSignsAndVerifies(RSA key, object @case)
    {
        var data = RandomNumberGenerator.GetBytes(32);
        var signature = key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var publicKey = RSA.Create(key.ExportParameters(includePrivateParameters: false));
        publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .Should().BeTrue("a key that loads from {0} must sign and verify", @case);
        key.KeySize.Should().BeGreaterThanOrEqualTo(2048);
    }
}
