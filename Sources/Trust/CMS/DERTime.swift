import Foundation
import SwiftASN1

/// UTC civil time and its DER encodings, without `Calendar` (which is slow and allocates on every call).
///
/// GeneralizedTime in DER (X.690 11.7) is `YYYYMMDDHHMMSS[.f*]Z`: always UTC, seconds always present, a
/// fraction only when it is not zero, and no trailing zeros in the fraction. UTCTime (X.690 11.8) is
/// `YYMMDDHHMMSSZ`; RFC 5652 11.3 wants it for signing-time between 1950 and 2049.
enum DERTime {
    /// A UTC instant split into civil fields, with the sub-second part in microseconds.
    struct Components: Equatable {
        var year: Int
        var month: Int
        var day: Int
        var hour: Int
        var minute: Int
        var second: Int
        var microsecond: Int
    }

    static let secondsPerDay: Int64 = 86_400

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        // Count years from March so that the leap day is the last day of the counted year.
        let shiftedYear = Int64(month <= 2 ? year - 1 : year)
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthFromMarch = Int64((month + 9) % 12)
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01.
    static func civil(days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// The civil UTC fields of `date`, rounded to the nearest microsecond.
    static func components(of date: Date) -> Components {
        let interval = date.timeIntervalSince1970
        var whole = interval.rounded(.down)
        var micros = ((interval - whole) * 1_000_000).rounded()
        if micros >= 1_000_000 {
            whole += 1
            micros -= 1_000_000
        }
        let seconds = Int64(whole)
        var day = seconds / secondsPerDay
        var secondOfDay = seconds % secondsPerDay
        if secondOfDay < 0 {
            secondOfDay += secondsPerDay
            day -= 1
        }
        let (year, month, dayOfMonth) = civil(days: day)
        return Components(
            year: year,
            month: month,
            day: dayOfMonth,
            hour: Int(secondOfDay / 3_600),
            minute: Int(secondOfDay % 3_600 / 60),
            second: Int(secondOfDay % 60),
            microsecond: Int(micros)
        )
    }

    /// The instant of civil UTC fields.
    static func date(_ fields: Components) -> Date {
        let seconds =
            days(year: fields.year, month: fields.month, day: fields.day) * secondsPerDay
            + Int64(fields.hour * 3_600 + fields.minute * 60 + fields.second)
        return Date(timeIntervalSince1970: Double(seconds) + Double(fields.microsecond) / 1_000_000)
    }

    /// A DER GeneralizedTime TLV with up to `fractionDigits` (0...6) digits of fraction, trailing zeros removed.
    static func generalizedTime(_ date: Date, fractionDigits: Int) throws(CMSError) -> [UInt8] {
        let fields = components(of: date)
        guard (0...9999).contains(fields.year) else {
            throw CMSError(.invalidArgument, "time \(date) cannot be written as GeneralizedTime")
        }
        var out: [UInt8] = []
        out.reserveCapacity(24)
        out.append(DERWriter.Tag.generalizedTime)
        out.append(0)
        appendDigits(fields.year, count: 4, to: &out)
        appendDigits(fields.month, count: 2, to: &out)
        appendDigits(fields.day, count: 2, to: &out)
        appendDigits(fields.hour, count: 2, to: &out)
        appendDigits(fields.minute, count: 2, to: &out)
        appendDigits(fields.second, count: 2, to: &out)
        let digits = min(max(fractionDigits, 0), 6)
        if digits > 0 {
            var fraction = fields.microsecond
            for _ in digits..<6 { fraction /= 10 }
            var significant = digits
            while significant > 0, fraction % 10 == 0 {
                fraction /= 10
                significant -= 1
            }
            if significant > 0 {
                out.append(UInt8(ascii: "."))
                appendDigits(fraction, count: significant, to: &out)
            }
        }
        out.append(UInt8(ascii: "Z"))
        out[1] = UInt8(out.count - 2)
        return out
    }

    /// A DER UTCTime TLV for 1950...2049, a whole-second GeneralizedTime otherwise (RFC 5652 11.3).
    static func signingTime(_ date: Date) throws(CMSError) -> [UInt8] {
        let fields = components(of: date)
        guard (1950...2049).contains(fields.year) else {
            return try generalizedTime(date, fractionDigits: 0)
        }
        var out: [UInt8] = [DERWriter.Tag.utcTime, 13]
        out.reserveCapacity(15)
        appendDigits(fields.year % 100, count: 2, to: &out)
        appendDigits(fields.month, count: 2, to: &out)
        appendDigits(fields.day, count: 2, to: &out)
        appendDigits(fields.hour, count: 2, to: &out)
        appendDigits(fields.minute, count: 2, to: &out)
        appendDigits(fields.second, count: 2, to: &out)
        out.append(UInt8(ascii: "Z"))
        return out
    }

    /// The instant of a parsed GeneralizedTime (fraction kept to the microsecond).
    static func date(_ time: GeneralizedTime) -> Date {
        var micros = 0
        var scale = 100_000
        for digit in time.rawFractionalSeconds.prefix(6) {
            micros += Int(digit &- UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return date(
            Components(
                year: time.year,
                month: time.month,
                day: time.day,
                hour: time.hours,
                minute: time.minutes,
                second: time.seconds,
                microsecond: micros
            )
        )
    }

    /// The instant of a parsed UTCTime.
    static func date(_ time: UTCTime) -> Date {
        date(
            Components(
                year: time.year,
                month: time.month,
                day: time.day,
                hour: time.hours,
                minute: time.minutes,
                second: time.seconds,
                microsecond: 0
            )
        )
    }

    /// The instant of a DER `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }` node.
    static func date(fromTimeNode node: ASN1Node) throws -> Date {
        switch node.identifier {
        case UTCTime.defaultIdentifier:
            return date(try UTCTime(derEncoded: node))
        case GeneralizedTime.defaultIdentifier:
            return date(try GeneralizedTime(derEncoded: node))
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    @inline(__always)
    private static func appendDigits(_ value: Int, count: Int, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<max(count, 1) { divisor *= 10 }
        var remaining = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(remaining / divisor % 10))
            remaining %= divisor
            divisor /= 10
        }
    }
}
