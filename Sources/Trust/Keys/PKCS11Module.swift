import CPKCS11
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A PKCS #11 module (an HSM vendor's library, or SoftHSM2), loaded with `dlopen` and initialised for this process.
///
/// PKCS #11 v2.40 §5.4: `C_Initialize` and `C_Finalize` act on the whole process, not on a caller. So every
/// ``PKCS11Module`` for one library shares one initialisation: the first opens and initialises it, the last one
/// to go finalises it, and a later open initialises it again (which lets tests point SoftHSM2 at a new
/// configuration). The library itself stays mapped until the process ends: libraries such as SoftHSM2 bring in
/// OpenSSL, whose exit handlers must not outlive its code, and loading a library twice costs nothing.
///
/// `@unchecked Sendable`: the only stored state is the path and the function list, which is the library's own
/// constant table; the library is initialised with `CKF_OS_LOCKING_OK`, so its functions may be called from any
/// thread (a *session* may not be shared, which ``PKCS11Session`` takes care of). The process-wide table of
/// loaded libraries is guarded by `registryLock`.
final class PKCS11Module: @unchecked Sendable {
    /// A failed PKCS #11 call: the function and its return value, kept so that callers can react to the value
    /// (log in again, open a new session) before it becomes a ``TrustError``.
    struct Failure: Error, CustomStringConvertible {
        let function: String
        let value: CK_RV

        var description: String { "\(function) returned \(PKCS11Module.name(of: value))" }
    }

    /// One library in the process: its function list, how many ``PKCS11Module``s use it, and whether this
    /// process's own `C_Initialize` is the one in force (if somebody else initialised it, they finalise it).
    private struct Loaded {
        let functions: UnsafeMutablePointer<CK_FUNCTION_LIST>
        var users: Int
        var ownsInitialisation: Bool
    }

    private static let registryLock = NSLock()
    // Guarded by `registryLock`.
    nonisolated(unsafe) private static var loaded: [String: Loaded] = [:]

    /// The path the module was opened with (for messages).
    let path: String
    /// The library's entry points.
    let functions: UnsafeMutablePointer<CK_FUNCTION_LIST>
    private let key: String

    /// Loads and initialises the library at `path`, or shares it if this process has it initialised already.
    init(path: String) throws {
        self.path = path
        let key = Self.canonicalPath(path)
        self.key = key
        Self.registryLock.lock()
        defer { Self.registryLock.unlock() }
        if var entry = Self.loaded[key] {
            if entry.users == 0 {
                entry.ownsInitialisation = try Self.initialise(entry.functions, path: path)
            }
            entry.users += 1
            Self.loaded[key] = entry
            functions = entry.functions
            return
        }
        let functions = try Self.load(path)
        let owns = try Self.initialise(functions, path: path)
        Self.loaded[key] = Loaded(functions: functions, users: 1, ownsInitialisation: owns)
        self.functions = functions
    }

    deinit {
        Self.registryLock.lock()
        defer { Self.registryLock.unlock() }
        guard var entry = Self.loaded[key] else { return }
        entry.users -= 1
        if entry.users == 0 && entry.ownsInitialisation {
            // Nothing useful can be done about a failure while going away; the next open initialises afresh.
            _ = entry.functions.pointee.C_Finalize?(nil)
            entry.ownsInitialisation = false
        }
        Self.loaded[key] = entry
    }

    /// How many ``PKCS11Module``s use the library at `path` now (0: it is not initialised by this process).
    static func users(of path: String) -> Int {
        registryLock.lock()
        defer { registryLock.unlock() }
        return loaded[canonicalPath(path)]?.users ?? 0
    }

    /// Throws unless `value` is `CKR_OK`.
    static func check(_ value: CK_RV, _ function: String) throws {
        guard value == CK_RV(CKR_OK) else { throw Failure(function: function, value: value) }
    }

    /// The entry point at `keyPath`, or a failure if the library leaves it out.
    func function<Function>(_ keyPath: KeyPath<CK_FUNCTION_LIST, Function?>, _ name: String) throws -> Function {
        guard let function = functions.pointee[keyPath: keyPath] else {
            throw Failure(function: name, value: CK_RV(CKR_FUNCTION_NOT_SUPPORTED))
        }
        return function
    }

