import SwiftASN1
import X509

/// The TSA certificate's extended key usage (RFC 3161 2.3): "The corresponding certificate MUST contain only one
/// instance of the extended key usage field extension ... with KeyPurposeID having value id-kp-timeStamping. This
/// extension MUST be critical."
///
/// As `openssl ts -verify` reads it: the leaf's extended key usage is critical and lists id-kp-timeStamping alone.
struct TimeStampingUsagePolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.extendedKeyUsage]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        let leaf = chain.leaf
        guard let extensionValue = leaf.extensions[oid: .X509ExtensionID.extendedKeyUsage] else {
            return .failsToMeetPolicy(reason: "the TSA certificate has no extended key usage (RFC 3161 2.3)")
        }
        guard extensionValue.critical else {
            return .failsToMeetPolicy(reason: "the TSA certificate's extended key usage is not critical (RFC 3161 2.3)")
        }
        guard let usage = try? ExtendedKeyUsage(extensionValue) else {
            return .failsToMeetPolicy(reason: "the TSA certificate's extended key usage is malformed")
        }
        guard usage.count == 1, usage.contains(.timeStamping) else {
            return .failsToMeetPolicy(
                reason: "the TSA certificate's extended key usage is not id-kp-timeStamping alone (RFC 3161 2.3)")
        }
        return .meetsPolicy
    }
}
