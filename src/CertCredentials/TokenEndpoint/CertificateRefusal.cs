namespace CertCredentials.TokenEndpoint;

/// <summary>
/// The AADSTS codes by which Entra says "this certificate is not, or no longer, accepted": what a newer certificate
/// from the same source can fix. The endpoint only reports them (<see cref="TokenEndpointException.RefusedCertificate"/>);
/// the credential above decides to reload.
/// </summary>
/// <remarks>
/// Microsoft.Identity.Web reloads its certificates on 700027, 700024, 7000214, 1000502, 7000274 and 7000277
/// (Constants.CertificateAuthFailureStsErrorCodes). All but 700024 are here:
/// <list type="bullet">
/// <item>700027: the assertion's signature does not verify with a registered key ("the key was not found"): the
/// certificate was removed from the app registration, as the last step of a rollover does.</item>
/// <item>7000214: the certificate has been revoked (it is on its CA's revocation list).</item>
/// <item>7000277: the certificate was revoked (Identity.Web's CertificateWasRevoked).</item>
/// <item>1000502: the certificate is not within its validity window: it expired, or is not yet valid.</item>
/// <item>7000274: the key was found but the signature does not verify with it (Identity.Web's
/// ClientAssertionContainsInvalidSignature): the key behind a signer changed without its certificate.</item>
/// </list>
/// 700024 (the assertion is not within its valid time range) is left out: this library signs a new assertion from
/// the clock for every request, so it means the clock is off, which no certificate fixes (Identity.Web reloads on it
/// for signed-assertion providers, whose assertions can be stale).
/// </remarks>
internal static class CertificateRefusal
{
    private static readonly int[] Codes = [700027, 7000214, 7000277, 1000502, 7000274];

    /// <summary>The first of <paramref name="errorCodes"/> that refuses the certificate, or null.</summary>
    public static int? Find(IReadOnlyList<int> errorCodes)
    {
        foreach (var code in errorCodes)
        {
            if (Array.IndexOf(Codes, code) >= 0)
            {
                return code;
            }
        }

        return null;
    }
}
