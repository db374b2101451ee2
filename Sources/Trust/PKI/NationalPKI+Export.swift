import Foundation
import SwiftASN1
import X509

extension NationalPKI {
    /// Writes every hierarchy certificate as `<role>.pem` into `directory`, plus `chain.pem` (the issuing CAs)
    /// and `all.pem`, so that openssl and other tools can be pointed at them.
    public func export(to directory: String) async throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [String] = []
        var chain = ""
        var all = ""
        for role in PKIRole.allCases {
            let stored = try await certificate(role: role)
            let pem = try stored.certificate.serializeAsPEM().pemString + "\n"
            let path = (directory as NSString).appendingPathComponent("\(role.rawValue).pem")
            try pem.write(toFile: path, atomically: true, encoding: .utf8)
            written.append(path)
            all += pem
            if PKIRole.issuingCAs.contains(role) { chain += pem }
        }
        for (name, content) in [("chain.pem", chain), ("all.pem", all)] {
            let path = (directory as NSString).appendingPathComponent(name)
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            written.append(path)
        }
        return written
    }
}
