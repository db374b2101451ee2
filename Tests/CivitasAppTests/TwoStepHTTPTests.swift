import Audit
import CivitasApp
import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import SQLKit
import Storage
import StorageTesting
import Testing
import Trust

/// The citizen turns TOTP on and off on their own page; a stolen session alone can do neither.
@Suite("Two-step login page over HTTP")
struct TwoStepHTTPTests {
    typealias Login = PasswordLoginHTTPTests
    static let password = "tbilisi rain in october"
    static let passwordForm = "tbilisi+rain+in+october"

    /// The secret the page offers, read from its form.
    static func offered(_ page: TestResponse) throws -> TOTPSecret {
        let base32 = try #require(page.text.firstMatch(of: /name="secret" value="([A-Z2-7]+)"/)?.output.1)
        #expect(page.text.contains("otpauth://totp/"))
        return try TOTPSecret(base32: String(base32))
    }

    @Test(
        "turning TOTP on needs the password and a current code; the next login asks for the code",
        arguments: DatabaseEngine.allCases)
    func enable(engine: DatabaseEngine) async throws {
        try await TestNode.with(engine) { client, database, _ in
            _ = try await Login.setUp(database)
            let audit = AuditLog(database: database)
            let store = AccountStore(
                database: database, audit: audit, hasher: PasswordHasher(), throttle: LoginThrottle(database: database))
            try await store.changePassword(of: Login.person, to: Self.password)
            let anonymous = try await client.execute(uri: "/account/two-step", method: .get)
            #expect(anonymous.headers[.location] == "/login?return=%2Faccount%2Ftwo-step")

            let signedIn = try await Login.post(client, "/login", "username=nino.beridze&password=\(Self.passwordForm)")
            let session = "civitas_session=\(try #require(Login.cookie("civitas_session", in: signedIn)))"
            let page = try await client.execute(
                uri: "/account/two-step", method: .get, headers: [.cookie: session, .acceptLanguage: "ka"])
            #expect(page.status == .ok)
            #expect(page.text.contains("ორსაფეხურიანი შესვლა"))
            let secret = try Self.offered(page)
            // Codes are taken just before each request: a password check costs a second or more on a busy machine.
            var code = TOTP(secret: secret).code(at: Date())

            // A wrong password, a wrong code, an edited secret: each refused, nothing turned on.
            let attempts: [(String, HTTPResponse.Status)] = [
                ("secret=\(secret.base32)&code=\(code)&password=not+my+password+at+all", .unauthorized),
                ("secret=\(secret.base32)&code=000000&password=\(Self.passwordForm)", .unprocessableContent),
                ("secret=NOT-BASE32!&code=\(code)&password=\(Self.passwordForm)", .badRequest),
            ]
            for (form, status) in attempts {
                let refused = try await Login.post(client, "/account/two-step/enable", form, cookies: session)
                #expect(refused.status == status, "\(form)")
            }
            #expect(try await store.account(of: Login.person)?.hasSecondFactor == false)
            // Without the CSRF token the form is refused before anything is checked.
            let forged = try await client.execute(
                uri: "/account/two-step/enable", method: .post,
                headers: [
                    .contentType: "application/x-www-form-urlencoded", .origin: "http://localhost", .cookie: session,
                ], body: ByteBuffer(string: "secret=\(secret.base32)&code=\(code)&password=\(Self.passwordForm)"))
            #expect(forged.status == .forbidden)

            code = TOTP(secret: secret).code(at: Date())
            let turnedOn = try await Login.post(
                client, "/account/two-step/enable",
                "secret=\(secret.base32)&code=\(code.prefix(3))+\(code.dropFirst(3))&password=\(Self.passwordForm)",
                cookies: session)
            #expect(turnedOn.status == .seeOther && turnedOn.headers[.location] == "/account", "\(turnedOn.status)")
            #expect(try await store.account(of: Login.person)?.hasSecondFactor == true)
            let entries = try await audit.entries(from: 1, limit: 100).map(\.event.action)
            #expect(entries.contains("identity.account.totp.enable"))
            // The seed is sealed at rest: the database alone does not give the second factor.
            let stored = try await Self.storedSeed(in: database)
            #expect(stored?.hasPrefix("sealed:v1:") == true)
            #expect(stored?.contains(secret.base32) == false)

            let next = try await Login.post(client, "/login", "username=nino.beridze&password=\(Self.passwordForm)")
            #expect(next.headers[.location]?.hasPrefix("/login/otp?") == true)
            // The page now offers to turn it off, and no new secret.
            let onPage = try await client.execute(uri: "/account/two-step", method: .get, headers: [.cookie: session])
            #expect(!onPage.text.contains("name=\"secret\""))
        }
    }

