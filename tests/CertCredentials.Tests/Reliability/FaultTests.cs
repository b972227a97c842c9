using System.Net;
using System.Text;
using CertCredentials.Testing;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Reliability;

/// <summary>Faults not covered by the retry tests: lifetimes out of range and bodies that do not end.</summary>
public sealed class FaultTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private LocalEntra _entra = null!;

    public async Task InitializeAsync() => _entra = await LocalEntra.StartAsync(_time);

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    private static string Success(string expiresIn) =>
        "{\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + ",\"access_token\":\"opaque-test-token\"}";

    [Theory]
    [InlineData("0", 60)]
    [InlineData("-3600", 60)]
    [InlineData("\"-1\"", 60)]
    [InlineData("1e12", 86400)]
    [InlineData("99999999999999999999", 86400)]
    public async Task Replaces_an_unusable_expires_in_with_a_sane_lifetime(string expiresIn, int usedSeconds)
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 200, ContentType = "application/json", Body = Success(expiresIn) });
        var logs = new LogCapture();
        var credential = _entra.Credential(logger: logs.Logger());

        var token = await credential.GetTokenAsync();
        await Eventually.TrueAsync(() => !credential.IsAcquiring, "the acquisition has reported (after answering)");

        token.ExpiresOn.Should().Be(_time.GetUtcNow().AddSeconds(usedSeconds));
        logs.WithId(1107).Should().ContainSingle("a replaced lifetime is logged");
        credential.GetTokenAsync().Synchronously().Should().Be(token, "the token is cached, so a broken server is not asked on every call");
        _entra.Service.TokenRequestCount.Should().Be(1);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("\"5\"")]
    public async Task Trusts_a_short_but_positive_expires_in(string expiresIn)
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 200, ContentType = "application/json", Body = Success(expiresIn) });
        var logs = new LogCapture();
        var credential = _entra.Credential(logger: logs.Logger());
        var token = await credential.GetTokenAsync();
        await Eventually.TrueAsync(() => !credential.IsAcquiring, "the acquisition has reported (after answering)");
        token.ExpiresOn.Should().Be(_time.GetUtcNow().AddSeconds(5), "a token that lives seconds must not be believed to live longer");
        logs.WithId(1107).Should().BeEmpty();
    }

    [Fact]
    public async Task Takes_the_lifetime_from_the_token_s_exp_when_expires_in_is_zero()
    {
        var exp = _time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds();
        var jwt = "eyJhbGciOiJub25lIn0." + System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes("{\"exp\":" + exp + "}")) + ".c2ln";
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 200, ContentType = "application/json", Body = "{\"token_type\":\"Bearer\",\"expires_in\":0,\"access_token\":\"" + jwt + "\"}" });

        var token = await _entra.Credential().GetTokenAsync();

        token.ExpiresOn.Should().Be(DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    [Fact]
    public async Task Refuses_a_body_announced_as_many_megabytes_without_reading_it()
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 200, ContentType = "application/json", Body = new string('x', 5 * 1024 * 1024) });
        var e = await FluentActions.Awaiting(() => _entra.Credential().GetTokenAsync().AsTask()).Should().ThrowAsync<TokenEndpointException>();
        e.Which.Failure.Should().Be(CertificateCredentialFailure.InvalidTokenResponse);
        e.Which.Message.Should().Contain("over the 1024 KiB");
        _entra.Service.TokenRequestCount.Should().Be(1, "an oversized answer is not retried");
    }

    [Fact]
    public async Task Stops_reading_a_body_that_never_ends()
    {
        // A fault injected below HTTP: an endless chunked body with no Content-Length.
        using var http = new HttpClient(new EndlessBodyHandler());
        using var credential = new CertificateClientCredential(_entra.Options(), http, _time);
        var e = await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
            .Should().ThrowAsync<TokenEndpointException>();
        e.Which.Message.Should().Contain("a body that kept going");
    }

    private sealed class EndlessBodyHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new EndlessStream()) });
    }

    private sealed class EndlessStream : Stream
    {
        private static readonly byte[] Chunk = Encoding.ASCII.GetBytes(new string(' ', 8192));

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, Chunk.Length);
            Array.Copy(Chunk, 0, buffer, offset, n);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
