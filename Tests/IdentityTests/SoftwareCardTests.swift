import Crypto
import Foundation
import Identity
import Testing

@Suite("Software eID card file")
struct SoftwareCardTests {
    static let rounds = 1 << 10

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("card-\(UUID().uuidString).json").path
    }

    @Test("the right PIN opens the key; the file survives a round trip and is readable by its owner only")
    func unlock() throws {
        let (card, key) = try SoftwareCard.create(pin: "4821", personalNumber: "01001011116", rounds: Self.rounds)
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try card.write(to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        var read = try SoftwareCard.read(from: path)
        #expect(try read.unlock(pin: "4821").rawRepresentation == key.rawRepresentation)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains(key.rawRepresentation.base64EncodedString()), "the key is sealed")
    }

    @Test("three wrong PINs in a row lock the card for good; a right PIN in between resets the count")
    func lockout() throws {
        var (card, _) = try SoftwareCard.create(pin: "482173", personalNumber: "01001011116", rounds: Self.rounds)
        for left in [2, 1] {
            let error = #expect(throws: IdentityError.self) { try card.unlock(pin: "000000") }
            #expect(error?.code == .wrongPIN && error?.message.contains("\(left) attempt") == true)
        }
        _ = try card.unlock(pin: "482173")
        #expect(card.failedAttempts == 0)
        for _ in 0..<2 { _ = try? card.unlock(pin: "111111") }
        let locking = #expect(throws: IdentityError.self) { try card.unlock(pin: "222222") }
        #expect(locking?.code == .cardLocked)
        let locked = #expect(throws: IdentityError.self) { try card.unlock(pin: "482173") }
        #expect(locked?.code == .cardLocked)
        #expect(card.locked)
    }

    @Test("bad PINs at creation, damaged files and moved sealed keys are refused")
    func damage() throws {
        for pin in ["", "123", "1234567890123", "12a4", "١٢٣٤"] {
            let error = #expect(throws: IdentityError.self) {
                try SoftwareCard.create(pin: pin, personalNumber: "01001011116", rounds: Self.rounds)
            }
            #expect(error?.code == .invalidRecord, "\(pin)")
        }
        var (card, _) = try SoftwareCard.create(pin: "4821", personalNumber: "01001011116", rounds: Self.rounds)
        let (other, _) = try SoftwareCard.create(pin: "4821", personalNumber: "01001011116", rounds: Self.rounds)
        var moved = card
        moved.sealedKey = other.sealedKey
        moved.keyDerivation = other.keyDerivation
        let error = #expect(throws: IdentityError.self) { try moved.unlock(pin: "4821") }
        #expect(error?.code == .wrongPIN, "another card's sealed key does not open under this card's public key")
        card.sealedKey = "not base64!"
        #expect((#expect(throws: IdentityError.self) { try card.unlock(pin: "4821") })?.code == .invalidRecord)
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("{\"format\": 1}".utf8).write(to: URL(fileURLWithPath: path))
        #expect((#expect(throws: IdentityError.self) { try SoftwareCard.read(from: path) })?.code == .invalidRecord)
        #expect(
            (#expect(throws: IdentityError.self) { try SoftwareCard.read(from: path + ".missing") })?.code == .notFound)
    }
}
