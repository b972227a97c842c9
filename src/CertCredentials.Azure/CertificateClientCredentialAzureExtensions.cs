using System.Runtime.CompilerServices;
using CertCredentials.Azure.TokenCredentials;

namespace CertCredentials.Azure;

/// <summary>The certificate credential as an Azure SDK credential.</summary>
public static class CertificateClientCredentialAzureExtensions
{
    private static readonly ConditionalWeakTable<CertificateClientCredential, CertificateTokenCredential> Adapters = [];

    /// <summary>
    /// The credential as an <see cref="global::Azure.Core.TokenCredential"/>, for <c>new GraphServiceClient(...)</c>
    /// and every Azure SDK client. A request's single <c>/.default</c> scope and its <c>TenantId</c> select that
    /// tenant's and scope's cache (the configured pair's cache when they are the credential's own), <c>Claims</c> gets
    /// a new token for that CAE challenge, and the token's <c>RefreshOn</c> tells Azure.Core when to refresh ahead of
    /// expiry. Synchronous <c>GetToken</c> answers a cached token without blocking and blocks only its caller on a cold
    /// cache. One adapter per credential (the same object each call); it owns nothing and needs no disposal.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="credential"/> is null.</exception>
    public static global::Azure.Core.TokenCredential AsTokenCredential(this CertificateClientCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return Adapters.GetValue(credential, static c => new CertificateTokenCredential(c));
    }
}
