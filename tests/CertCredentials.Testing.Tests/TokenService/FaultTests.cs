using System.Diagnostics;
using System.Net;
using CertCredentials.Testing.Tests.Infrastructure;

namespace CertCredentials.Testing.Tests.TokenService;

public sealed class FaultTests : TokenServiceTestBase
{
    [Fact]
    public async Task Plays_queued_status_with_retry_after_and_entra_body_then_recovers()
    {
        Service.EnqueueFault(new TokenFault { StatusCode = 429, RetryAfter = "2" });

        var throttled = await RequestTokenAsync();
        var next = await RequestTokenAsync();

        throttled.Status.Should().Be(HttpStatusCode.TooManyRequests);
        throttled.Headers["Retry-After"].Should().Be("2");
        throttled.Error.Should().Be("temporarily_unavailable");
        throttled.ErrorCodes.Should().Equal(90055);
        throttled.Json!["error_description"]!.GetValue<string>().Should().StartWith("AADSTS90055: ").And.Contain("Trace ID: ");
        next.Status.Should().Be(HttpStatusCode.OK, next.Body);
    }

    [Fact]
    public async Task Passes_an_http_date_retry_after_verbatim()
    {
        const string date = "Wed, 21 Oct 2026 07:28:00 GMT";
        Service.EnqueueFault(new TokenFault { StatusCode = 503, RetryAfter = date });

        var answer = await RequestTokenAsync();

        answer.Status.Should().Be(HttpStatusCode.ServiceUnavailable);
        answer.Headers["Retry-After"].Should().Be(date);
        answer.ErrorCodes.Should().Equal(90033);
    }

    [Fact]
    public async Task Plays_queued_faults_in_order_each_its_number_of_times()
    {
        Service.EnqueueFault(new TokenFault { StatusCode = 500, Times = 2 });
        Service.EnqueueFault(new TokenFault { StatusCode = 502 });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await RequestTokenAsync()).Status);
        }

        statuses.Should().Equal(
            HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.BadGateway, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Persistent_fault_applies_to_every_request_until_cleared()
    {
        Service.PersistentFault = new TokenFault { StatusCode = 503 };

        var first = await RequestTokenAsync();
        var second = await RequestTokenAsync();
        Service.PersistentFault = null;
        var third = await RequestTokenAsync();

        first.Status.Should().Be(HttpStatusCode.ServiceUnavailable);
        second.Status.Should().Be(HttpStatusCode.ServiceUnavailable);
        third.Status.Should().Be(HttpStatusCode.OK, third.Body);
    }

    [Fact]
    public async Task Queued_fault_goes_before_the_persistent_one()
    {
        Service.PersistentFault = new TokenFault { StatusCode = 503 };
        Service.EnqueueFault(new TokenFault { StatusCode = 429 });

        (await RequestTokenAsync()).Status.Should().Be(HttpStatusCode.TooManyRequests);
        (await RequestTokenAsync()).Status.Should().Be(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Plays_html_body_with_its_content_type_verbatim()
    {
        const string html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
        Service.EnqueueFault(new TokenFault { StatusCode = 502, Body = html, ContentType = "text/html" });

        var answer = await RequestTokenAsync();

        answer.Status.Should().Be(HttpStatusCode.BadGateway);
        answer.MediaType.Should().Be("text/html");
        answer.Body.Should().Be(html);
    }

    [Fact]
    public async Task Plays_a_200_with_a_custom_body()
    {
        Service.EnqueueFault(new TokenFault { StatusCode = 200, Body = """{"token_type":"Bearer","expires_in":"soon"}""" });

        var answer = await RequestTokenAsync();

        answer.Status.Should().Be(HttpStatusCode.OK);
        answer.Body.Should().Be("""{"token_type":"Bearer","expires_in":"soon"}""");
    }

    [Fact]
    public async Task Delays_the_answer()
    {
        Service.EnqueueFault(new TokenFault { StatusCode = 503, Delay = TimeSpan.FromMilliseconds(300) });
        var watch = Stopwatch.StartNew();

        var answer = await RequestTokenAsync();

        watch.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(280));
        answer.Status.Should().Be(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Delay_ends_when_the_client_gives_up_and_the_request_is_recorded()
    {
        Service.EnqueueFault(new TokenFault { StatusCode = 200, Delay = TimeSpan.FromSeconds(30) });
        using var giveUp = new CancellationTokenSource();
        var watch = Stopwatch.StartNew();

        var sending = Http.PostAsync(Endpoint, new FormUrlEncodedContent(Form(NewAssertion())), giveUp.Token);
        await WaitUntilAsync(() => Service.TokenRequestCount == 1);
        await giveUp.CancelAsync();

        await sending.Invoking(s => s).Should().ThrowAsync<OperationCanceledException>();
        await WaitUntilAsync(() => Service.Requests.Count == 1);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(25));
        Service.Requests.Single().StatusCode.Should().Be(499);
    }

    [Fact]
    public async Task Reset_connection_breaks_the_answer_midway()
    {
        Service.EnqueueFault(new TokenFault { StatusCode = 200, ResetConnection = true });

        var act = () => RequestTokenAsync();

        (await act.Should().ThrowAsync<Exception>()).Which.Should().Match<Exception>(e => e is HttpRequestException || e is IOException);
        var next = await RequestTokenAsync();
        next.Status.Should().Be(HttpStatusCode.OK, next.Body);
        Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task Faulted_requests_are_counted_and_recorded_with_their_form()
    {
        Service.EnqueueFault(new TokenFault { StatusCode = 503, Times = 3 });

        for (var i = 0; i < 3; i++)
        {
            await RequestTokenAsync();
        }

        Service.TokenRequestCount.Should().Be(3);
        Service.Requests.Should().HaveCount(3).And.OnlyContain(r =>
            r.StatusCode == 503 && r.Error == "temporarily_unavailable" && r.Form["client_id"] == ClientId && r.Assertion != null);
    }

    [Fact]
    public async Task Faulted_request_does_not_spend_the_assertion()
    {
        var assertion = NewAssertion();
        Service.EnqueueFault(new TokenFault { StatusCode = 503 });

        (await PostAsync(Form(assertion))).Status.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await PostAsync(Form(assertion))).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public void Refuses_a_fault_applied_less_than_once()
    {
        var act = () => Service.EnqueueFault(new TokenFault { Times = 0 });

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the condition should hold in time");
            await Task.Delay(10);
        }
    }
}
