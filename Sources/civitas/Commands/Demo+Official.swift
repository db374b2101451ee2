import Audit
import CivitasCore
import Crypto
import DemoCountry
import Foundation
import Identity
import Storage

extension Demo {
    /// The demo official's username.
    static let officialUsername = "demo.official"

    /// The demo official's TOTP secret: fixed, so that the demo output and the tests can give the codes (the demo
    /// country is public; nothing in it is real).
    static var officialTOTPSecret: TOTPSecret {
        // Twenty bytes of a hash of a fixed phrase: a valid secret of the default length, so the fallback is unused.
        let bytes = Array(SHA256.hash(data: Data("civitas demo official".utf8)).prefix(TOTPSecret.byteCount))
        return (try? TOTPSecret(bytes: bytes)) ?? TOTPSecret.random()
    }

    /// Makes the first adult resident without an account (after `skipping` accounts' owners) the demo official:
    /// an account with the demo password and TOTP (so that a login reaches the substantial level), holding the
    /// identity-admin and service-hall roles. Made once; returns the username.
    static func createDemoOfficial(database: Database, persons: Int) async throws -> String? {
        let audit = AuditLog(database: database)
        let accounts = AccountStore(
            database: database, audit: audit, hasher: PasswordHasher(), throttle: LoginThrottle(database: database))
        let officials = OfficialRegistry(database: database, audit: audit)
        let generator = PopulationGenerator(count: persons, referenceDate: DemoCountryStore.referenceDate)
        let actor = AuditActor.system("demo")
        var index = persons - 1
        // The official is taken from the end of the population, away from the residents' demo accounts.
        while index >= 0 {
            let person = generator[index]
            index -= 1
            guard person.birthDate.age(on: DemoCountryStore.referenceDate) >= 18 else { continue }
            let number = person.personalNumber
            if let account = try await accounts.account(of: number) {
                guard account.username == officialUsername else { continue }
            } else {
                do {
                    try await accounts.create(
                        for: number, username: officialUsername, password: demoPassword, actor: actor)
                } catch let error as IdentityError where error.code == .alreadyRegistered {
                    continue
                }
                // Enabled with the previous step's code (within the allowed drift), so that the code shown now
                // is not refused as a replay by a login right after the demo starts.
                let secret = officialTOTPSecret
                let previous = Date().addingTimeInterval(-Double(TOTP.period))
                _ = try await accounts.enableSecondFactor(
                    of: number, secret: secret, code: TOTP(secret: secret).code(at: previous))
            }
            let held = try await officials.roles(of: number)
            for role in OfficialRole.allCases where !held.contains(role) {
                try await officials.grant(role, to: number, actor: actor)
            }
            return officialUsername
        }
        return nil
    }
}
