namespace CertCredentials.Testing.Graph;

/// <summary>An error answer of the Graph-shaped API: status, Graph's error <c>code</c> and message.</summary>
internal sealed record GraphRefusal(int StatusCode, string Code, string Message)
{
    public static GraphRefusal BadRequest(string code, string message) => new(400, code, message);

    public static GraphRefusal NotFound(string id) => new(404, "Request_ResourceNotFound",
        $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.");

    public static GraphRefusal SegmentNotFound(string segment) => new(400, "BadRequest", $"Resource not found for the segment '{segment}'.");

    public static GraphRefusal MethodNotAllowed() => new(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");

    public static GraphRefusal Forbidden() => new(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
}
