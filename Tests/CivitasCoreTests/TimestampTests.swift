import CivitasCore
import Foundation
import Testing

@Suite("Timestamps")
struct TimestampTests {
    @Test(
        "RFC 3339 rendering in UTC with microseconds",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000000Z"),
            (1_796_145_639_123_456, "2026-12-01T17:20:39.123456Z"),
            (-1, "1969-12-31T23:59:59.999999Z"),
            (951_782_400_000_000, "2000-02-29T00:00:00.000000Z"),
            (-62_135_596_800_000_000, "0001-01-01T00:00:00.000000Z"),
        ])
    func rendering(microseconds: Int64, expected: String) {
        #expect(Timestamp(microseconds: microseconds).description == expected)
    }

    @Test("a Date converts to microseconds and back without drift")
    func dateRoundTrip() {
        let stamp = Timestamp(microseconds: 1_796_145_639_123_456)
        #expect(Timestamp(stamp.date) == stamp)
        #expect(Timestamp(Date(timeIntervalSince1970: 0.5)).microseconds == 500_000)
    }
}
