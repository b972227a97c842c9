namespace CertCredentials.Lifecycle;

/// <summary>
/// One call to a collaborator of the lifecycle (a certificate source, a signer): bounded by RequestTimeout even when it
/// ignores cancellation, and typed. The caller's cancellation passes as <see cref="OperationCanceledException"/>; a
/// <see cref="CertificateCredentialException"/> of the collaborator's own passes as is; a timeout or anything else
/// becomes a <see cref="CertificateCredentialException"/> of <c>failure</c> that does not repeat the collaborator's
/// message (it is not ours to vouch for; it stays in InnerException).
/// </summary>
internal static class BoundedCall
{
    /// <param name="call">The call, given a token cancelled at the timeout or with the caller's.</param>
    /// <param name="timeout">RequestTimeout.</param>
    /// <param name="time">The clock of the timeout.</param>
    /// <param name="failure">The failure reported for a timeout or an untyped exception.</param>
    /// <param name="timedOut">The message for a timeout.</param>
    /// <param name="failed">The message for an exception, given its type name.</param>
    /// <param name="discardLate">What to do with an answer that arrives after the timeout (dispose it).</param>
    /// <param name="cancellationToken">The caller's cancellation.</param>
    public static async Task<T> RunAsync<T>(Func<CancellationToken, ValueTask<T>> call, TimeSpan timeout, TimeProvider time, CertificateCredentialFailure failure,
                                            string timedOut, Func<string, string> failed, Action<T>? discardLate, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        Task<T>? running = null;
        try
        {
            running = call(linked.Token).AsTask();
            return await running.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Abandoned, not forgotten: a late answer is discarded and a late failure observed.
            _ = running?.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    discardLate?.Invoke(t.Result);
                }
                else
                {
                    _ = t.Exception;
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw new CertificateCredentialException(failure, timedOut, e);
        }
        catch (CertificateCredentialException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new CertificateCredentialException(failure, failed(e.GetType().Name), e);
        }
    }
}