    @Test("turning TOTP off needs the password and a current code")
    func disable() async throws {
        try await TestNode.with { client, database, _ in
            _ = try await Login.setUp(database)
            let store = AccountStore(
                database: database, audit: AuditLog(database: database), hasher: PasswordHasher(),
                throttle: LoginThrottle(database: database))
            try await store.changePassword(of: Login.person, to: Self.password)
            let secret = TOTPSecret.random()
            let totp = TOTP(secret: secret)
            #expect(
                try await store.enableSecondFactor(
                    of: Login.person, secret: secret, code: totp.code(at: Date().addingTimeInterval(-30))))
            let sessions = SessionStore(database: database, audit: AuditLog(database: database))
            let token = try await sessions.open(
                Authentication(
                    personalNumber: Login.person, methods: [.password, .oneTimePassword], authenticatedAt: Date()),
                userAgent: "t"
            ).token
            let session = "civitas_session=\(token)"
            let wrongCode = try await Login.post(
                client, "/account/two-step/disable", "code=123456&password=\(Self.passwordForm)", cookies: session)
            #expect(wrongCode.status == .unprocessableContent || totp.code(at: Date()) == "123456")
            let wrongPassword = try await Login.post(
                client, "/account/two-step/disable", "code=\(totp.code(at: Date()))&password=guess+guess+guess",
                cookies: session)
            #expect(wrongPassword.status == .unauthorized)
            #expect(try await store.account(of: Login.person)?.hasSecondFactor == true)
            let off = try await Login.post(
                client, "/account/two-step/disable", "code=\(totp.code(at: Date()))&password=\(Self.passwordForm)",
                cookies: session)
            #expect(off.status == .seeOther)
            #expect(try await store.account(of: Login.person)?.hasSecondFactor == false)
        }
    }

    /// What `identity_accounts.totp_secret` holds for the test's person.
    static func storedSeed(in database: Database) async throws -> String? {
        try await database.read { sql in
            try await sql.raw(
                "SELECT totp_secret FROM identity_accounts WHERE personal_number = \(bind: Login.person.rawValue)"
            ).first()?.decode(column: "totp_secret", as: String.self)
        }
    }

    @Test("a sealed seed opens only with its key and for its person; a seed kept in clear before still works")
    func sealedSeeds() async throws {
        try await TestDatabase.with(.sqlite, migrations: Node.migrations(demo: false)) { database in
            _ = try await Login.setUp(database)
            let audit = AuditLog(database: database)
            let plain = AccountStore(
                database: database, audit: audit, hasher: PasswordHasher(), throttle: LoginThrottle(database: database))
            var sealed = plain
            sealed.secretsKey = KeyEncryptionKey.generate().key
            var otherKey = plain
            otherKey.secretsKey = KeyEncryptionKey.generate().key
            // In clear (a store without the key, or before sealing was configured): the keyed store reads it.
            let clear = TOTP(secret: TOTPSecret.random())
            #expect(
                try await plain.enableSecondFactor(
                    of: Login.person, secret: clear.secret, code: clear.code(at: Date().addingTimeInterval(-30))))
            #expect(try await sealed.verifySecondFactor(of: Login.person, code: clear.code(at: Date())))
            // Sealed: the right key verifies; another key, or no key, cannot open it.
            let secret = TOTPSecret.random()
            let totp = TOTP(secret: secret)
            #expect(try await sealed.enableSecondFactor(of: Login.person, secret: secret, code: totp.code(at: Date())))
            #expect(
                try await sealed.verifySecondFactor(
                    of: Login.person, code: totp.code(at: Date().addingTimeInterval(30))))
            await #expect(throws: TrustError.self) {
                _ = try await otherKey.verifySecondFactor(of: Login.person, code: totp.code(at: Date()))
            }
            await #expect(throws: IdentityError.self) {
                _ = try await plain.verifySecondFactor(of: Login.person, code: totp.code(at: Date()))
            }
            // The sealed seed is bound to its person: under another person's name it does not open.
            let stored = try await Self.storedSeed(in: database)
            #expect(stored?.hasPrefix("sealed:v1:") == true)
            let key = try #require(sealed.secretsKey)
            let text = try #require(stored)
            let box = try #require(Data(base64Encoded: String(text.dropFirst("sealed:v1:".count))))
            #expect(
                try key.open(Array(box), name: "identity.totp:\(Login.person.rawValue)") == Array(secret.base32.utf8))
            #expect(throws: TrustError.self) { _ = try key.open(Array(box), name: "identity.totp:01001011116") }
        }
    }
}
