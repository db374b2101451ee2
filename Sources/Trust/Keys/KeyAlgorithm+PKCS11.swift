extension KeyAlgorithm {
    /// `CKA_EC_PARAMS`: the DER of the curve's named-curve OID (X9.62 `ECParameters`, `namedCurve` choice):
    /// prime256v1 is 1.2.840.10045.3.1.7 (RFC 5480 §2.1.1.1), secp384r1 is 1.3.132.0.34.
    var ecParameters: [UInt8] {
        switch self {
        case .p256: [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
        case .p384: [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22]
        // id-Ed25519 (RFC 8410 §3); never sent, since the PKCS#11 store refuses Ed25519 keys.
        case .ed25519: [0x06, 0x03, 0x2B, 0x65, 0x70]
        }
    }

    /// The curve whose `CKA_EC_PARAMS` are `parameters`, if Civitas uses it.
    init?(ecParameters parameters: [UInt8]) {
        guard let algorithm = PKCS11KeyStore.supportedAlgorithms.first(where: { $0.ecParameters == parameters })
        else { return nil }
        self = algorithm
    }

    /// Bytes in one coordinate, and so in each of an ECDSA signature's r and s.
    var coordinateSize: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        case .ed25519: 32
        }
    }
}
