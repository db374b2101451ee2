public import Foundation
public import SwiftASN1
public import X509

/// A time-stamp that passed every check of ``TimeStampVerifier``: what it asserts, and who asserted it.
public struct VerifiedTimeStamp: Sendable, Hashable {
    /// When the data existed, by the TSA's clock.
    public let genTime: Date
    /// The token's serial number, unsigned big-endian (no sign octet).
    public let serialNumber: [UInt8]
    /// The policy under which the token was issued.
    public let policy: ASN1ObjectIdentifier
    /// The TSA's name as the TSTInfo states it, if it does.
    public let tsaName: GeneralName?
    /// How far genTime may be from UTC, if stated.
    public let accuracy: TimeStampAccuracy?
    /// The message imprint's hash algorithm.
    public let hashAlgorithm: CMSDigestAlgorithm
    /// The nonce the token echoes, if any.
    public let nonce: [UInt8]?
    /// The chain that was validated: the TSA certificate first, the trust anchor last.
    public let chain: [Certificate]
    /// The token itself.
    public let token: TimeStampToken

    /// The TSA certificate that signed the token.
    public var signer: Certificate { chain[0] }

    /// The serial number in lower-case hex, as `openssl ts -reply -text` prints it (without the `0x`).
    public var serialNumberHex: String {
        let hex = serialNumber.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        return hex.isEmpty ? "00" : hex
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
