// The tool's tests drive openssl, kill and POSIX file modes: they run where those are (Linux and macOS, CI included).
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
