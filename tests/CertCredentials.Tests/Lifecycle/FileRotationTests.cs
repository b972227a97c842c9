using CertCredentials.Lifecycle;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Lifecycle;

/// <summary>
/// Key and certificate files in a real temp folder, changed as deployments change them: written in place, renamed
/// over, swapped Kubernetes-style through a <c>..data</c> symlink, half written. The credential notices by itself (a
/// watcher, or the periodic check where no watcher sees the change) and switches without a restart.
/// </summary>
public sealed class FileRotationTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly MadeCertificate _first = MadeCertificate.For("CN=first");
    private readonly MadeCertificate _second = MadeCertificate.For("CN=second");
    private readonly LogCapture _logs = new();

    public void Dispose()
    {
        _folder.Dispose();
    }

    private string KeyPath => _folder.File("tls.key");

    private string CertificatePath => _folder.File("tls.crt");

    private void Write(MadeCertificate identity, string? folder = null)
    {
        File.WriteAllText(Path.Combine(folder ?? _folder.Path, "tls.key"), identity.KeyPem);
        File.WriteAllText(Path.Combine(folder ?? _folder.Path, "tls.crt"), identity.CertificatePem);
    }

    private CertificateClientCredential Credential(LocalEntra entra, Action<CertificateClientCredentialOptions>? change = null, TimeProvider? time = null) =>
        entra.Credential(o =>
        {
            o.PrivateKeyPath = KeyPath;
            o.CertificatePath = CertificatePath;
            change?.Invoke(o);
        }, time: time, logger: _logs.Logger());

    private async Task<LocalEntra> EntraAsync(TimeProvider? time = null)
    {
        var entra = await LocalEntra.StartAsync(time);
        entra.Service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, _first.Certificate, LocalEntra.Resource);
        entra.Service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, _second.Certificate, LocalEntra.Resource);
        return entra;
    }

    [Fact]
    public async Task Files_written_in_place_are_noticed_and_the_next_token_request_uses_the_new_certificate()
    {
        Write(_first);
        await using var entra = await EntraAsync();
        var credential = Credential(entra);
        var token = await credential.GetTokenAsync();

        Write(_second);

        // The switch is visible (the swap) just before it is logged: wait for both.
        await Eventually.TrueAsync(() => credential.Thumbprint.Equals(_second.Thumbprint) && _logs.WithId(1300).Any(), "the watcher sees the write");
        credential.CertificateSubject.Should().Be("CN=second");
        (await credential.GetTokenAsync()).Token.Should().Be(token.Token, "the cached token stays valid across the switch");
        await credential.RefreshTokenAsync();
        entra.Service.Requests.Select(r => r.Assertion!.GetHeaderValue<string>("x5t#S256")).Should().Equal(_first.X5tS256, _second.X5tS256);
        _logs.WithId(1300).Should().ContainSingle().Which.Message.Should().Contain(_first.Thumbprint.ToString()).And.Contain(_second.Thumbprint.ToString());
        _logs.WithId(1301).Should().BeEmpty("a file seen between the key and the certificate write is not a reported failure");
    }

    [Fact]
    public async Task Files_renamed_over_the_old_ones_are_noticed()
    {
        Write(_first);
        await using var entra = await EntraAsync();
        var credential = Credential(entra);

        var staging = Directory.CreateDirectory(_folder.File("staging")).FullName;
        Write(_second, staging);
        File.Move(Path.Combine(staging, "tls.key"), KeyPath, overwrite: true);
        File.Move(Path.Combine(staging, "tls.crt"), CertificatePath, overwrite: true);

        await Eventually.TrueAsync(() => credential.Thumbprint.Equals(_second.Thumbprint), "the rename is seen");
        (await credential.GetTokenAsync()).Token.Should().NotBeEmpty();
    }

    [Fact]
    public async Task A_Kubernetes_secret_volume_swapping_its_data_symlink_is_noticed()
    {
        // As the kubelet lays out a secret volume: tls.key -> ..data/tls.key, ..data -> ..<timestamp>, and an update
        // writes a new timestamped folder, points ..data_tmp at it and renames ..data_tmp over ..data (atomically).
        var firstVersion = Directory.CreateDirectory(_folder.File("..2026_12_01_10_00_00.000000001")).FullName;
        Write(_first, firstVersion);
        Directory.CreateSymbolicLink(_folder.File("..data"), Path.GetFileName(firstVersion));
        File.CreateSymbolicLink(KeyPath, Path.Combine("..data", "tls.key"));
        File.CreateSymbolicLink(CertificatePath, Path.Combine("..data", "tls.crt"));
        await using var entra = await EntraAsync();
        var credential = Credential(entra);
        credential.Thumbprint.Should().Be(_first.Thumbprint);

        var secondVersion = Directory.CreateDirectory(_folder.File("..2026_12_01_11_00_00.000000002")).FullName;
        Write(_second, secondVersion);
        Directory.CreateSymbolicLink(_folder.File("..data_tmp"), Path.GetFileName(secondVersion));
        PosixRename.Replace(_folder.File("..data_tmp"), _folder.File("..data"));
        Directory.Delete(firstVersion, recursive: true);

        await Eventually.TrueAsync(() => credential.Thumbprint.Equals(_second.Thumbprint), "the ..data swap is seen");
        File.ReadAllText(KeyPath).Should().Be(_second.KeyPem, "the layout really was swapped");
        await credential.RefreshTokenAsync();
        entra.Service.Requests[^1].Assertion!.GetHeaderValue<string>("x5t#S256").Should().Be(_second.X5tS256);
    }

    [Fact]
    public async Task A_change_no_watcher_sees_is_found_by_the_periodic_check()
    {
        // The configured files are symlinks into a folder that is not watched (as on a network file system or a
        // secret mounted elsewhere): writing the targets in place raises no event where the credential watches.
        var elsewhere = Directory.CreateDirectory(_folder.File("elsewhere")).FullName;
        var watched = Directory.CreateDirectory(_folder.File("watched")).FullName;
        Write(_first, elsewhere);
        File.CreateSymbolicLink(Path.Combine(watched, "tls.key"), Path.Combine(elsewhere, "tls.key"));
        File.CreateSymbolicLink(Path.Combine(watched, "tls.crt"), Path.Combine(elsewhere, "tls.crt"));
        var time = new FakeTimeProvider(TestClock.Start);
        await using var entra = await EntraAsync(time);
        var credential = Credential(entra, o =>
        {
            o.PrivateKeyPath = Path.Combine(watched, "tls.key");
            o.CertificatePath = Path.Combine(watched, "tls.crt");
            o.CertificateReloadInterval = TimeSpan.FromMinutes(2);
        }, time);

        Write(_second, elsewhere);
        await Task.Delay(300);
        credential.Thumbprint.Should().Be(_first.Thumbprint, "nothing watched changed");

        time.Advance(TimeSpan.FromMinutes(2));
        await Eventually.TrueAsync(() => credential.Thumbprint.Equals(_second.Thumbprint), "the periodic check reads the files again");
    }

    [Fact]
    public async Task A_half_written_key_is_read_again_and_not_reported_while_the_old_key_serves()
    {
        Write(_first);
        var time = new FakeTimeProvider(TestClock.Start);
        await using var entra = await EntraAsync(time);
        var credential = Credential(entra, time: time);

        // The writer is half way: the certificate is new, the key file holds half of the new key.
        File.WriteAllText(CertificatePath, _second.CertificatePem);
        File.WriteAllText(KeyPath, _second.KeyPem[..(_second.KeyPem.Length / 2)]);
        (await credential.Reloader.CheckAsync(ReloadTrigger.File)).Should().Be(ReloadOutcome.Deferred);
        (await credential.Reloader.CheckAsync(ReloadTrigger.File)).Should().Be(ReloadOutcome.Deferred, "file events only hint; the periodic check decides");

        credential.Thumbprint.Should().Be(_first.Thumbprint);
        credential.CertificateReloadFailure.Should().BeNull();
        (await credential.GetTokenAsync()).Token.Should().NotBeEmpty("the old key keeps serving");

        File.WriteAllText(KeyPath, _second.KeyPem);
        await Eventually.TrueAsync(() => credential.Thumbprint.Equals(_second.Thumbprint), "the finished write is read");
        _logs.WithId(1301).Should().BeEmpty();
        _logs.WithId(1302).Should().NotBeEmpty().And.OnlyContain(e => e.Level == LogLevel.Debug);
    }

    [Fact]
    public async Task A_key_that_stays_broken_is_reported_once_at_the_next_periodic_check_and_recovers()
    {
        Write(_first);
        var time = new FakeTimeProvider(TestClock.Start);
        await using var entra = await EntraAsync(time);
        var credential = Credential(entra, time: time);
        // Renamed into place, so that the only new content is the broken one: the watcher's check has read it when it defers.
        File.WriteAllText(_folder.File("tls.key.tmp"), Fixture.Text("ec-p256.key.pem"));
        File.Move(_folder.File("tls.key.tmp"), KeyPath, overwrite: true);
        await Eventually.TrueAsync(() => _logs.WithId(1302).Any(), "the watcher's check defers the failure");

        (await credential.Reloader.CheckAsync(ReloadTrigger.Interval)).Should().Be(ReloadOutcome.Failed);
        (await credential.Reloader.CheckAsync(ReloadTrigger.Interval)).Should().Be(ReloadOutcome.Failed);

        var error = _logs.WithId(1301).Should().ContainSingle().Subject;
        error.Level.Should().Be(LogLevel.Error);
        error.Message.Should().Contain("PrivateKeyNotRsa").And.Contain(_first.Thumbprint.ToString());
        SecretScan.AssertClean(_logs.AllText(), [Fixture.Text("ec-p256.key.pem"), _first.KeyPem, _second.KeyPem]);
        credential.CertificateReloadFailure!.Failure.Should().Be(CertificateCredentialFailure.PrivateKeyNotRsa);
        credential.Thumbprint.Should().Be(_first.Thumbprint);
        (await credential.GetTokenAsync()).Token.Should().NotBeEmpty();

        Write(_second);
        await Eventually.TrueAsync(() => credential.Thumbprint.Equals(_second.Thumbprint) && credential.CertificateReloadFailure is null,
            "a good key arrives and ends the reported failure");
        await Eventually.TrueAsync(() => _logs.WithId(1306).Any(), "the recovery is logged");
        _logs.WithId(1306).Should().ContainSingle();
    }

    [Fact]
    public async Task With_a_zero_interval_files_are_never_read_again()
    {
        Write(_first);
        await using var entra = await EntraAsync();
        var pinned = Credential(entra, o => o.CertificateReloadInterval = TimeSpan.Zero);
        var watching = Credential(entra);

        Write(_second);

        await Eventually.TrueAsync(() => watching.Thumbprint.Equals(_second.Thumbprint), "a credential watching the same folder switched");
        pinned.Thumbprint.Should().Be(_first.Thumbprint);
        (await pinned.Reloader.CheckAsync(ReloadTrigger.Refusal)).Should().Be(ReloadOutcome.Switched, "only by hand");
    }

    [Fact]
    public async Task Key_and_certificate_given_as_text_start_no_timer_and_no_watcher()
    {
        var time = new FakeTimeProvider(TestClock.Start);
        await using var entra = await EntraAsync(time);
        var credential = Credential(entra, o =>
        {
            o.PrivateKeyPath = null;
            o.CertificatePath = null;
            o.PrivateKey = _first.KeyPem;
            o.Certificate = _first.CertificatePem;
        }, time);

        DirectoryWatch.SubscribersOf(_folder.Path).Should().Be(0);
        (await credential.Reloader.CheckAsync(ReloadTrigger.Interval)).Should().Be(ReloadOutcome.Unchanged);
    }

    [Fact]
    public async Task Credentials_on_the_same_folder_share_one_watcher_and_release_it_when_disposed()
    {
        Write(_first);
        await using var entra = await EntraAsync();
        var credentials = Enumerable.Range(0, 20).Select(_ => new CertificateClientCredential(entra.Options(o => { o.PrivateKeyPath = KeyPath; o.CertificatePath = CertificatePath; }))).ToList();

        DirectoryWatch.SubscribersOf(_folder.Path).Should().Be(20, "one watcher for the folder, one subscription per credential (key and certificate share it)");
        credentials.ForEach(c => c.Dispose());
        DirectoryWatch.SubscribersOf(_folder.Path).Should().Be(0, "the last one disposed releases the watcher");
    }
}
