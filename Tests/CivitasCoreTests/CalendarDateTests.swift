import CivitasCore
import Foundation
import Testing

@Suite("CalendarDate")
struct CalendarDateTests {
    @Test(
        "29 February exists only in leap years",
        arguments: [(2024, true), (2023, false), (2000, true), (1900, false), (2100, false), (2400, true), (4, true)]
    )
    func februaryTwentyNinth(year: Int, exists: Bool) {
        let date = try? CalendarDate(year: year, month: 2, day: 29)
        #expect((date != nil) == exists)
        #expect(CalendarDate.isLeapYear(year) == exists)
    }

    @Test(
        "months, days and years outside their range are rejected",
        arguments: [
            (2024, 13, 1), (2024, 0, 1), (2024, 1, 0), (2024, 1, 32), (2024, 4, 31), (2023, 2, 29), (2024, 2, 30),
            (2024, 6, 31), (2024, 9, 31), (2024, 11, 31), (0, 1, 1), (10_000, 1, 1), (-1, 1, 1), (2024, -1, 5),
        ]
    )
    func rejectsOutOfRange(year: Int, month: Int, day: Int) {
        #expect {
            try CalendarDate(year: year, month: month, day: day)
        } throws: { error in
            (error as? IdentifierError)?.code == .outOfRange
        }
    }

    @Test("every day of every month of a leap and a common year is accepted")
    func acceptsEveryRealDay() throws {
        for year in [2023, 2024] {
            var total = 0
            for month in 1...12 {
                for day in 1...CalendarDate.numberOfDays(inMonth: month, year: year) {
                    _ = try CalendarDate(year: year, month: month, day: day)
                    total += 1
                }
            }
            #expect(total == (CalendarDate.isLeapYear(year) ? 366 : 365))
        }
    }

    @Test("the description is ISO 8601 YYYY-MM-DD with leading zeros")
    func describesAsISO8601() throws {
        #expect(try CalendarDate(year: 2026, month: 1, day: 9).description == "2026-01-09")
        #expect(try CalendarDate(year: 7, month: 12, day: 31).description == "0007-12-31")
        #expect(try CalendarDate(year: 9999, month: 12, day: 31).description == "9999-12-31")
    }

    @Test("parsing accepts exactly YYYY-MM-DD", arguments: ["2024-02-29", "0001-01-01", "1970-01-01"])
    func parsesISO8601(string: String) throws {
        #expect(try CalendarDate(string).description == string)
    }

    @Test(
        "parsing rejects other layouts and impossible dates",
        arguments: [
            ("", IdentifierError.Code.empty), ("2024-2-29", .malformed), ("20240229", .malformed),
            ("2024/02/29", .malformed), (" 2024-02-29", .malformed), ("2024-02-29T00:00", .malformed),
            ("２０２４-02-29", .malformed), ("+024-02-29", .malformed), ("2023-02-29", .outOfRange),
            ("2024-13-01", .outOfRange), ("2024-01-00", .outOfRange), ("0000-01-01", .outOfRange),
        ]
    )
    func rejectsMalformedStrings(string: String, code: IdentifierError.Code) {
        #expect {
            try CalendarDate(string)
        } throws: { error in
            (error as? IdentifierError)?.code == code
        }
    }

    @Test("day numbers count from 1970-01-01 and convert back, across the whole range of years")
    func daysSince1970RoundTrip() throws {
        #expect(try CalendarDate(year: 1970, month: 1, day: 1).daysSince1970 == 0)
        #expect(try CalendarDate(year: 2000, month: 3, day: 1).daysSince1970 == 11_017)
        #expect(try CalendarDate(year: 1969, month: 12, day: 31).daysSince1970 == -1)
        let first = try CalendarDate(year: 1, month: 1, day: 1).daysSince1970
        let last = try CalendarDate(year: 9999, month: 12, day: 31).daysSince1970
        var previous: CalendarDate?
        for day in stride(from: first, through: last, by: 1) {
            let date = CalendarDate(daysSince1970: day)
            #expect(date.daysSince1970 == day)
            if let previous {
                #expect(previous < date)
            }
            previous = date
        }
        #expect(previous == (try CalendarDate(year: 9999, month: 12, day: 31)))
    }

    @Test("dates order chronologically")
    func ordersChronologically() throws {
        let dates = try [(2024, 12, 31), (2024, 1, 1), (1999, 12, 31), (2024, 2, 29)].map {
            try CalendarDate(year: $0.0, month: $0.1, day: $0.2)
        }
        #expect(dates.sorted().map(\.description) == ["1999-12-31", "2024-01-01", "2024-02-29", "2024-12-31"])
    }

    @Test("age counts whole years, and a 29 February birthday comes on 1 March in common years")
    func ageCountsWholeYears() throws {
        let born = try CalendarDate(year: 2000, month: 2, day: 29)
        #expect(born.age(on: try CalendarDate(year: 2001, month: 2, day: 28)) == 0)
        #expect(born.age(on: try CalendarDate(year: 2001, month: 3, day: 1)) == 1)
        #expect(born.age(on: try CalendarDate(year: 2004, month: 2, day: 29)) == 4)
        #expect(born.age(on: born) == 0)
    }

    @Test("adding years keeps the day, turning 29 February into 28 February in common years")
    func addingYears() throws {
        let leapDay = try CalendarDate(year: 2024, month: 2, day: 29)
        #expect(leapDay.addingYears(1).description == "2025-02-28")
        #expect(leapDay.addingYears(4).description == "2028-02-29")
        #expect(leapDay.addingYears(-100).description == "1924-02-29")
        #expect(try CalendarDate(year: 2026, month: 7, day: 15).addingYears(-26).description == "2000-07-15")
    }

    @Test("a date encodes as a YYYY-MM-DD JSON string and rejects impossible dates when decoded")
    func codableAsString() throws {
        let date = try CalendarDate(year: 1987, month: 6, day: 5)
        let json = try JSONEncoder().encode([date])
        #expect(String(decoding: json, as: UTF8.self) == #"["1987-06-05"]"#)
        #expect(try JSONDecoder().decode([CalendarDate].self, from: json) == [date])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CalendarDate].self, from: Data(#"["1987-02-29"]"#.utf8))
        }
    }
}
