/// How far a time-stamp's genTime may be from UTC (RFC 3161 2.4.2).
///
/// ```asn1
/// Accuracy ::= SEQUENCE {
///     seconds        INTEGER              OPTIONAL,
///     millis     [0] INTEGER  (1..999)    OPTIONAL,
///     micros     [1] INTEGER  (1..999)    OPTIONAL  }
/// ```
///
/// A field that is zero is left out; a missing field reads as zero.
public struct TimeStampAccuracy: Sendable, Hashable {
    /// Whole seconds (0 or more).
    public var seconds: Int
    /// Milliseconds (0...999).
    public var millis: Int
    /// Microseconds (0...999).
    public var micros: Int

    /// Creates an accuracy.
    public init(seconds: Int = 0, millis: Int = 0, micros: Int = 0) {
        self.seconds = seconds
        self.millis = millis
        self.micros = micros
    }

    /// Whether every field is in range.
    public var isValid: Bool { seconds >= 0 && (0...999).contains(millis) && (0...999).contains(micros) }

    /// The accuracy in microseconds.
    public var totalMicroseconds: Int { seconds * 1_000_000 + millis * 1_000 + micros }

    /// How many fraction digits genTime needs to show this accuracy: 0 for a second or more, 3 for whole
    /// milliseconds, 6 otherwise.
    var fractionDigits: Int {
        let total = totalMicroseconds
        if total >= 1_000_000 { return 0 }
        return total % 1_000 == 0 ? 3 : 6
    }

    /// The DER Accuracy.
    var derEncoded: [UInt8] {
        var parts: [[UInt8]] = []
        if seconds > 0 { parts.append(DERWriter.integer(seconds)) }
        if millis > 0 {
            parts.append(DERWriter.retagged(DERWriter.integer(millis), as: DERWriter.Tag.contextPrimitive(0)))
        }
        if micros > 0 {
            parts.append(DERWriter.retagged(DERWriter.integer(micros), as: DERWriter.Tag.contextPrimitive(1)))
        }
        return DERWriter.tlv(DERWriter.Tag.sequence, parts: parts)
    }
}
