public import Crypto
import Foundation

/// A simulated mobile ID device in a JSON file: its P-256 key and, once registered, its device id.
///
/// A phone keeps the key in its secure hardware; this file keeps the raw key in the clear, readable by its
/// owner only. It is the phone of demos and tests.
public struct MobileDeviceFile: Codable, Sendable {
    /// The format name.
    public static let formatName = "civitas-mobile-device-1"

    /// ``formatName``.
    public var format: String
    /// The device's name, as registered.
    public var name: String
    /// The raw P-256 private key, base64.
    public var privateKey: String
    /// The id the node gave the device when it was registered.
    public var deviceID: String?
    /// The origin the device is registered with.
    public var origin: String?

    /// A new device with a fresh key.
    public static func create(name: String) -> MobileDeviceFile {
        MobileDeviceFile(
            format: formatName, name: name,
            privateKey: P256.Signing.PrivateKey().rawRepresentation.base64EncodedString(), deviceID: nil, origin: nil)
    }

    /// The key.
    public func key() throws -> P256.Signing.PrivateKey {
        guard format == Self.formatName, let raw = Data(base64Encoded: privateKey),
            let key = try? P256.Signing.PrivateKey(rawRepresentation: raw)
        else { throw IdentityError(.invalidRecord, "the device file is damaged") }
        return key
    }

    /// Reads a device file.
    public static func read(from path: String) throws -> MobileDeviceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IdentityError(.notFound, "cannot read the device file \(path)")
        }
        do {
            return try JSONDecoder().decode(MobileDeviceFile.self, from: data)
        } catch {
            throw IdentityError(.invalidRecord, "\(path) is not a device file")
        }
    }

    /// Writes the device file, readable by its owner only.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600])
        else { throw IdentityError(.invalidRecord, "cannot write \(path)") }
    }
}
