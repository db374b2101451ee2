import Testing

@testable import Exchange

@Suite struct ExchangeErrorTests {
    @Test func describesItselfByCodeAndMessage() {
        let error = ExchangeError(.notFound, "no member GOV/70000001")
        #expect(error.description == "notFound: no member GOV/70000001")
        #expect(error.code == .notFound)
        #expect(error.code != .alreadyRegistered)
    }
}
