import SwiftASN1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// DER encoding and decoding of the two ASN.1 time types that OCSP and CRLs use.
///
/// ```
/// GeneralizedTime -- YYYYMMDDHHMMSSZ in DER: UTC, no fractional seconds (RFC 5280 §4.1.2.5.2)
/// UTCTime         -- YYMMDDHHMMSSZ, years 1950 to 2049 (RFC 5280 §4.1.2.5.1)
/// ```
enum OCSPTime {
    /// Appends `date` as a DER GeneralizedTime, truncated to the second; false (and nothing appended) when its
    /// year is outside 1 to 9999.
    static func appendGeneralizedTime(_ date: Date, to serializer: inout DER.Serializer) -> Bool {
        guard let fields = OCSPCalendar.fields(of: date) else { return false }
        serializer.appendPrimitiveNode(identifier: .generalizedTime) { bytes in
            appendDigits(fields.year, count: 4, to: &bytes)
            appendFields(fields, to: &bytes)
        }
        return true
    }

    /// Appends `date` as RFC 5280's `Time`: a UTCTime through 2049, a GeneralizedTime from 2050 on (and before
    /// 1950, which UTCTime cannot express); false (and nothing appended) outside the years 1 to 9999.
    static func appendTime(_ date: Date, to serializer: inout DER.Serializer) -> Bool {
        guard let fields = OCSPCalendar.fields(of: date) else { return false }
        guard (1950...2049).contains(fields.year) else {
            return appendGeneralizedTime(date, to: &serializer)
        }
        serializer.appendPrimitiveNode(identifier: .utcTime) { bytes in
            appendDigits(fields.year % 100, count: 2, to: &bytes)
            appendFields(fields, to: &bytes)
        }
        return true
    }

    /// Reads a DER GeneralizedTime node.
    static func generalizedTime(from node: ASN1Node) throws -> Date {
        let time = try GeneralizedTime(derEncoded: node)
        return date(of: time)
    }

    /// Reads a `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }` node.
    static func time(from node: ASN1Node) throws -> Date {
        switch node.identifier {
        case .utcTime:
            let time = try UTCTime(derEncoded: node)
            let fields = OCSPCalendar.Fields(
                year: time.year,
                month: time.month,
                day: time.day,
                hour: time.hours,
                minute: time.minutes,
                second: time.seconds
            )
            return OCSPCalendar.date(fields)
        case .generalizedTime:
            return try generalizedTime(from: node)
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    private static func date(of time: GeneralizedTime) -> Date {
        let fields = OCSPCalendar.Fields(
            year: time.year,
            month: time.month,
            day: time.day,
            hour: time.hours,
            minute: time.minutes,
            second: time.seconds
        )
        return OCSPCalendar.date(fields, fractionalSeconds: time.fractionalSeconds)
    }

    private static func appendFields(_ fields: OCSPCalendar.Fields, to bytes: inout [UInt8]) {
        appendDigits(fields.month, count: 2, to: &bytes)
        appendDigits(fields.day, count: 2, to: &bytes)
        appendDigits(fields.hour, count: 2, to: &bytes)
        appendDigits(fields.minute, count: 2, to: &bytes)
        appendDigits(fields.second, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    private static func appendDigits(_ value: Int, count: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        var remaining = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(remaining / divisor))
            remaining %= divisor
            divisor /= 10
        }
    }
}