    private static func canonicalPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func load(_ path: String) throws -> UnsafeMutablePointer<CK_FUNCTION_LIST> {
        _ = dlerror()
        guard let library = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw TrustError(.keyUnreadable, "cannot load the PKCS#11 module \(path): \(reason)")
        }
        guard let symbol = dlsym(library, "C_GetFunctionList") else {
            throw TrustError(.keyUnreadable, "\(path) is not a PKCS#11 module: it has no C_GetFunctionList")
        }
        let getFunctionList = unsafeBitCast(symbol, to: CK_C_GetFunctionList.self)
        var list: UnsafeMutablePointer<CK_FUNCTION_LIST>?
        let value = getFunctionList(&list)
        guard value == CK_RV(CKR_OK), let list else {
            throw TrustError(
                .keyUnreadable, "the PKCS#11 module \(path): C_GetFunctionList returned \(name(of: value))")
        }
        guard list.pointee.version.major == 2 else {
            throw TrustError(
                .keyUnreadable,
                "the PKCS#11 module \(path) implements version \(list.pointee.version.major)."
                    + "\(list.pointee.version.minor); version 2 is needed")
        }
        return list
    }

    /// Calls `C_Initialize` with `CKF_OS_LOCKING_OK` (the library may be called from several threads and
    /// should use the operating system's locks); true if this call initialised it, false if it was already.
    private static func initialise(_ functions: UnsafeMutablePointer<CK_FUNCTION_LIST>, path: String) throws -> Bool {
        guard let initialize = functions.pointee.C_Initialize else {
            throw TrustError(.keyUnreadable, "the PKCS#11 module \(path) has no C_Initialize")
        }
        var arguments = CK_C_INITIALIZE_ARGS()
        arguments.flags = CK_FLAGS(CKF_OS_LOCKING_OK)
        let value = initialize(&arguments)
        if value == CK_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED) { return false }
        guard value == CK_RV(CKR_OK) else {
            throw TrustError(.keyUnreadable, "the PKCS#11 module \(path): C_Initialize returned \(name(of: value))")
        }
        return true
    }

    /// `CKR_PIN_INCORRECT (0xa0)`: the name PKCS #11 gives a return value, with its number.
    static func name(of value: CK_RV) -> String {
        let number = "0x" + String(value, radix: 16)
        guard let name = names[value] else { return number }
        return "\(name) (\(number))"
    }

    private static let names: [CK_RV: String] = [
        CK_RV(CKR_OK): "CKR_OK",
        CK_RV(CKR_CANCEL): "CKR_CANCEL",
        CK_RV(CKR_HOST_MEMORY): "CKR_HOST_MEMORY",
        CK_RV(CKR_SLOT_ID_INVALID): "CKR_SLOT_ID_INVALID",
        CK_RV(CKR_GENERAL_ERROR): "CKR_GENERAL_ERROR",
        CK_RV(CKR_FUNCTION_FAILED): "CKR_FUNCTION_FAILED",
        CK_RV(CKR_ARGUMENTS_BAD): "CKR_ARGUMENTS_BAD",
        CK_RV(CKR_ATTRIBUTE_READ_ONLY): "CKR_ATTRIBUTE_READ_ONLY",
        CK_RV(CKR_ATTRIBUTE_SENSITIVE): "CKR_ATTRIBUTE_SENSITIVE",
        CK_RV(CKR_ATTRIBUTE_TYPE_INVALID): "CKR_ATTRIBUTE_TYPE_INVALID",
        CK_RV(CKR_ATTRIBUTE_VALUE_INVALID): "CKR_ATTRIBUTE_VALUE_INVALID",
        CK_RV(CKR_DATA_INVALID): "CKR_DATA_INVALID",
        CK_RV(CKR_DATA_LEN_RANGE): "CKR_DATA_LEN_RANGE",
        CK_RV(CKR_DEVICE_ERROR): "CKR_DEVICE_ERROR",
        CK_RV(CKR_DEVICE_MEMORY): "CKR_DEVICE_MEMORY",
        CK_RV(CKR_DEVICE_REMOVED): "CKR_DEVICE_REMOVED",
        CK_RV(CKR_FUNCTION_CANCELED): "CKR_FUNCTION_CANCELED",
        CK_RV(CKR_FUNCTION_NOT_SUPPORTED): "CKR_FUNCTION_NOT_SUPPORTED",
        CK_RV(CKR_KEY_HANDLE_INVALID): "CKR_KEY_HANDLE_INVALID",
        CK_RV(CKR_KEY_TYPE_INCONSISTENT): "CKR_KEY_TYPE_INCONSISTENT",
        CK_RV(CKR_KEY_FUNCTION_NOT_PERMITTED): "CKR_KEY_FUNCTION_NOT_PERMITTED",
        CK_RV(CKR_MECHANISM_INVALID): "CKR_MECHANISM_INVALID",
        CK_RV(CKR_MECHANISM_PARAM_INVALID): "CKR_MECHANISM_PARAM_INVALID",
        CK_RV(CKR_OBJECT_HANDLE_INVALID): "CKR_OBJECT_HANDLE_INVALID",
        CK_RV(CKR_OPERATION_ACTIVE): "CKR_OPERATION_ACTIVE",
        CK_RV(CKR_OPERATION_NOT_INITIALIZED): "CKR_OPERATION_NOT_INITIALIZED",
        CK_RV(CKR_PIN_INCORRECT): "CKR_PIN_INCORRECT",
        CK_RV(CKR_PIN_INVALID): "CKR_PIN_INVALID",
        CK_RV(CKR_PIN_LEN_RANGE): "CKR_PIN_LEN_RANGE",
        CK_RV(CKR_PIN_EXPIRED): "CKR_PIN_EXPIRED",
        CK_RV(CKR_PIN_LOCKED): "CKR_PIN_LOCKED",
        CK_RV(CKR_SESSION_CLOSED): "CKR_SESSION_CLOSED",
        CK_RV(CKR_SESSION_COUNT): "CKR_SESSION_COUNT",
        CK_RV(CKR_SESSION_HANDLE_INVALID): "CKR_SESSION_HANDLE_INVALID",
        CK_RV(CKR_SESSION_READ_ONLY): "CKR_SESSION_READ_ONLY",
        CK_RV(CKR_TEMPLATE_INCOMPLETE): "CKR_TEMPLATE_INCOMPLETE",
        CK_RV(CKR_TEMPLATE_INCONSISTENT): "CKR_TEMPLATE_INCONSISTENT",
        CK_RV(CKR_TOKEN_NOT_PRESENT): "CKR_TOKEN_NOT_PRESENT",
        CK_RV(CKR_TOKEN_NOT_RECOGNIZED): "CKR_TOKEN_NOT_RECOGNIZED",
        CK_RV(CKR_TOKEN_WRITE_PROTECTED): "CKR_TOKEN_WRITE_PROTECTED",
        CK_RV(CKR_USER_ALREADY_LOGGED_IN): "CKR_USER_ALREADY_LOGGED_IN",
        CK_RV(CKR_USER_NOT_LOGGED_IN): "CKR_USER_NOT_LOGGED_IN",
        CK_RV(CKR_USER_PIN_NOT_INITIALIZED): "CKR_USER_PIN_NOT_INITIALIZED",
        CK_RV(CKR_USER_TYPE_INVALID): "CKR_USER_TYPE_INVALID",
        CK_RV(CKR_DOMAIN_PARAMS_INVALID): "CKR_DOMAIN_PARAMS_INVALID",
        CK_RV(CKR_CURVE_NOT_SUPPORTED): "CKR_CURVE_NOT_SUPPORTED",
        CK_RV(CKR_BUFFER_TOO_SMALL): "CKR_BUFFER_TOO_SMALL",
        CK_RV(CKR_CRYPTOKI_NOT_INITIALIZED): "CKR_CRYPTOKI_NOT_INITIALIZED",
        CK_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED): "CKR_CRYPTOKI_ALREADY_INITIALIZED",
    ]
}
