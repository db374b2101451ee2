#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Converts between `Date` and proleptic Gregorian UTC calendar fields, as DER times need them.
///
/// Written out by hand (days-from-civil arithmetic over 400-year eras) rather than through `Calendar`, because
/// it runs on every freshly signed OCSP answer and must not depend on the process's locale or time zone.
enum OCSPCalendar {
    /// The UTC calendar fields of one instant, to whole seconds.
    struct Fields: Equatable {
        var year: Int
        var month: Int
        var day: Int
        var hour: Int
        var minute: Int
        var second: Int
    }

    private static let secondsPerDay: Int64 = 86_400
    /// Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
    private static let epochShift: Int64 = 719_468
    private static let daysPerEra: Int64 = 146_097

    /// The UTC fields of `date`, truncated to the second; nil outside the years 1 to 9999.
    static func fields(of date: Date) -> Fields? {
        let interval = date.timeIntervalSince1970.rounded(.down)
        // Years 1 to 9999 lie well within ±2^38 seconds of 1970.
        guard interval.isFinite, abs(interval) < 400_000_000_000 else { return nil }
        let seconds = Int64(interval)
        var days = seconds / secondsPerDay
        var secondOfDay = seconds % secondsPerDay
        if secondOfDay < 0 {
            secondOfDay += secondsPerDay
            days -= 1
        }
        let shifted = days + epochShift
        let era = (shifted >= 0 ? shifted : shifted - (daysPerEra - 1)) / daysPerEra
        let dayOfEra = shifted - era * daysPerEra
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        guard (1...9999).contains(year) else { return nil }
        return Fields(
            year: Int(year),
            month: Int(month),
            day: Int(day),
            hour: Int(secondOfDay / 3600),
            minute: Int(secondOfDay % 3600 / 60),
            second: Int(secondOfDay % 60)
        )
    }

    /// The instant named by UTC fields (which the DER time parsers have already range-checked).
    static func date(_ fields: Fields, fractionalSeconds: Double = 0) -> Date {
        let year = Int64(fields.year) - (fields.month <= 2 ? 1 : 0)
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let month = Int64(fields.month)
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + Int64(fields.day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * daysPerEra + dayOfEra - epochShift
        let seconds = days * secondsPerDay + Int64(fields.hour * 3600 + fields.minute * 60 + fields.second)
        return Date(timeIntervalSince1970: Double(seconds) + fractionalSeconds)
    }
}
