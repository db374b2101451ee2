import Audit
import CivitasApp
import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Storage
import StorageTesting
import Testing
import Trust

/// Password login in the browser: activation codes, the password policy, TOTP, lockout, no enumeration.
@Suite("Password login over HTTP")
struct PasswordLoginHTTPTests {
    static let csrf = String(repeating: "c", count: 43)
    static let person = PersonalNumber(serial: 1_001_011)
    static let official = AuditActor(kind: .official, id: "service-hall-3")

    static func post(
        _ client: any TestClientProtocol, _ uri: String, _ body: String, cookies: String = ""
    ) async throws -> TestResponse {
        try await client.execute(
            uri: uri, method: .post,
            headers: [
                .contentType: "application/x-www-form-urlencoded", .origin: "http://localhost",
                .cookie: "civitas_csrf=\(csrf)\(cookies.isEmpty ? "" : "; " + cookies)",
            ], body: ByteBuffer(string: "_csrf=\(csrf)&" + body))
    }

    static func cookie(_ name: String, in response: TestResponse) -> String? {
        for field in response.headers where field.name == .setCookie {
            let pair = field.value.split(separator: ";").first.map(String.init) ?? ""
            if pair.hasPrefix("\(name)=") { return String(pair.dropFirst(name.count + 1)) }
        }
        return nil
    }

    static func setUp(_ database: Database) async throws -> String {
        let audit = AuditLog(database: database)
        try await PopulationRegister(database: database, audit: audit).register(
            Person(
                personalNumber: person,
                name: PersonName(given: "ნინო", family: "ბერიძე", givenLatin: "Nino", familyLatin: "Beridze"),
                birthDate: try CalendarDate(year: 1990, month: 3, day: 8), sex: .female, citizenship: "CVT",
                address: RegisteredAddress(
                    city: "თბილისი", district: "ვაკე", street: "ჭავჭავაძის გამზირი", houseNumber: "12", flat: nil,
                    postcode: "0179")), actor: official, purpose: "test")
        return try await AccountStore(
            database: database, audit: audit, hasher: PasswordHasher(), throttle: LoginThrottle(database: database)
        ).createAtServiceHall(for: person, username: "nino.beridze", actor: official)
    }

    @Test("an activation code logs in once and must be replaced by a password the policy accepts")
    func activation() async throws {
        try await TestNode.with { client, database, _ in
            let code = try await Self.setUp(database)
            let login = try await Self.post(
                client, "/login?return=%2Faccount", "username=nino.beridze&password=\(code)")
            #expect(login.status == .seeOther)
            #expect(login.headers[.location]?.hasPrefix("/login/password?") == true)
            let step = try #require(Self.cookie("civitas_login_step", in: login))
            let stepCookie = "civitas_login_step=\(step)"
            for (password, repeated) in [
                ("password1234", "password1234"), ("nino.beridze", "nino.beridze"),
                ("long enough but", "different text!"),
            ] {
                let refused = try await Self.post(
                    client, "/login/password?return=%2Faccount",
                    "new_password=\(password)&repeat_password=\(repeated)", cookies: stepCookie)
                #expect(refused.status == .unprocessableContent, "\(password)")
            }
            // Without the step cookie (another browser), nothing happens.
            let stolen = try await Self.post(
                client, "/login/password?return=%2Faccount",
                "new_password=tbilisi+rain+in+october&repeat_password=tbilisi+rain+in+october")
            #expect(stolen.status == .unauthorized)
            let done = try await Self.post(
                client, "/login/password?return=%2Faccount",
                "new_password=tbilisi+rain+in+october&repeat_password=tbilisi+rain+in+october", cookies: stepCookie)
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == "/account")
            #expect(Self.cookie("civitas_session", in: done) != nil)
            // The code no longer works; the new password does.
            let old = try await Self.post(client, "/login", "username=nino.beridze&password=\(code)")
            #expect(old.status == .unauthorized)
            let new = try await Self.post(client, "/login", "username=nino.beridze&password=tbilisi+rain+in+october")
            #expect(new.status == .seeOther)
            #expect(new.headers[.location] == "/")
        }
    }

    @Test("an unknown username and a wrong password get the same answer; five failures lock the account")
    func enumerationAndLockout() async throws {
        try await TestNode.with { client, database, _ in
            _ = try await Self.setUp(database)
            let unknown = try await Self.post(client, "/login", "username=nobody.here&password=whatever+it+is")
            let wrong = try await Self.post(client, "/login", "username=nino.beridze&password=whatever+it+is")
            #expect(unknown.status == .unauthorized && wrong.status == .unauthorized)
            let strip = { (text: String) in text.replacingOccurrences(of: "nobody.here", with: "nino.beridze") }
            #expect(strip(unknown.text) == wrong.text, "the pages differ only in the username typed")
            for _ in 0..<3 {
                _ = try await Self.post(client, "/login", "username=nino.beridze&password=whatever+it+is")
            }
            let locked = try await Self.post(client, "/login", "username=nino.beridze&password=whatever+it+is")
            #expect(locked.status == .tooManyRequests)
        }
    }

    @Test("with TOTP the password leads to the code; the right code gives a substantial session, a replay does not")
    func secondFactor() async throws {
        try await TestNode.with { client, database, _ in
            _ = try await Self.setUp(database)
            let store = AccountStore(
                database: database, audit: AuditLog(database: database), hasher: PasswordHasher(),
                throttle: LoginThrottle(database: database))
            try await store.changePassword(of: Self.person, to: "tbilisi rain in october")
            let secret = TOTPSecret.random()
            let totp = TOTP(secret: secret)
            #expect(
                try await store.enableSecondFactor(
                    of: Self.person, secret: secret, code: totp.code(at: Date().addingTimeInterval(-30))))
            let login = try await Self.post(client, "/login", "username=nino.beridze&password=tbilisi+rain+in+october")
            #expect(login.headers[.location]?.hasPrefix("/login/otp?") == true)
            let step = "civitas_login_step=\(try #require(Self.cookie("civitas_login_step", in: login)))"
            let wrong = try await Self.post(client, "/login/otp", "code=000000", cookies: step)
            #expect(wrong.status == .unauthorized)
            let current = totp.code(at: Date())
            let right = try await Self.post(client, "/login/otp", "code=\(current)", cookies: step)
            #expect(right.status == .seeOther)
            let token = try #require(Self.cookie("civitas_session", in: right))
            let session = try #require(
                try await SessionStore(database: database, audit: AuditLog(database: database)).session(token: token))
            #expect(session.level == .substantial)
            #expect(session.methods == [.password, .oneTimePassword])
            let again = try await Self.post(client, "/login", "username=nino.beridze&password=tbilisi+rain+in+october")
            let step2 = "civitas_login_step=\(try #require(Self.cookie("civitas_login_step", in: again)))"
            let replay = try await Self.post(client, "/login/otp", "code=\(current)", cookies: step2)
            #expect(replay.status == .unauthorized, "the same code twice")
        }
    }
}
