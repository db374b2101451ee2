/// A QR code could not be made, or not drawn as asked.
///
/// Modelled on the error types of swift-certificates, like the other blocks' errors: a small struct whose
/// ``code`` is stable and meant for programs, and whose ``message`` is meant for people. The message never
/// repeats the text to be encoded: it may be a personal verification link, and error messages end up in logs.
public struct QRCodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem was found, for programs to act upon.
    public let code: Code

    /// A human-readable English explanation of the problem; it never echoes the text.
    public let message: String

    /// The code and the message, for logs.
    public var description: String {
        "QRCodeError.\(code): \(message)"
    }

    init(code: Code, message: String) {
        self.code = code
        self.message = message
    }
}

extension QRCodeError {
    /// The stable, machine-readable kind of a ``QRCodeError``.
    ///
    /// New codes may be added in later versions, so a `switch` over codes should have a default branch.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Backing: String, Hashable, Sendable {
            case emptyText
            case dataTooLong
            case invalidVersion
            case invalidMask
            case invalidScale
            case invalidQuietZone
        }

        let backing: Backing

        init(_ backing: Backing) {
            self.backing = backing
        }

        /// There was nothing to encode: a QR code that says nothing is always a mistake of the caller.
        public static let emptyText = Code(.emptyText)

        /// The text does not fit the largest symbol (version 40) at the chosen error correction level, or
        /// not the version that was asked for.
        public static let dataTooLong = Code(.dataTooLong)

        /// A version outside 1–40 was asked for.
        public static let invalidVersion = Code(.invalidVersion)

        /// A mask pattern outside 0–7 was asked for.
        public static let invalidMask = Code(.invalidMask)

        /// A module size or PNG scale outside the range the renderer accepts.
        public static let invalidScale = Code(.invalidScale)

        /// A quiet zone outside the range the renderer accepts.
        public static let invalidQuietZone = Code(.invalidQuietZone)

        /// The code's name, for logs.
        public var description: String { backing.rawValue }
    }
}
