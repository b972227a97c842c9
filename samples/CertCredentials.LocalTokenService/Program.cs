using CertCredentials.Samples.TokenServiceHost;

return await CommandLine.RunAsync(args, Console.Out, Console.Error);
