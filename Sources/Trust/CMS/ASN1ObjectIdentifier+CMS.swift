public import SwiftASN1

extension ASN1ObjectIdentifier {
    /// Object identifiers of CMS (RFC 5652) content types and attributes, and of the ESS (RFC 5035) and
    /// RFC 3161 attributes that CAdES signatures carry.
    public enum CMS {
        /// `id-data`: arbitrary octets (RFC 5652 4).
        public static let data: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 1]
        /// `id-signedData` (RFC 5652 5.1).
        public static let signedData: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 2]
        /// `id-ct-TSTInfo`: an RFC 3161 time-stamp token's content.
        public static let tstInfo: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 16, 1, 4]
        /// `id-contentType` signed attribute (RFC 5652 11.1).
        public static let contentType: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 3]
        /// `id-messageDigest` signed attribute (RFC 5652 11.2).
        public static let messageDigest: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 4]
        /// `id-signingTime` signed attribute (RFC 5652 11.3).
        public static let signingTime: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 5]
        /// `id-aa-signingCertificateV2` signed attribute (RFC 5035 3).
        public static let signingCertificateV2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 16, 2, 47]
        /// `id-aa-signatureTimeStampToken` unsigned attribute (RFC 3161 appendix A).
        public static let signatureTimeStampToken: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 16, 2, 14]
    }
}
