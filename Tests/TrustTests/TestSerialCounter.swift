import Foundation

/// Unique, increasing serial numbers, as the database sequence behind a real authority gives.
actor TestSerialCounter {
    private var next: UInt64

    init(startingAt start: UInt64 = 1) {
        self.next = start
    }

    /// The next serial number as big-endian bytes.
    func take() -> [UInt8] {
        defer { next += 1 }
        return withUnsafeBytes(of: next.bigEndian) { Array($0) }
    }
}
