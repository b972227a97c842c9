namespace CertCredentials.Tests.Diagnostics;

/// <summary>Meter and ActivitySource listeners are process-wide: tests that use them run alone so the counts are their own.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryListeners
{
    public const string Name = "Telemetry";
}
