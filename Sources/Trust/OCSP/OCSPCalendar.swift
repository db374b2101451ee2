#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Converts between `Date` and proleptic Gregorian UTC calendar fields, as DER times need them.
///
/// Built on ``DERTime``'s day arithmetic rather than `Calendar`, because it runs on every freshly signed OCSP
/// answer and must not depend on the process's locale or time zone.
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

    /// The UTC fields of `date`, truncated to the second; nil outside the years 1 to 9999.
    static func fields(of date: Date) -> Fields? {
        let interval = date.timeIntervalSince1970.rounded(.down)
        // Years 1 to 9999 lie well within ±2^38 seconds of 1970.
        guard interval.isFinite, abs(interval) < 400_000_000_000 else { return nil }
        let seconds = Int64(interval)
        var days = seconds / DERTime.secondsPerDay
        var secondOfDay = seconds % DERTime.secondsPerDay
        if secondOfDay < 0 {
            secondOfDay += DERTime.secondsPerDay
            days -= 1
        }
        let (year, month, day) = DERTime.civil(days: days)
        guard (1...9999).contains(year) else { return nil }
        return Fields(
            year: year,
            month: month,
            day: day,
            hour: Int(secondOfDay / 3600),
            minute: Int(secondOfDay % 3600 / 60),
            second: Int(secondOfDay % 60)
        )
    }

    /// The instant named by UTC fields (which the DER time parsers have already range-checked).
    static func date(_ fields: Fields, fractionalSeconds: Double = 0) -> Date {
        let days = DERTime.days(year: fields.year, month: fields.month, day: fields.day)
        let seconds = days * DERTime.secondsPerDay + Int64(fields.hour * 3600 + fields.minute * 60 + fields.second)
        return Date(timeIntervalSince1970: Double(seconds) + fractionalSeconds)
    }
}
