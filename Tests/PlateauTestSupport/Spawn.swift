import Foundation

/// Starts `argv` (argv[0]: the executable's path) with stdin, stdout and stderr redirected to
/// the given files (nil: /dev/null; stdout and stderr are created or truncated, mode 0600), and
/// returns its PID; `waitForExit` reaps it.
///
/// posix_spawn with an empty signal mask and default handlers, rather than Foundation's Process:
/// the test runner's threads block most signals and posix_spawn hands the mask on, so a child
/// started the ordinary way would never see SIGTERM or SIGCHLD (a ClickHouse server would not
/// stop on SIGTERM; a tmux server would not notice its panes exit, nor kill-server). And
/// Process.waitUntilExit can hang when the child forks a daemon that lives on (the tmux client
/// starting the tmux server), which waitpid does not.
public func spawnProcess(_ argv: [String], stdin: String? = nil, stdout: String? = nil, stderr: String? = nil) throws -> pid_t {
    precondition(!argv.isEmpty, "spawnProcess needs the executable's path")
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    var empty = sigset_t(), all = sigset_t()
    sigemptyset(&empty)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attr, &empty)
    posix_spawnattr_setsigdefault(&attr, &all)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var cargs = argv.map { strdup($0) } + [nil]
    defer { for a in cargs { free(a) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, &attr, &cargs, environ)
    guard rc == 0 else { throw SpawnError(path: argv[0], message: String(cString: strerror(rc))) }
    return pid
}

/// Waits for a child `spawnProcess` started and returns its wait status (decode with
/// `exitCode(_:)`); retries on EINTR.
@discardableResult
public func waitForExit(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return status
}

/// The exit code of a wait status when the child exited normally, else nil (killed by a signal).
public func exitCode(_ status: Int32) -> Int32? {
    (status & 0x7F) == 0 ? (status >> 8) & 0xFF : nil
}

public struct SpawnError: Error, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { "cannot start \(path): \(message)" }
}
