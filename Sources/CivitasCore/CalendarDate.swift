/// A day in the proleptic Gregorian calendar, without a time or a time zone: a birth date, a date of
/// marriage, the day a document expires.
///
/// Years run from 1 to 9999, so that every date has the four-digit ISO 8601 form `YYYY-MM-DD`, which is
/// both its ``description`` and its `Codable` representation. Every value of this type is a real day:
/// month 13, day 0 and 29 February of a common year cannot be constructed.
///
/// The type does its own arithmetic (Howard Hinnant's `days_from_civil` algorithms) rather than going
/// through Foundation's `Calendar`, so it is cheap enough for generating millions of records.
public struct CalendarDate: Hashable, Sendable {
    /// The year, 1...9999.
    public let year: Int

    /// The month, 1...12.
    public let month: Int

    /// The day of the month, 1...28, 29, 30 or 31 depending on the month and year.
    public let day: Int

    /// The years a calendar date may have.
    public static let yearRange: ClosedRange<Int> = 1...9999

    /// Makes the date with the given year, month and day, checking that the day exists.
    ///
    /// - Throws: ``IdentifierError`` with code ``IdentifierError/Code/outOfRange`` when the year is not in
    ///   ``yearRange``, the month is not 1...12, or the day is not in that month.
    public init(year: Int, month: Int, day: Int) throws(IdentifierError) {
        guard Self.yearRange.contains(year) else {
            throw .outOfRange("year", allowed: Self.yearRange, actual: year)
        }
        guard (1...12).contains(month) else {
            throw .outOfRange("month", allowed: 1...12, actual: month)
        }
        let days = Self.numberOfDays(inMonth: month, year: year)
        guard (1...days).contains(day) else {
            throw .outOfRange("day of month", allowed: 1...days, actual: day)
        }
        self.year = year
        self.month = month
        self.day = day
    }

    private init(uncheckedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses an ISO 8601 calendar date in its extended form, exactly `YYYY-MM-DD` in ASCII digits.
    ///
    /// - Throws: ``IdentifierError`` with code ``IdentifierError/Code/empty``,
    ///   ``IdentifierError/Code/malformed`` or ``IdentifierError/Code/outOfRange``.
    public init(_ string: String) throws(IdentifierError) {
        let bytes = string.utf8
        guard !bytes.isEmpty else {
            throw .empty("date")
        }
        guard bytes.count == 10 else {
            throw .malformed("date", expected: "YYYY-MM-DD")
        }
        var fields = [0, 0, 0]
        var field = 0
        for (offset, byte) in bytes.enumerated() {
            if offset == 4 || offset == 7 {
                guard byte == UInt8(ascii: "-") else {
                    throw .malformed("date", expected: "YYYY-MM-DD")
                }
                field += 1
            } else {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                    throw .malformed("date", expected: "YYYY-MM-DD")
                }
                fields[field] = fields[field] * 10 + Int(byte - UInt8(ascii: "0"))
            }
        }
        try self.init(year: fields[0], month: fields[1], day: fields[2])
    }

    /// Makes the date that lies the given number of days after 1970-01-01 (before it, if negative).
    ///
    /// - Precondition: the result lies between 0001-01-01 and 9999-12-31.
    public init(daysSince1970 days: Int) {
        precondition(
            Self.dayRange.contains(days),
            "a calendar date lies between 0001-01-01 and 9999-12-31"
        )
        // Hinnant's civil_from_days, with eras of 400 years (146,097 days) starting on 1 March.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        self.day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        self.month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        self.year = yearOfEra + era * 400 + (self.month <= 2 ? 1 : 0)
    }

    /// The number of days from 1970-01-01 to this date; negative for earlier dates.
    public var daysSince1970: Int {
        Self.daysSince1970(year: year, month: month, day: day)
    }

    /// The same day `years` years later (earlier, if negative); 29 February becomes 28 February when the
    /// target year is a common year, as a document valid for ten years from 29 February expires on 28 February.
    ///
    /// - Precondition: the result lies between 0001-01-01 and 9999-12-31.
    public func addingYears(_ years: Int) -> CalendarDate {
        let target = year + years
        precondition(Self.yearRange.contains(target), "a calendar date lies between 0001-01-01 and 9999-12-31")
        return CalendarDate(
            uncheckedYear: target,
            month: month,
            day: Swift.min(day, Self.numberOfDays(inMonth: month, year: target))
        )
    }

    /// The number of whole years from this date to `date`: a person born on this date is that old on
    /// `date`. Someone born on 29 February turns a year older on 1 March in common years.
    ///
    /// Negative when `date` is earlier than this date.
    public func age(on date: CalendarDate) -> Int {
        let years = date.year - year
        if (date.month, date.day) < (month, day) {
            return years - 1
        }
        return years
    }

    /// Whether `year` is a leap year in the Gregorian calendar: divisible by 4, except centuries not
    /// divisible by 400.
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// The number of days in `month` (1...12) of `year`.
    ///
    /// - Precondition: `month` is 1...12.
    public static func numberOfDays(inMonth month: Int, year: Int) -> Int {
        precondition((1...12).contains(month), "a month is 1...12")
        switch month {
        case 2:
            return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }

    /// Hinnant's days_from_civil, for a year, month and day already known to be valid.
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let marchYear = month <= 2 ? year - 1 : year
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfEra = marchYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Day numbers of 0001-01-01 and 9999-12-31.
    static let dayRange = daysSince1970(year: 1, month: 1, day: 1)...daysSince1970(year: 9999, month: 12, day: 31)
}

extension CalendarDate: Comparable {
    /// Orders dates from earlier to later.
    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

extension CalendarDate: CustomStringConvertible {
    /// The date in ISO 8601 extended form, `YYYY-MM-DD`.
    public var description: String {
        String(unsafeUninitializedCapacity: 10) { buffer in
            func put(_ number: Int, at offset: Int, width: Int) {
                var rest = number
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[index] = UInt8(truncatingIfNeeded: rest % 10) + UInt8(ascii: "0")
                    rest /= 10
                }
            }
            put(year, at: 0, width: 4)
            buffer[4] = UInt8(ascii: "-")
            put(month, at: 5, width: 2)
            buffer[7] = UInt8(ascii: "-")
            put(day, at: 8, width: 2)
            return 10
        }
    }
}

extension CalendarDate: Codable {
    /// Decodes a date from a `YYYY-MM-DD` string, validating it as ``init(_:)`` does.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            try self.init(string)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: error.message,
                    underlyingError: error
                )
            )
        }
    }

    /// Encodes the date as its `YYYY-MM-DD` string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
