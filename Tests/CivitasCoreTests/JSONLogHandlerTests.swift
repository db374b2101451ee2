import Foundation
import Testing

@testable import CivitasCore

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test("strings are escaped as RFC 8259 requires, so a hostile value cannot break the line")
    func quoting() throws {
        let hostile = "a\"b\\c\nd\u{01}e ქართ"
        let quoted = JSONLogHandler.quoted(hostile)
        #expect(!quoted.contains("\n"))
        let decoded = try JSONDecoder().decode(String.self, from: Data(quoted.utf8))
        #expect(decoded == hostile)
    }
}
