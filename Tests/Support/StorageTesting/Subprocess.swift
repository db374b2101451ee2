public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs the programs tests check against (openssl, softhsm2-util, …), with `posix_spawn` directly.
///
/// Not with Foundation's `Process`: on Linux its `run()` crashes now and then (SIGSEGV in a `memcpy` inside it, seen
/// in this suite about once in five runs). swift-corelibs-foundation#5472 (merged May 2026, after the 6.3.1
/// toolchain here) traces it to `findMaximumOpenFromProcSelfFD()` copying a whole `d_name[256]` out of a `dirent`
/// that `readdir` sized to its short name, reading past glibc's buffer. Launches are also serialised with changes to
/// the environment, since the child gets a copy of `environ`.
public enum Subprocess {
    private static let launching = Mutex(())

    /// Sets an environment variable of the test process, while no program is being launched.
    public static func setEnvironment(_ name: String, _ value: String) {
        launching.withLock { _ in _ = setenv(name, value, 1) }
    }

    /// A program could not be started.
    public struct Failure: Error, CustomStringConvertible {
        /// What failed, and the errno text.
        public let description: String
    }

    /// Runs `program` with `arguments`, standard input from /dev/null; its exit status and its standard output and
    /// error together.
    public static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let (status, output, _) = try run(program, arguments, input: nil, separateErrors: false)
        return (status, output)
    }

    /// Runs `program` with `arguments`, standard input from `input` (or /dev/null); its exit status, its standard
    /// output, and its standard error (empty when `separateErrors` is false: it is in the output then).
    public static func run(
        _ program: String, _ arguments: [String], input: URL?, separateErrors: Bool
    ) throws -> (status: Int32, output: String, errors: String) {
        let stdin = open(input?.path ?? "/dev/null", O_RDONLY | O_CLOEXEC)
        guard stdin >= 0 else { throw failure("cannot open \(input?.path ?? "/dev/null")") }
        defer { close(stdin) }
        let output = try pipe()
        var errors: (read: CInt, write: CInt)?
        if separateErrors {
            do {
                errors = try pipe()
            } catch {
                close(output.read)
                close(output.write)
                throw error
            }
        }
        let pid: pid_t
        do {
            pid = try spawn(
                program, arguments, stdin: stdin, stdout: output.write, stderr: errors?.write ?? output.write)
        } catch {
            for descriptor in [output.read, output.write, errors?.read, errors?.write].compactMap({ $0 }) {
                close(descriptor)
            }
            throw error
        }
        close(output.write)
        if let errors { close(errors.write) }
        // Standard error is read on its own thread, so that neither pipe can fill while the other is read.
        let errorText = Mutex("")
        let done = DispatchSemaphore(value: 0)
        if let errors {
            Thread {
                let text = String(decoding: readAll(errors.read), as: UTF8.self)
                close(errors.read)
                errorText.withLock { $0 = text }
                done.signal()
            }.start()
        } else {
            done.signal()
        }
        let text = String(decoding: readAll(output.read), as: UTF8.self)
        close(output.read)
        done.wait()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw failure("cannot wait for \(program)") }
        }
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exit, text, errorText.withLock { $0 })
    }

    private static func spawn(
        _ program: String, _ arguments: [String], stdin: CInt, stdout: CInt, stderr: CInt
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // The child starts with no signal blocked and SIGPIPE at its default, whatever this process does with them.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var defaulted = sigset_t()
        sigemptyset(&defaulted)
        sigaddset(&defaulted, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaulted)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = launching.withLock { _ in posix_spawn(&pid, program, &actions, &attributes, argv, environ) }
        guard result == 0 else {
            throw Failure(description: "cannot start \(program): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// A pipe whose ends no child inherits (made while no program is being launched, then close-on-exec).
    private static func pipe() throws -> (read: CInt, write: CInt) {
        var descriptors: [CInt] = [-1, -1]
        let made = launching.withLock { _ in
            guard Glibc.pipe(&descriptors) == 0 else { return false }
            for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
            return true
        }
        guard made else { throw failure("cannot make a pipe") }
        return (descriptors[0], descriptors[1])
    }

    private static func readAll(_ descriptor: CInt) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return bytes }
            bytes.append(contentsOf: buffer[0..<count])
        }
    }

    private static func failure(_ what: String) -> Failure {
        Failure(description: "\(what): \(String(cString: strerror(errno)))")
    }
}
