import Audit
import Storage
import StorageTesting
import Testing

@testable import Trust

@Suite("Serial numbers")
struct SerialAllocatorTests {
    @Test("numbers are unique across allocators and restarts, and increase", arguments: DatabaseEngine.allCases)
    func unique(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations + NationalPKI.migrations) { database in
            let first = SerialAllocator(database: database, name: "tsa", blockSize: 10)
            let second = SerialAllocator(database: database, name: "tsa", blockSize: 10)
            var seen = Set<Int64>()
            var lastFromFirst: Int64 = 0
            try await withThrowingTaskGroup(of: [Int64].self) { group in
                for allocator in [first, second] {
                    group.addTask {
                        var numbers: [Int64] = []
                        for _ in 0..<35 { numbers.append(try await allocator.allocate()) }
                        return numbers
                    }
                }
                for try await numbers in group {
                    #expect(numbers == numbers.sorted(), "each allocator's numbers increase")
                    for number in numbers { #expect(seen.insert(number).inserted, "\(number) given twice") }
                }
            }
            lastFromFirst = try await first.allocate()
            // A restarted node (a new allocator) continues past every reserved block.
            let restarted = SerialAllocator(database: database, name: "tsa", blockSize: 10)
            let after = try await restarted.allocate()
            #expect(!seen.contains(after) && after > lastFromFirst)
            let other = SerialAllocator(database: database, name: "crl:citizens-ca")
            #expect(try await other.allocate() == 1)
        }
    }

    @Test("serials encode as minimal positive DER INTEGER contents")
    func integerBytes() {
        #expect(SerialAllocator.integerBytes(1) == [1])
        #expect(SerialAllocator.integerBytes(127) == [0x7F])
        #expect(SerialAllocator.integerBytes(128) == [0x00, 0x80])
        #expect(SerialAllocator.integerBytes(256) == [0x01, 0x00])
        #expect(SerialAllocator.integerBytes(Int64.max) == [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    }
}
