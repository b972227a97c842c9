namespace CertCredentials.Assertion;

/// <summary>A signed client assertion and the certificate it names. <see cref="ToString"/> hides the assertion: it is a secret.</summary>
internal readonly record struct ClientAssertion(string Text, CertificateThumbprint Thumbprint)
{
    public override string ToString() => $"ClientAssertion {{ {Thumbprint} }}";
}
