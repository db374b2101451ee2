import CPKCS11
import Foundation

/// The logged-in sessions this process holds on one PKCS #11 token: a small pool, each session lent to one caller
/// at a time.
///
/// Why a pool: a PKCS #11 session is not safe to share between threads, and it holds operation state
/// (`C_SignInit` then `C_Sign`; `C_FindObjectsInit`, `C_FindObjects`, `C_FindObjectsFinal`), so two callers
/// interleaving on one session would corrupt each other's operation. ``withSession(_:)`` lends a session
/// exclusively for the duration of `body`, opening up to `maximumSessions` of them so that signers on several
/// cores do not queue behind one session; past that, callers wait (briefly: a session is only ever held for a
/// few PKCS #11 calls, never across a suspension point) until one is returned.
///
/// Login state belongs to the application, not to the session (PKCS #11 v2.40 §5.6: all of an application's
/// sessions with a token share one login), so sessions opened after the first `C_Login` are logged in already;
/// the object handles of token objects are valid in every session of the application.
///
/// `@unchecked Sendable`: the mutable state (`idle`, `openCount`) is only touched while holding `condition`; a
/// session handle is in `idle` or lent to exactly one caller, never both.
final class PKCS11Session: @unchecked Sendable {
    /// The module the token is in.
    let module: PKCS11Module
    /// The token's label (`CK_TOKEN_INFO.label`, trailing blanks removed).
    let tokenLabel: String
    /// The slot the token is in.
    let slot: CK_SLOT_ID
    /// The most sessions opened at once.
    let maximumSessions: Int

    /// The user PIN, kept to log in again if the token forgets the login (an HSM restart); wiped on deinit and
    /// never put into a message.
    private let pin: UnsafeMutableBufferPointer<UInt8>
    private let pinCount: Int
    private let condition = NSCondition()
    private var idle: [CK_SESSION_HANDLE] = []
    private var openCount = 0

