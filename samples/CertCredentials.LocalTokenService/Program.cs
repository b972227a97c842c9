using CertCredentials.LocalTokenService;

return await CommandLine.RunAsync(args, Console.Out, Console.Error);