    /// Finds the token labelled `tokenLabel`, opens a session on it and logs in as the normal user.
    init(module: PKCS11Module, tokenLabel: String, pin: String, maximumSessions: Int) throws {
        guard maximumSessions >= 1 else {
            throw TrustError(.invalidRequest, "a PKCS#11 key store needs at least one session")
        }
        self.module = module
        self.tokenLabel = tokenLabel
        self.maximumSessions = maximumSessions
        let pinBytes = Array(pin.utf8)
        self.pin = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(pinBytes.count, 1))
        _ = self.pin.initialize(fromContentsOf: pinBytes)
        self.pinCount = pinBytes.count
        do {
            slot = try Self.findSlot(module: module, label: tokenLabel)
        } catch {
            Self.wipe(self.pin)
            throw PKCS11Session.trustError(error, "finding the token '\(tokenLabel)' in \(module.path)")
        }
        let first: CK_SESSION_HANDLE
        do {
            first = try openSession()
        } catch {
            throw PKCS11Session.trustError(error, "opening a session on the token '\(tokenLabel)'")
        }
        do {
            try login(first)
        } catch {
            _ = module.functions.pointee.C_CloseSession?(first)
            throw error
        }
        idle = [first]
        openCount = 1
    }

    deinit {
        // Every lent session has come back (a caller holds `self` while it uses one), so `idle` holds them all.
        // Closing the application's last session on the token also logs it out (PKCS #11 v2.40 §5.6).
        for session in idle {
            _ = module.functions.pointee.C_CloseSession?(session)
        }
        Self.wipe(pin)
    }

    /// Runs `body` with a session that nobody else uses meanwhile.
    ///
    /// If the session turns out to be gone (the token was removed, the HSM restarted), it and every idle session
    /// are dropped and `body` runs once more on a new one; if the token forgot the login, the store logs in again
    /// and `body` runs once more. `body` must therefore be safe to repeat, and must leave the session with no
    /// operation active.
    func withSession<Result>(_ body: (CK_SESSION_HANDLE) throws -> Result) throws -> Result {
        var reopened = false
        var loggedInAgain = false
        while true {
            let session = try checkOut()
            let failure: PKCS11Module.Failure
            do {
                let result = try body(session)
                checkIn(session)
                return result
            } catch let error as PKCS11Module.Failure {
                failure = error
            } catch {
                checkIn(session)
                throw error
            }
            if Self.isSessionLost(failure.value) {
                discard(session)
                guard !reopened else { throw failure }
                reopened = true
            } else if failure.value == CK_RV(CKR_USER_NOT_LOGGED_IN) && !loggedInAgain {
                defer { checkIn(session) }
                try login(session)
                loggedInAgain = true
            } else {
                checkIn(session)
                throw failure
            }
        }
    }

    /// The handles of the objects that match every attribute in `template`.
    func findObjects(_ session: CK_SESSION_HANDLE, _ template: [PKCS11Attribute]) throws -> [CK_OBJECT_HANDLE] {
        let initialise = try module.function(\.C_FindObjectsInit, "C_FindObjectsInit")
        let find = try module.function(\.C_FindObjects, "C_FindObjects")
        let finish = try module.function(\.C_FindObjectsFinal, "C_FindObjectsFinal")
        try PKCS11Attribute.withTemplate(template) { attributes, count in
            try PKCS11Module.check(initialise(session, attributes, count), "C_FindObjectsInit")
        }
        var found: [CK_OBJECT_HANDLE] = []
        var batch = [CK_OBJECT_HANDLE](repeating: 0, count: 16)
        do {
            while true {
                var count: CK_ULONG = 0
                try PKCS11Module.check(find(session, &batch, CK_ULONG(batch.count), &count), "C_FindObjects")
                if count == 0 { break }
                found.append(contentsOf: batch[0..<Int(count)])
            }
        } catch {
            _ = finish(session)
            throw error
        }
        try PKCS11Module.check(finish(session), "C_FindObjectsFinal")
        return found
    }

    /// The values of the attributes `types` of `object`; an attribute the token will not reveal
    /// (`CKR_ATTRIBUTE_SENSITIVE`) or the object does not have (`CKR_ATTRIBUTE_TYPE_INVALID`) is missing from
    /// the answer.
    func attributes(
        _ session: CK_SESSION_HANDLE, of object: CK_OBJECT_HANDLE, _ types: [UInt]
    ) throws -> [UInt: [UInt8]] {
        let getAttributeValue = try module.function(\.C_GetAttributeValue, "C_GetAttributeValue")
        let unavailable = CK_ULONG.max  // CK_UNAVAILABLE_INFORMATION, ~0UL
        var template = types.map { CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE($0), pValue: nil, ulValueLen: 0) }
        // First call: the lengths.
        let sizing = template.withUnsafeMutableBufferPointer {
            getAttributeValue(session, object, $0.baseAddress, CK_ULONG($0.count))
        }
        try Self.checkAttributes(sizing)
        var buffers: [UnsafeMutableRawBufferPointer?] = template.map { attribute in
            attribute.ulValueLen == unavailable
                ? nil
                : UnsafeMutableRawBufferPointer.allocate(byteCount: max(Int(attribute.ulValueLen), 1), alignment: 8)
        }
        defer { for buffer in buffers { buffer?.deallocate() } }
        for index in template.indices {
            if let buffer = buffers[index] {
                template[index].pValue = buffer.baseAddress
            } else {
                template[index].ulValueLen = 0
            }
        }
        // Second call: the values.
        let reading = template.withUnsafeMutableBufferPointer {
            getAttributeValue(session, object, $0.baseAddress, CK_ULONG($0.count))
        }
        try Self.checkAttributes(reading)
        var values: [UInt: [UInt8]] = [:]
        for index in template.indices {
            guard let buffer = buffers[index], template[index].ulValueLen != unavailable else { continue }
            values[types[index]] = Array(UnsafeRawBufferPointer(rebasing: buffer[0..<Int(template[index].ulValueLen)]))
        }
        buffers = []
        return values
    }

    /// `TrustError` for a failure on the way: PKCS #11 failures are described by their function and return value.
    static func trustError(_ error: any Error, _ doing: String) -> any Error {
        guard let failure = error as? PKCS11Module.Failure else { return error }
        return TrustError(.keyUnreadable, "\(doing): \(failure)")
    }

    // MARK: - The pool

    private func checkOut() throws -> CK_SESSION_HANDLE {
        condition.lock()
        while idle.isEmpty && openCount >= maximumSessions {
            condition.wait()
        }
        if let session = idle.popLast() {
            condition.unlock()
            return session
        }
        openCount += 1
        condition.unlock()
        do {
            let session = try openSession()
            do {
                try logInIfNeeded(session)
            } catch {
                _ = module.functions.pointee.C_CloseSession?(session)
                throw error
            }
            return session
        } catch {
            condition.lock()
            openCount -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func checkIn(_ session: CK_SESSION_HANDLE) {
        condition.lock()
        idle.append(session)
        condition.signal()
        condition.unlock()
    }

    /// Drops a session the token no longer knows, and the idle ones with it: what ended one (an HSM restart, the
    /// token pulled out) has most likely ended them all, and each would cost a caller a failed call to find out.
    private func discard(_ session: CK_SESSION_HANDLE) {
        condition.lock()
        let dropped = [session] + idle
        openCount -= dropped.count
        idle = []
        condition.broadcast()
        condition.unlock()
        for session in dropped {
            _ = module.functions.pointee.C_CloseSession?(session)
        }
    }

    private func openSession() throws -> CK_SESSION_HANDLE {
        let open = try module.function(\.C_OpenSession, "C_OpenSession")
        var session: CK_SESSION_HANDLE = 0
        // Read-write: generating keys creates token objects. CKF_SERIAL_SESSION is required by v2.40.
        let flags = CK_FLAGS(CKF_SERIAL_SESSION | CKF_RW_SESSION)
        try PKCS11Module.check(open(slot, flags, nil, nil, &session), "C_OpenSession")
        return session
    }

    /// A new session shares the application's login, unless the token has lost it (every session was closed,
    /// which logs out; an HSM restart): then private objects are invisible to it, so log in again first.
    private func logInIfNeeded(_ session: CK_SESSION_HANDLE) throws {
        let getSessionInfo = try module.function(\.C_GetSessionInfo, "C_GetSessionInfo")
        var info = CK_SESSION_INFO()
        try PKCS11Module.check(getSessionInfo(session, &info), "C_GetSessionInfo")
        if info.state == CK_STATE(CKS_RO_PUBLIC_SESSION) || info.state == CK_STATE(CKS_RW_PUBLIC_SESSION) {
            try login(session)
        }
    }

    private func login(_ session: CK_SESSION_HANDLE) throws {
        let login = try module.function(\.C_Login, "C_Login")
        let value = login(session, CK_USER_TYPE(CKU_USER), pin.baseAddress, CK_ULONG(pinCount))
        switch value {
        case CK_RV(CKR_OK), CK_RV(CKR_USER_ALREADY_LOGGED_IN):
            return
        case CK_RV(CKR_PIN_INCORRECT):
            throw TrustError(
                .keyUnreadable, "the token '\(tokenLabel)' refused the user PIN (\(PKCS11Module.name(of: value)))")
        case CK_RV(CKR_PIN_LOCKED):
            throw TrustError(
                .keyUnreadable,
                "the user PIN of the token '\(tokenLabel)' is locked (\(PKCS11Module.name(of: value))): "
                    + "its security officer must unblock it")
        case CK_RV(CKR_PIN_EXPIRED), CK_RV(CKR_PIN_INVALID), CK_RV(CKR_PIN_LEN_RANGE):
            throw TrustError(
                .keyUnreadable,
                "the token '\(tokenLabel)' does not accept the user PIN (\(PKCS11Module.name(of: value)))")
        default:
            throw TrustError(
                .keyUnreadable,
                "logging in to the token '\(tokenLabel)': C_Login returned \(PKCS11Module.name(of: value))")
        }
    }

    private static func findSlot(module: PKCS11Module, label: String) throws -> CK_SLOT_ID {
        let getSlotList = try module.function(\.C_GetSlotList, "C_GetSlotList")
        let getTokenInfo = try module.function(\.C_GetTokenInfo, "C_GetTokenInfo")
        var count: CK_ULONG = 0
        try PKCS11Module.check(getSlotList(CK_BBOOL(CK_TRUE), nil, &count), "C_GetSlotList")
        var slots = [CK_SLOT_ID](repeating: 0, count: Int(count))
        try PKCS11Module.check(getSlotList(CK_BBOOL(CK_TRUE), &slots, &count), "C_GetSlotList")
        var labels: [String] = []
        var matches: [CK_SLOT_ID] = []
        for slot in slots.prefix(Int(count)) {
            var info = CK_TOKEN_INFO()
            guard getTokenInfo(slot, &info) == CK_RV(CKR_OK) else { continue }
            guard info.flags & CK_FLAGS(CKF_TOKEN_INITIALIZED) != 0 else { continue }
            let padded = withUnsafeBytes(of: info.label) { Array($0) }
            let tokenLabel = String(decoding: padded, as: UTF8.self)
                .trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
            labels.append(tokenLabel)
            if tokenLabel == label { matches.append(slot) }
        }
        guard matches.count <= 1 else {
            throw TrustError(.invalidRequest, "\(matches.count) tokens in \(module.path) are labelled '\(label)'")
        }
        guard let slot = matches.first else {
            let present = labels.isEmpty ? "none" : labels.map { "'\($0)'" }.joined(separator: ", ")
            throw TrustError(.notFound, "no PKCS#11 token labelled '\(label)' in \(module.path) (tokens: \(present))")
        }
        return slot
    }

    private static func checkAttributes(_ value: CK_RV) throws {
        switch value {
        case CK_RV(CKR_OK), CK_RV(CKR_ATTRIBUTE_SENSITIVE), CK_RV(CKR_ATTRIBUTE_TYPE_INVALID): return
        default: throw PKCS11Module.Failure(function: "C_GetAttributeValue", value: value)
        }
    }

    private static func isSessionLost(_ value: CK_RV) -> Bool {
        [CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT]
            .map { CK_RV($0) }.contains(value)
    }

    private static func wipe(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        if let base = buffer.baseAddress {
            _ = memset(base, 0, buffer.count)
        }
        buffer.deallocate()
    }
}
